import type { ModelPricing } from '../protocol/catalog.js';
import { type Femto, parseUsd } from '../usage/money.js';

/**
 * A model's (or endpoint's) prices as exact femto-dollars (1e-15 USD, bigint): per token for the token components,
 * per unit for `request`, `image` and `webSearch`. Components the catalog leaves out are absent (cache reads and
 * writes, and internal reasoning, are then billed at the plain prompt or completion price).
 */
export interface ExactPrices {
  prompt: Femto;
  completion: Femto;
  inputCacheRead?: Femto;
  inputCacheWrite?: Femto;
  internalReasoning?: Femto;
  audio?: Femto;
  request: Femto;
  image: Femto;
  webSearch: Femto;
  /** Prompt and completion both cost nothing (a `:free` variant, a local model). */
  free: boolean;
  /** The prompt or completion price is unknown: a router's placeholder (`"-1"`, e.g. `openrouter/auto`, whose
   * price depends on the model it picks) or a price the row leaves out (the SDK's catalog writes those `"-1"` too).
   * The amounts here are then 0 because they are unknown, not because it is free: such a row is never `free`. */
  variable: boolean;
}

/** Whether a published price is a router placeholder (negative, `"-1"`). */
export function isPlaceholderPrice(value: unknown): boolean {
  if (value === undefined || value === null || value === '') return false;
  return String(value).trim().startsWith('-');
}

/** A prompt or completion price that says nothing about the cost: absent, or a router's placeholder. */
const unknownPrice = (value: unknown) =>
  value === undefined || value === null || value === '' || isPlaceholderPrice(value);

/** The exact prices of a catalog row or endpoint (anything with `pricing`), or of a `pricing` object itself. */
export function pricesOf(source: { pricing: ModelPricing } | ModelPricing): ExactPrices {
  const inner = (source as { pricing?: unknown }).pricing;
  const pricing = (typeof inner === 'object' && inner !== null ? inner : source) as ModelPricing;
  const variable = unknownPrice(pricing.prompt) || unknownPrice(pricing.completion);
  const prices: ExactPrices = {
    prompt: parseUsd(pricing.prompt),
    completion: parseUsd(pricing.completion),
    request: parseUsd(pricing.request),
    image: parseUsd(pricing.image),
    webSearch: parseUsd(pricing.web_search),
    free: false,
    variable,
  };
  if (pricing.input_cache_read !== undefined) prices.inputCacheRead = parseUsd(pricing.input_cache_read);
  if (pricing.input_cache_write !== undefined) prices.inputCacheWrite = parseUsd(pricing.input_cache_write);
  if (pricing.internal_reasoning !== undefined) prices.internalReasoning = parseUsd(pricing.internal_reasoning);
  if (pricing.audio !== undefined) prices.audio = parseUsd(pricing.audio);
  prices.free = !variable && prices.prompt === 0n && prices.completion === 0n && prices.request === 0n;
  return prices;
}
