import type { Model } from '@switchyard/sdk';
import type { GatewayServices } from '../server/services.js';

/**
 * A catalog row, from memory when the catalog is loaded (no promise), else fetched; undefined when unknown. The
 * fetch is waited for at most the catalog's `waitMs` (the SDK's consulting wait): admission and settlement only
 * consult prices and limits, and a hung upstream `/models` must not hold every request until its headers timeout.
 * A late listing is still cached when it comes, for the requests after.
 */
export function catalogRow(services: GatewayServices, model: string): Model | undefined | Promise<Model | undefined> {
  const { models } = services.upstream.sy;
  const known = models.getNow(model);
  if (known) return known.model;
  return models.consultList().then((listed) => (listed ? models.getNow(model)?.model : undefined));
}

/** A catalog price as a number of USD (unknown, invalid and router placeholders such as "-1" count as 0). */
export function usdOf(price: unknown): number {
  return Math.max(0, Number(price) || 0);
}

/**
 * What `promptTokens` in and `completionTokens` out cost at a model's catalog prices, request fee included — the
 * gateway's own estimates (admission's worst case, answers without usage); 0 when the model is unknown.
 */
export function costAt(row: Model | undefined, promptTokens: number, completionTokens: number): number {
  if (!row) return 0;
  const { pricing } = row;
  return promptTokens * usdOf(pricing.prompt) + completionTokens * usdOf(pricing.completion) + usdOf(pricing.request);
}
