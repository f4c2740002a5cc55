import { SwitchyardError } from '@switchyard/sdk';
import { scrub } from '../logging/logger.js';
import { AuthError } from './auth.js';

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
    case 'response_too_large':
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

/**
 * Refusals of the gateway's own upstream key or account (401 key refused, 402 out of credits): the operator's to fix.
 * Passed on as they are, a client's OpenAI library would report *its* key as invalid, or ask it to buy credits; they
 * go out as 502 with a code of their own, the upstream's status and message kept. A 403 stays a 403: it may be
 * about the request (moderation, a provider's region) as much as about the key.
 */
const UPSTREAM_ACCOUNT: Record<string, { code: string; says: string }> = {
  authentication_failed: { code: 'upstream_auth_failed', says: "The upstream refused the gateway's API key" },
  insufficient_credits: { code: 'upstream_out_of_credits', says: "The gateway's upstream account is out of credits" },
};

/** The operator-side meaning of an error the upstream answered (routing attempts are on it), if it has one. */
export function upstreamAccountError(error: SwitchyardError): { code: string; says: string } | undefined {
  if (error.attempts === undefined || error.status === undefined) return undefined;
  if (error.status !== 401 && error.status !== 402) return undefined;
  return UPSTREAM_ACCOUNT[error.code];
}

/** An error as an HTTP answer: status, JSON body and headers (`Retry-After`, `retry-after-ms`). */
export interface ErrorEnvelope {
  status: number;
  body: Record<string, unknown>;
  headers: Record<string, string>;
}

/**
 * How a route's dialect renders an error. Every route answers in OpenRouter's envelope (`envelopeFor`) except where
 * a dialect's clients parse another one (`POST /messages`: Anthropic's); admission, the non-streamed reply and the
 * failed stream all go through the route's renderer, so a refusal reads the same wherever it was decided.
 */
export type RenderError = (error: unknown) => ErrorEnvelope;

export function envelopeFor(error: unknown): ErrorEnvelope {
  // The gateway's own refusal of a caller's credentials: its status and code as they are, nothing to add.
  if (error instanceof AuthError) {
    return { status: error.status, body: errorBody(error.status, error.code, error.message), headers: {} };
  }
  const typed =
    error instanceof SwitchyardError
      ? error
      : new SwitchyardError(error instanceof Error ? error.message : String(error));
  const account = upstreamAccountError(typed);
  const status = account ? 502 : statusOf(typed);
  const metadata: Record<string, unknown> = { ...typed.metadata };
  if (account) metadata.upstream_status = typed.status;
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
  if (typed.retryAfterMs !== undefined) {
    const ms = Math.max(0, Math.ceil(typed.retryAfterMs));
    headers['retry-after'] = String(Math.ceil(ms / 1000));
    // OpenAI's precise form, read first by the openai clients: a 1.5 s wait is not rounded up to 2 s.
    headers['retry-after-ms'] = String(ms);
  }
  // Read by the openai clients before their own status rules: no retry of what cannot succeed (a 502 for the
  // upstream refusing the gateway's key), and a retry of what can even when its status is not on their list.
  headers['x-should-retry'] = typed.retryable ? 'true' : 'false';
  const code = account?.code ?? typed.code;
  const message = account ? `${account.says} (HTTP ${typed.status}): ${typed.message}` : typed.message;
  return { status, body: errorBody(status, code, message, metadata), headers };
}
