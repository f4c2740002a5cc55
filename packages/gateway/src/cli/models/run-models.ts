import type { CatalogQuery, CatalogSort } from '@switchyard/sdk';
import { formatDuration } from '../probe/duration.js';
import { UsageError } from '../support/exit-codes.js';
import { createOutput } from '../support/output.js';
import { openCliClient } from '../support/sdk-client.js';
import { printDetails, printTable } from './model-view.js';

// The implementation of `switchyard models` (commands/models.ts defines the command). It opens the SDK client and
// nothing else: with a fresh catalog on disk, `models --json` reads the cache file and prints it.

export interface ModelsFlags {
  free?: boolean;
  paid?: boolean;
  maxPrice?: number;
  minContext?: number;
  supports?: string[];
  modality?: string[];
  output?: string[];
  author?: string;
  sort: CatalogSort;
  top?: number;
  json?: boolean;
  config?: string;
}

const SORT_WORDS: Record<CatalogSort, string> = {
  popular: 'most used first',
  price: 'cheapest first',
  context: 'largest context first',
  newest: 'newest first',
  name: 'by name',
};

function catalogQuery(text: string, flags: ModelsFlags): CatalogQuery {
  const query: CatalogQuery = { sort: flags.sort };
  if (text) query.text = text;
  if (flags.free) query.free = true;
  if (flags.paid) query.free = false;
  if (flags.maxPrice !== undefined) {
    query.maxPromptPrice = flags.maxPrice;
    query.maxCompletionPrice = flags.maxPrice;
  }
  if (flags.minContext !== undefined) query.minContext = flags.minContext;
  if (flags.supports) query.supports = flags.supports;
  if (flags.modality) query.inputModalities = flags.modality;
  if (flags.output) query.outputModalities = flags.output;
  if (flags.author) query.author = flags.author;
  if (flags.top !== undefined) query.limit = flags.top;
  return query;
}

/** Search the catalog (or show one model in detail) and print the result. */
export async function runModels(words: string[], flags: ModelsFlags): Promise<void> {
  const output = createOutput();
  if (flags.free && flags.paid) throw new UsageError('--free and --paid exclude each other');
  const client = await openCliClient({ config: flags.config }, output);
  try {
    const sy = client.sy;
    const text = words.join(' ').trim();
    const exact = /^\S+\/\S+$/.test(text) ? (await sy.models.list()).find((m) => m.id === text) : undefined;
    if (exact) {
      if (flags.json) {
        const listing = await sy.models.endpoints(exact.id).catch(() => undefined);
        output.json({ data: exact, endpoints: listing?.endpoints ?? null });
      } else await printDetails(sy, exact, output);
      return;
    }
    const rows = await sy.models.search(catalogQuery(text, flags));
    const status = sy.models.status();
    if (status.stale && status.lastError) {
      const age = status.fetchedAt ? ` from ${formatDuration(Date.now() - status.fetchedAt)} ago` : '';
      output.err(output.yellow(`The catalog could not be refreshed (${status.lastError}): showing the copy${age}.`));
    }
    if (flags.json) {
      output.json({ data: rows });
      return;
    }
    if (rows.length === 0) {
      output.err('No models match. Try fewer words or filters (`switchyard models --help`).');
      return;
    }
    printTable(rows, output);
    output.err(
      output.dim(
        `${rows.length} model${rows.length === 1 ? '' : 's'}, ${SORT_WORDS[flags.sort]}; prices per million tokens`,
      ),
    );
  } finally {
    await client.close();
  }
}
