import type { EmbeddingResult, SwitchyardError } from '@switchyard/sdk';
import type { FastifyInstance } from 'fastify';
import { callerId } from '../http/auth.js';
import type { GatewayServices } from '../server/services.js';
import { type Admitted, validateEmbeddingBody } from './admission.js';
import { sendError } from './replies.js';
import { serveAdmitted } from './serve-admitted.js';

/** Settles the budget and records the embedding call in the ledger (one row, like one attempt). */
async function settleEmbedding(
  services: GatewayServices,
  admitted: Admitted,
  requestId: string,
  startedAt: number,
  result?: EmbeddingResult,
  error?: SwitchyardError,
) {
  const usd = result?.cost.usd ?? 0;
  const tokens = result?.promptTokens ?? 0;
  if (admitted.caller.kind === 'key')
    await services.limiter.adjustTokens(callerId(admitted.caller), tokens - admitted.estimatedTokens);
  if (result) await services.accounting.settle(admitted.reservation, usd, tokens);
  else await services.accounting.release(admitted.reservation);
  services.accounting.record({
    requestId,
    caller: admitted.caller,
    requestedModel: String(admitted.body.model),
    stream: false,
    trace: [],
    error,
    embedding: {
      model: result?.model ?? String(admitted.body.model),
      promptTokens: tokens,
      costUsd: result ? usd : undefined,
      costSource: result?.cost.source,
      latencyMs: Date.now() - startedAt,
      status: result ? 200 : error?.status,
      code: error?.code,
    },
  });
}

/** `POST /embeddings`: admitted like chat (key, allowed models, limits, budget), routed through the SDK, recorded. */
export function embeddingRoutes(app: FastifyInstance, services: GatewayServices): void {
  for (const prefix of ['/api/v1', '/v1']) {
    app.post(`${prefix}/embeddings`, (request, reply) =>
      serveAdmitted(
        services,
        request,
        reply,
        async (admitted, requestId, controller) => {
          const startedAt = Date.now();
          try {
            const result = await services.upstream.sy.embed(admitted.body as never, {
              signal: controller.signal,
              headers: admitted.upstreamHeaders,
            });
            await settleEmbedding(services, admitted, requestId, startedAt, result);
            return reply.headers(admitted.rateHeaders).send(result.raw);
          } catch (error) {
            await settleEmbedding(services, admitted, requestId, startedAt, undefined, error as SwitchyardError);
            return sendError(reply, error, admitted.rateHeaders);
          }
        },
        validateEmbeddingBody,
      ),
    );
  }
}
