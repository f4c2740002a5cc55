import type { FastifyInstance } from 'fastify';
import { authenticate } from '../http/auth.js';
import type { GatewayServices } from '../server/services.js';
import { sendError } from './replies.js';

export function embeddingRoutes(app: FastifyInstance, services: GatewayServices): void {
  for (const prefix of ['/api/v1', '/v1']) {
    app.post(`${prefix}/embeddings`, async (request, reply) => {
      try {
        await authenticate(request, services);
        const body = request.body as Record<string, unknown>;
        if (typeof body !== 'object' || body === null || Array.isArray(body)) {
          return reply
            .code(400)
            .send({ error: { code: 400, type: 'invalid_request', message: 'Request body must be a JSON object' } });
        }
        const result = await services.upstream.sy.embed(body as never);
        return reply.send(result.raw);
      } catch (error) {
        return sendError(reply, error);
      }
    });
  }
}
