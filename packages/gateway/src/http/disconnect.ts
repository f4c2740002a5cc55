import { AbortError } from '@switchyard/sdk';
import type { FastifyReply } from 'fastify';

/** Replies whose upstream call is let finish when their client goes away (see `finishUpstreamOnDisconnect`). */
const finishing = new WeakSet<FastifyReply>();

/**
 * Aborts the upstream call when the client goes away before the answer is complete — a stream's: providers that
 * support it then stop generating, and billing, at once.
 */
export function abortOnDisconnect(reply: FastifyReply, controller: AbortController): AbortController {
  // Held now: once the response closes, Node detaches the socket from it.
  const socket = reply.raw.socket;
  reply.raw.on('close', () => {
    if (reply.raw.writableFinished) return;
    if (!finishing.has(reply)) controller.abort(new AbortError('The client disconnected'));
    // A client gone mid-response leaves a half-open socket behind (it would hold up shutdown); nothing more will be
    // written to it.
    socket?.destroy();
  });
  return controller;
}

/**
 * A non-stream answer cannot be cancelled upstream: OpenRouter bills it whole however early the connection drops.
 * Aborting it when its client goes away would only lose what it cost, so it is let finish — within the deadline,
 * and shutdown's grace period still aborts it — and recorded at its real cost; only the reply is dropped.
 */
export function finishUpstreamOnDisconnect(reply: FastifyReply): void {
  finishing.add(reply);
}
