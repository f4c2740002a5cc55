import type { FastifyReply, FastifyRequest } from 'fastify';
import type { GatewayServices } from '../server/services.js';

/**
 * Relays a read-only upstream answer (status, JSON body) for endpoints the SDK has no method for, or whose answer is
 * the upstream account's own (`/credits`): fetched with the gateway's upstream key, never the caller's.
 */
export async function relay(
  services: GatewayServices,
  reply: FastifyReply,
  path: string,
  search: string,
): Promise<FastifyReply> {
  const response = await services.upstream.get(`${path}${search}`);
  const body = await response.text();
  return reply
    .code(response.status)
    .type(response.headers.get('content-type') ?? 'application/json')
    .send(body);
}

/** The request's query string, `?` included (empty without one). */
export const searchOf = (request: FastifyRequest): string => {
  const at = request.url.indexOf('?');
  return at < 0 ? '' : request.url.slice(at);
};
