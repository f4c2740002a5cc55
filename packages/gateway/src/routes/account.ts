import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AuthError, authenticate } from '../http/auth.js';
import { errorBody } from '../http/error-reply.js';
import type { Caller } from '../keys/key-types.js';
import type { GatewayServices } from '../server/services.js';
import { hasAdminToken } from './admin.js';
import { relay } from './relay.js';
import { sendError } from './replies.js';

type Usage = Awaited<ReturnType<GatewayServices['accounting']['usage']>>;

/** OpenRouter's `GET /key` shape (its clients validate it), filled from the virtual key and the ledger. */
function keyBody(caller: Caller, usage: Usage): Record<string, unknown> {
  const key = caller.kind === 'key' ? caller.key : undefined;
  const limit = key?.budget?.usd ?? null;
  const period = key?.budget?.period;
  const used = period === 'day' ? usage.todayUsd : period === 'month' ? usage.monthUsd : usage.totalUsd;
  const requests = key?.limits.requestsPerMinute;
  return {
    label: key ? key.name : 'open access (no virtual keys configured)',
    limit,
    limit_reset: period === 'day' ? 'daily' : period === 'month' ? 'monthly' : null,
    limit_remaining: limit === null ? null : Math.max(0, limit - used),
    include_byok_in_limit: false,
    usage: usage.totalUsd,
    usage_daily: usage.todayUsd,
    usage_weekly: usage.weekUsd,
    usage_monthly: usage.monthUsd,
    byok_usage: 0,
    byok_usage_daily: 0,
    byok_usage_weekly: 0,
    byok_usage_monthly: 0,
    is_free_tier: false,
    is_management_key: false,
    is_provisioning_key: false,
    creator_user_id: null,
    expires_at: key?.expiresAt ? new Date(key.expiresAt).toISOString() : null,
    allowed_data_regions: ['global'],
    organization_id: null,
    workspace_id: null,
    // OpenRouter's free-model daily cap; here: the key's daily request cap (-1 = none).
    free_model_daily_requests: {
      limit: key?.limits.requestsPerDay ?? -1,
      used: usage.requestsToday,
      remaining:
        key?.limits.requestsPerDay === undefined ? -1 : Math.max(0, key.limits.requestsPerDay - usage.requestsToday),
    },
    rate_limit: {
      requests: requests ?? -1,
      interval: requests ? '1m' : '10s',
      note: 'switchyard: see `limits` for every rate limit of this key.',
    },
    // switchyard's additions
    id: key?.id ?? null,
    preview: key?.preview ?? null,
    requests_today: usage.requestsToday,
    limits: {
      requests_per_minute: key?.limits.requestsPerMinute ?? null,
      requests_per_day: key?.limits.requestsPerDay ?? null,
      tokens_per_minute: key?.limits.tokensPerMinute ?? null,
    },
    allowed_models: key?.allowedModels ?? [],
  };
}

/**
 * `GET /credits` is about an OpenRouter *account*, and only its management keys may read it. Here the account is the
 * operator's upstream one: the admin token (or open access, where the caller is the operator on loopback) reads it,
 * relayed with the upstream key; a virtual key gets OpenRouter's 403 for ordinary keys, pointing to `GET /key`,
 * which has the key's own budget and spend. So no app learns the operator's balance.
 */
async function credits(request: FastifyRequest, reply: FastifyReply, services: GatewayServices) {
  if (!hasAdminToken(request, services)) {
    const caller = await authenticate(request, services);
    if (caller.kind === 'key')
      throw new AuthError(
        "Only management keys can perform this operation: GET /credits is the gateway operator's account " +
          '(the admin token reads it); your key’s budget and spend are at GET /key',
        403,
        'permission_denied',
      );
  }
  return relay(services, reply, '/credits', '');
}

/** `GET /key` (also the legacy `/auth/key`), `GET /credits` and `GET /generation?id=` (the ledger's record). */
export function accountRoutes(app: FastifyInstance, services: GatewayServices): void {
  for (const prefix of ['/api/v1', '/v1']) {
    const key = async (request: FastifyRequest, reply: FastifyReply) => {
      try {
        const caller = await authenticate(request, services);
        return reply.send({ data: keyBody(caller, await services.accounting.usage(caller)) });
      } catch (error) {
        return sendError(reply, error);
      }
    };
    app.get(`${prefix}/key`, key);
    app.get(`${prefix}/credits`, (request, reply) =>
      credits(request, reply, services).catch((e) => sendError(reply, e)),
    );
    app.get(`${prefix}/auth/key`, key);
    app.get(`${prefix}/generation`, async (request: FastifyRequest<{ Querystring: { id?: string } }>, reply) => {
      try {
        const caller = await authenticate(request, services);
        const id = request.query.id;
        if (!id)
          return reply
            .code(400)
            .send(
              errorBody(400, 'invalid_request', "Invalid value for 'id': expected a generation id", { field: 'id' }),
            );
        const record = await services.accounting.generation(id, caller);
        if (!record) {
          // `resp_…` (Responses API) and `msg_…` (Messages API) name the answer, not the generation behind it.
          const hint = /^(resp|msg)_/.test(id)
            ? `: ${id.slice(0, id.indexOf('_'))}_… names a response, not a generation; the generation id is the x-generation-id header of that answer`
            : '';
          return reply.code(404).send(errorBody(404, 'not_found', `Generation not found${hint}`));
        }
        return reply.send({ data: record });
      } catch (error) {
        return sendError(reply, error);
      }
    });
  }
}
