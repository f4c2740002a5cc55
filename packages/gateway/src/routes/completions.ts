import type { ChatResult, SwitchyardError } from '@switchyard/sdk';
import type { FastifyInstance, FastifyReply } from 'fastify';
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
import { type Admitted, validateChatBody } from './admission.js';
import { nonStreaming } from './chat.js';
import { serveAdmitted } from './serve-admitted.js';
import { settleAfterReply } from './settlement.js';
import { DONE, openChatStream } from './sse-stream.js';
import { answerFailedStream } from './stream-failure.js';

/**
 * A streamed text completion. Unlike chat, upstream frames cannot pass through (their shape differs): the SDK's
 * events are re-shaped into completion chunks. Frames are still asked for, only to read the generation's id, model
 * and provider from the first one (the SDK releases it together with the first content, after routing settled).
 * Headers go out late (`SseResponse`): an error before any content is a normal HTTP error; after it, an in-band
 * error chunk and `[DONE]`.
 */
async function streaming(
  services: GatewayServices,
  admitted: Admitted,
  requestId: string,
  reply: FastifyReply,
  controller: AbortController,
) {
  const { out, stream } = openChatStream(services, admitted, requestId, reply, controller);
  let identity: CompletionIdentity | undefined;
  let result: ChatResult | undefined;
  let partialText = '';
  // The generation id goes out as a header with the first chunk, when headers are still to be sent.
  const idHeader = (id: string | undefined) => (id && !out.headersSent ? { 'x-generation-id': id } : undefined);
  try {
    for await (const event of stream) {
      if (event.type === 'frame') identity ??= identityOfFrame(event.text);
      else if (event.type === 'text' || event.type === 'reasoning') {
        const first = !out.headersSent;
        const chunk = event.type === 'text' ? textChunk : reasoningChunk;
        // Chunks before the identity is known cannot happen with the SDK's frame order; an empty id is the fallback.
        identity ??= { id: '', created: Math.floor(Date.now() / 1000), model: '' };
        const waiting = out.write(chunk(identity, event.text), idHeader(identity.id));
        if (first) out.flush();
        if (event.type === 'text') partialText += event.text;
        if (waiting) await waiting;
      } else if (event.type === 'done') result = event.result;
    }
    if (result) out.write(finishChunks(identity, result), idHeader(result.generationId));
    await out.write(DONE);
    out.end();
    // Never throws (a failure is logged), so a settlement problem cannot run the error path below a second time.
    await settleAfterReply(services, admitted, requestId, true, { result });
  } catch (caught) {
    const error = caught as SwitchyardError;
    if (await answerFailedStream(services, admitted, requestId, reply, out, error, partialText)) return;
    await out.write(errorChunk(identity, error));
    await out.write(DONE);
    out.end();
  }
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
            ? streaming(services, admitted, requestId, reply, controller)
            : nonStreaming(services, admitted, requestId, reply, controller, textCompletion),
        validate,
      ),
    );
  }
}
