import type { EmbeddingResult, SwitchyardError } from '@switchyard/sdk';
import type { FastifyInstance } from 'fastify';
import { callerId } from '../http/auth.js';
import { finishUpstreamOnDisconnect } from '../http/disconnect.js';
import type { GatewayServices } from '../server/services.js';
import { type Admitted, validateEmbeddingBody } from './admission.js';
import { catalogRow, usdOf } from './catalog-row.js';
import { sendError } from './replies.js';
import { serveAdmitted } from './serve-admitted.js';

/**
 * Records the embedding call in the ledger (one row, like one attempt) and settles the budget; runs after the answer
 * went out, and a failure is logged (the answer can no longer change). Rows are queued before the first await, as in
 * `settleRequest` (the only await before them prices an answer whose upstream reported no usage).
 */
async function settleEmbedding(
  services: GatewayServices,
  admitted: Admitted,
  requestId: string,
  startedAt: number,
  result?: EmbeddingResult,
  error?: SwitchyardError,
) {
  let usd = result?.cost.usd ?? 0;
  let tokens = result?.promptTokens ?? 0;
  let costSource = result?.cost.source;
  // An upstream that reported no usage: the input's estimate at the model's prompt price, never free.
  if (result && (result.raw as { usage?: unknown }).usage == null && tokens === 0) {
    tokens = admitted.estimatedTokens;
    const row = await catalogRow(services, result.model || String(admitted.body.model));
    usd = tokens * usdOf(row?.pricing.prompt);
    costSource = 'computed';
  }
  try {
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
        costSource,
        latencyMs: Date.now() - startedAt,
        status: result ? 200 : error?.status,
        code: error?.code,
      },
    });
    if (admitted.caller.kind === 'key')
      await services.limiter.adjustTokens(callerId(admitted.caller), tokens - admitted.estimatedTokens);
    if (result) await services.accounting.settle(admitted.reservation, usd, tokens);
    else await services.accounting.release(admitted.reservation);
  } catch (failure) {
    services.logger.error({ err: failure, requestId }, 'settling an embedding request after its reply failed');
  }
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
          finishUpstreamOnDisconnect(reply); // billed whole however early its client leaves
          const startedAt = Date.now();
          let result: EmbeddingResult | undefined;
          let error: SwitchyardError | undefined;
          try {
            result = await services.upstream.sy.embed(admitted.body as never, {
              signal: controller.signal,
              headers: admitted.upstreamHeaders,
            });
          } catch (caught) {
            error = caught as SwitchyardError;
          }
          if (result) reply.headers(admitted.rateHeaders).send(result.raw);
          else sendError(reply, error, admitted.rateHeaders);
          await settleEmbedding(services, admitted, requestId, startedAt, result, error);
          return reply;
        },
        validateEmbeddingBody,
      ),
    );
  }
}
