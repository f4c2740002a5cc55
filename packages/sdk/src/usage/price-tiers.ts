import type { PricingOverride } from '../protocol/catalog.js';
import type { Prices } from './cost.js';

/**
 * The prices an answer with `promptTokens` of prompt was billed at: the base prices with every long-prompt tier of
 * `pricing.overrides` it reached (`min_prompt_tokens`) laid over them in order — a long-context surcharge is not
 * billed at the base price. A time window's tier (an off-peak discount) is left out: the base price is the safe
 * side of it. `prices` itself when no tier applies: the common case costs nothing.
 */
export function tieredPrices(prices: Prices, promptTokens: number): Prices {
  const tiers = prices.overrides;
  let out = prices;
  if (Array.isArray(tiers))
    for (const tier of tiers as PricingOverride[]) {
      if (!tier || tier.utc_start || tier.utc_end || !(promptTokens >= Number(tier.min_prompt_tokens ?? 0))) continue;
      out = { ...out, ...tier };
    }
  return out;
}
