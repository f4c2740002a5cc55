import type { SwitchyardError } from '@switchyard/sdk';
import type { FastifyReply } from 'fastify';
import { envelopeFor } from '../http/error-reply.js';
import type { SseResponse } from '../http/sse-response.js';
import type { GatewayServices } from '../server/services.js';
import type { Admitted } from './admission.js';
import { settleRequest } from './settlement.js';

/**
 * What every SSE route does first when its stream failed, whatever its dialect: settle the attempt with the text
 * already delivered (a cut stream still cost something), then answer the error where it can still be answered
 * outside the stream. Returns true when that is done — the client left (nobody to tell), or no header had gone out
 * yet (a normal HTTP error in the route's envelope) — and false when the caller must end the stream with its
 * dialect's in-band error chunk and `[DONE]`, so the stream never just stops.
 */
export async function answerFailedStream(
  services: GatewayServices,
  admitted: Admitted,
  requestId: string,
  reply: FastifyReply,
  out: SseResponse,
  error: SwitchyardError,
  partialText: string,
): Promise<boolean> {
  await settleRequest(services, admitted, requestId, true, { error, partialText });
  if (out.closed) {
    out.abandon();
    return true;
  }
  if (out.headersSent) return false;
  out.abandon();
  const { status, body, headers } = (admitted.renderError ?? envelopeFor)(error);
  reply.raw.writeHead(status, { 'content-type': 'application/json', ...admitted.rateHeaders, ...headers });
  reply.raw.end(JSON.stringify(body));
  return true;
}
