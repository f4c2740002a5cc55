import { InvalidRequestError, NotFoundError } from '@switchyard/sdk';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { emptyBodyUntyped } from '../http/empty-body.js';
import type { GatewayServices } from '../server/services.js';
import { type BudgetLimit, GLOBAL_ID } from '../stores/budget-types.js';
import type { LedgerFilter, LedgerGroupBy } from '../stores/ledger-types.js';
import { MAX_BUDGET_USD, nanoToUsdString, usdToNano } from '../stores/nano.js';
import { reportRowToJson, toCsv } from '../stores/reports.js';
import { guarded } from './admin.js';

const SCOPES = new Set(['key', 'user', 'global']);
const PERIODS = new Set(['day', 'month', 'total']);
const GROUPS = new Set(['model', 'day', 'key', 'provider', 'user']);

function invalid(field: string, expected: string): InvalidRequestError {
  return new InvalidRequestError(`Invalid value for '${field}': expected ${expected}`, {
    status: 400,
    metadata: { field },
  });
}

function limitJson(limit: BudgetLimit): Record<string, unknown> {
  return {
    scope: limit.scope,
    scope_id: limit.scopeId,
    period: limit.period,
    usd: limit.maxCostNano === undefined ? null : nanoToUsdString(limit.maxCostNano),
    tokens: limit.maxTokens ?? null,
    requests: limit.maxRequests ?? null,
  };
}

/** `{ scope, scope_id, period, usd?, tokens?, requests? }` → a limit; at least one maximum. */
export function parseLimit(body: unknown): BudgetLimit {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new InvalidRequestError('Request body must be a JSON object', { status: 400 });
  const b = body as Record<string, unknown>;
  if (typeof b.scope !== 'string' || !SCOPES.has(b.scope)) throw invalid('scope', '"key", "user" or "global"');
  if (typeof b.period !== 'string' || !PERIODS.has(b.period)) throw invalid('period', '"day", "month" or "total"');
  const scopeId = b.scope === 'global' ? GLOBAL_ID : b.scope_id;
  if (typeof scopeId !== 'string' || scopeId === '') throw invalid('scope_id', 'a key id or user id');
  const limit: BudgetLimit = {
    scope: b.scope as BudgetLimit['scope'],
    scopeId,
    period: b.period as BudgetLimit['period'],
  };
  if (b.usd !== undefined && b.usd !== null) {
    const usd = typeof b.usd === 'number' || typeof b.usd === 'string' ? b.usd : Number.NaN;
    const amount = Number(usd);
    if (usd === '' || !(amount >= 0 && amount <= MAX_BUDGET_USD)) {
      throw invalid('usd', `a USD amount from 0 to ${MAX_BUDGET_USD}`);
    }
    try {
      limit.maxCostNano = usdToNano(usd);
    } catch {
      throw invalid('usd', `a USD amount from 0 to ${MAX_BUDGET_USD}`); // "1e3" and the like: a number, not a decimal
    }
  }
  for (const [field, target] of [
    ['tokens', 'maxTokens'],
    ['requests', 'maxRequests'],
  ] as const) {
    const value = b[field];
    if (value === undefined || value === null) continue;
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) throw invalid(field, 'an integer ≥ 0');
    limit[target] = value;
  }
  if (limit.maxCostNano === undefined && limit.maxTokens === undefined && limit.maxRequests === undefined)
    throw invalid('usd', 'at least one of usd, tokens, requests');
  return limit;
}

function parseFilter(q: Record<string, string | undefined>): LedgerFilter {
  const filter: LedgerFilter = {};
  for (const [name, target] of [
    ['from', 'from'],
    ['to', 'to'],
  ] as const) {
    const value = q[name];
    if (value === undefined) continue;
    const ms = /^\d+$/.test(value) ? Number(value) : Date.parse(value);
    if (!Number.isFinite(ms)) throw invalid(name, 'an ISO date or epoch milliseconds');
    filter[target] = ms;
  }
  if (q.key) filter.keyId = q.key;
  if (q.user) filter.userId = q.user;
  if (q.model) filter.model = q.model;
  return filter;
}

/**
 * Admin API for budgets (per key, per user, global; per day, month or all time; in USD, tokens and requests) and
 * usage reports from the ledger (`GET /admin/usage?group_by=model&format=csv`).
 */
export function adminBudgetRoutes(app: FastifyInstance, services: GatewayServices): void {
  const { accounting } = services;
  app.get(
    '/admin/budgets',
    guarded(services, async (_request, reply) => reply.send({ data: (await accounting.limits()).map(limitJson) })),
  );
  app.put(
    '/admin/budgets',
    guarded(services, async (request, reply) => {
      const limit = parseLimit(request.body);
      await accounting.setLimit(limit);
      services.logger.info({ scope: limit.scope, scopeId: limit.scopeId, period: limit.period }, 'budget set');
      return reply.send({ data: limitJson(limit) });
    }),
  );
  app.delete(
    '/admin/budgets/:scope/:scopeId/:period',
    { onRequest: emptyBodyUntyped },
    guarded(services, async (request, reply) => {
      const { scope, scopeId, period } = request.params as { scope: string; scopeId: string; period: string };
      const existing = (await accounting.limits()).find(
        (l) => l.scope === scope && l.scopeId === scopeId && l.period === period,
      );
      if (!existing) throw new NotFoundError(`No ${period} budget for ${scope} ${scopeId}`, { status: 404 });
      await accounting.removeLimit(existing.scope, existing.scopeId, existing.period);
      return reply.send({ data: limitJson(existing) });
    }),
  );
  app.get(
    '/admin/usage',
    guarded(services, async (request: FastifyRequest, reply) => {
      const q = request.query as Record<string, string | undefined>;
      const groupBy = q.group_by ?? 'model';
      if (!GROUPS.has(groupBy)) throw invalid('group_by', 'model, day, key, provider or user');
      const report = await accounting.report(groupBy as LedgerGroupBy, parseFilter(q));
      if (q.format === 'csv') return reply.type('text/csv; charset=utf-8').send(toCsv([...report.rows, report.total]));
      return reply.send({
        group_by: report.groupBy,
        data: report.rows.map(reportRowToJson),
        total: reportRowToJson(report.total),
      });
    }),
  );
}
