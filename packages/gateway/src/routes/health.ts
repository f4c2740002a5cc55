import type { FastifyInstance } from 'fastify';
import type { GatewayServices } from '../server/services.js';

async function timed(check: () => Promise<unknown>, ms = 2000): Promise<string | undefined> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    await Promise.race([
      check(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
      }),
    ]);
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The upstream is reachable when its catalog loads — or when it answers that it has none (404/405: an
 * OpenRouter-compatible server without `/models` still serves chats, and must not be kept out of a load balancer).
 */
async function upstreamAnswers(services: GatewayServices): Promise<void> {
  try {
    await services.upstream.sy.models.list();
  } catch (error) {
    const status = (error as { status?: unknown }).status;
    if (status !== 404 && status !== 405) throw error;
  }
}

/** `/healthz`: the process is up. `/readyz`: the upstream, the ledger and (when configured) Redis answer. */
export function healthRoutes(app: FastifyInstance, services: GatewayServices): void {
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    const checks: Record<string, string> = {};
    const upstream = await timed(() => upstreamAnswers(services));
    checks.upstream = upstream ?? 'ok';
    const ledger = await timed(() => services.accounting.ping());
    checks.ledger = ledger ?? 'ok';
    for (const extra of services.readiness) checks[extra.name] = (await timed(extra.check)) ?? 'ok';
    const ready = Object.values(checks).every((v) => v === 'ok');
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not ready', checks });
  });
  app.get('/metrics', async (_request, reply) =>
    reply.header('content-type', services.metrics.contentType).send(await services.metrics.text()),
  );
}
