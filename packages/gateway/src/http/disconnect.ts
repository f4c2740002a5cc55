import { AbortError } from '@switchyard/sdk';
import type { FastifyReply } from 'fastify';

/** Aborts the upstream call when the client goes away before the answer is complete. */
export function abortOnDisconnect(reply: FastifyReply, controller: AbortController): AbortController {
  reply.raw.on('close', () => {
    if (!reply.raw.writableFinished) controller.abort(new AbortError('The client disconnected'));
  });
  return controller;
}
