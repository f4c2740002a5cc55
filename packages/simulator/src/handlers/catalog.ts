import type { ServerResponse } from 'node:http';
import type { SimContext } from '../context.js';
import { sendError, sendJson } from '../http/io.js';
import { simError } from '../http/sim-error.js';

const MAX_LIMIT = 1000;

/** `GET /models` (also `/models/user` and `/embeddings/models`): filters, sort and optional pagination. */
export function listModels(ctx: SimContext, res: ServerResponse, query: URLSearchParams): void {
  const rows = ctx.catalog.list(query);
  const offsetRaw = query.get('offset');
  const limitRaw = query.get('limit');
  const paginate = offsetRaw !== null || limitRaw !== null;
  const offset = offsetRaw === null ? 0 : Number(offsetRaw);
  const limit = limitRaw === null ? 500 : Number(limitRaw);
  if (!Number.isInteger(offset) || offset < 0)
    return sendError(res, simError(400, "Invalid value for 'offset': expected an integer >= 0"));
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
    return sendError(res, simError(400, `Invalid value for 'limit': expected an integer between 1 and ${MAX_LIMIT}`));
  }
  const page = paginate ? rows.slice(offset, offset + limit) : rows;
  let next: string | null = null;
  if (paginate && offset + limit < rows.length) {
    const params = new URLSearchParams(query);
    params.set('offset', String(offset + limit));
    params.set('limit', String(limit));
    next = `/api/v1/models?${params.toString()}`;
  }
  sendJson(res, 200, {
    data: page.map((row) => ctx.catalog.publicModel(row.id)),
    total_count: rows.length,
    links: { next },
  });
}

export function countModels(ctx: SimContext, res: ServerResponse, query: URLSearchParams): void {
  sendJson(res, 200, { data: { count: ctx.catalog.list(query).length } });
}

/** `GET /models/{author}/{slug}/endpoints`; anonymous callers get null latency and throughput. */
export function modelEndpoints(ctx: SimContext, res: ServerResponse, id: string, authenticated: boolean): void {
  const resolved = ctx.catalog.resolve(id);
  if (!resolved) return sendError(res, simError(404, `Model ${id} not found`));
  const body = ctx.catalog.endpointsBody(resolved.row, authenticated);
  (body.data as Record<string, unknown>).id = id;
  sendJson(res, 200, body);
}

/** `GET /model/{author}/{slug}`: one model, aliases and variants resolved. */
export function getModel(ctx: SimContext, res: ServerResponse, id: string): void {
  const resolved = ctx.catalog.resolve(id);
  if (!resolved) return sendError(res, simError(404, `Model ${id} not found`));
  sendJson(res, 200, { data: ctx.catalog.publicModel(resolved.row.id) });
}

export function listProviders(ctx: SimContext, res: ServerResponse): void {
  sendJson(res, 200, {
    data: ctx.catalog.providers.map((p) => ({
      name: p.name,
      slug: p.slug,
      privacy_policy_url: p.privacy_policy_url ?? null,
      terms_of_service_url: p.terms_of_service_url ?? null,
      status_page_url: p.status_page_url ?? null,
      headquarters: p.headquarters ?? null,
      datacenters: p.datacenters ?? null,
    })),
  });
}
