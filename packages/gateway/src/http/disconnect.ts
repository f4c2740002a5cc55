import { AbortError } from '@switchyard/sdk';
import type { FastifyReply } from 'fastify';

/** Aborts the upstream call when the client goes away before the answer is complete. */
export function abortOnDisconnect(reply: FastifyReply, controller: AbortController): AbortController {
  // Held now: once the response closes, Node detaches the socket from it.
  const socket = reply.raw.socket;
  reply.raw.on('close', () => {
    if (reply.raw.writableFinished) return;
    controller.abort(new AbortError('The client disconnected'));
    // A client gone mid-response leaves a half-open socket behind (it would hold up shutdown); nothing more will be
    // written to it.
    socket?.destroy();
  });
  return controller;
}
