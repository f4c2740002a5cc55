import type { WireUsage } from '../protocol/chat.js';
import { type Femto, parseUsd, times, toUsd } from './money.js';
import type { Usage } from './usage.js';

/** Per-token USD prices (decimal strings or numbers), as in the catalog's `pricing`. */
export interface Prices {
  prompt?: string | number;
  completion?: string | number;
  input_cache_read?: string | number;
  input_cache_write?: string | number;
  internal_reasoning?: string | number;
  request?: string | number;
  image?: string | number;
  [key: string]: unknown;
}

/** What a request cost. `source` says whether OpenRouter reported it or we computed it from prices. */
export interface Cost {
  usd: number;
  source: 'reported' | 'computed';
  /** Upstream charge reported for BYOK requests. */
  upstreamUsd?: number;
  isByok?: boolean;
  /** Our own computation from catalog prices, when prices were known (for reconciliation with `usd`). */
  computedUsd?: number;
  /** True when neither a reported cost nor prices were available: `usd` is 0 because it is unknown, not free. */
  unpriced?: boolean;
  /** `usd − computedUsd` when both are known: how far OpenRouter's bill is from our computation (0 = they agree). */
  driftUsd?: number;
  /** What prompt caching saved on this request: cached tokens × (prompt − cache-read price). Present when the
   * request read from the cache and prices are known. */
  savingsUsd?: number;
}

export interface CostBreakdown {
  prompt: Femto;
  cacheRead: Femto;
  cacheWrite: Femto;
  completion: Femto;
  reasoning: Femto;
  request: Femto;
  images: Femto;
  total: Femto;
}

/**
 * Exact cost from every price component: uncached prompt tokens, cache reads, cache writes, completion tokens,
 * internal reasoning, the per-request price and images. Components without their own price use the plain prompt
 * or completion price (how OpenRouter bills them). Negative prices (router placeholders such as "-1") count as 0.
 */
export function computeCost(usage: Usage, prices: Prices, images = 0): CostBreakdown {
  const prompt = parseUsd(prices.prompt);
  const completion = parseUsd(prices.completion);
  const read = prices.input_cache_read === undefined ? prompt : parseUsd(prices.input_cache_read);
  const write = prices.input_cache_write === undefined ? prompt : parseUsd(prices.input_cache_write);
  const thinking = prices.internal_reasoning === undefined ? completion : parseUsd(prices.internal_reasoning);
  const uncached = Math.max(0, usage.promptTokens - usage.cachedTokens - usage.cacheWriteTokens);
  const visible = Math.max(0, usage.completionTokens - usage.reasoningTokens);
  const parts = {
    prompt: times(uncached, prompt),
    cacheRead: times(usage.cachedTokens, read),
    cacheWrite: times(usage.cacheWriteTokens, write),
    completion: times(visible, completion),
    reasoning: times(usage.reasoningTokens, thinking),
    request: parseUsd(prices.request),
    images: times(images, parseUsd(prices.image)),
  };
  const total = Object.values(parts).reduce((a, b) => a + b, 0n);
  return { ...parts, total };
}

/** Savings from prompt caching: cached tokens × (prompt price − cache-read price); never negative. */
export function cacheSavings(usage: Usage, prices: Prices): Femto {
  if (prices.input_cache_read === undefined) return 0n;
  const saved = times(usage.cachedTokens, parseUsd(prices.prompt) - parseUsd(prices.input_cache_read));
  return saved > 0n ? saved : 0n;
}

/** Prefers the cost OpenRouter reports; falls back to prices; `undefined` when neither is known. */
export function resolveCost(wire: WireUsage | undefined, usage: Usage, prices: Prices | undefined): Cost | undefined {
  const computed = prices ? toUsd(computeCost(usage, prices).total) : undefined;
  if (wire && typeof wire.cost === 'number' && Number.isFinite(wire.cost)) {
    const cost: Cost = { usd: wire.cost, source: 'reported' };
    const upstream = wire.cost_details?.upstream_inference_cost;
    if (typeof upstream === 'number') cost.upstreamUsd = upstream;
    if (typeof wire.is_byok === 'boolean') cost.isByok = wire.is_byok;
    if (computed !== undefined) cost.computedUsd = computed;
    return cost;
  }
  return computed === undefined ? undefined : { usd: computed, source: 'computed', computedUsd: computed };
}

/** A USD amount as exact femto-dollars, negative values kept (for differences such as drift). */
function signedFemto(usd: number): Femto {
  return usd < 0 ? -parseUsd(-usd) : parseUsd(usd);
}

/** `usdReported − usdComputed`, exactly; both taken as the numbers they are published as, so a reported cost
 * rounded like ours shows no drift. */
export function costDrift(reportedUsd: number, computedUsd: number): number {
  return toUsd(signedFemto(reportedUsd) - signedFemto(computedUsd));
}

/**
 * The cost of one request for the books: the reported cost when there is one, the computation from `prices` (every
 * component, `images` priced per image) beside it as `computedUsd`, their difference as `driftUsd`, and the prompt
 * cache's `savingsUsd`. `undefined` when neither a reported cost nor prices are known.
 */
export function reconcileCost(
  wire: WireUsage | undefined,
  usage: Usage,
  prices: Prices | undefined,
  images = 0,
): Cost | undefined {
  const computed = prices ? toUsd(computeCost(usage, prices, images).total) : undefined;
  const savings = prices && usage.cachedTokens > 0 ? toUsd(cacheSavings(usage, prices)) : undefined;
  let cost: Cost;
  if (wire && typeof wire.cost === 'number' && Number.isFinite(wire.cost)) {
    cost = { usd: wire.cost, source: 'reported' };
    const upstream = wire.cost_details?.upstream_inference_cost;
    if (typeof upstream === 'number') cost.upstreamUsd = upstream;
    if (typeof wire.is_byok === 'boolean') cost.isByok = wire.is_byok;
    if (computed !== undefined) {
      cost.computedUsd = computed;
      cost.driftUsd = costDrift(wire.cost, computed);
    }
  } else if (computed !== undefined) {
    cost = { usd: computed, source: 'computed', computedUsd: computed };
  } else return undefined;
  if (savings !== undefined) cost.savingsUsd = savings;
  return cost;
}
