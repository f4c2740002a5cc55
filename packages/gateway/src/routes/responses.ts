import type { ChatResult, SwitchyardError } from '@switchyard/sdk';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { newDraft, type ResponseDraft, responseFromResult } from '../dialects/responses-output.js';
import { type TranslatedResponses, translateResponsesRequest } from '../dialects/responses-request.js';
import { ResponsesStore } from '../dialects/responses-store.js';
import { ResponsesStreamWriter } from '../dialects/responses-stream.js';
import { callerId } from '../http/auth.js';
import type { GatewayServices } from '../server/services.js';
import { type Admitted, validateChatBody } from './admission.js';
import { nonStreaming } from './chat.js';
import { errorTypeOf } from './replies.js';
import { serveAdmitted } from './serve-admitted.js';
import { settleAfterReply } from './settlement.js';
import { DONE, generationIdOf, openChatStream } from './sse-stream.js';
import { answerFailedStream } from './stream-failure.js';

/** The OpenAI error codes a Responses client knows (`response.failed` carries one; OpenRouter collapses to them). */
function responsesErrorCode(error: SwitchyardError): string {
  const type = errorTypeOf(error);
  if (type === 'rate_limit_exceeded') return 'rate_limit_exceeded';
  if (type === 'context_length_exceeded' || error.code === 'invalid_request') return 'invalid_prompt';
  return 'server_error';
}

interface Exchange {
  services: GatewayServices;
  admitted: Admitted;
  requestId: string;
  reply: FastifyReply;
  controller: AbortController;
  draft: ResponseDraft;
  remember: (output: Record<string, unknown>[]) => void;
}

/**
 * A streamed Responses answer: the SDK's stream events re-shaped into Responses events (chunks cannot pass through
 * verbatim across dialects). As on chat, headers go out with the first content, so an early failure is an HTTP
 * error; after that a failure ends the stream with `response.failed` and `[DONE]`, never silently.
 */
async function streaming(x: Exchange) {
  const { services, admitted, requestId, reply } = x;
  const { out, stream } = openChatStream(services, admitted, requestId, reply, x.controller);
  const writer = new ResponsesStreamWriter(x.draft);
  writer.model = (admitted.body.model as string | undefined) ?? services.upstream.sy.config.defaultModel ?? '';
  let result: ChatResult | undefined;
  let partialText = '';
  let generationId: string | undefined;
  try {
    for await (const event of stream) {
      if (event.type === 'frame') {
        generationId ??= generationIdOf(event.text);
        continue;
      }
      if (event.type === 'done') {
        result = event.result;
        continue;
      }
      const sse = writer.push(event);
      if (sse === '') continue;
      const first = !out.headersSent;
      const extra = first && generationId ? { 'x-generation-id': generationId } : undefined;
      const waiting = out.write(sse, extra);
      if (first) out.flush();
      if (waiting) await waiting;
      if (event.type === 'text') partialText += event.text;
    }
    const final = result as ChatResult;
    const extra = !out.headersSent && final.generationId ? { 'x-generation-id': final.generationId } : undefined;
    await out.write(writer.complete(final) + DONE, extra);
    out.end();
    x.remember(writer.items);
    await settleAfterReply(services, admitted, requestId, true, { result: final });
  } catch (caught) {
    const error = caught as SwitchyardError;
    if (await answerFailedStream(services, admitted, requestId, reply, out, error, partialText)) return;
    await out.write(writer.fail({ code: responsesErrorCode(error), message: error.message }) + DONE);
    out.end();
  }
}

/**
 * `POST /responses`: the OpenAI Responses API (OpenRouter's stateless dialect of it), translated onto chat
 * completions so it is admitted, routed, limited, budgeted and recorded exactly as chat is. Responses are kept in
 * memory for a while (unless `store: false`) so `previous_response_id` and `item_reference` resolve.
 */
export function responsesRoutes(app: FastifyInstance, services: GatewayServices): void {
  const store = new ResponsesStore();
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
          const remember = (output: Record<string, unknown>[]) => {
            if (t.echo.store) store.put(draft.id, owner, t.echo.previousResponseId, t.input, output);
          };
          if (admitted.body.stream === true) {
            return streaming({ services, admitted, requestId, reply, controller, draft, remember });
          }
          return nonStreaming(services, admitted, requestId, reply, controller, (result) => {
            const response = responseFromResult(draft, result);
            remember(response.output as Record<string, unknown>[]);
            return response;
          });
        },
        (body, caller) => {
          owner = callerId(caller);
          translated = translateResponsesRequest(body, store.historyFor(owner));
          // Then the chat body's own checks (model, models, stream), as for every chat-like route.
          return validateChatBody(translated.chat);
        },
      );
    });
  }
}
