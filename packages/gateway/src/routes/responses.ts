import type { SwitchyardError } from '@switchyard/sdk';
import type { FastifyInstance } from 'fastify';
import { newDraft, responseFromResult } from '../dialects/responses-output.js';
import { type TranslatedResponses, translateResponsesRequest } from '../dialects/responses-request.js';
import { ResponsesStreamWriter } from '../dialects/responses-stream.js';
import { callerId } from '../http/auth.js';
import { historyFromStore } from '../responses-store/history-from-store.js';
import type { GatewayServices } from '../server/services.js';
import { validateChatBody } from './admission.js';
import { nonStreaming } from './chat.js';
import { errorTypeOf } from './replies.js';
import { storedResponsesRoutes } from './responses-stored.js';
import { serveAdmitted } from './serve-admitted.js';
import { DONE } from './sse-stream.js';
import { type DialectStream, streamTranslated } from './translated-stream.js';

/** The OpenAI error codes a Responses client knows (`response.failed` carries one; OpenRouter collapses to them). */
function responsesErrorCode(error: SwitchyardError): string {
  const type = errorTypeOf(error);
  if (type === 'rate_limit_exceeded') return 'rate_limit_exceeded';
  if (type === 'context_length_exceeded' || error.code === 'invalid_request') return 'invalid_prompt';
  return 'server_error';
}

/** The Responses events of one answer; a failure after content is `response.failed`, then `[DONE]` as OpenRouter sends. */
function responsesDialect(writer: ResponsesStreamWriter): DialectStream {
  return {
    frame: (text) => writer.frame(text),
    push: (event) => writer.push(event),
    end: (result) => writer.complete(result) + DONE,
    fail: (error) => writer.fail({ code: responsesErrorCode(error), message: error.message }) + DONE,
  };
}

/**
 * `POST /responses`: the OpenAI Responses API (OpenRouter's stateless dialect of it), translated onto chat
 * completions so it is admitted, routed, limited, budgeted and recorded exactly as chat is. Responses are kept for a
 * while (unless `store: false`; in memory, or in Redis with `REDIS_URL`) so `previous_response_id` and
 * `item_reference` resolve, and so they can be retrieved, listed and deleted (`responses-stored.ts`).
 */
export function responsesRoutes(app: FastifyInstance, services: GatewayServices): void {
  const store = services.responses;
  storedResponsesRoutes(app, services, store);
  for (const prefix of ['/api/v1', '/v1']) {
    app.post(`${prefix}/responses`, (request, reply) => {
      let translated: TranslatedResponses | undefined;
      let owner = '';
      return serveAdmitted(
        services,
        request,
        reply,
        (admitted, requestId, controller) => {
          const t = translated as TranslatedResponses;
          const draft = newDraft(t.echo);
          // A store that fails (Redis down) costs the client its stored response, never the answer it paid for.
          const remember = async (response: Record<string, unknown>) => {
            if (!t.echo.store) return;
            try {
              await store.put(owner, t.echo.previousResponseId, t.input, response);
            } catch (error) {
              services.logger.warn({ err: error, requestId }, 'could not store the response');
            }
          };
          if (admitted.body.stream === true) {
            // Headers go out with the first content: a failure before it is an HTTP error, after it `response.failed`.
            const writer = new ResponsesStreamWriter(draft, services.upstream.sy.config.defaultModel);
            return streamTranslated(services, admitted, requestId, reply, controller, responsesDialect(writer), () =>
              remember(writer.response as Record<string, unknown>),
            );
          }
          return nonStreaming(services, admitted, requestId, reply, controller, async (result) => {
            const response = responseFromResult(draft, result);
            await remember(response);
            return response;
          });
        },
        async (body, caller) => {
          owner = callerId(caller);
          translated = translateResponsesRequest(body, await historyFromStore(store, owner, body));
          // Then the chat body's own checks (model, models, stream), as for every chat-like route.
          return validateChatBody(translated.chat);
        },
      );
    });
  }
}
