/**
 * An error the simulator answers with, in OpenRouter's envelope:
 * `{ "error": { "message", "code", "metadata"? , ...extra }, "user_id" }`.
 */
export interface SimError {
  status: number;
  message: string;
  metadata?: Record<string, unknown>;
  /** Extra fields inside `error` (e.g. `error_type`, `availability`). */
  extra?: Record<string, unknown>;
  headers?: Record<string, string>;
  /** Whether OpenRouter would move on to another provider/model after this error (5xx, 429, 408). */
  retryable?: boolean;
}

export function simError(status: number, message: string, metadata?: Record<string, unknown>): SimError {
  return metadata ? { status, message, metadata } : { status, message };
}

export function errorEnvelope(error: SimError, userId?: string): Record<string, unknown> {
  const inner: Record<string, unknown> = { message: error.message, code: error.status };
  if (error.metadata) inner.metadata = error.metadata;
  if (error.extra) Object.assign(inner, error.extra);
  const body: Record<string, unknown> = { error: inner };
  if (userId) body.user_id = userId;
  return body;
}
