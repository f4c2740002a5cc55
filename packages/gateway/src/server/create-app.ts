import websocket from '@fastify/websocket';
import Fastify, { type FastifyBaseLogger, type FastifyError, type FastifyInstance, LogController } from 'fastify';
import { errorBodyFor } from '../dialects/messages-errors.js';
import { selectSubprotocol } from '../http/auth.js';
import { browserAccess } from '../http/browser-access.js';
import { frameworkError } from '../http/framework-error.js';
import { requestEncodings } from '../http/request-encoding.js';
import { requestIdFor } from '../http/request-id.js';
import { lazyChildLogger } from '../logging/lazy-child-logger.js';
import { accountRoutes } from '../routes/account.js';
import { adminRoutes } from '../routes/admin.js';
import { adminBudgetRoutes } from '../routes/admin-budgets.js';
import { catalogRoutes } from '../routes/catalog.js';
import { chatRoutes } from '../routes/chat.js';
import { completionsRoutes } from '../routes/completions.js';
import { embeddingRoutes } from '../routes/embeddings.js';
import { healthRoutes } from '../routes/health.js';
import { homeRoutes } from '../routes/home.js';
import { messagesRoutes } from '../routes/messages.js';
import { responsesRoutes } from '../routes/responses.js';
import { simpleStreamRoutes } from '../routes/simple-stream.js';
import { wsRoutes } from '../ws/ws-routes.js';
import type { GatewayServices } from './services.js';

/** Served while draining, so load balancers can still see the process and scrape it. */
const ALWAYS_SERVED = new Set(['/healthz', '/readyz', '/metrics']);

/**
 * Node checks request deadlines on an interval (30 s by default), so a short timeout gets a shorter interval; the
 * headers' own deadline (60 s by default) may not exceed the request's.
 */
function requestTimeouts(requestTimeoutMs: number) {
  return {
    connectionsCheckingInterval: Math.min(30_000, Math.max(100, Math.round(requestTimeoutMs / 4))),
    headersTimeout: Math.min(60_000, requestTimeoutMs),
  };
}

/** Builds the HTTP + WebSocket application over a set of services (started and stopped by `startGateway`). */
export async function createApp(
  services: GatewayServices,
  options: { wsPingMs?: number } = {},
): Promise<FastifyInstance> {
  const app: FastifyInstance = Fastify({
    loggerInstance: services.logger as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
    childLoggerFactory: lazyChildLogger as never,
    bodyLimit: services.config.bodyLimit,
    // Proxies and clients may send their own id; anything odd-looking is replaced rather than echoed into logs.
    genReqId: (request) => requestIdFor(request.headers['x-request-id']),
    // Clients joining a base URL that ends in `/` with a path that starts with one (`/api/v1//chat/completions`).
    routerOptions: { ignoreTrailingSlash: true, ignoreDuplicateSlashes: true },
    forceCloseConnections: 'idle',
    keepAliveTimeout: 65_000,
    // Fastify's default (0) turns off Node's own limit: a client trickling its body would hold the socket forever.
    requestTimeout: services.config.requestTimeoutMs,
    http: requestTimeouts(services.config.requestTimeoutMs),
  });

  // `curl -d '{…}'` sends form encoding and `fetch(url, { body: string })` text/plain: a JSON body is parsed as JSON
  // whatever its declared type (Fastify's own text/plain parser would hand the routes a string).
  app.removeContentTypeParser('text/plain');
  app.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => {
    try {
      done(null, body === '' ? undefined : JSON.parse(body as string));
    } catch (error) {
      done(error as Error, undefined);
    }
  });

  requestEncodings(app);

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const { status, code, message } = frameworkError(error);
    if (status >= 500) request.log.error({ err: error }, 'unhandled error');
    return reply.code(status).send(errorBodyFor(request, status, code, message));
  });
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? '';
    // Anthropic clients append `/v1/messages` to their base URL themselves: `…/api/v1` as ANTHROPIC_BASE_URL (the
    // natural guess after the OpenAI clients) ends up here, and deserves the fix rather than a bare 404.
    const anthropic = '; Anthropic clients add /v1 themselves: give them the base URL without it';
    const hint = /\/v1\/v1\/messages/.test(path) ? `${anthropic} (http://host:port or …/api)` : '';
    return reply
      .code(404)
      .send(
        errorBodyFor(
          request,
          404,
          'not_found',
          `No route for ${request.method} ${path}; the API lives under /api/v1 and /v1${hint}`,
        ),
      );
  });

  // First, so its hooks run before ours: it marks upgrade requests, and destroys the socket of one answered without
  // an upgrade (refused while draining, or by browserAccess) — otherwise that socket would stay open and hold close().
  await app.register(websocket, {
    options: { maxPayload: services.config.bodyLimit, handleProtocols: selectSubprotocol },
  });

  // Callback-style hooks: they run on every request, and an async hook costs Fastify a promise to wait on.
  app.addHook('onRequest', (request, reply, done) => {
    if (services.lifecycle.draining && !ALWAYS_SERVED.has(request.url.split('?')[0] ?? '')) {
      // Answering from a callback hook ends the request here: `done` is not called.
      reply
        .code(503)
        .header('connection', 'close')
        .header('retry-after', '1')
        .send(errorBodyFor(request, 503, 'shutting_down', 'The gateway is shutting down; retry shortly'));
      return;
    }
    done();
  });
  browserAccess(app, services, errorBodyFor);
  app.addHook('onResponse', (request, reply, done) => {
    const seconds = reply.elapsedTime / 1000;
    services.metrics.request(request.routeOptions.url ?? 'unmatched', reply.statusCode, seconds);
    if (services.logger.isLevelEnabled('info')) {
      // request.log already carries reqId (fastify's child logger binding): not repeated here.
      request.log.info(
        {
          method: request.method,
          url: request.url.split('?')[0],
          status: reply.statusCode,
          ms: Math.round(reply.elapsedTime),
        },
        'request',
      );
    }
    done();
  });

  homeRoutes(app, services);
  healthRoutes(app, services);
  chatRoutes(app, services);
  completionsRoutes(app, services);
  responsesRoutes(app, services);
  messagesRoutes(app, services);
  simpleStreamRoutes(app, services);
  embeddingRoutes(app, services);
  catalogRoutes(app, services);
  accountRoutes(app, services);
  adminRoutes(app, services);
  adminBudgetRoutes(app, services);
  wsRoutes(app, services, { pingMs: options.wsPingMs });
  return app;
}
