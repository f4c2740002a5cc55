import type { FastifyInstance } from 'fastify';
import {
  type CompletionIdentity,
  errorChunk,
  finishChunks,
  identityOfFrame,
  reasoningChunk,
  textChunk,
  textCompletion,
} from '../dialects/completions-output.js';
import { chatBodyFromCompletion } from '../dialects/completions-request.js';
import type { GatewayServices } from '../server/services.js';
import { validateChatBody } from './admission.js';
import { nonStreaming } from './chat.js';
import { serveAdmitted } from './serve-admitted.js';
import { DONE } from './sse-stream.js';
import { type DialectStream, streamTranslated } from './translated-stream.js';

/**
 * A streamed text completion: the SDK's events re-shaped into completion chunks. Frames are read only for the
 * generation's id, model and provider, from the first one (the SDK releases it with the first content, after routing
 * settled). After content, a failure is an in-band error chunk and `[DONE]`.
 */
function completionDialect(): DialectStream {
  let identity: CompletionIdentity | undefined;
  return {
    frame: (text) => {
      identity ??= identityOfFrame(text);
    },
    push: (event) => {
      if (event.type !== 'text' && event.type !== 'reasoning') return '';
      // Chunks before the identity is known cannot happen with the SDK's frame order; an empty id is the fallback.
      identity ??= { id: '', created: Math.floor(Date.now() / 1000), model: '' };
      return (event.type === 'text' ? textChunk : reasoningChunk)(identity, event.text);
    },
    end: (result) => finishChunks(identity, result) + DONE,
    fail: (error) => errorChunk(identity, error) + DONE,
  };
}

/** The translation of a completions body, then the chat body's own checks (model, models, stream). */
function validate(body: unknown): Record<string, unknown> {
  return validateChatBody(chatBodyFromCompletion(body));
}

/**
 * `POST /completions`: OpenRouter's legacy text-completions endpoint, served by the chat pipeline — the prompt is
 * the one user message; admission, routing, settlement and metrics are chat's. Fields a chat model cannot honour
 * are refused with a 400 naming them (see `chatBodyFromCompletion`).
 */
export function completionsRoutes(app: FastifyInstance, services: GatewayServices): void {
  for (const prefix of ['/api/v1', '/v1']) {
    app.post(`${prefix}/completions`, (request, reply) =>
      serveAdmitted(
        services,
        request,
        reply,
        (admitted, requestId, controller) =>
          admitted.body.stream === true
            ? streamTranslated(services, admitted, requestId, reply, controller, completionDialect())
            : nonStreaming(services, admitted, requestId, reply, controller, textCompletion),
        validate,
      ),
    );
  }
}
