import { encodeEvent } from '@switchyard/sdk/sse';
import type { FastifyRequest } from 'fastify';
import { type ErrorEnvelope, envelopeFor, errorBody, type RenderError } from '../http/error-reply.js';
import { fromAnthropicClient } from './messages-model-list.js';
import { type RefusalFacts, rewordRefusal } from './messages-refusals.js';

/**
 * Anthropic's error `type` for an HTTP status: the set the Anthropic SDKs map to their error classes and Claude Code
 * reacts to (it retries `overloaded_error` and `rate_limit_error`, asks for a new key on `authentication_error`).
 */
export function anthropicErrorType(status: number): string {
  switch (status) {
    case 401:
      return 'authentication_error';
    case 402:
      return 'billing_error';
    case 403:
      return 'permission_error';
    case 404:
      return 'not_found_error';
    case 413:
      return 'request_too_large';
    case 429:
      return 'rate_limit_error';
    case 408:
    case 504:
      return 'timeout_error';
    case 503:
    case 529:
      return 'overloaded_error';
    default:
      return status >= 400 && status < 500 ? 'invalid_request_error' : 'api_error';
  }
}

/**
 * The gateway's envelope re-dressed as Anthropic's: `{type:"error", error:{type, message}, request_id}`. The status,
 * headers (`Retry-After`) and message are the gateway's own; switchyard's stable code goes where Anthropic puts its
 * stable codes (`error.details.error_code`, which the Anthropic SDK exposes as `APIError.errorCode`), and the
 * gateway's `metadata` (`field`, `attempts`, `limit_source`, …) rides along under `error.metadata`. One status is
 * Anthropic's instead: an unknown model is its 404 `not_found_error` (OpenRouter says 400), so Anthropic clients
 * see the `NotFoundError` they get from Anthropic for a model name it does not serve.
 */
export function anthropicEnvelope(envelope: ErrorEnvelope, requestId: string | null): ErrorEnvelope {
  const ours = envelope.body.error as { message: string; type: string; metadata?: Record<string, unknown> };
  const status = ours.type === 'invalid_model' ? 404 : envelope.status;
  const error: Record<string, unknown> = {
    type: anthropicErrorType(status),
    message: ours.message,
    details: { error_code: ours.type },
  };
  if (ours.metadata) error.metadata = ours.metadata;
  return { status, headers: envelope.headers, body: { type: 'error', error, request_id: requestId } };
}

/**
 * The error renderer of one `/messages` request (its id is repeated in the body, as Anthropic's `request_id`); with
 * `facts`, a prompt too long for the model is refused in Anthropic's words (see `rewordRefusal`).
 */
export function anthropicErrors(requestId: string, facts?: RefusalFacts): RenderError {
  return (error) => {
    const envelope = envelopeFor(error);
    return anthropicEnvelope(facts ? rewordRefusal(envelope, facts) : envelope, requestId);
  };
}

/** Whether a request is on the Messages API (`…/messages`, `…/messages/…`), by its URL. */
export function onMessagesPath(url: string): boolean {
  return /\/messages(?:[/?]|$)/.test(url);
}

/**
 * An error body in the envelope of the API the request was made to: Anthropic's on `/messages` paths and for
 * Anthropic clients (their `anthropic-version` header: `models.list()` too), else the gateway's. For refusals made before any route runs (an unknown path, a draining gateway, a browser origin, a body
 * Fastify could not parse), so Anthropic clients show the gateway's message instead of failing to parse it.
 */
export function errorBodyFor(
  request: FastifyRequest,
  status: number,
  code: string,
  message: string,
): Record<string, unknown> {
  const body = errorBody(status, code, message);
  if (!onMessagesPath(request.url) && !fromAnthropicClient(request.headers)) return body;
  return anthropicEnvelope({ status, body, headers: {} }, request.id).body;
}

/** Anthropic's in-band stream error (`event: error`), which the Anthropic SDK throws as an `APIError` of its type. */
export function errorEvent(envelope: ErrorEnvelope): string {
  return encodeEvent({ event: 'error', data: JSON.stringify(envelope.body) });
}
