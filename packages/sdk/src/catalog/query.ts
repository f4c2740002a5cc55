import { SwitchyardError } from '../errors/switchyard-error.js';
import type { Model } from '../protocol/catalog.js';
import { parseUsd } from '../usage/money.js';
import { pricesOf } from './prices.js';

/** How models are ordered by `search()` and `top()`. */
export type CatalogSort = 'price' | 'context' | 'newest' | 'name' | 'popular';

/**
 * What `sy.models.search()` and `top()` look for. Every given field must hold; nothing given = every text model.
 */
export interface CatalogQuery {
  /** Words that must all appear in the id, name or description (case-insensitive). */
  text?: string;
  /** `true`: only models whose prompt, completion and per-request prices are all 0; `false`: every other model
   * (paid ones, and those whose price is unknown: routers, rows without prices). */
  free?: boolean;
  /** Highest prompt price, in USD per million tokens. Rows whose price is unknown (routers) are left out. */
  maxPromptPrice?: number;
  /** Highest completion price, in USD per million tokens. Rows whose price is unknown (routers) are left out. */
  maxCompletionPrice?: number;
  /** Smallest context window, in tokens. */
  minContext?: number;
  /** Input modalities the model must all accept (`['text', 'image']`). */
  inputModalities?: string[];
  /** Output modalities, any of which the model must produce (`['embeddings']`, `['image']`; `['all']` = any).
   * Default: text models only. */
  outputModalities?: string[];
  /** Parameters the model must all support (its `supported_parameters`, e.g. `['tools', 'response_format']`). */
  supports?: string[];
  /** The author: the id's part before the slash (`anthropic`), case-insensitive. */
  author?: string;
  /**
   * Order: `popular` (default) keeps the catalog's own order — OpenRouter returns `/models` most used first, so this
   * is its popularity ranking; `price` = prompt + completion price per token, cheapest first (models whose price
   * is unknown — routers, whose price depends on the model they pick, and rows without prices — last); `context` = largest context first; `newest` = most recently added
   * first; `name` = by display name. Ties keep the catalog's order.
   */
  sort?: CatalogSort;
  /** At most this many models. */
  limit?: number;
}

const MILLION = 1_000_000n;

/** A price per token is within a limit given in USD per million tokens, exactly. */
function withinPerMillion(perToken: bigint, maxPerMillion: number): boolean {
  if (!Number.isFinite(maxPerMillion)) return maxPerMillion > 0;
  if (maxPerMillion < 0) return false;
  return perToken * MILLION <= parseUsd(maxPerMillion);
}

function contextOf(model: Model): number {
  return model.context_length ?? model.top_provider?.context_length ?? 0;
}

function authorOf(model: Model): string {
  const id = model.id.startsWith('~') ? model.id.slice(1) : model.id;
  return id.slice(0, Math.max(0, id.indexOf('/'))).toLowerCase();
}

/** The models matching `query`, in its order, at most `limit`. */
export function queryModels(models: readonly Model[], query: CatalogQuery = {}): Model[] {
  const words = (query.text ?? '').toLowerCase().split(/\s+/).filter(Boolean);
  const outputs = query.outputModalities ?? ['text'];
  const anyOutput = outputs.length === 0 || outputs.includes('all');
  const author = query.author?.trim().toLowerCase();
  const priced = new Map<Model, ReturnType<typeof pricesOf>>();
  const prices = (model: Model) => {
    let found = priced.get(model);
    if (!found) {
      // A row without prices is unknown (never free, last by price), not free.
      found = pricesOf(model.pricing ?? ({} as Model['pricing']));
      priced.set(model, found);
    }
    return found;
  };

  const rows = models.filter((model) => {
    const arch = model.architecture ?? { input_modalities: [], output_modalities: [], modality: null };
    if (!anyOutput && !outputs.some((m) => arch.output_modalities?.includes(m))) return false;
    if (query.inputModalities && !query.inputModalities.every((m) => arch.input_modalities?.includes(m))) return false;
    if (query.supports && !query.supports.every((p) => model.supported_parameters?.includes(p))) return false;
    if (author !== undefined && author !== '' && authorOf(model) !== author) return false;
    if (query.minContext !== undefined && contextOf(model) < query.minContext) return false;
    if (words.length > 0) {
      const haystack = `${model.id} ${model.name ?? ''} ${model.description ?? ''}`.toLowerCase();
      if (!words.every((word) => haystack.includes(word))) return false;
    }
    if (query.free !== undefined && prices(model).free !== query.free) return false;
    if (query.maxPromptPrice !== undefined) {
      const p = prices(model);
      if (p.variable || !withinPerMillion(p.prompt, query.maxPromptPrice)) return false;
    }
    if (query.maxCompletionPrice !== undefined) {
      const p = prices(model);
      if (p.variable || !withinPerMillion(p.completion, query.maxCompletionPrice)) return false;
    }
    return true;
  });

  const sorted = sortModels(rows, query.sort ?? 'popular', prices);
  const limit = query.limit;
  return limit !== undefined && limit >= 0 ? sorted.slice(0, Math.floor(limit)) : sorted;
}

function sortModels(rows: Model[], sort: CatalogSort, prices: (m: Model) => ReturnType<typeof pricesOf>): Model[] {
  // Array.prototype.sort is stable: ties keep the catalog's (popularity) order.
  switch (sort) {
    case 'popular':
      return rows;
    case 'price': {
      const key = (m: Model) => {
        const p = prices(m);
        return p.variable ? undefined : p.prompt + p.completion;
      };
      return rows.sort((a, b) => {
        const x = key(a);
        const y = key(b);
        if (x === undefined || y === undefined) return x === y ? 0 : x === undefined ? 1 : -1;
        return x < y ? -1 : x > y ? 1 : 0;
      });
    }
    case 'context':
      return rows.sort((a, b) => contextOf(b) - contextOf(a));
    case 'newest':
      return rows.sort((a, b) => (b.created ?? 0) - (a.created ?? 0));
    case 'name':
      return rows.sort((a, b) => (a.name ?? a.id).localeCompare(b.name ?? b.id, 'en', { sensitivity: 'base' }));
    default:
      throw new SwitchyardError(`Unknown catalog sort "${String(sort)}" (use price, context, newest, name or popular)`);
  }
}
