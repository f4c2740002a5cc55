import type { ServerResponse } from 'node:http';
import { errorTypeOf } from '../faults/fault-errors.js';
import { sendJson } from '../http/io.js';
import type { SimError } from '../http/sim-error.js';

/** Anthropic's error `type` per HTTP status (its API's own vocabulary, which the Anthropic SDK reads). */
const ANTHROPIC_TYPE: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  402: 'billing_error',
  403: 'permission_error',
  404: 'not_found_error',
  408: 'timeout_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  500: 'api_error',
  502: 'api_error',
  503: 'overloaded_error',
  504: 'timeout_error',
  524: 'timeout_error',
  529: 'overloaded_error',
};

export function anthropicErrorType(status: number): string {
  return ANTHROPIC_TYPE[status] ?? (status >= 500 ? 'api_error' : 'invalid_request_error');
}

/**
 * The Messages skin's error body (reference §6.5): `{type: "error", error: {type, message, error_type}, request_id}`,
 * where `error_type` is OpenRouter's canonical type and `request_id` the generation id once there is one (null for
 * errors before any generation). `metadata` (an upstream's raw error, rate-limit headers) is kept when there is one.
 */
export function anthropicEnvelope(
  status: number,
  message: string,
  errorType: string,
  requestId: string | null,
  metadata?: Record<string, unknown>,
): Record<string, unknown> {
  const error: Record<string, unknown> = { type: anthropicErrorType(status), message, error_type: errorType };
  if (metadata) error.metadata = metadata;
  return { type: 'error', error, request_id: requestId };
}

/** A 400 for a bad request field, worded as Anthropic words them (`messages.0.role: Input should be …`). */
export function problem(path: string, message: string): SimError {
  return {
    status: 400,
    message: `${path}: ${message}`,
    metadata: { field: path },
    extra: { error_type: 'invalid_request' },
  };
}

/** `sendError` for the Messages skin: same statuses and headers (Retry-After, X-RateLimit-*), Anthropic's words. */
export function sendAnthropicError(
  res: ServerResponse,
  error: SimError,
  _userId?: string,
  headers: Record<string, string> = {},
): void {
  const errorType = typeof error.extra?.error_type === 'string' ? error.extra.error_type : errorTypeOf(error.status);
  const body = anthropicEnvelope(error.status, error.message, errorType, null, error.metadata);
  sendJson(res, error.status, body, { ...error.headers, ...headers });
}
