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
  /** Our own computation from catalog prices, when every price the usage needs was known (for reconciliation with
   * `usd`). */
  computedUsd?: number;
  /** The cost is unknown: no reported cost, and no usage or a price the usage needs is unknown (missing, or a
   * router's `"-1"` placeholder). `usd` is then 0 because it is unknown, not because it was free. */
  unpriced?: boolean;
  /** `computedUsd` is at the model's list prices, standing in for those of the endpoint that served the answer
   * (not listed, or its listing not known in time; see `CatalogOptions.waitMs`): that endpoint may charge
   * differently. */
  listPrices?: boolean;
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

/** The per-token prices of each bill component, parsed; components without their own price use the plain one. */
function componentPrices(prices: Prices) {
  const prompt = parseUsd(prices.prompt);
  const completion = parseUsd(prices.completion);
  return {
    prompt,
    completion,
    read: prices.input_cache_read == null ? prompt : parseUsd(prices.input_cache_read),
    write: prices.input_cache_write == null ? prompt : parseUsd(prices.input_cache_write),
    thinking: prices.internal_reasoning == null ? completion : parseUsd(prices.internal_reasoning),
  };
}

/**
 * Exact cost from every price component: uncached prompt tokens, cache reads, cache writes, completion tokens,
 * internal reasoning, the per-request price and images. Components without their own price use the plain prompt
 * or completion price (how OpenRouter bills them). Unknown prices (missing, or router placeholders such as "-1")
 * count as 0 here: `lacksPrice` says whether the usage needs one (the costs below then give no computation).
 */
export function computeCost(usage: Usage, prices: Prices, images = 0): CostBreakdown {
  const p = componentPrices(prices);
  const parts = {
    prompt: times(uncachedTokens(usage), p.prompt),
    cacheRead: times(usage.cachedTokens, p.read),
    cacheWrite: times(usage.cacheWriteTokens, p.write),
    completion: times(visibleTokens(usage), p.completion),
    reasoning: times(usage.reasoningTokens, p.thinking),
    request: parseUsd(prices.request),
    images: times(images, parseUsd(prices.image)),
  };
  const total =
    parts.prompt +
    parts.cacheRead +
    parts.cacheWrite +
    parts.completion +
    parts.reasoning +
    parts.request +
    parts.images;
  return { ...parts, total };
}

/** `computeCost(…).total` without the breakdown: it runs for every answer priced from the catalog. */
function totalCost(usage: Usage, prices: Prices, images: number): Femto {
  const p = componentPrices(prices);
  return (
    times(uncachedTokens(usage), p.prompt) +
    times(usage.cachedTokens, p.read) +
    times(usage.cacheWriteTokens, p.write) +
    times(visibleTokens(usage), p.completion) +
    times(usage.reasoningTokens, p.thinking) +
    parseUsd(prices.request) +
    times(images, parseUsd(prices.image))
  );
}

const uncachedTokens = (usage: Usage) => Math.max(0, usage.promptTokens - usage.cachedTokens - usage.cacheWriteTokens);
const visibleTokens = (usage: Usage) => Math.max(0, usage.completionTokens - usage.reasoningTokens);

/** A price that is an amount (0 or more); missing, negative (a router's `"-1"`) and unreadable ones are not. */
function known(value: unknown): boolean {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  return typeof n === 'number' && Number.isFinite(n) && n >= 0;
}

/** Some `units` are billed at a `price` that is unknown. */
const unknownFor = (units: number, price: unknown) => units > 0 && !known(price);

/**
 * Whether `usage` needs a price that is unknown: the prompt or completion price (or the cache or reasoning price
 * standing for it) of tokens billed at it, or a per-request or per-image price given as a placeholder (absent ones
 * are none). Such a bill cannot be computed: counting the unknown part as $0 would pass it off as (partly) free.
 * Allocation-free: it runs for every answer priced from the catalog.
 */
export function lacksPrice(usage: Usage, prices: Prices, images = 0): boolean {
  const { prompt, completion } = prices;
  return (
    unknownFor(usage.promptTokens - usage.cachedTokens - usage.cacheWriteTokens, prompt) ||
    unknownFor(usage.cachedTokens, prices.input_cache_read ?? prompt) ||
    unknownFor(usage.cacheWriteTokens, prices.input_cache_write ?? prompt) ||
    unknownFor(usage.completionTokens - usage.reasoningTokens, completion) ||
    unknownFor(usage.reasoningTokens, prices.internal_reasoning ?? completion) ||
    unknownFor(1, prices.request ?? 0) ||
    unknownFor(images, prices.image ?? 0)
  );
}

/** Savings from prompt caching: cached tokens × (prompt price − cache-read price); never negative. */
export function cacheSavings(usage: Usage, prices: Prices): Femto {
  if (prices.input_cache_read == null) return 0n;
  const saved = times(usage.cachedTokens, parseUsd(prices.prompt) - parseUsd(prices.input_cache_read));
  return saved > 0n ? saved : 0n;
}

/** Prefers the cost OpenRouter reports; falls back to prices; `undefined` when neither is known (see
 * `lacksPrice`). `reconcileCost` without the drift and the cache savings. */
export function resolveCost(wire: WireUsage | undefined, usage: Usage, prices: Prices | undefined): Cost | undefined {
  const cost = reconcileCost(wire, usage, prices);
  delete cost?.driftUsd;
  delete cost?.savingsUsd;
  return cost;
}

/** A USD amount as exact femto-dollars, negative values kept (for differences such as drift). */
function signedFemto(usd: number): Femto {
  return usd < 0 ? -parseUsd(-usd) : parseUsd(usd);
}

/** `usdReported − usdComputed`, exactly; both taken as the numbers they are published as, so a reported cost
 * rounded like ours shows no drift. */
export function costDrift(reportedUsd: number, computedUsd: number): number {
  // The usual case, and the exact answer for it, without parsing two amounts.
  if (reportedUsd === computedUsd) return 0;
  return toUsd(signedFemto(reportedUsd) - signedFemto(computedUsd));
}

/**
 * The cost of one request for the books: the reported cost when there is one, the computation from `prices` (every
 * component, `images` priced per image) beside it as `computedUsd`, their difference as `driftUsd`, and the prompt
 * cache's `savingsUsd`. `undefined` when there is no reported cost and no computation: no prices, or the usage
 * needs a price that is unknown (`lacksPrice`).
 */
export function reconcileCost(
  wire: WireUsage | undefined,
  usage: Usage,
  prices: Prices | undefined,
  images = 0,
): Cost | undefined {
  // No computation without prices, or when the usage needs one that is unknown.
  const ours = prices && !lacksPrice(usage, prices, images) ? toUsd(totalCost(usage, prices, images)) : undefined;
  const savings =
    prices && ours !== undefined && usage.cachedTokens > 0 ? toUsd(cacheSavings(usage, prices)) : undefined;
  let cost: Cost;
  if (wire && typeof wire.cost === 'number' && Number.isFinite(wire.cost)) {
    cost = { usd: wire.cost, source: 'reported' };
    const upstream = wire.cost_details?.upstream_inference_cost;
    if (typeof upstream === 'number') cost.upstreamUsd = upstream;
    if (typeof wire.is_byok === 'boolean') cost.isByok = wire.is_byok;
    if (ours !== undefined) {
      cost.computedUsd = ours;
      cost.driftUsd = costDrift(wire.cost, ours);
    }
  } else if (ours !== undefined) {
    cost = { usd: ours, source: 'computed', computedUsd: ours };
  } else return undefined;
  if (savings !== undefined) cost.savingsUsd = savings;
  return cost;
}
