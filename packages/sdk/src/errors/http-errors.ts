import { SwitchyardError, type SwitchyardErrorOptions } from './switchyard-error.js';

/** 400: a parameter OpenRouter (or the provider) rejected. */
export class InvalidRequestError extends SwitchyardError {
  static override readonly kind: string = 'InvalidRequestError';
  override readonly code: string = 'invalid_request';
}

/** 400: prompt + max_tokens do not fit the model's context window. */
export class ContextLengthError extends InvalidRequestError {
  static override readonly kind: string = 'ContextLengthError';
  override readonly code: string = 'context_length_exceeded';
}

/** 400/404: the model id is unknown (`<id> is not a valid model ID`). */
export class InvalidModelError extends InvalidRequestError {
  static override readonly kind: string = 'InvalidModelError';
  override readonly code: string = 'invalid_model';
}

/** 401: missing, unknown or revoked key. */
export class AuthenticationError extends SwitchyardError {
  static override readonly kind: string = 'AuthenticationError';
  override readonly code: string = 'authentication_failed';
}

/** No API key configured: raised before any network call, naming the setting to fill in. */
export class MissingApiKeyError extends AuthenticationError {
  static override readonly kind: string = 'MissingApiKeyError';
  override readonly code: string = 'missing_api_key';
}

/** 402: the account or key cannot pay for the request. */
export class InsufficientCreditsError extends SwitchyardError {
  static override readonly kind: string = 'InsufficientCreditsError';
  override readonly code: string = 'insufficient_credits';
}

/** 403: not allowed (non-management key, guardrail). */
export class PermissionDeniedError extends SwitchyardError {
  static override readonly kind: string = 'PermissionDeniedError';
  override readonly code: string = 'permission_denied';
}

/** 403: the input was flagged by moderation. */
export class ModerationError extends PermissionDeniedError {
  static override readonly kind: string = 'ModerationError';
  override readonly code: string = 'moderation_flagged';
  /** Categories the moderation flagged. */
  readonly reasons: string[];
  /** The flagged excerpt (OpenRouter trims it to 100 characters). */
  readonly flaggedInput?: string;

  constructor(message: string, options: SwitchyardErrorOptions & { reasons?: string[]; flaggedInput?: string } = {}) {
    super(message, options);
    this.reasons = options.reasons ?? [];
    this.flaggedInput = options.flaggedInput;
  }
}

/** 404: no such resource, or no endpoint satisfies the routing constraints. */
export class NotFoundError extends SwitchyardError {
  static override readonly kind: string = 'NotFoundError';
  override readonly code: string = 'not_found';
}

/** 404 `No endpoints found …`: provider preferences, parameters or data policy exclude every endpoint. */
export class NoEndpointsError extends NotFoundError {
  static override readonly kind: string = 'NoEndpointsError';
  override readonly code: string = 'no_endpoints';
}

/** 413: the request body is too large. */
export class PayloadTooLargeError extends SwitchyardError {
  static override readonly kind: string = 'PayloadTooLargeError';
  override readonly code: string = 'payload_too_large';
}

/** 429: rate limited, by OpenRouter (free tier, daily caps) or upstream. */
export class RateLimitError extends SwitchyardError {
  static override readonly kind: string = 'RateLimitError';
  override readonly code: string = 'rate_limited';
  /** `X-RateLimit-Limit`, when sent. */
  limit?: number;
  /** `X-RateLimit-Remaining`, when sent. */
  remaining?: number;
  /** When the limit resets (epoch ms), from `X-RateLimit-Reset`. */
  resetAt?: number;
}

/** 500: OpenRouter's own internal error. */
export class ServerError extends SwitchyardError {
  static override readonly kind: string = 'ServerError';
  override readonly code: string = 'server_error';
}

/** 502: the upstream provider failed; `raw` holds what it said. */
export class ProviderError extends SwitchyardError {
  static override readonly kind: string = 'ProviderError';
  override readonly code: string = 'provider_error';
  /** `error.metadata.raw`: the upstream body, a string or an object. */
  get raw(): unknown {
    return this.metadata?.raw;
  }
}

/** 503/529: no provider has capacity right now. */
export class OverloadedError extends SwitchyardError {
  static override readonly kind: string = 'OverloadedError';
  override readonly code: string = 'provider_overloaded';
}

/** 408/504/524 from the server, or one of our own timeouts (`phase` says which). */
export class TimeoutError extends SwitchyardError {
  static override readonly kind: string = 'TimeoutError';
  override readonly code: string = 'timeout';
  /** `headers`, `first_token`, `idle`, `deadline` (ours) or `upstream` (the server's 408/504/524). */
  phase: 'headers' | 'first_token' | 'idle' | 'deadline' | 'upstream' = 'upstream';
}

/**
 * A successful answer larger than `maxResponseBytes`: reading it whole could exhaust memory (a runaway generation,
 * a broken proxy). Not retried (the same request would grow as large again); the routing engine may fall back to
 * another model, as for an answer that model cannot give.
 */
export class ResponseTooLargeError extends SwitchyardError {
  static override readonly kind: string = 'ResponseTooLargeError';
  override readonly code: string = 'response_too_large';
}

/** The response was not what the API promises (non-JSON body, no `choices`, a malformed stream chunk). */
export class UnexpectedResponseError extends SwitchyardError {
  static override readonly kind: string = 'UnexpectedResponseError';
  override readonly code: string = 'unexpected_response';
}
