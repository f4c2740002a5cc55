import type { Model } from '../protocol/catalog.js';
import { usdPerToken } from './catalog-lookup.js';

/** USD per prompt token, per completion token and per request: what a request's worst case is reckoned at. */
export interface UsdPrices {
  prompt: number;
  completion: number;
  request: number;
}

/** The highest prices of the models a router may pick, and the most output any of them allows. */
export interface PriceCeiling extends UsdPrices {
  /** The highest `top_provider.max_completion_tokens` among them (0 when none lists one). */
  maxCompletionTokens: number;
}

/** The prices of nothing (without a catalog listing there is no price to reckon at). */
export const NO_PRICES: PriceCeiling = { prompt: 0, completion: 0, request: 0, maxCompletionTokens: 0 };

/**
 * A row's own prices — the highest of its base prices and of the tiers (`pricing.overrides`) that may apply: those
 * for a prompt of at most `promptTokens` (every tier when it is not given), and any time window's — or undefined
 * when its prompt or completion price is unknown (routers such as `openrouter/auto`, whose cost depends on the model
 * they pick).
 */
export function listedPrices(row: Model, promptTokens?: number): UsdPrices | undefined {
  const { pricing } = row;
  const prompt = usdPerToken(pricing.prompt);
  const completion = usdPerToken(pricing.completion);
  if (prompt === undefined || completion === undefined) return undefined;
  const prices = { prompt, completion, request: usdPerToken(pricing.request) ?? 0 };
  if (!Array.isArray(pricing.overrides)) return prices;
  for (const tier of pricing.overrides) {
    const from = Number(tier.min_prompt_tokens);
    if (promptTokens !== undefined && Number.isFinite(from) && promptTokens < from) continue;
    prices.prompt = Math.max(prices.prompt, usdPerToken(tier.prompt) ?? 0);
    prices.completion = Math.max(prices.completion, usdPerToken(tier.completion) ?? 0);
    prices.request = Math.max(prices.request, usdPerToken(tier.request) ?? 0);
  }
  return prices;
}

/** OpenRouter's model patterns (`anthropic/*`, `*-mini`): `*` stands for any run of characters. */
function patternTest(patterns: readonly string[]): (id: string) => boolean {
  const res = patterns.map((p) => new RegExp(`^${p.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`, 'i'));
  return (id) => res.some((re) => re.test(id));
}

const MAX_REMEMBERED = 256;

/** Ceilings per catalog listing (a new listing is a new array) and per candidate pattern list. */
const ceilings = new WeakMap<readonly Model[], Map<string, PriceCeiling>>();

/**
 * The highest prompt, completion and request prices (and output limit) among the priced text models of the listing
 * that `patterns` admit (every one when there are none): what a request's worst case is reckoned at when its own model's price
 * is unknown. A router may pick any of them, and a model the listing lacks may cost anything: reckoning less lets a
 * router past a budget (the price guard's, the gateway's reservations) by its real cost. Computed once per listing
 * and pattern list.
 */
export function priceCeiling(models: readonly Model[], patterns: readonly string[] = []): PriceCeiling {
  let perListing = ceilings.get(models);
  if (!perListing) {
    perListing = new Map();
    ceilings.set(models, perListing);
  }
  const key = patterns.join('\n');
  const known = perListing.get(key);
  if (known) return known;
  const admits = patterns.length > 0 ? patternTest(patterns) : () => true;
  const ceiling = { ...NO_PRICES };
  let priced = 0;
  for (const row of models) {
    // A chat router picks among text models: an image model's per-request price says nothing about it.
    const text = row.architecture?.output_modalities?.includes('text') ?? true;
    const prices = text && admits(row.id) ? listedPrices(row) : undefined;
    if (!prices) continue;
    priced++;
    ceiling.prompt = Math.max(ceiling.prompt, prices.prompt);
    ceiling.completion = Math.max(ceiling.completion, prices.completion);
    ceiling.request = Math.max(ceiling.request, prices.request);
    const output = row.top_provider?.max_completion_tokens;
    if (typeof output === 'number' && output > ceiling.maxCompletionTokens) ceiling.maxCompletionTokens = output;
  }
  // Patterns that admit no priced model of the listing say nothing about the price: the whole listing bounds it.
  const result = priced === 0 && patterns.length > 0 ? priceCeiling(models) : ceiling;
  // Clients choose the pattern lists: past a few hundred distinct ones, compute instead of remembering more.
  if (perListing.size < MAX_REMEMBERED) perListing.set(key, result);
  return result;
}

/** The Auto Router's `allowed_models` of a request (`plugins: [{ id: "auto-router", allowed_models }]`), if any. */
export function routerCandidates(body: Record<string, unknown>): string[] {
  if (!Array.isArray(body.plugins)) return [];
  for (const plugin of body.plugins) {
    if (typeof plugin !== 'object' || plugin === null) continue;
    const { id, allowed_models: allowed } = plugin as { id?: unknown; allowed_models?: unknown };
    if ((id === 'auto-router' || id === 'auto-beta-router') && Array.isArray(allowed)) {
      return allowed.filter((m): m is string => typeof m === 'string' && m !== '');
    }
  }
  return [];
}
