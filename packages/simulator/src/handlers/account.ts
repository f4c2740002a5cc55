import type { ServerResponse } from 'node:http';
import type { KeyRecord } from '../account/accounts.js';
import type { SimContext } from '../context.js';
import { sendError, sendJson } from '../http/io.js';
import { simError } from '../http/sim-error.js';

/** `GET /key` (and the legacy `GET /auth/key`). */
export function getKey(ctx: SimContext, res: ServerResponse, key: KeyRecord): void {
  const body = ctx.accounts.keyInfo(key);
  (body.data as Record<string, unknown>).free_model_daily_requests = ctx.freeTier.daily(key.key);
  sendJson(res, 200, body);
}

/** `GET /credits`: management keys only. */
export function getCredits(ctx: SimContext, res: ServerResponse, key: KeyRecord): void {
  if (!key.management) {
    return sendError(
      res,
      {
        ...simError(403, 'Only management keys can perform this operation'),
        extra: { error_type: 'permission_denied' },
      },
      key.userId,
    );
  }
  sendJson(res, 200, ctx.accounts.credits());
}

/** `GET /generation?id=`: 404 until the record's "not yet available" window has passed. */
export function getGeneration(ctx: SimContext, res: ServerResponse, key: KeyRecord, query: URLSearchParams): void {
  const id = query.get('id');
  if (!id) return sendError(res, simError(400, "Invalid value for 'id': expected a generation id"), key.userId);
  const record = ctx.generations.get(id, key.key);
  if (!record)
    return sendError(res, { ...simError(404, 'Generation not found'), extra: { error_type: 'not_found' } }, key.userId);
  sendJson(res, 200, { data: record });
}
