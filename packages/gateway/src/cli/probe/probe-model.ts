import type { ChatResult, Switchyard } from '@switchyard/sdk';
import { failedAttempts, failedCost, failureReason, failureRecord } from './failure.js';
import { type PacedCallOptions, pacedCall } from './paced-call.js';
import type { ProbeResult } from './probe-result.js';
import type { ProbeTarget } from './select-models.js';

export interface ProbeSettings {
  prompt: string;
  maxTokens: number;
}

/** USD of every attempt of a call (retried ones too), else the answer's own cost. */
export function resultCost(result: ChatResult): number {
  const attempts = result.attempts ?? [];
  const sum = attempts.reduce((total, a) => total + (a.costUsd ?? 0), 0);
  return attempts.length > 0 ? Math.max(sum, result.cost.usd) : result.cost.usd;
}

/** The numbers of an answer as the probe and compare records carry them (snake_case like the API). */
export function answerStats(r: ChatResult) {
  return {
    latency_ms: r.timing.totalMs,
    ttft_ms: r.timing.ttftMs ?? null,
    tokens: { prompt: r.usage.promptTokens, completion: r.usage.completionTokens, total: r.usage.totalTokens },
    cost_usd: resultCost(r),
    served_model: r.model ?? null,
    provider: r.provider ?? null,
  };
}

/**
 * Tests one model: the prompt as a streamed chat request (so the time to first token is measured) under the
 * pacer's rules. Throws `Interrupted` when the run was stopped before the model answered (nothing is recorded).
 */
export async function probeModel(
  sy: Switchyard,
  target: ProbeTarget,
  settings: ProbeSettings,
  paced: Omit<PacedCallOptions<ChatResult>, 'target' | 'call'>,
): Promise<ProbeResult> {
  const outcome = await pacedCall({
    ...paced,
    target,
    call: (signal) =>
      sy
        .stream(
          {
            model: target.model,
            messages: [{ role: 'user', content: settings.prompt }],
            max_tokens: settings.maxTokens,
          },
          { signal },
        )
        .final(),
  });
  const base = { model: target.model, name: target.name, free: target.free };
  const waited = { rate_limit_waits: outcome.waits, waited_ms: Math.round(outcome.waitedMs) };
  const testedAt = new Date().toISOString();
  if (outcome.ok) {
    const r = outcome.value;
    return {
      ...base,
      success: true,
      ...answerStats(r),
      attempts: Math.max(1, (r.attempts ?? []).filter((a) => a.outcome !== 'skipped').length),
      ...waited,
      answer: r.text.slice(0, 200),
      error: null,
      reason: null,
      tested_at: testedAt,
    };
  }
  const error = failureRecord(outcome.error);
  const trace = (outcome.error as { attempts?: { latencyMs: number; outcome: string }[] }).attempts ?? [];
  const last = outcome.sent ? trace.filter((a) => a.outcome !== 'skipped').at(-1) : undefined;
  return {
    ...base,
    success: false,
    latency_ms: last ? last.latencyMs : null,
    ttft_ms: null,
    tokens: null,
    cost_usd: outcome.sent ? failedCost(outcome.error) : 0,
    served_model: null,
    provider: error.provider,
    attempts: outcome.sent ? failedAttempts(outcome.error) : 0,
    ...waited,
    answer: null,
    error,
    reason: failureReason(error, outcome.reason),
    tested_at: testedAt,
  };
}
