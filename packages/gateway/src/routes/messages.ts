import type { FastifyInstance } from 'fastify';
import { anthropicBetaFlags } from '../dialects/messages-beta.js';
import { anthropicErrors, errorEvent } from '../dialects/messages-errors.js';
import { isConfiguredName } from '../dialects/messages-models.js';
import { messageFromResult, messageId } from '../dialects/messages-output.js';
import { type TranslatedMessages, translateMessagesRequest } from '../dialects/messages-request.js';
import { MessagesStreamWriter } from '../dialects/messages-stream.js';
import type { RenderError } from '../http/error-reply.js';
import type { GatewayServices } from '../server/services.js';
import { type Admitted, validateChatBody } from './admission.js';
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
 * The prompt's token estimate for `message_start`: the one admission made, which it keeps summed with the worst-case
 * output — `max_tokens` when the request sets it (Anthropic's clients always do) — so the prompt is the difference,
 * with no second pass over a long history. Without `max_tokens` the worst case came from the catalog: 0 then, and the
 * real count follows in `message_delta` either way.
 */
function promptEstimate(admitted: Admitted): number {
  const max = admitted.body.max_tokens;
  return typeof max === 'number' ? Math.max(0, admitted.estimatedTokens - max) : 0;
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
      let translated: TranslatedMessages | undefined;
      // A prompt too long is refused in Anthropic's words, from the translated request and the in-memory catalog.
      const render = anthropicErrors(request.id, {
        chat: () => translated?.chat,
        row: (model) => services.upstream.sy.models.getNow(model)?.model,
      });
      const beta = anthropicBetaFlags(request.headers);
      return serveAdmitted(
        services,
        request,
        reply,
        (admitted, requestId, controller) => {
          const { echo } = translated as TranslatedMessages;
          // Beta flags go upstream the way per-request headers do (the simulator's fault header travels so too).
          if (beta) admitted.upstreamHeaders = { ...admitted.upstreamHeaders, 'x-anthropic-beta': beta };
          const id = messageId();
          if (admitted.body.stream === true) {
            const model = echo.model ?? services.upstream.sy.config.defaultModel ?? '';
            const writer = new MessagesStreamWriter(id, echo, model, promptEstimate(admitted));
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
