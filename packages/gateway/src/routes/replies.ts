import type { SwitchyardError } from '@switchyard/sdk';
import type { FastifyReply } from 'fastify';
import { envelopeFor, type RenderError } from '../http/error-reply.js';

/** Sends an error in the envelope (status, Retry-After, rate-limit headers); `render` picks the dialect's envelope. */
export function sendError(
  reply: FastifyReply,
  error: unknown,
  headers: Record<string, string> = {},
  render: RenderError = envelopeFor,
): FastifyReply {
  const envelope = render(error);
  return reply
    .code(envelope.status)
    .headers({ ...headers, ...envelope.headers })
    .send(envelope.body);
}

const ERROR_TYPES: Record<string, string> = {
  rate_limited: 'rate_limit_exceeded',
  provider_error: 'provider_unavailable',
  provider_overloaded: 'provider_overloaded',
  timeout: 'timeout',
  server_error: 'server',
  connection_error: 'provider_unavailable',
  stream_error: 'provider_unavailable',
  stream_truncated: 'provider_unavailable',
  unexpected_response: 'provider_unavailable',
  response_too_large: 'provider_unavailable',
  context_length_exceeded: 'context_length_exceeded',
  insufficient_credits: 'payment_required',
  budget_exceeded: 'payment_required',
};

/** What an in-band error chunk says, in any dialect: the generation's id and model, and OpenRouter's `error` object. */
export function inBandErrorParts(error: SwitchyardError): {
  id: string;
  model: string;
  error: Record<string, unknown>;
} {
  const cause = (error.cause as SwitchyardError | undefined) ?? error;
  return {
    id: error.generationId ?? error.partial?.generationId ?? 'gen-switchyard-error',
    model: error.partial?.model ?? error.model ?? '',
    error: {
      code: envelopeFor(cause).status,
      message: cause.message,
      metadata: { error_type: errorTypeOf(error), switchyard_code: error.code },
    },
  };
}

/** OpenRouter's `error_type` for a switchyard error (the cause's, when it wraps one). */
export function errorTypeOf(error: SwitchyardError): string {
  const cause = (error.cause as SwitchyardError | undefined) ?? error;
  return ERROR_TYPES[cause.code] ?? 'server';
}

/**
 * An error after headers went out: OpenRouter's in-band error chunk, with switchyard's code beside its type.
 * `finishOnly`: just the chunk with `finish_reason: "error"` (when the upstream's error chunk was already passed on).
 */
export function inBandError(error: SwitchyardError, options: { finishOnly?: boolean } = {}): string {
  const parts = inBandErrorParts(error);
  const chunk = {
    id: parts.id,
    object: 'chat.completion.chunk',
    created: Math.floor(Date.now() / 1000),
    model: parts.model,
    ...(options.finishOnly ? {} : { error: parts.error }),
    choices: [{ index: 0, delta: { content: '' }, finish_reason: 'error', native_finish_reason: 'error' }],
  };
  return `data: ${JSON.stringify(chunk)}\n\n`;
}
