import type { CatalogEndpoint } from '../types.js';
import { costOf, parseUsd, toUsd } from '../util/money.js';

export interface UsageInput {
  endpoint: CatalogEndpoint;
  promptTokens: number;
  cachedTokens: number;
  cacheWriteTokens: number;
  completionTokens: number;
  reasoningTokens: number;
  images: number;
}

export interface UsageResult {
  /** The wire `usage` object (OpenRouter's full shape). */
  usage: Record<string, unknown>;
  /** Exact cost in femto-dollars, for the key's ledger. */
  costFemto: bigint;
}

/**
 * Cost from every price component of the serving endpoint: uncached prompt, cache reads, cache writes,
 * completion, internal reasoning, per-request and per-image prices. Absent component prices fall back to the
 * plain prompt/completion price, as OpenRouter bills them.
 */
export function computeUsage(input: UsageInput): UsageResult {
  const price = input.endpoint.pricing;
  const prompt = parseUsd(price.prompt);
  const completion = parseUsd(price.completion);
  const cacheRead = price.input_cache_read !== undefined ? parseUsd(price.input_cache_read) : prompt;
  const cacheWrite = price.input_cache_write !== undefined ? parseUsd(price.input_cache_write) : prompt;
  const reasoning = price.internal_reasoning !== undefined ? parseUsd(price.internal_reasoning) : completion;
  const uncached = input.promptTokens - input.cachedTokens - input.cacheWriteTokens;
  const promptCost =
    costOf(uncached, prompt) +
    costOf(input.cachedTokens, cacheRead) +
    costOf(input.cacheWriteTokens, cacheWrite) +
    costOf(input.images, parseUsd(price.image)) +
    parseUsd(price.request);
  const completionCost =
    costOf(input.completionTokens - input.reasoningTokens, completion) + costOf(input.reasoningTokens, reasoning);
  const total = promptCost + completionCost;
  return {
    costFemto: total,
    usage: {
      prompt_tokens: input.promptTokens,
      completion_tokens: input.completionTokens,
      total_tokens: input.promptTokens + input.completionTokens,
      cost: toUsd(total),
      is_byok: false,
      prompt_tokens_details: {
        cached_tokens: input.cachedTokens,
        cache_write_tokens: input.cacheWriteTokens,
        audio_tokens: 0,
        video_tokens: 0,
      },
      cost_details: {
        upstream_inference_cost: null,
        upstream_inference_prompt_cost: toUsd(promptCost),
        upstream_inference_completions_cost: toUsd(completionCost),
      },
      completion_tokens_details: { reasoning_tokens: input.reasoningTokens, image_tokens: 0 },
    },
  };
}
