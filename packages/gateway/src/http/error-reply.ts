import { SwitchyardError } from '@switchyard/sdk';
import { scrub } from '../logging/logger.js';

/** HTTP status for a typed error (its own status when it came from upstream). */
export function statusOf(error: SwitchyardError): number {
  if (error.status && error.status >= 400 && error.status < 600) return error.status;
  switch (error.code) {
    case 'missing_api_key':
    case 'authentication_failed':
      return 401;
    case 'insufficient_credits':
    case 'budget_exceeded':
    case 'price_guard':
      return 402;
    case 'rate_limited':
      return 429;
    case 'circuit_open':
    case 'provider_overloaded':
      return 503;
    case 'timeout':
      return 504;
    case 'connection_error':
    case 'unexpected_response':
    case 'stream_error':
    case 'stream_truncated':
      return 502;
    case 'aborted':
      return 499;
    case 'invalid_request':
    case 'invalid_model':
    case 'context_length_exceeded':
    case 'preflight_failed':
    case 'invalid_config':
      return 400;
    default:
      return 500;
  }
}

/**
 * The error envelope every endpoint answers with: OpenRouter's shape (`code` = the HTTP status, `message`,
 * `metadata`) plus OpenAI's `type`, which carries switchyard's stable code string (`rate_limited`, `budget_exceeded`,
 * …), so both families of clients parse it. Messages are scrubbed of anything key-shaped.
 */
export function errorBody(
  status: number,
  code: string,
  message: string,
  metadata?: Record<string, unknown>,
): Record<string, unknown> {
  const error: Record<string, unknown> = { message: scrub(message), code: status, type: code };
  if (metadata && Object.keys(metadata).length > 0) error.metadata = metadata;
  return { error };
}

export function envelopeFor(error: unknown): {
  status: number;
  body: Record<string, unknown>;
  headers: Record<string, string>;
} {
  const typed =
    error instanceof SwitchyardError
      ? error
      : new SwitchyardError(error instanceof Error ? error.message : String(error));
  const status = statusOf(typed);
  const metadata: Record<string, unknown> = { ...typed.metadata };
  if (typed.model) metadata.model = typed.model;
  if (typed.provider) metadata.provider_name = typed.provider;
  if (typed.attempts)
    metadata.attempts = typed.attempts.map((a) => ({
      model: a.model,
      provider: a.provider,
      outcome: a.outcome,
      code: a.code,
      status: a.status,
      reason: a.reason,
    }));
  const headers: Record<string, string> = {};
  if (typed.retryAfterMs !== undefined)
    headers['retry-after'] = String(Math.max(0, Math.ceil(typed.retryAfterMs / 1000)));
  return { status, body: errorBody(status, typed.code, typed.message, metadata), headers };
}
