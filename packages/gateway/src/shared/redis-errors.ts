/**
 * Typed failures of the Redis-backed shared state. Callers (routes, the readiness check) switch on `code`; messages
 * name the operation and Redis's own reason but never the connection URL, so no password can leak through them.
 */
import { SwitchyardError } from '@switchyard/sdk';
import { ReplyError } from 'ioredis';

/**
 * Redis could not be reached in time: connection refused or lost, reconnect attempts for this command used up
 * (`maxRetriesPerRequest`), or no answer within the command timeout. Retryable: the client keeps reconnecting.
 */
export class RedisUnavailableError extends SwitchyardError {
  static override readonly kind: string = 'RedisUnavailableError';
  override readonly code: string = 'redis_unavailable';
}

/** Redis answered with an error (out of memory, a script error, wrong type at a key). Not retryable as such. */
export class RedisCommandError extends SwitchyardError {
  static override readonly kind: string = 'RedisCommandError';
  override readonly code: string = 'redis_error';
}

/**
 * `RedisBreakerStore.update` lost its optimistic WATCH/MULTI race more often than allowed (other instances kept
 * changing the same record). Retryable; it means extreme contention on one breaker key.
 */
export class BreakerStoreContentionError extends SwitchyardError {
  static override readonly kind: string = 'BreakerStoreContentionError';
  override readonly code: string = 'breaker_store_contention';
}

/** Removes `secret` (a password from the URL) wherever it appears in `text`. */
function scrubSecret(text: string, secret: string | null | undefined): string {
  return secret ? text.split(secret).join('***') : text;
}

/**
 * Converts whatever a Redis call threw into a typed error naming `operation`. Switchyard errors pass through
 * unchanged (a store's own `unknown_reservation`, for instance). `password` is scrubbed from the message.
 */
export function toRedisError(error: unknown, operation: string, password?: string | null): Error {
  if (error instanceof SwitchyardError) return error;
  const message = scrubSecret(error instanceof Error ? error.message : String(error), password);
  if (error instanceof ReplyError) {
    return new RedisCommandError(`Redis refused ${operation}: ${message}`, { status: 500, cause: error });
  }
  return new RedisUnavailableError(`Redis unavailable during ${operation}: ${message}`, {
    status: 503,
    retryable: true,
    retryAfterMs: 1_000,
    cause: error,
  });
}
