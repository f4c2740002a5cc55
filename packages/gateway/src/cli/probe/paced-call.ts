import { RateLimitError } from '@switchyard/sdk';
import { Interrupted } from './abortable-sleep.js';
import { formatDuration } from './duration.js';
import { MAX_RATE_LIMIT_WAITS, type RateLimitWait, rateLimitReason, rateLimitWait } from './rate-limit.js';
import type { PacedTarget, RatePacer } from './rate-pacer.js';

export interface PacedCallOptions<T> {
  target: PacedTarget;
  pacer: RatePacer;
  /** The longest single wait for a rate limit worth taking; longer ones fail the call. */
  maxWaitMs: number;
  /** Fires when the user stops the run: no new request starts. */
  stop: AbortSignal;
  /** Fires when the user aborts: requests in flight are cancelled. */
  abort: AbortSignal;
  /** A 429 is being waited out. */
  onRateLimit?: (wait: RateLimitWait, error: RateLimitError, waits: number) => void;
  call: (signal: AbortSignal) => Promise<T>;
}

export type PacedOutcome<T> =
  | { ok: true; value: T; waits: number; waitedMs: number }
  /**
   * `reason` is set when rate limits ended it (with the server's message and why it stopped waiting); `sent` is
   * false when no request was made because the model's limit was known to last longer than `maxWaitMs`.
   */
  | { ok: false; error: unknown; reason?: string; sent: boolean; waits: number; waitedMs: number };

/**
 * One request under the pacer: waits its turn, sends it, and on a 429 pauses the model's bucket for the time the
 * server gave (every worker waits, not only this one), then asks again — at most `MAX_RATE_LIMIT_WAITS` times and
 * never for longer than `maxWaitMs` at once. Throws `Interrupted` when the run was stopped before an answer.
 */
export async function pacedCall<T>(options: PacedCallOptions<T>): Promise<PacedOutcome<T>> {
  let waits = 0;
  let waitedMs = 0;
  for (;;) {
    // A limit already known to outlast maxWait (a daily free-tier limit, say): fail without asking again.
    const blocked = options.pacer.blocked(options.target);
    if (blocked && blocked.ms > options.maxWaitMs && blocked.error instanceof RateLimitError) {
      const reason = `${blocked.error.message.trim()} (not sent: the limit lasts ${formatDuration(blocked.ms)} more)`;
      return { ok: false, error: blocked.error, reason, sent: false, waits, waitedMs };
    }
    await options.pacer.acquire(options.target, options.stop);
    // One signal per request, tied to the run's: the SDK adds a listener per request to the signal it is given.
    const request = new AbortController();
    const forward = () => request.abort(options.abort.reason);
    options.abort.addEventListener('abort', forward, { once: true });
    try {
      const value = await options.call(request.signal);
      return { ok: true, value, waits, waitedMs };
    } catch (error) {
      if (options.abort.aborted) throw new Interrupted();
      if (!(error instanceof RateLimitError)) return { ok: false, error, sent: true, waits, waitedMs };
      const wait = rateLimitWait(error, waits);
      options.pacer.block(options.target, wait.ms, error);
      if (waits >= MAX_RATE_LIMIT_WAITS || wait.ms > options.maxWaitMs) {
        return { ok: false, error, reason: rateLimitReason(error, wait, waits), sent: true, waits, waitedMs };
      }
      waits++;
      waitedMs += wait.ms;
      options.onRateLimit?.(wait, error, waits);
      if (options.stop.aborted) throw new Interrupted();
    } finally {
      options.abort.removeEventListener('abort', forward);
    }
  }
}
