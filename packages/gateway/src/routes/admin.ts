import { NotFoundError } from '@switchyard/sdk';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AuthError } from '../http/auth.js';
import { emptyBodyUntyped } from '../http/empty-body.js';
import { keyJson, parseCreateKey, parseUpdateKey } from '../keys/key-json.js';
import { sameSecret } from '../keys/virtual-keys.js';
import type { GatewayServices } from '../server/services.js';
import { sendError } from './replies.js';

/** Whether the request carries the admin token (compared in constant time); false when the admin API is off. */
export function hasAdminToken(request: FastifyRequest, services: GatewayServices): boolean {
  const token = services.config.adminToken;
  const match = /^Bearer\s+(.+)$/i.exec(request.headers.authorization?.trim() ?? '');
  return Boolean(token && match?.[1] && sameSecret(match[1].trim(), token));
}

/** The admin API is on only with an admin token. */
function requireAdmin(request: FastifyRequest, services: GatewayServices): void {
  if (!services.config.adminToken)
    throw new AuthError(
      'The admin API is off: start the gateway with SWITCHYARD_ADMIN_TOKEN set',
      403,
      'admin_disabled',
    );
  if (!hasAdminToken(request, services)) throw new AuthError('Invalid admin token', 401, 'authentication_failed');
}

type Handler = (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>;

export function guarded(services: GatewayServices, handler: Handler): Handler {
  return async (request, reply) => {
    try {
      requireAdmin(request, services);
      return await handler(request, reply);
    } catch (error) {
      return sendError(reply, error);
    }
  };
}

/**
 * Admin API for virtual keys: create (the secret is in this one response only), list, show, update, revoke.
 * `Authorization: Bearer <SWITCHYARD_ADMIN_TOKEN>`.
 */
export function adminRoutes(app: FastifyInstance, services: GatewayServices): void {
  const { keys } = services;
  const notFound = (id: string) => new NotFoundError(`No key with id ${id}`, { status: 404 });

  app.post(
    '/admin/keys',
    guarded(services, async (request, reply) => {
      const { key, secret } = await keys.create(parseCreateKey(request.body));
      await services.accounting.applyKeyBudget(key);
      services.logger.info({ keyId: key.id, name: key.name }, 'virtual key created');
      return reply.code(201).send({ data: keyJson(key), secret });
    }),
  );
  app.get(
    '/admin/keys',
    guarded(services, async (_request, reply) => reply.send({ data: (await keys.list()).map((k) => keyJson(k)) })),
  );
  app.get(
    '/admin/keys/:id',
    guarded(services, async (request, reply) => {
      const { id } = request.params as { id: string };
      const key = await keys.get(id);
      if (!key) throw notFound(id);
      return reply.send({ data: keyJson(key) });
    }),
  );
  app.patch(
    '/admin/keys/:id',
    guarded(services, async (request, reply) => {
      const { id } = request.params as { id: string };
      const key = await keys.update(id, parseUpdateKey(request.body));
      if (!key) throw notFound(id);
      await services.accounting.applyKeyBudget(key);
      return reply.send({ data: keyJson(key) });
    }),
  );
  app.delete(
    '/admin/keys/:id',
    { onRequest: emptyBodyUntyped },
    guarded(services, async (request, reply) => {
      const { id } = request.params as { id: string };
      const existing = await keys.get(id);
      if (!existing) throw notFound(id);
      await keys.revoke(id);
      services.logger.info({ keyId: id }, 'virtual key revoked');
      return reply.send({ data: keyJson((await keys.get(id)) ?? existing) });
    }),
  );
}
