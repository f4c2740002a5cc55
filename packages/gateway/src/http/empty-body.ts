import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * A route hook for DELETEs: one without a body but with `Content-Type: application/json` (some HTTP libraries always
 * send it) is not a bad request, so the type is dropped before Fastify would refuse the empty JSON body.
 */
export function emptyBodyUntyped(request: FastifyRequest, _reply: FastifyReply, done: () => void): void {
  const length = request.headers['content-length'];
  if ((length === undefined || length === '0') && request.headers['transfer-encoding'] === undefined) {
    delete request.headers['content-type'];
  }
  done();
}
