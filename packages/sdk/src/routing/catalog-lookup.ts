import type { Model } from '../protocol/catalog.js';

const VARIANTS = /:(nitro|floor|online|exacto|thinking|extended)$/;

/** The catalog row serving `id`: exact, then without a routing variant, following `~…-latest` aliases. */
export function findModel(models: readonly Model[], id: string): Model | undefined {
  let row = models.find((m) => m.id === id) ?? models.find((m) => m.id === id.replace(VARIANTS, ''));
  if (row?.alias_target) row = models.find((m) => m.id === row?.alias_target?.slug) ?? row;
  return row;
}

/** USD per million tokens of a per-token price string (negative router placeholders count as unknown). */
export function perMillion(price: string | number | undefined): number | undefined {
  const n = Number(price);
  return Number.isFinite(n) && n >= 0 ? n * 1_000_000 : undefined;
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
