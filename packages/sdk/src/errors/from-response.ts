import type { WireError } from '../protocol/chat.js';
import {
  AuthenticationError,
  ContextLengthError,
  InsufficientCreditsError,
  InvalidModelError,
  InvalidRequestError,
  ModerationError,
  NoEndpointsError,
  NotFoundError,
  OverloadedError,
  PayloadTooLargeError,
  PermissionDeniedError,
  ProviderError,
  RateLimitError,
  ServerError,
  TimeoutError,
} from './http-errors.js';
import { type HeaderSource, rateLimitInfo } from './retry-after.js';
import type { PartialOutput, SwitchyardError, SwitchyardErrorOptions } from './switchyard-error.js';

export interface ErrorContext {
  model?: string;
  provider?: string;
  generationId?: string;
  headers?: HeaderSource;
  partial?: PartialOutput;
  /** Where the error came from, for the message: an HTTP status, a 200 body, or a stream chunk. */
  origin?: 'http' | 'body' | 'stream';
  now?: number;
}

const CONTEXT = /maximum context length|context length|context_length_exceeded|too many tokens|prompt is too long/i;

/** The HTTP-like status of an error object: `code` may be a number, a numeric string, or a word. */
function statusOf(error: WireError | undefined, fallback: number): number {
  const code = error?.code;
  if (typeof code === 'number' && code >= 100 && code < 600) return code;
  if (typeof code === 'string' && /^\d{3}$/.test(code)) return Number(code);
  const http = (error as { http_status?: unknown } | undefined)?.http_status;
  if (typeof http === 'number') return http;
  return fallback;
}

/**
 * The HTTP status an error without a numeric code stands for, by its type name: `metadata.error_type` (OpenRouter's
 * `ApiErrorType`) or a word in `code` (`"rate_limit_exceeded"`, as some providers' in-band errors carry it). Only
 * for errors that arrived without an HTTP error status (200 bodies, stream chunks): otherwise that status counts.
 */
const TYPE_STATUS = new Map(
  Object.entries({
    rate_limit_exceeded: 429,
    provider_overloaded: 503,
    provider_unavailable: 502,
    timeout: 504,
    payment_required: 402,
    authentication: 401,
    permission_denied: 403,
    not_found: 404,
    payload_too_large: 413,
    context_length_exceeded: 400,
    max_tokens_exceeded: 400,
    token_limit_exceeded: 400,
    invalid_request: 400,
    invalid_prompt: 400,
  }),
);

/**
 * One mapping from OpenRouter's error envelope to typed errors, used alike for HTTP errors, HTTP 200 `{error}`
 * bodies and in-band stream errors, so callers handle a rate limit the same way wherever it shows up.
 */
export function errorFromWire(
  error: WireError | undefined,
  httpStatus: number,
  context: ErrorContext = {},
): SwitchyardError {
  const metadata = (error?.metadata ?? undefined) as Record<string, unknown> | undefined;
  const extra = error as Record<string, unknown> | undefined;
  const word = typeof error?.code === 'string' ? error.code : '';
  const errorType = String(metadata?.error_type ?? extra?.error_type ?? word);
  const typed = TYPE_STATUS.get(errorType) ?? TYPE_STATUS.get(word) ?? 500;
  const status = statusOf(error, httpStatus >= 400 ? httpStatus : typed);
  const provider = (metadata?.provider_name as string | undefined) ?? context.provider;
  let message = error?.message || `HTTP ${status}`;
  const raw = metadata?.raw;
  if (message === 'Provider returned error' && raw !== undefined) {
    const detail = typeof raw === 'string' ? raw : JSON.stringify(raw);
    message = `Provider returned error${provider ? ` (${provider})` : ''}: ${detail.slice(0, 500)}`;
  }
  const limits = rateLimitInfo(context.headers, metadata, extra, context.now);
  const options: SwitchyardErrorOptions = {
    status,
    model: context.model,
    provider,
    metadata,
    generationId: context.generationId,
    partial: context.partial,
    retryAfterMs: limits.retryAfterMs,
  };
  // `x-should-retry: false` (the switchyard gateway, OpenAI): the server knows a retry cannot help (isRetryable).
  const retryable = { ...options, retryable: context.headers?.get('x-should-retry') !== 'false' };
  switch (true) {
    case status === 400 || status === 422: {
      if (errorType.startsWith('context_length') || errorType === 'max_tokens_exceeded' || CONTEXT.test(message)) {
        return new ContextLengthError(message, options);
      }
      if (/is not a valid model ID/i.test(message)) return new InvalidModelError(message, options);
      return new InvalidRequestError(message, options);
    }
    case status === 401:
      return new AuthenticationError(message, options);
    case status === 402:
      return new InsufficientCreditsError(message, options);
    case status === 403: {
      const reasons = metadata?.reasons;
      if (Array.isArray(reasons) || errorType === 'content_policy_violation') {
        return new ModerationError(message, {
          ...options,
          reasons: Array.isArray(reasons) ? reasons.map(String) : [],
          flaggedInput: typeof metadata?.flagged_input === 'string' ? metadata.flagged_input : undefined,
        });
      }
      return new PermissionDeniedError(message, options);
    }
    case status === 404:
      if (/^No (endpoints|allowed providers)/i.test(message)) return new NoEndpointsError(message, options);
      if (/is not a valid model ID/i.test(message)) return new InvalidModelError(message, options);
      return new NotFoundError(message, options);
    case status === 408 || status === 504 || status === 524:
      return new TimeoutError(message, retryable);
    case status === 413:
      return new PayloadTooLargeError(message, options);
    case status === 429: {
      const err = new RateLimitError(message, retryable);
      err.limit = limits.limit;
      err.remaining = limits.remaining;
      err.resetAt = limits.resetAt;
      return err;
    }
    case status === 502:
      return new ProviderError(message, retryable);
    case status === 503 || status === 529:
      return new OverloadedError(message, retryable);
    case status >= 500:
      return new ServerError(message, retryable);
    default:
      return new InvalidRequestError(message, options);
  }
}
