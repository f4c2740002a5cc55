import { type CatalogQuery, type CatalogSort, InvalidRequestError, type Model } from '@switchyard/sdk';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { anthropicErrors } from '../dialects/messages-errors.js';
import { anthropicModel, anthropicModelPage, fromAnthropicClient } from '../dialects/messages-model-list.js';
import { authenticate } from '../http/auth.js';
import { modelAllowed } from '../keys/virtual-keys.js';
import type { GatewayServices } from '../server/services.js';
import { relay, searchOf } from './relay.js';
import { sendError } from './replies.js';

type Query = Record<string, string | undefined>;

const list = (value: string | undefined) =>
  value
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);

function number(q: Query, name: string): number | undefined {
  const value = q[name];
  if (value === undefined || value === '') return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0)
    throw new InvalidRequestError(`Invalid value for '${name}': expected a number ≥ 0`, {
      status: 400,
      metadata: { field: name },
    });
  return n;
}

const SORTS: Record<string, CatalogSort> = {
  price: 'price',
  'pricing-low-to-high': 'price',
  context: 'context',
  'context-high-to-low': 'context',
  newest: 'newest',
  name: 'name',
  popular: 'popular',
};

/**
 * `/models` query parameters → the SDK's catalog query (one implementation of search for SDK and gateway):
 * OpenRouter's own (`supported_parameters`, `output_modalities`, `input_modalities`, `q`, `sort`) and the SDK's
 * (`free`, `max_prompt_price` / `max_completion_price` per million tokens, `min_context`, `author`).
 */
export function catalogQuery(q: Query): CatalogQuery {
  const query: CatalogQuery = {};
  if (q.q) query.text = q.q;
  if (q.free === 'true' || q.free === 'false') query.free = q.free === 'true';
  const maxPrompt = number(q, 'max_prompt_price');
  const maxCompletion = number(q, 'max_completion_price');
  const minContext = number(q, 'min_context');
  if (maxPrompt !== undefined) query.maxPromptPrice = maxPrompt;
  if (maxCompletion !== undefined) query.maxCompletionPrice = maxCompletion;
  if (minContext !== undefined) query.minContext = minContext;
  const outputs = list(q.output_modalities ?? q.modality);
  const inputs = list(q.input_modalities);
  const supports = list(q.supported_parameters ?? q.supports);
  if (outputs) query.outputModalities = outputs;
  if (inputs) query.inputModalities = inputs;
  if (supports) query.supports = supports;
  if (q.author) query.author = q.author;
  if (q.sort) {
    const sort = SORTS[q.sort];
    if (!sort)
      throw new InvalidRequestError(`Invalid value for 'sort': expected one of ${Object.keys(SORTS).join(', ')}`, {
        status: 400,
        metadata: { field: 'sort' },
      });
    query.sort = sort;
  }
  return query;
}

/**
 * A catalog row that is OpenAI's `Model` too: `object` and `owned_by`, which OpenRouter leaves out and strict OpenAI
 * clients (typed decoders in Rust, Swift, Go) require. Every OpenRouter field is kept, and wins if it has them.
 */
export function openAiModel(model: Model): Model & { object: string; owned_by: string } {
  return { object: 'model', owned_by: model.id.replace(/^~/, '').split('/')[0] ?? '', ...model };
}

export function catalogRoutes(app: FastifyInstance, services: GatewayServices): void {
  const { sy } = services.upstream;
  const guarded =
    (handler: (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>) =>
    async (request: FastifyRequest, reply: FastifyReply) => {
      try {
        return await handler(request, reply);
      } catch (error) {
        // Anthropic's SDK reads errors in its own envelope only (its `models.list()` / `models.retrieve()`).
        return sendError(
          reply,
          error,
          {},
          fromAnthropicClient(request.headers) ? anthropicErrors(request.id) : undefined,
        );
      }
    };
  const page = (rows: Model[], q: Query, path: string) => {
    const offset = number(q, 'offset') ?? 0;
    const limit = number(q, 'top') ?? number(q, 'limit') ?? rows.length;
    const next = offset + limit < rows.length ? `${path}?offset=${offset + limit}&limit=${limit}` : null;
    const data = rows.slice(offset, offset + limit).map(openAiModel);
    return { object: 'list', data, total_count: rows.length, links: { next } };
  };

  for (const prefix of ['/api/v1', '/v1']) {
    app.get(
      `${prefix}/models`,
      guarded(async (request, reply) => {
        const q = request.query as Query;
        const rows = await sy.models.search(catalogQuery(q));
        if (fromAnthropicClient(request.headers)) return reply.send(anthropicModelPage(rows, q));
        return reply.send(page(rows, q, `${prefix}/models`));
      }),
    );
    app.get(
      `${prefix}/models/count`,
      guarded(async (request, reply) =>
        reply.send({ data: { count: (await sy.models.search(catalogQuery(request.query as Query))).length } }),
      ),
    );
    // The caller's view: only the models its virtual key may use.
    app.get(
      `${prefix}/models/user`,
      guarded(async (request, reply) => {
        const caller = await authenticate(request, services);
        const q = request.query as Query;
        const rows = (await sy.models.search(catalogQuery(q))).filter(
          (m) => caller.kind !== 'key' || modelAllowed(caller.key, m.id),
        );
        return reply.send(page(rows, q, `${prefix}/models/user`));
      }),
    );
    app.get(
      `${prefix}/models/:author/:slug/endpoints`,
      guarded(async (request, reply) => {
        const { author, slug } = request.params as { author: string; slug: string };
        return reply.send({ data: await sy.models.endpoints(`${author}/${slug}`) });
      }),
    );
    // OpenAI's `models.retrieve(id)`: `GET /models/{id}`, the id's slash sent as is or encoded (openai-node encodes
    // it, so it arrives as one segment). One catalog row, as `GET /models` lists it; 404 when the catalog has none.
    const one = guarded(async (request, reply) => {
      const { id, author, slug } = request.params as { id?: string; author?: string; slug?: string };
      const model = await sy.models.get(id ?? `${author}/${slug}`);
      return reply.send(fromAnthropicClient(request.headers) ? anthropicModel(model) : openAiModel(model));
    });
    app.get(`${prefix}/models/:id`, one);
    app.get(`${prefix}/models/:author/:slug`, one);
    // Alias and variant resolution is the upstream's: relayed as they are.
    app.get(
      `${prefix}/model/:author/:slug`,
      guarded(async (request, reply) => {
        const { author, slug } = request.params as { author: string; slug: string };
        return relay(
          services,
          reply,
          `/model/${encodeURIComponent(author)}/${encodeURIComponent(slug)}`,
          searchOf(request),
        );
      }),
    );
    for (const path of ['/embeddings/models', '/providers', '/endpoints/zdr']) {
      app.get(
        `${prefix}${path}`,
        guarded((request, reply) => relay(services, reply, path, searchOf(request))),
      );
    }
  }
}
