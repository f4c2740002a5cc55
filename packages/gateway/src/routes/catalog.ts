import type { Model } from '@switchyard/sdk';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { GatewayServices } from '../server/services.js';
import { sendError } from './replies.js';

type Query = Record<string, string | undefined>;

const list = (value: string | undefined) =>
  value
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
const num = (value: string | undefined) => (value === undefined || value === '' ? undefined : Number(value));

/**
 * `/models` filters: OpenRouter's own query parameters (`supported_parameters`, `output_modalities`,
 * `input_modalities`, `q`, `sort`, `offset`/`limit`) and the SDK's (`free`, `max_prompt_price`,
 * `max_completion_price` per million, `min_context`, `author`, `top`).
 */
function filter(models: readonly Model[], q: Query): Model[] {
  const text = q.q?.toLowerCase();
  const supports = list(q.supported_parameters ?? q.supports);
  const outputs = list(q.output_modalities ?? q.modality) ?? ['text'];
  const inputs = list(q.input_modalities);
  const maxPrompt = num(q.max_prompt_price);
  const maxCompletion = num(q.max_completion_price);
  const minContext = num(q.min_context);
  const perMillion = (v: string) => Number(v) * 1_000_000;
  let rows = models.filter((m) => {
    const arch = m.architecture;
    if (!outputs.includes('all') && !outputs.some((o) => arch.output_modalities.includes(o))) return false;
    if (inputs && !inputs.every((i) => arch.input_modalities.includes(i))) return false;
    if (supports && !supports.every((p) => m.supported_parameters.includes(p))) return false;
    if (text && !`${m.id} ${m.name} ${m.description ?? ''}`.toLowerCase().includes(text)) return false;
    if (q.free === 'true' && !(Number(m.pricing.prompt) === 0 && Number(m.pricing.completion) === 0)) return false;
    if (maxPrompt !== undefined && !(perMillion(m.pricing.prompt) >= 0 && perMillion(m.pricing.prompt) <= maxPrompt))
      return false;
    if (
      maxCompletion !== undefined &&
      !(perMillion(m.pricing.completion) >= 0 && perMillion(m.pricing.completion) <= maxCompletion)
    )
      return false;
    if (minContext !== undefined && (m.context_length ?? 0) < minContext) return false;
    if (q.author && !m.id.startsWith(`${q.author}/`)) return false;
    return true;
  });
  const price = (m: Model) => Number(m.pricing.prompt) + Number(m.pricing.completion);
  switch (q.sort) {
    case 'price':
    case 'pricing-low-to-high':
      rows = rows.filter((m) => price(m) >= 0).sort((a, b) => price(a) - price(b));
      break;
    case 'pricing-high-to-low':
      rows = [...rows].sort((a, b) => price(b) - price(a));
      break;
    case 'context':
    case 'context-high-to-low':
      rows = [...rows].sort((a, b) => (b.context_length ?? 0) - (a.context_length ?? 0));
      break;
    case 'newest':
      rows = [...rows].sort((a, b) => b.created - a.created);
      break;
    case 'name':
      rows = [...rows].sort((a, b) => a.name.localeCompare(b.name));
      break;
    default:
      break; // popular: the catalog's own order
  }
  return rows;
}

export function catalogRoutes(app: FastifyInstance, services: GatewayServices): void {
  const { sy } = services.upstream;
  for (const prefix of ['/api/v1', '/v1']) {
    app.get(`${prefix}/models`, async (request: FastifyRequest<{ Querystring: Query }>, reply) => {
      try {
        const q = request.query;
        const rows = filter(await sy.models.list(), q);
        const offset = num(q.offset) ?? 0;
        const limit = num(q.top) ?? num(q.limit) ?? rows.length;
        const page = rows.slice(offset, offset + limit);
        const next = offset + limit < rows.length ? `${prefix}/models?offset=${offset + limit}&limit=${limit}` : null;
        return reply.send({ object: 'list', data: page, total_count: rows.length, links: { next } });
      } catch (error) {
        return sendError(reply, error);
      }
    });
    app.get(
      `${prefix}/models/:author/:slug/endpoints`,
      async (request: FastifyRequest<{ Params: { author: string; slug: string } }>, reply) => {
        try {
          const { author, slug } = request.params;
          return reply.send({ data: await sy.models.endpoints(`${author}/${slug}`) });
        } catch (error) {
          return sendError(reply, error);
        }
      },
    );
  }
}
