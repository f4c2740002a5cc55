import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { invalidField } from '../dialects/request-errors.js';
import { itemPage } from '../dialects/responses-item-list.js';
import { authenticate, callerId } from '../http/auth.js';
import { emptyBodyUntyped } from '../http/empty-body.js';
import { errorBody } from '../http/error-reply.js';
import type { ResponsesStore } from '../responses-store/responses-store.js';
import type { GatewayServices } from '../server/services.js';
import { sendError } from './replies.js';

type ByIdRoute = { Params: { id: string }; Querystring: Record<string, unknown> };
type ById = FastifyRequest<ByIdRoute>;

/**
 * The one answer for a response this caller cannot see — unknown, expired, evicted, deleted, made with `store:
 * false`, or another key's: they must be indistinguishable, or ids would leak across keys.
 */
function notFound(reply: FastifyReply, id: string): FastifyReply {
  return reply
    .code(404)
    .send(
      errorBody(
        404,
        'response_not_found',
        `No response '${id}' is stored for this key (responses are kept for a limited time, and only when 'store' was not false)`,
      ),
    );
}

/**
 * `GET /responses/{id}`, `DELETE /responses/{id}` and `GET /responses/{id}/input_items`: the stored responses of
 * the calling key, as OpenAI serves them. They authenticate as the account routes do — no model, nothing to admit
 * against limits or budgets — and see exactly what `previous_response_id` sees.
 */
export function storedResponsesRoutes(app: FastifyInstance, services: GatewayServices, store: ResponsesStore): void {
  const asOwner = async (request: ById, reply: FastifyReply, answer: (owner: string) => Promise<unknown>) => {
    try {
      return await answer(callerId(await authenticate(request, services)));
    } catch (error) {
      return sendError(reply, error);
    }
  };
  for (const prefix of ['/api/v1', '/v1']) {
    app.get(`${prefix}/responses/:id`, (request: ById, reply) =>
      asOwner(request, reply, async (owner) => {
        // OpenAI streams a retrieved *background* response; the gateway has none (they are refused at creation).
        if (request.query.stream !== undefined && request.query.stream !== 'false') {
          throw invalidField('stream', "'stream' is not supported when retrieving a response (it is already complete)");
        }
        const response = await store.get(request.params.id, owner);
        return response ? reply.send(response) : notFound(reply, request.params.id);
      }),
    );
    app.delete<ByIdRoute>(`${prefix}/responses/:id`, { onRequest: emptyBodyUntyped }, (request, reply) =>
      asOwner(request, reply, async (owner) => {
        const { id } = request.params;
        return (await store.delete(id, owner))
          ? reply.send({ id, object: 'response', deleted: true })
          : notFound(reply, id);
      }),
    );
    app.get(`${prefix}/responses/:id/input_items`, (request: ById, reply) =>
      asOwner(request, reply, async (owner) => {
        const items = await store.inputItems(request.params.id, owner);
        return items ? reply.send(itemPage(items, request.query ?? {})) : notFound(reply, request.params.id);
      }),
    );
  }
}
