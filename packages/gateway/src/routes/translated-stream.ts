import type { ChatResult, StreamEvent, SwitchyardError } from '@switchyard/sdk';
import type { FastifyReply } from 'fastify';
import { headerValue } from '../http/header-value.js';
import type { GatewayServices } from '../server/services.js';
import type { Admitted } from './admission.js';
import { settleAfterReply } from './settlement.js';
import { generationIdOf, openChatStream, watchReplyProvider } from './sse-stream.js';
import { answerFailedStream } from './stream-failure.js';

/** One dialect's side of a translated stream: the SDK's stream events in, that dialect's SSE text out. */
export interface DialectStream {
  /** An upstream frame, seen before the events of its chunk (ids, models, reasoning signatures); sends nothing. */
  frame?(text: string): void;
  /** The SSE text for one event ('' when it adds nothing the client sees). */
  push(event: StreamEvent): string;
  /** The closing events of a complete answer. */
  end(result: ChatResult): string;
  /** The events that end a stream which failed after content went out. */
  fail(error: SwitchyardError): string;
}

/**
 * A streamed answer in a dialect other than chat's (`/completions`, `/responses`, `/messages`): upstream chunks cannot
 * pass through, so the SDK's events are re-shaped. As on chat, headers go out with the first content — with the
 * generation id, read from the first frame — so an early failure is an HTTP error in the route's envelope; after
 * that a failure ends the stream with the dialect's own error events, never silently. `ended` runs once the closing
 * events are made and before they go out (the Responses store keeps the answer: a client that continues the
 * conversation as soon as it has read them must find it), never failing the stream.
 */
export async function streamTranslated(
  services: GatewayServices,
  admitted: Admitted,
  requestId: string,
  reply: FastifyReply,
  controller: AbortController,
  dialect: DialectStream,
  ended?: () => Promise<void>,
): Promise<void> {
  const { out, stream } = openChatStream(services, admitted, requestId, reply, controller);
  let result: ChatResult | undefined;
  let partialText = '';
  let generationId: string | undefined;
  const idHeader = (id: string | undefined) => {
    const value = out.headersSent ? undefined : headerValue(id);
    return value ? { 'x-generation-id': value } : undefined;
  };
  const watch = watchReplyProvider(reply);
  try {
    for await (const event of stream) {
      if (event.type === 'frame') {
        watch(event.text);
        generationId ??= generationIdOf(event.text);
        dialect.frame?.(event.text);
        continue;
      }
      if (event.type === 'done') {
        result = event.result;
        continue;
      }
      const sse = dialect.push(event);
      if (sse === '') continue;
      const first = !out.headersSent;
      const waiting = out.write(sse, idHeader(generationId));
      if (first) out.flush();
      if (event.type === 'text') partialText += event.text;
      if (waiting) await waiting;
    }
    const final = result as ChatResult;
    const closing = dialect.end(final);
    await ended?.();
    await out.write(closing, idHeader(final.generationId));
    out.end();
    // Never throws (a failure is logged), so a settlement problem cannot run the error path below a second time.
    await settleAfterReply(services, admitted, requestId, true, { result: final });
  } catch (caught) {
    const error = caught as SwitchyardError;
    if (await answerFailedStream(services, admitted, requestId, reply, out, error, partialText)) return;
    await out.write(dialect.fail(error));
    out.end();
  }
}
