import type { ChatResult } from '@switchyard/sdk';
import { type FailureRecord, failureReason, failureRecord } from '../probe/failure.js';
import { answerStats } from '../probe/probe-model.js';

// What `switchyard compare` records per model: the answer and its numbers, or the failure (`--json` prints these).

/** One model's answer as `--json` prints it. */
export interface CompareResult {
  model: string;
  success: boolean;
  text: string | null;
  finish_reason: string | null;
  latency_ms: number | null;
  ttft_ms: number | null;
  tokens: { prompt: number; completion: number; total: number } | null;
  cost_usd: number;
  served_model: string | null;
  provider: string | null;
  error: FailureRecord | null;
  reason: string | null;
}

/** The record of one model's settled request. */
export function toResult(model: string, settled: PromiseSettledResult<ChatResult>): CompareResult {
  if (settled.status === 'fulfilled') {
    const r = settled.value;
    return {
      model,
      success: true,
      text: r.text,
      finish_reason: r.finishReason,
      ...answerStats(r),
      error: null,
      reason: null,
    };
  }
  const error = failureRecord(settled.reason);
  const partial = (settled.reason as { partial?: { text?: string } }).partial?.text;
  return {
    model,
    success: false,
    text: partial || null,
    finish_reason: null,
    latency_ms: null,
    ttft_ms: null,
    tokens: null,
    cost_usd: 0,
    served_model: null,
    provider: error.provider,
    error,
    reason: failureReason(error),
  };
}
