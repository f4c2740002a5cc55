import type { FastifyInstance } from 'fastify';
import { anthropicErrors, errorEvent } from '../dialects/messages-errors.js';
import { isConfiguredName } from '../dialects/messages-models.js';
import { messageFromResult, messageId } from '../dialects/messages-output.js';
import { type TranslatedMessages, translateMessagesRequest } from '../dialects/messages-request.js';
import { MessagesStreamWriter } from '../dialects/messages-stream.js';
import type { RenderError } from '../http/error-reply.js';
import type { GatewayServices } from '../server/services.js';
import { validateChatBody } from './admission.js';
import { nonStreaming } from './chat.js';
import { countTokensRoute } from './messages-count-tokens.js';
import { serveAdmitted } from './serve-admitted.js';
import { type DialectStream, streamTranslated } from './translated-stream.js';

/**
 * Anthropic's events for one answer (frames are read for the serving model and thinking signatures too); a failure
 * after content ends with Anthropic's `error` event. No `[DONE]`: Anthropic has none.
 */
function messagesDialect(writer: MessagesStreamWriter, render: RenderError): DialectStream {
  return {
    frame: (text) => writer.frame(text),
    push: (event) => writer.push(event),
    end: (result) => writer.complete(result),
    fail: (error) => writer.fail(errorEvent(render(error))),
  };
}

/**
 * `POST /messages`: OpenRouter's Anthropic Messages skin, so the Anthropic SDKs and Claude Code
 * (`ANTHROPIC_BASE_URL`) work by changing the base URL. Translated onto chat completions, it is authenticated
 * (`x-api-key` or Bearer), admitted, routed, limited, budgeted and recorded exactly as chat is; answers, stream
 * events and every error — admission's refusals included — come back in Anthropic's shapes.
 */
export function messagesRoutes(app: FastifyInstance, services: GatewayServices): void {
  // Read at each request: the configuration is the upstream's current one.
  const named = (name: string) => isConfiguredName(services.upstream.sy.config, name);
  for (const prefix of ['/api/v1', '/v1']) {
    countTokensRoute(app, services, prefix, named);
    app.post(`${prefix}/messages`, (request, reply) => {
      // Where the Anthropic SDKs read a request id from (`APIError.requestID`, `withResponse().request_id`); set on the
      // raw response so it also goes out with a stream's late headers.
      reply.raw.setHeader('request-id', request.id);
      const render = anthropicErrors(request.id);
      let translated: TranslatedMessages | undefined;
      return serveAdmitted(
        services,
        request,
        reply,
        (admitted, requestId, controller) => {
          const { echo } = translated as TranslatedMessages;
          const id = messageId();
          if (admitted.body.stream === true) {
            const model = echo.model ?? services.upstream.sy.config.defaultModel ?? '';
            const writer = new MessagesStreamWriter(id, echo, model);
            return streamTranslated(services, admitted, requestId, reply, controller, messagesDialect(writer, render));
          }
          return nonStreaming(services, admitted, requestId, reply, controller, (result) =>
            messageFromResult(id, result, echo),
          );
        },
        (body) => {
          translated = translateMessagesRequest(body, named);
          // Then the chat body's own checks (model, models, stream), as for every chat-like route.
          return validateChatBody(translated.chat);
        },
        render,
      );
    });
  }
}
