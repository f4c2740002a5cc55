import type { KeyLimits } from '../keys/key-types.js';

export interface RateLimitRequest {
  /** Who is limited (a virtual key id). */
  subject: string;
  limits: KeyLimits;
  /** Estimated tokens of the request (prompt + max output), for `tokensPerMinute`. */
  tokens: number;
  now?: number;
}

export type LimitName = 'requestsPerMinute' | 'requestsPerDay' | 'tokensPerMinute';

export interface RateLimitDecision {
  ok: boolean;
  /** The limit that refused (or the tightest one when ok). */
  which?: LimitName;
  limit?: number;
  remaining?: number;
  /** When the refusing window resets (epoch ms). */
  resetAt?: number;
  retryAfterMs?: number;
}

/**
 * Per-key rate limits and daily caps in fixed windows (UTC minute, UTC day). `take` is all-or-nothing: a request
 * refused by one limit consumes none of the others. The memory store serves one process; the Redis store does the
 * same atomically (Lua) for several gateways sharing one limit.
 */
export interface RateLimiter {
  take(request: RateLimitRequest): Promise<RateLimitDecision>;
  /** Corrects the token count once the real usage is known (positive or negative). */
  adjustTokens(subject: string, delta: number, now?: number): Promise<void>;
  close(): Promise<void>;
}

export const MINUTE = 60_000;
export const DAY = 86_400_000;

export function windows(now: number) {
  const minute = now - (now % MINUTE);
  const day = now - (now % DAY);
  return { minute, minuteReset: minute + MINUTE, day, dayReset: day + DAY };
}

export class MemoryRateLimiter implements RateLimiter {
  private readonly counters = new Map<string, { window: number; value: number }>();

  private read(name: string, window: number): number {
    const entry = this.counters.get(name);
    return entry && entry.window === window ? entry.value : 0;
  }

  private add(name: string, window: number, delta: number): void {
    const entry = this.counters.get(name);
    if (entry && entry.window === window) entry.value += delta;
    else this.counters.set(name, { window, value: delta });
    if (this.counters.size > 100_000) this.sweep(window);
  }

  private sweep(currentMinute: number): void {
    for (const [name, entry] of this.counters) if (entry.window < currentMinute - DAY) this.counters.delete(name);
  }

  async take({ subject, limits, tokens, now = Date.now() }: RateLimitRequest): Promise<RateLimitDecision> {
    const w = windows(now);
    const checks: [LimitName, number | undefined, string, number, number, number][] = [
      ['requestsPerMinute', limits.requestsPerMinute, `${subject}:rpm`, w.minute, w.minuteReset, 1],
      ['requestsPerDay', limits.requestsPerDay, `${subject}:rpd`, w.day, w.dayReset, 1],
      ['tokensPerMinute', limits.tokensPerMinute, `${subject}:tpm`, w.minute, w.minuteReset, tokens],
    ];
    let tightest: RateLimitDecision = { ok: true };
    for (const [which, limit, name, window, resetAt, cost] of checks) {
      if (limit === undefined) continue;
      const used = this.read(name, window);
      if (used + cost > limit) {
        return {
          ok: false,
          which,
          limit,
          remaining: Math.max(0, limit - used),
          resetAt,
          retryAfterMs: Math.max(0, resetAt - now),
        };
      }
      const remaining = limit - used - cost;
      if (tightest.remaining === undefined || remaining < tightest.remaining)
        tightest = { ok: true, which, limit, remaining, resetAt };
    }
    for (const [, limit, name, window, , cost] of checks) if (limit !== undefined) this.add(name, window, cost);
    return tightest;
  }

  async adjustTokens(subject: string, delta: number, now = Date.now()): Promise<void> {
    if (delta !== 0) this.add(`${subject}:tpm`, windows(now).minute, delta);
  }

  async close(): Promise<void> {}
}
