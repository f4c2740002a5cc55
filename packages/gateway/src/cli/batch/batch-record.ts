import type { ChatResult } from '@switchyard/sdk';
import { type FailureRecord, failedAttempts, failedCost, failureRecord } from '../probe/failure.js';
import { resultCost } from '../probe/probe-model.js';
import type { LineId } from './request-line.js';

/**
 * One output line of `switchyard batch` (every field always present; null when it does not apply):
 *   {"line", "id", "model", "text", "finish_reason", "usage", "cost_usd", "provider", "generation_id",
 *    "latency_ms", "attempts", "error"}
 * `line` is the input line number, `model` the model that answered (or was asked, on failure). A failed request
 * or a bad input line has `error` = {code, status, message, provider}; bad lines have code `bad_line`.
 */
export interface BatchRecord {
  line: number;
  id: LineId;
  model: string | null;
  text: string | null;
  finish_reason: string | null;
  usage: {
    prompt_tokens: number;
    completion_tokens: number;
    total_tokens: number;
    cached_tokens: number;
    reasoning_tokens: number;
  } | null;
  cost_usd: number;
  provider: string | null;
  generation_id: string | null;
  latency_ms: number | null;
  /** Requests made for the line (retries and fallbacks included); 0 for a bad line. */
  attempts: number;
  error: FailureRecord | null;
}

export function successRecord(line: number, id: LineId, r: ChatResult): BatchRecord {
  return {
    line,
    id,
    model: r.model ?? null,
    text: r.text,
    finish_reason: r.finishReason,
    usage: {
      prompt_tokens: r.usage.promptTokens,
      completion_tokens: r.usage.completionTokens,
      total_tokens: r.usage.totalTokens,
      cached_tokens: r.usage.cachedTokens ?? 0,
      reasoning_tokens: r.usage.reasoningTokens ?? 0,
    },
    cost_usd: resultCost(r),
    provider: r.provider ?? null,
    generation_id: r.generationId ?? null,
    latency_ms: r.timing.totalMs,
    attempts: Math.max(1, (r.attempts ?? []).filter((a) => a.outcome !== 'skipped').length),
    error: null,
  };
}

/** The record of a line without an answer: `error` says why, `cost_usd` and `attempts` what trying it took. */
function unansweredRecord(
  line: number,
  id: LineId,
  model: string | null,
  error: FailureRecord,
  spent: { cost_usd: number; attempts: number },
): BatchRecord {
  return {
    line,
    id,
    model,
    text: null,
    finish_reason: null,
    usage: null,
    cost_usd: spent.cost_usd,
    provider: error.provider,
    generation_id: null,
    latency_ms: null,
    attempts: spent.attempts,
    error,
  };
}

export function failureLineRecord(
  line: number,
  id: LineId,
  model: string | null,
  error: unknown,
  message?: string,
  sent = true,
): BatchRecord {
  const failure = failureRecord(error);
  if (message) failure.message = message;
  const spent = sent ? { cost_usd: failedCost(error), attempts: failedAttempts(error) } : { cost_usd: 0, attempts: 0 };
  return unansweredRecord(line, id, model, failure, spent);
}

export function badLineRecord(line: number, id: LineId, model: string | null, message: string): BatchRecord {
  const error = { code: 'bad_line', status: null, message, provider: null };
  return unansweredRecord(line, id, model, error, { cost_usd: 0, attempts: 0 });
}
