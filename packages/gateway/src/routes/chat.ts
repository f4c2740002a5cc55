import type { ChatResult, SwitchyardError } from '@switchyard/sdk';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { finishUpstreamOnDisconnect } from '../http/disconnect.js';
import { headerValue } from '../http/header-value.js';
import type { GatewayServices } from '../server/services.js';
import type { Admitted } from './admission.js';
import { StreamFinish, withToolCallsFinish } from './finish-reasons.js';
import { inBandError, sendError } from './replies.js';
import { serveAdmitted } from './serve-admitted.js';
import { type Outcome, settleAfterReply } from './settlement.js';
import { DONE, generationIdOf, openChatStream, watchReplyProvider } from './sse-stream.js';
import { answerFailedStream } from './stream-failure.js';

/**
 * A non-streamed chat. The answer goes out first and the request is settled after it (as a stream is), so the
 * client does not wait for the bookkeeping; the request is still tracked until settled, so shutdown waits for it.
 * A client that goes away does not cancel it (see `finishUpstreamOnDisconnect`): it is billed whole anyway.
 * `render` gives the answer its dialect's shape (the other dialects translate onto this flow); chat sends it as it came,
 * but for tool calls reported as "tool_calls" (see finish-reasons.ts).
 */
export async function nonStreaming(
  services: GatewayServices,
  admitted: Admitted,
  requestId: string,
  reply: FastifyReply,
  controller: AbortController,
  render: (result: ChatResult) => unknown = (result) => withToolCallsFinish(result.raw),
) {
  finishUpstreamOnDisconnect(reply);
  let outcome: Outcome;
  try {
    outcome = {
      result: await services.upstream.sy.chat(admitted.body as never, {
        signal: controller.signal,
        headers: admitted.upstreamHeaders,
      }),
    };
  } catch (caught) {
    outcome = { error: caught as SwitchyardError };
  }
  const { result, error } = outcome;
  if (result) {
    reply.headers({ ...admitted.rateHeaders, 'x-switchyard-attempts': String(result.attempts?.length ?? 1) });
    const model = headerValue(result.model);
    if (model) reply.header('x-switchyard-model', model);
    // An upstream that gave its answer no id gets no empty header.
    const id = headerValue(result.generationId);
    if (id) reply.header('x-generation-id', id);
    const body = render(result);
    reply.send(body instanceof Promise ? await body : body);
  } else sendError(reply, error, admitted.rateHeaders, admitted.renderError);
  await settleAfterReply(services, admitted, requestId, false, outcome);
  return reply;
}

/** The upstream's own `[DONE]` frame, whatever its spacing and line endings. */
const DONE_FRAME = /^data: ?\[DONE\]\s*$/;

/**
 * Whether a passed-through frame is OpenRouter's in-band error chunk (a top-level `error` object), and whether it
 * also carried a finish reason (the single-chunk form) or not (the first of the three-chunk form). The SDK forwards
 * that frame verbatim before it throws, so the client has already been told about the error.
 */
function upstreamErrorFrame(text: string): { finished: boolean } | undefined {
  if (!text.startsWith('data: {') || !text.includes('"error"')) return undefined;
  try {
    const chunk = JSON.parse(text.slice('data: '.length)) as {
      error?: unknown;
      choices?: { finish_reason?: unknown }[];
    };
    if (typeof chunk.error !== 'object' || chunk.error === null) return undefined;
    return { finished: chunk.choices?.some((c) => c.finish_reason != null) ?? false };
  } catch {
    return undefined;
  }
}

/** A streamed chat: upstream frames pass through verbatim; usage and cost are tapped from the stream's result. */
async function streaming(
  services: GatewayServices,
  admitted: Admitted,
  requestId: string,
  reply: FastifyReply,
  controller: AbortController,
) {
  const { out, stream } = openChatStream(services, admitted, requestId, reply, controller);
  let result: ChatResult | undefined;
  let partialText = '';
  let contentSent = false;
  let forwardedError: { finished: boolean } | undefined;
  const finish = new StreamFinish();
  const watch = watchReplyProvider(reply);
  try {
    for await (const event of stream) {
      if (event.type === 'frame') {
        watch(event.text);
        // The upstream's [DONE] is held back: the SDK may still fail the stream after it (no finish reason), and
        // the error chunk must come before [DONE] — the gateway writes its own last.
        if (DONE_FRAME.test(event.text)) continue;
        const id = out.headersSent ? undefined : generationIdOf(event.text);
        const waiting = out.write(finish.frame(event.text), id ? { 'x-generation-id': id } : undefined);
        if (waiting) await waiting;
        forwardedError ??= upstreamErrorFrame(event.text);
      } else if (event.type === 'done') result = event.result;
      else if (event.type === 'text' || event.type === 'reasoning' || event.type === 'tool_call_delta') {
        // The frame with the first content has been written (the SDK yields frames first): out with it now.
        if (!contentSent) out.flush();
        contentSent = true;
        if (event.type === 'text') partialText += event.text;
        else if (event.type === 'tool_call_delta') finish.sawToolCall();
      }
    }
    const closing = finish.closing(result);
    if (closing) await out.write(closing);
    // Always ours (also when the upstream ended a finished stream without one: OpenAI clients expect it).
    await out.write(DONE);
    out.end();
    // Never throws (a failure is logged), so a settlement problem cannot run the error path below a second time.
    await settleAfterReply(services, admitted, requestId, true, { result });
  } catch (caught) {
    const error = caught as SwitchyardError;
    if (await answerFailedStream(services, admitted, requestId, reply, out, error, partialText)) return;
    // The upstream's own error chunk already went out verbatim: no second error, only the finish chunk if it lacked one.
    if (!forwardedError) await out.write(inBandError(error));
    else if (!forwardedError.finished) await out.write(inBandError(error, { finishOnly: true }));
    await out.write(DONE);
    out.end();
  }
}

export function chatRoutes(app: FastifyInstance, services: GatewayServices): void {
  for (const prefix of ['/api/v1', '/v1']) {
    app.post(`${prefix}/chat/completions`, (request, reply) =>
      serveAdmitted(services, request, reply, (admitted, requestId, controller) =>
        admitted.body.stream === true
          ? streaming(services, admitted, requestId, reply, controller)
          : nonStreaming(services, admitted, requestId, reply, controller),
      ),
    );
  }
}
