import type { FastifyReply, FastifyRequest } from 'fastify';
import { abortOnDisconnect } from '../http/disconnect.js';
import type { RenderError } from '../http/error-reply.js';
import type { GatewayServices } from '../server/services.js';
import { type Admitted, admit, type Validate } from './admission.js';
import { sendError } from './replies.js';

export type AdmittedHandler = (admitted: Admitted, requestId: string, controller: AbortController) => Promise<unknown>;

/**
 * The frame of every chat-like route: a request id, admission (refusals answered in the envelope with their
 * headers), then the handler under an abort signal that fires when the client disconnects or shutdown's grace period
 * ends, tracked by the lifecycle until it has settled. `renderError` is the route's envelope when its dialect has
 * its own: it answers admission's refusals here, and travels on `Admitted` to the reply and stream failure paths.
 */
export async function serveAdmitted(
  services: GatewayServices,
  request: FastifyRequest,
  reply: FastifyReply,
  handler: AdmittedHandler,
  validate?: Validate,
  renderError?: RenderError,
): Promise<unknown> {
  // Fastify's request id: the client's `x-request-id` when it sent a sane one, so logs and ledger rows share it.
  const requestId = request.id;
  reply.header('x-request-id', requestId);
  let admitted: Admitted;
  try {
    const pending = admit(request, services, validate);
    admitted = pending instanceof Promise ? await pending : pending;
  } catch (error) {
    return sendError(reply, error, (error as { headers?: Record<string, string> }).headers, renderError);
  }
  if (renderError) admitted.renderError = renderError;
  const { controller, end } = services.lifecycle.begin();
  abortOnDisconnect(reply, controller);
  try {
    return await handler(admitted, requestId, controller);
  } finally {
    end();
  }
}
