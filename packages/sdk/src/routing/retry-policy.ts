import { AbortError, ConnectionError } from '../errors/client-errors.js';
import {
  AuthenticationError,
  ContextLengthError,
  InsufficientCreditsError,
  InvalidRequestError,
  NotFoundError,
  PayloadTooLargeError,
  PermissionDeniedError,
  ResponseTooLargeError,
  TimeoutError,
  UnexpectedResponseError,
} from '../errors/http-errors.js';
import { StreamError } from '../errors/stream-errors.js';
import { SwitchyardError } from '../errors/switchyard-error.js';

/** Decides whether an error is worth another try of the same target; replaces the built-in rule when given. */
export type RetryOn = (error: SwitchyardError, attempt: number) => boolean;

export interface RetrySettings {
  /** Tries per target, the first included (OPENROUTER_RETRY_ATTEMPTS, default 3). */
  attempts: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  /** Share of the delay randomised (0–1): delay × (1 ± jitter). */
  jitter: number;
}

const RETRY_STATUSES = new Set([408, 429, 500, 502, 503, 504, 524, 529]);

/**
 * The built-in rule: retry 408, 429, 5xx (incl. 524/529), connection errors, our timeouts, and failures of a
 * stream before any content; never 400, 401, 402, 403, 404, 413, a redirect or a context-length error (they cannot
 * succeed by waiting; context length has its own path).
 */
export function isRetryable(error: SwitchyardError): boolean {
  if (error instanceof AbortError || error instanceof StreamError) return false;
  if (
    error instanceof ContextLengthError ||
    error instanceof InvalidRequestError ||
    error instanceof AuthenticationError ||
    error instanceof InsufficientCreditsError ||
    error instanceof PermissionDeniedError ||
    error instanceof NotFoundError ||
    error instanceof PayloadTooLargeError
  ) {
    return false;
  }
  // A redirect: the base URL is wrong, not the moment.
  if (error.status !== undefined && error.status >= 300 && error.status < 400) return false;
  if (error instanceof ConnectionError || error instanceof TimeoutError || error instanceof UnexpectedResponseError)
    return true;
  // By status, unless the server said a retry cannot help: errors from an HTTP status are retryable but for its
  // `x-should-retry: false` (see errorFromWire).
  if (error.status !== undefined) return (RETRY_STATUSES.has(error.status) || error.status >= 500) && error.retryable;
  return error.retryable;
}

/** Exponential backoff: base × 2^(retry-1), capped at max, randomised by ±jitter. */
export function backoffMs(retry: number, settings: RetrySettings, random = Math.random): number {
  const raw = Math.min(settings.backoffMaxMs, settings.backoffBaseMs * 2 ** Math.max(0, retry - 1));
  const spread = raw * settings.jitter;
  return Math.max(0, Math.round(raw - spread + random() * 2 * spread));
}

/** How long to wait before retry number `retry`: the server's hint when it gave one, else backoff. */
export function retryDelayMs(
  error: SwitchyardError,
  retry: number,
  settings: RetrySettings,
  random = Math.random,
): number {
  if (error.retryAfterMs !== undefined && Number.isFinite(error.retryAfterMs)) return Math.max(0, error.retryAfterMs);
  return backoffMs(retry, settings, random);
}

/** Errors that say "this model (or its providers) cannot serve this" rather than "this request is wrong": moving
 * to the next model may help. */
export function isTargetSpecific(error: SwitchyardError): boolean {
  if (error instanceof ContextLengthError) return true;
  if (error instanceof NotFoundError) return true; // invalid model, no endpoints
  if (error instanceof PermissionDeniedError) return error.code === 'moderation_flagged';
  // A runaway answer (a model stuck repeating itself) is this model's; another one may answer within bounds.
  return error instanceof ResponseTooLargeError;
}

/** Sleeps, waking early (and throwing AbortError) when `signal` fires. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    if (signal?.aborted)
      return reject(
        signal.reason instanceof SwitchyardError ? signal.reason : new AbortError('Aborted while waiting to retry'),
      );
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(
        signal?.reason instanceof SwitchyardError ? signal.reason : new AbortError('Aborted while waiting to retry'),
      );
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
