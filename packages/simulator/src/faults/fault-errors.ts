import { contextError } from '../chat/route-endpoints.js';
import type { SimError } from '../http/sim-error.js';
import type { Fault, HttpFault } from './fault-types.js';

export interface FaultScene {
  model: string;
  /** Display name of the provider the fault is attributed to. */
  provider: string;
  now: number;
  promptTokens: number;
  contextLength: number;
  /** Last user text, for moderation's `flagged_input`. */
  userText: string;
}

const ERROR_TYPE: Record<number, string> = {
  400: 'invalid_request',
  401: 'authentication',
  402: 'payment_required',
  403: 'permission_denied',
  404: 'not_found',
  408: 'timeout',
  413: 'payload_too_large',
  422: 'unprocessable',
  429: 'rate_limit_exceeded',
  500: 'server',
  502: 'provider_unavailable',
  503: 'provider_overloaded',
  504: 'timeout',
  524: 'timeout',
  529: 'provider_overloaded',
};

/** OpenRouter's canonical `error_type` for an HTTP status (reference §4.3). */
export function errorTypeOf(status: number): string {
  return ERROR_TYPE[status] ?? (status >= 500 ? 'server' : 'invalid_request');
}

/** Platform-level messages per status, as OpenRouter words them. */
function platformMessage(status: number, scene: FaultScene): string {
  switch (status) {
    case 401:
      return 'User not found.';
    case 402:
      return 'Insufficient credits. Add more using https://openrouter.ai/credits';
    case 404:
      return `No endpoints found for ${scene.model}.`;
    case 408:
      return 'Operation timed out. Please try again later.';
    case 413:
      return 'Request payload too large';
    case 422:
      return 'Unprocessable request';
    case 429:
      return `Rate limit exceeded: limit_rpm/${scene.model}/7c1e9a2b-5d4f-4e8a-9b3c-2f1d0e6a8b7c. High demand for ${scene.model} on OpenRouter - limited to 20 requests per minute. Please retry shortly.`;
    case 500:
      return 'Internal Server Error';
    case 503:
      return `All providers for ${scene.model} are temporarily unavailable. Please retry shortly.`;
    case 524:
      return 'Request timed out. Please try again later.';
    case 502:
    case 529:
      return 'Provider returned error';
    default:
      return status >= 500 ? 'Internal Server Error' : 'Invalid request';
  }
}

/** What the upstream provider said, for `metadata.raw` of a wrapped error. */
function upstreamRaw(status: number, scene: FaultScene): string {
  switch (status) {
    case 429:
      return `${scene.model} is temporarily rate-limited upstream. Please retry shortly, or add your own key to accumulate your rate limits: https://openrouter.ai/settings/integrations`;
    case 529:
      return JSON.stringify({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } });
    case 400:
      return JSON.stringify({ error: { message: 'Invalid request', type: 'invalid_request_error' } });
    default:
      return JSON.stringify({
        error: { message: 'The server had an error while processing your request.', type: 'server_error' },
      });
  }
}

function retryHeaders(fault: HttpFault, now: number): Record<string, string> {
  const headers: Record<string, string> = {};
  if (typeof fault.retryAfter === 'number') headers['Retry-After'] = String(fault.retryAfter);
  if (fault.retryAfter === 'date') {
    headers['Retry-After'] = new Date(now + (fault.retryAfterDateOffset ?? 1) * 1000).toUTCString();
  }
  if (fault.retryAfterMs !== undefined) headers['retry-after-ms'] = String(fault.retryAfterMs);
  return headers;
}

function elide(text: string): string {
  return text.length <= 100 ? text : `${text.slice(0, 48)}...${text.slice(-48)}`;
}

/** The error a status-like fault produces. `wrapped` = the fault sits on a provider (an upstream failure). */
export function faultError(fault: Fault, scene: FaultScene, wrapped: boolean): SimError | undefined {
  switch (fault.kind) {
    case 'http': {
      // A bare 403 on chat is, in practice, a moderation block: give it that body.
      if (fault.status === 403 && !fault.message && !wrapped) return faultError({ kind: 'moderation' }, scene, false);
      const headers = retryHeaders(fault, scene.now);
      let metadata: Record<string, unknown> | undefined = fault.metadata ? { ...fault.metadata } : undefined;
      if (fault.rateLimitReset) {
        const limits = {
          'X-RateLimit-Limit': '20',
          'X-RateLimit-Remaining': '0',
          'X-RateLimit-Reset': String(scene.now - (scene.now % 60_000) + 60_000),
        };
        Object.assign(headers, limits);
        metadata = { ...metadata, headers: limits, provider_name: null };
      }
      const upstream = wrapped || fault.status === 502 || fault.status === 529;
      if (upstream) metadata = { raw: upstreamRaw(fault.status, scene), provider_name: scene.provider, ...metadata };
      return {
        status: fault.status,
        message: fault.message ?? (upstream ? 'Provider returned error' : platformMessage(fault.status, scene)),
        ...(metadata ? { metadata } : {}),
        extra: { error_type: errorTypeOf(fault.status) },
        headers,
        retryable: fault.status === 408 || fault.status === 429 || fault.status >= 500,
      };
    }
    case 'provider-error': {
      const status = fault.status ?? 502;
      return {
        status,
        message: 'Provider returned error',
        metadata: { raw: fault.raw ?? upstreamRaw(status, scene), provider_name: scene.provider },
        extra: { error_type: ERROR_TYPE[status] ?? 'provider_unavailable' },
        retryable: status === 408 || status === 429 || status >= 500,
      };
    }
    case 'moderation': {
      const reasons = fault.reasons ?? ['harassment'];
      return {
        status: 403,
        message: `${scene.model} requires moderation on ${scene.provider}. Your input was flagged for "${reasons[0]}". No credits were charged.`,
        metadata: {
          reasons,
          flagged_input: elide(scene.userText),
          provider_name: scene.provider,
          model_slug: scene.model,
        },
        extra: { error_type: 'content_policy_violation' },
      };
    }
    case 'context-length':
      return contextError(scene.contextLength, scene.promptTokens, scene.contextLength);
    default:
      return undefined;
  }
}

/** Fault kinds that end the request with an error status instead of shaping the response body. */
export function isStatusFault(fault: Fault): boolean {
  return (
    fault.kind === 'http' ||
    fault.kind === 'provider-error' ||
    fault.kind === 'moderation' ||
    fault.kind === 'context-length'
  );
}
