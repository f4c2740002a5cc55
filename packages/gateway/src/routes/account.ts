import type { FastifyInstance, FastifyRequest } from 'fastify';
import { authenticate } from '../http/auth.js';
import type { GatewayServices } from '../server/services.js';
import { sendError } from './replies.js';

/** `GET /key` (the calling virtual key's limits and usage) and `GET /generation?id=` (the ledger's record). */
export function accountRoutes(app: FastifyInstance, services: GatewayServices): void {
  for (const prefix of ['/api/v1', '/v1']) {
    app.get(`${prefix}/key`, async (request, reply) => {
      try {
        const caller = await authenticate(request, services);
        const usage = await services.accounting.usage(caller);
        if (caller.kind === 'open') {
          return reply.send({
            data: {
              label: 'open access (no virtual keys configured)',
              limit: null,
              limit_remaining: null,
              usage: usage.totalUsd,
              usage_daily: usage.todayUsd,
              usage_monthly: usage.monthUsd,
              is_free_tier: false,
              rate_limit: {},
            },
          });
        }
        const key = caller.key;
        const limit = key.budget?.usd ?? null;
        const used =
          key.budget?.period === 'day'
            ? usage.todayUsd
            : key.budget?.period === 'month'
              ? usage.monthUsd
              : usage.totalUsd;
        return reply.send({
          data: {
            label: key.name,
            id: key.id,
            preview: key.preview,
            limit,
            limit_reset:
              key.budget && key.budget.period !== 'total' ? (key.budget.period === 'day' ? 'daily' : 'monthly') : null,
            limit_remaining: limit === null ? null : Math.max(0, limit - used),
            usage: usage.totalUsd,
            usage_daily: usage.todayUsd,
            usage_monthly: usage.monthUsd,
            requests_today: usage.requestsToday,
            is_free_tier: false,
            rate_limit: key.limits,
            allowed_models: key.allowedModels,
            expires_at: key.expiresAt ? new Date(key.expiresAt).toISOString() : null,
          },
        });
      } catch (error) {
        return sendError(reply, error);
      }
    });
    app.get(`${prefix}/generation`, async (request: FastifyRequest<{ Querystring: { id?: string } }>, reply) => {
      try {
        const caller = await authenticate(request, services);
        const id = request.query.id;
        if (!id)
          return reply.code(400).send({
            error: {
              code: 400,
              type: 'invalid_request',
              message: "Invalid value for 'id': expected a generation id",
            },
          });
        const record = await services.accounting.generation(id, caller);
        if (!record)
          return reply.code(404).send({ error: { code: 404, type: 'not_found', message: 'Generation not found' } });
        return reply.send({ data: record });
      } catch (error) {
        return sendError(reply, error);
      }
    });
  }
}
