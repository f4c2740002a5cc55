import type { Model } from '../protocol/catalog.js';
import { perMillion, usdPerToken } from './catalog-lookup.js';
import { listedPrices, type PriceCeiling } from './price-ceiling.js';

export interface PriceLimits {
  /** USD per million prompt tokens. */
  maxPromptPrice: number;
  /** USD per million completion tokens. */
  maxCompletionPrice: number;
}

export interface WorstCase {
  promptTokens: number;
  /** The most output the request allows (max_tokens, else the model's completion limit, else context − prompt). */
  maxOutputTokens?: number;
}

/** Worst-case cost of a request on a model, in USD, from its catalog prices (or a router's `ceiling` standing in). */
export function worstCaseUsd(model: Model, worst: WorstCase, ceiling?: PriceCeiling): number {
  // Its own prices include the tiers a prompt this long may be billed at (a long-context surcharge).
  const { prompt, completion, request } = ceiling ??
    listedPrices(model, worst.promptTokens) ?? {
      prompt: usdPerToken(model.pricing.prompt) ?? 0,
      completion: usdPerToken(model.pricing.completion) ?? 0,
      request: usdPerToken(model.pricing.request) ?? 0,
    };
  const context = model.context_length ?? model.top_provider.context_length ?? 0;
  // A router's own context is the largest of any model it may pick: the most they may write bounds it better.
  const output =
    worst.maxOutputTokens ??
    model.top_provider.max_completion_tokens ??
    (ceiling?.maxCompletionTokens || Math.max(0, context - worst.promptTokens));
  return worst.promptTokens * prompt + output * completion + request;
}

/**
 * Why a model may not be used, or undefined when it may: the price guard keeps a fallback from silently costing
 * more than allowed — per-token prices above `maxPrice`, or a worst case above the remaining budget. A model that
 * lists no price (a router such as `openrouter/auto`) is judged at `ceiling`, the highest prices of the models it
 * may pick (see `priceCeiling`), when the caller has it.
 */
export function priceGuardProblem(
  model: Model,
  limits: PriceLimits,
  worst: WorstCase,
  remainingUsd: number | undefined,
  checkPrices: boolean,
  ceiling?: PriceCeiling,
): string | undefined {
  const why = ceiling ? ` (${model.id} lists no price: reckoned at the highest prices of the models it may pick)` : '';
  if (checkPrices) {
    const prompt = ceiling ? ceiling.prompt * 1_000_000 : perMillion(model.pricing.prompt);
    const completion = ceiling ? ceiling.completion * 1_000_000 : perMillion(model.pricing.completion);
    if (prompt !== undefined && prompt > limits.maxPromptPrice) {
      return `prompt price $${prompt.toFixed(4)}/M is above maxPromptPrice $${limits.maxPromptPrice}/M${why}`;
    }
    if (completion !== undefined && completion > limits.maxCompletionPrice) {
      return `completion price $${completion.toFixed(4)}/M is above maxCompletionPrice $${limits.maxCompletionPrice}/M${why}`;
    }
  }
  if (remainingUsd !== undefined) {
    const worstUsd = worstCaseUsd(model, worst, ceiling);
    if (worstUsd > remainingUsd) {
      return `worst-case cost $${worstUsd.toFixed(6)} is above the remaining budget $${remainingUsd.toFixed(6)}${why}`;
    }
  }
  return undefined;
}
