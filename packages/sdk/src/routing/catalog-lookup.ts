import type { Model } from '../protocol/catalog.js';

const VARIANTS = /:(nitro|floor|online|exacto|thinking|extended)$/;

/**
 * Rows by id, built once per listing: a fetched listing is never changed (a refresh brings a new array), and a
 * real catalog has hundreds of rows that were scanned on every request, several times.
 */
const indexes = new WeakMap<readonly Model[], Map<string, Model>>();

function byId(models: readonly Model[]): Map<string, Model> {
  let index = indexes.get(models);
  if (!index) {
    index = new Map();
    // The first row of an id wins, as a scan would find it.
    for (const model of models) if (!index.has(model.id)) index.set(model.id, model);
    indexes.set(models, index);
  }
  return index;
}

/** The row of `id`, or of `id` without its routing variant (`:nitro`, `:floor`, …). */
export function modelById(models: readonly Model[], id: string): Model | undefined {
  const index = byId(models);
  return index.get(id) ?? index.get(id.replace(VARIANTS, ''));
}

/** The catalog row serving `id`: exact, then without a routing variant, following `~…-latest` aliases. */
export function findModel(models: readonly Model[], id: string): Model | undefined {
  const row = modelById(models, id);
  const target = row?.alias_target?.slug;
  return (target === undefined ? undefined : byId(models).get(target)) ?? row;
}

/** A catalog price as a USD amount; undefined when it is none (missing, empty, unreadable, a router's `"-1"`). */
export function usdPerToken(price: unknown): number | undefined {
  if (price === undefined || price === null || price === '') return undefined;
  const n = Number(price);
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}

/** USD per million tokens of a per-token price (undefined when it is none: see `usdPerToken`). */
export function perMillion(price: unknown): number | undefined {
  const usd = usdPerToken(price);
  return usd === undefined ? undefined : usd * 1_000_000;
}

/** Whether a row is a chat model a fallback or selection may use (not embeddings, not a router or alias). */
export function isChatModel(model: Model): boolean {
  return (
    model.architecture.output_modalities.includes('text') &&
    !model.alias_target &&
    !model.id.startsWith('openrouter/') &&
    Number(model.pricing.prompt) >= 0
  );
}
