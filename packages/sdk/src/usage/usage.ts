import type { WireUsage } from '../protocol/chat.js';

/** Token counts of one request, normalised from OpenRouter's `usage` (missing details count as 0). */
export interface Usage {
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
  /** Prompt tokens read from the provider's prompt cache (billed at the cache-read price). */
  cachedTokens: number;
  /** Prompt tokens written to the cache (billed at the cache-write price). */
  cacheWriteTokens: number;
  /** Completion tokens spent on reasoning (included in `completionTokens`). */
  reasoningTokens: number;
}

export const ZERO_USAGE: Usage = Object.freeze({
  promptTokens: 0,
  completionTokens: 0,
  totalTokens: 0,
  cachedTokens: 0,
  cacheWriteTokens: 0,
  reasoningTokens: 0,
});

function count(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : 0;
}

/** Normalises a wire `usage` object; details objects may be absent or `null` (observed). */
export function normalizeUsage(wire: WireUsage | null | undefined): Usage {
  if (!wire) return { ...ZERO_USAGE };
  const promptTokens = count(wire.prompt_tokens);
  const completionTokens = count(wire.completion_tokens);
  return {
    promptTokens,
    completionTokens,
    totalTokens: count(wire.total_tokens) || promptTokens + completionTokens,
    cachedTokens: count(wire.prompt_tokens_details?.cached_tokens),
    cacheWriteTokens: count(wire.prompt_tokens_details?.cache_write_tokens),
    reasoningTokens: count(wire.completion_tokens_details?.reasoning_tokens),
  };
}

export function addUsage(a: Usage, b: Usage): Usage {
  return {
    promptTokens: a.promptTokens + b.promptTokens,
    completionTokens: a.completionTokens + b.completionTokens,
    totalTokens: a.totalTokens + b.totalTokens,
    cachedTokens: a.cachedTokens + b.cachedTokens,
    cacheWriteTokens: a.cacheWriteTokens + b.cacheWriteTokens,
    reasoningTokens: a.reasoningTokens + b.reasoningTokens,
  };
}
