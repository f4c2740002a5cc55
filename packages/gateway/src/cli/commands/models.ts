import type { CatalogQuery, CatalogSort, Model, ModelEndpoint, Switchyard } from '@switchyard/sdk';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { parseInteger } from '../parse-options.js';
import { formatDuration } from '../probe/duration.js';
import { wrapText } from '../probe/wrap-text.js';
import { UsageError } from '../support/exit-codes.js';
import { createOutput, type Output, perMillion, table, tokens } from '../support/output.js';
import { openCliClient } from '../support/sdk-client.js';

interface ModelsFlags {
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

const SORTS: CatalogSort[] = ['popular', 'price', 'context', 'newest', 'name'];
const SORT_WORDS: Record<CatalogSort, string> = {
  popular: 'most used first',
  price: 'cheapest first',
  context: 'largest context first',
  newest: 'newest first',
  name: 'by name',
};

function positive(value: string): number {
  const n = parseInteger(value);
  if (n < 1) throw new InvalidArgumentError(`expected a positive integer, got ${n}`);
  return n;
}

/** USD per million tokens: `0.5`, `3`. */
function price(value: string): number {
  const n = Number(value.trim().replace(/^\$/, ''));
  if (value.trim() === '' || !Number.isFinite(n) || n < 0)
    throw new InvalidArgumentError(`expected USD per million tokens such as 0.5 or 3, got "${value}"`);
  return n;
}

/** `128000`, `128k`, `1m`. */
function contextSize(value: string): number {
  const match = /^(\d+(?:\.\d+)?)([km])?$/i.exec(value.trim());
  if (!match) throw new InvalidArgumentError(`expected a token count such as 32000, 128k or 1m, got "${value}"`);
  const unit = match[2]?.toLowerCase() === 'm' ? 1_000_000 : match[2] ? 1000 : 1;
  return Math.round(Number(match[1]) * unit);
}

function list(value: string): string[] {
  const items = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (items.length === 0) throw new InvalidArgumentError('expected a comma-separated list');
  return items;
}

/** Input modalities (`text+image`), then `→output` when the model produces more or other than text. */
function modalities(model: Model): string {
  const arch = model.architecture;
  const input = arch?.input_modalities?.length ? arch.input_modalities.join('+') : '?';
  const outputs = arch?.output_modalities ?? [];
  return outputs.length === 1 && outputs[0] === 'text' ? input : `${input}→${outputs.join('+') || '?'}`;
}

/** What a model can do beyond text: `tools`, `json` (structured output), `reasoning`. */
function features(model: Model): string {
  const params = new Set(model.supported_parameters ?? []);
  const flags: string[] = [];
  if (params.has('tools')) flags.push('tools');
  if (params.has('response_format') || params.has('structured_outputs')) flags.push('json');
  if (params.has('reasoning') || params.has('include_reasoning') || model.reasoning) flags.push('reasoning');
  return flags.join(' ');
}

function price$(value: string | undefined, output: Output): string {
  const text = perMillion(value);
  if (Number(value) < 0) return 'varies';
  return text === 'free' ? output.green(text) : text;
}

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

function printTable(rows: Model[], output: Output): void {
  const cells = rows.map((m) => [
    m.id,
    m.name ?? '',
    tokens(m.context_length ?? m.top_provider?.context_length),
    price$(m.pricing?.prompt, output),
    price$(m.pricing?.completion, output),
    modalities(m),
    features(m),
  ]);
  const headers = ['ID', 'NAME', 'CONTEXT', 'PROMPT', 'COMPLETION', 'MODALITIES', 'FLAGS'];
  // Ids are never cut (they are what you copy); the name gives way when the terminal is narrow.
  const others = headers
    .map((h, i) => (i === 1 ? 0 : Math.max(h.length, ...cells.map((row) => (row[i] as string).length))))
    .reduce((sum, w) => sum + w + 2, 0);
  const nameMax = output.interactive ? Math.max(12, Math.min(40, output.columns - others)) : 40;
  output.out(
    table(
      [
        { header: headers[0] as string },
        { header: headers[1] as string, max: nameMax },
        { header: headers[2] as string, align: 'right' },
        { header: headers[3] as string, align: 'right' },
        { header: headers[4] as string, align: 'right' },
        { header: headers[5] as string },
        { header: headers[6] as string },
      ],
      cells,
    ),
  );
}

function date(epochSeconds: number | undefined): string {
  return epochSeconds ? new Date(epochSeconds * 1000).toISOString().slice(0, 10) : '—';
}

function percentile(stats: ModelEndpoint['latency_last_30m']): string {
  if (!stats) return '—';
  const p50 = stats.p50;
  return p50 >= 100 ? `${Math.round(p50)}` : `${p50}`;
}

async function printDetails(sy: Switchyard, model: Model, output: Output): Promise<void> {
  const width = Math.min(output.columns, 100);
  const label = (name: string) => output.bold(name.padEnd(12));
  const pricing = model.pricing ?? { prompt: '0', completion: '0' };
  const priceParts = [
    `prompt ${price$(pricing.prompt, output)}`,
    `completion ${price$(pricing.completion, output)}`,
    pricing.input_cache_read ? `cache read ${perMillion(pricing.input_cache_read)}` : undefined,
    pricing.input_cache_write ? `cache write ${perMillion(pricing.input_cache_write)}` : undefined,
    pricing.request && Number(pricing.request) > 0 ? `per request $${pricing.request}` : undefined,
  ].filter(Boolean);
  const lines = [`${output.bold(model.id)} — ${model.name ?? ''}`];
  if (model.description) lines.push('', ...wrapText(model.description, width));
  const maxOut = model.top_provider?.max_completion_tokens;
  lines.push(
    '',
    `${label('Context')} ${tokens(model.context_length ?? model.top_provider?.context_length)} tokens${maxOut ? ` (max output ${tokens(maxOut)})` : ''}`,
    `${label('Prices')} ${priceParts.join(' · ')}`,
    `${label('Modalities')} ${modalities(model)}`,
    `${label('Features')} ${features(model) || '—'}`,
  );
  const params = wrapText((model.supported_parameters ?? []).join(', '), width - 13);
  lines.push(`${label('Parameters')} ${params[0] ?? '—'}`, ...params.slice(1).map((l) => `${' '.repeat(13)}${l}`));
  lines.push(`${label('Added')} ${date(model.created)}`);
  if (model.knowledge_cutoff) lines.push(`${label('Knowledge')} ${model.knowledge_cutoff}`);
  if (model.expiration_date) lines.push(`${label('Expires')} ${output.yellow(model.expiration_date)}`);
  output.out(lines.join('\n'));

  const listing = await sy.models.endpoints(model.id).catch(() => undefined);
  if (!listing?.endpoints?.length) return;
  output.out(`\n${output.bold('Endpoints')}`);
  output.out(
    table(
      [
        { header: 'PROVIDER' },
        { header: 'CONTEXT', align: 'right' },
        { header: 'PROMPT', align: 'right' },
        { header: 'COMPLETION', align: 'right' },
        { header: 'QUANT' },
        { header: 'UPTIME 30M', align: 'right' },
        { header: 'LATENCY P50 MS', align: 'right' },
        { header: 'TOK/S P50', align: 'right' },
      ],
      listing.endpoints.map((e) => [
        e.provider_name,
        tokens(e.context_length),
        price$(e.pricing?.prompt, output),
        price$(e.pricing?.completion, output),
        e.quantization ?? '—',
        e.uptime_last_30m === null || e.uptime_last_30m === undefined ? '—' : `${e.uptime_last_30m}%`,
        percentile(e.latency_last_30m),
        percentile(e.throughput_last_30m),
      ]),
    ),
  );
}

const EXAMPLES = `
Examples:
  switchyard models                                   every chat model, most used first
  switchyard models llama instruct --free             free models whose id, name or description has both words
  switchyard models --supports tools,response_format --min-context 128k --sort price --top 10
  switchyard models --modality image --max-price 1    models that read images, at most $1 per million tokens
  switchyard models --output embeddings               embedding models
  switchyard models openai/gpt-4o-mini                one model in detail, with its provider endpoints
  switchyard models --free --json | jq -r '.data[].id'

Prices are USD per million tokens (PROMPT = input, COMPLETION = output). FLAGS: tools (tool calling), json
(structured output), reasoning. --supports takes names from the models' supported_parameters. The catalog is
fetched from OpenRouter (no key needed) and cached for an hour on disk; offline, the cached copy is shown.`;

/** `switchyard models`: search and browse the model catalog. */
export function registerModels(program: Command): void {
  program
    .command('models')
    .description('search the model catalog: prices, context, modalities, capabilities')
    .argument('[query...]', 'words that must all appear in the id, name or description; an exact id shows details')
    .option('--free', 'only free models')
    .option('--paid', 'only paid models')
    .option('--max-price <usd>', 'prompt and completion at most this many USD per million tokens', price)
    .option('--min-context <tokens>', 'context window of at least this many tokens (32000, 128k, 1m)', contextSize)
    .option(
      '--supports <params>',
      'comma-separated parameters the model must support (tools, response_format, …)',
      list,
    )
    .option('--modality <list>', 'input modalities the model must accept (image, audio, file, video)', list)
    .option('--output <list>', 'output modalities: text (default), embeddings, image, or all', list)
    .option('--author <name>', 'only this author (the id before the slash: openai, anthropic, …)')
    .addOption(new Option('--sort <order>', 'order of the list').choices(SORTS).default('popular'))
    .option('--top <n>', 'show only the first n models', positive)
    .option('--json', 'print JSON ({"data": [models]})')
    .option('-c, --config <file>', 'switchyard.toml to read')
    .addHelpText('after', EXAMPLES)
    .action(async (words: string[], flags: ModelsFlags) => {
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
          output.err(
            output.yellow(`The catalog could not be refreshed (${status.lastError}): showing the copy${age}.`),
          );
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
    });
}
