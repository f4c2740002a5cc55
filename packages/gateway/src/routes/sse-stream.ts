import { billsCancelledStreams, type StreamEvent, type Switchyard } from '@switchyard/sdk';
import type { FastifyReply } from 'fastify';
import { finishUpstreamOnDisconnect } from '../http/disconnect.js';
import { headerValue } from '../http/header-value.js';
import { SseResponse } from '../http/sse-response.js';
import type { GatewayServices } from '../server/services.js';
import type { Admitted } from './admission.js';

const GENERATION_ID = /"id":"([^"]+)"/;

/** The generation id in an upstream chunk's frame (its first `"id"`, fit for a header), without parsing the JSON. */
export function generationIdOf(frame: string): string | undefined {
  return headerValue(GENERATION_ID.exec(frame)?.[1]);
}

const PROVIDER = /"provider":"([^"]+)"/;

/**
 * Watches a stream's frames for the provider serving it, and calls `billedWhole` once when it is one that bills a
 * cancelled stream whole. Such a stream gains nothing from a cancel: from then on a client that leaves no longer
 * cancels it, it is read to its end (nothing more is sent) and recorded, and settled against budgets, at its real
 * cost instead of the part delivered.
 */
export function watchProvider(billedWhole: () => void): (frame: string) => void {
  let known = false;
  return (frame) => {
    if (known) return;
    const provider = PROVIDER.exec(frame)?.[1];
    if (provider === undefined) return;
    known = true;
    if (billsCancelledStreams(provider)) billedWhole();
  };
}

/** `watchProvider` for an HTTP stream: its reply's disconnect stops cancelling the upstream call. */
export const watchReplyProvider = (reply: FastifyReply) => watchProvider(() => finishUpstreamOnDisconnect(reply));

/** The last frame of every stream the gateway answers (its own: the upstream's is never passed on). */
export const DONE = 'data: [DONE]\n\n';

/**
 * The start of every SSE route over the chat pipeline: the reply taken over from Fastify, an `SseResponse` that
 * commits its headers late (so an error before any content can still be an HTTP error), and the SDK's stream under
 * the request's abort signal. Frames are asked for: the routes read the upstream's chunks (to pass them on, or to
 * learn the generation's id and model from them).
 */
export function openChatStream(
  services: GatewayServices,
  admitted: Admitted,
  requestId: string,
  reply: FastifyReply,
  controller: AbortController,
): { out: SseResponse; stream: AsyncIterable<StreamEvent> } {
  reply.hijack();
  const out = new SseResponse(reply.raw, { ...admitted.rateHeaders, 'x-request-id': requestId });
  const stream = streamOf(services, admitted.body, {
    signal: controller.signal,
    frames: true,
    headers: admitted.upstreamHeaders,
  });
  return { out, stream };
}

/**
 * The SDK's stream of a chat. A request it refuses at once (an invalid parameter, thrown as the stream is made) fails
 * on the first read instead, as an upstream refusal does: the routes answer it in their envelope and settle it the
 * same way (a throw after the reply was taken over would leave the client waiting, and the budget reserved).
 */
export function streamOf(
  services: GatewayServices,
  body: Record<string, unknown>,
  options: Parameters<Switchyard['stream']>[1],
): AsyncIterable<StreamEvent> {
  try {
    return services.upstream.sy.stream(body as never, options);
  } catch (error) {
    return {
      [Symbol.asyncIterator]: () => ({ next: () => Promise.reject(error) }),
    };
  }
}
