import { RateLimitError, type SwitchyardError } from '@switchyard/sdk';
import { isRetryable } from '@switchyard/sdk/routing';
import { formatDuration } from './duration.js';

/** How often one request is tried again after 429s before it is recorded as rate limited. */
export const MAX_RATE_LIMIT_WAITS = 5;

/**
 * The SDK's retry rule minus rate limits: the CLI handles 429s itself (a shared pause for every worker, a
 * visible wait, a cap on how long to wait) instead of each request sleeping inside the SDK.
 */
export function retryOnExceptRateLimits(error: SwitchyardError): boolean {
  return !(error instanceof RateLimitError) && isRetryable(error);
}

export interface RateLimitWait {
  ms: number;
  /** Where the wait came from, for the log: `Retry-After`, `X-RateLimit-Reset …`, or `backoff`. */
  source: string;
}

/** How long to wait after a 429: the server's hint (Retry-After, or the limit's reset time), else a backoff of
 * 2, 4, 8 … 60 s by the number of waits so far. */
export function rateLimitWait(error: RateLimitError, waitsSoFar: number, now = Date.now()): RateLimitWait {
  if (error.resetAt !== undefined && Number.isFinite(error.resetAt) && error.resetAt > now) {
    // Half a second past the reset, so a clock slightly behind the server's does not ask too early.
    return {
      ms: error.resetAt - now + 500,
      source: `X-RateLimit-Reset ${new Date(error.resetAt).toISOString().slice(11, 19)} UTC`,
    };
  }
  if (error.retryAfterMs !== undefined && Number.isFinite(error.retryAfterMs) && error.retryAfterMs >= 0)
    return { ms: error.retryAfterMs, source: 'Retry-After' };
  return { ms: Math.min(60_000, 2000 * 2 ** waitsSoFar), source: 'backoff' };
}

/** `rate limited: <message> (limit resets in 42 s)` — the reason recorded when the wait is not worth it. */
export function rateLimitReason(error: RateLimitError, wait: RateLimitWait, waits: number): string {
  const why =
    waits >= MAX_RATE_LIMIT_WAITS ? `still limited after ${waits} waits` : `retry in ${formatDuration(wait.ms)}`;
  return `${error.message.trim()} (${why})`;
}
