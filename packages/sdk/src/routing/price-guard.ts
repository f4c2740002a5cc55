import type { Model } from '../protocol/catalog.js';
import { perMillion } from './catalog-lookup.js';

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

/** Worst-case cost of a request on a model, in USD, from its catalog prices. */
export function worstCaseUsd(model: Model, worst: WorstCase): number {
  const prompt = (perMillion(model.pricing.prompt) ?? 0) / 1_000_000;
  const completion = (perMillion(model.pricing.completion) ?? 0) / 1_000_000;
  const request = Number(model.pricing.request ?? 0) || 0;
  const context = model.context_length ?? model.top_provider.context_length ?? 0;
  const output =
    worst.maxOutputTokens ?? model.top_provider.max_completion_tokens ?? Math.max(0, context - worst.promptTokens);
  return worst.promptTokens * prompt + output * completion + request;
}

/**
 * Why a model may not be used, or undefined when it may: the price guard keeps a fallback from silently costing
 * more than allowed — per-token prices above `maxPrice`, or a worst case above the remaining budget.
 */
export function priceGuardProblem(
  model: Model,
  limits: PriceLimits,
  worst: WorstCase,
  remainingUsd: number | undefined,
  checkPrices: boolean,
): string | undefined {
  if (checkPrices) {
    const prompt = perMillion(model.pricing.prompt);
    const completion = perMillion(model.pricing.completion);
    if (prompt !== undefined && prompt > limits.maxPromptPrice) {
      return `prompt price $${prompt.toFixed(4)}/M is above maxPromptPrice $${limits.maxPromptPrice}/M`;
    }
    if (completion !== undefined && completion > limits.maxCompletionPrice) {
      return `completion price $${completion.toFixed(4)}/M is above maxCompletionPrice $${limits.maxCompletionPrice}/M`;
    }
  }
  if (remainingUsd !== undefined) {
    const worstUsd = worstCaseUsd(model, worst);
    if (worstUsd > remainingUsd) {
      return `worst-case cost $${worstUsd.toFixed(6)} is above the remaining budget $${remainingUsd.toFixed(6)}`;
    }
  }
  return undefined;
}
