import { type BreakerStore, ConfigError } from '@switchyard/sdk';
import { MemoryBreakerStore } from '@switchyard/sdk/routing';
import type { SimulatorOptions } from '@switchyard/simulator';
import type { FastifyInstance } from 'fastify';
import type { DestinationStream } from 'pino';
import { StoreAccounting } from '../accounting/store-accounting.js';
import { thresholdAlert } from '../accounting/threshold-alerts.js';
import { describeConfig, type GatewayConfig, isPublicBind } from '../config/gateway-config.js';
import { VirtualKeys } from '../keys/virtual-keys.js';
import { MemoryRateLimiter, type RateLimiter } from '../limits/rate-limiter.js';
import { createLogger, type Logger } from '../logging/logger.js';
import { GatewayMetrics } from '../metrics/metrics.js';
import { MemoryResponsesStore } from '../responses-store/memory-responses-store.js';
import { listenError } from '../shared/listen-error.js';
import { BatchWriter } from '../stores/batch-writer.js';
import { openStores } from '../stores/open-stores.js';
import { openUpstream } from '../upstream/upstream.js';
import { createApp } from './create-app.js';
import { Lifecycle } from './lifecycle.js';
import type { GatewayServices } from './services.js';
import { openSharedState } from './shared-state.js';

export interface StartGatewayOptions {
  config: GatewayConfig;
  /** Where log lines go (default stdout). */
  logDestination?: DestinationStream;
  logLevel?: string;
  /** Options for the embedded simulator (tests use instant pacing and fault scenarios). */
  simulator?: SimulatorOptions;
  /** WebSocket heartbeat interval (default 30 s). */
  wsPingMs?: number;
}

export interface Gateway {
  /** `http://host:port`. */
  url: string;
  /** `http://host:port/api/v1`: the base URL for OpenAI/OpenRouter clients. */
  baseURL: string;
  port: number;
  app: FastifyInstance;
  services: GatewayServices;
  /** Graceful shutdown: refuse new work, let running requests finish within the grace period, flush the ledger. */
  close(): Promise<void>;
}

/** Whether requests without a key are served: only when no key exists and nobody beyond loopback can connect. */
function openAccessCheck(config: GatewayConfig, keys: VirtualKeys): () => boolean | Promise<boolean> {
  let cached: { open: boolean; until: number } | undefined;
  const check = async (now: number) => {
    const open = (await keys.count()) === 0 && (!isPublicBind(config.host) || config.insecureNoAuth);
    // Short-lived: a key created by `switchyard keys create` in another process closes open access within a second.
    cached = { open, until: now + 1000 };
    return open;
  };
  return () => {
    const now = Date.now();
    return cached && cached.until > now ? cached.open : check(now);
  };
}

function announce(logger: Logger, config: GatewayConfig, upstream: string, open: boolean): void {
  if (config.upstream.mode === 'simulator') {
    logger.warn(
      `SIMULATOR MODE: ${config.upstream.reason ?? 'no OPENROUTER_API_KEY is set'}, so answers come from ${upstream}. ` +
        'Set OPENROUTER_API_KEY (and unset DEV_MODE) to use OpenRouter.',
    );
  } else {
    logger.info(`upstream: ${upstream}`);
  }
  logger.info(describeConfig(config), 'configuration');
  if (open) {
    logger.warn(
      isPublicBind(config.host)
        ? 'OPEN ACCESS on a public interface (--insecure-no-auth): anyone who can reach this port spends your upstream key'
        : 'open access: no virtual keys exist, so loopback clients need no key (create one with `switchyard keys create`)',
    );
    if (config.corsOrigins.includes('*'))
      logger.warn('cors_origins is "*" while access is open: any web page you visit can spend your upstream key');
  }
}

/** Opens stores, shared state and the upstream, builds the app and listens. */
export async function startGateway(options: StartGatewayOptions): Promise<Gateway> {
  const { config } = options;
  const logger = createLogger({
    logPrompts: config.logPrompts,
    destination: options.logDestination,
    level: options.logLevel,
  });
  const cleanup: (() => Promise<unknown>)[] = [];
  const undo = async () => {
    for (const step of cleanup.reverse()) await step().catch(() => {});
  };
  const metrics = new GatewayMetrics();
  const alert = thresholdAlert(logger, metrics);
  try {
    const stores = await openStores({
      databaseUrl: config.databaseUrl,
      sqlitePath: config.sqlitePath,
      onThreshold: alert,
    });
    cleanup.push(() => stores.close());
    const keys = new VirtualKeys(stores.keys, config.keySecret, stores.kind === 'postgres' ? 5_000 : 0);
    const openAccess = openAccessCheck(config, keys);
    if (isPublicBind(config.host) && !config.insecureNoAuth && (await keys.count()) === 0) {
      throw new ConfigError(
        `Refusing to listen on ${config.host} without virtual keys: anyone reaching it would spend your upstream key. ` +
          'Create a key first (`switchyard keys create --name …`), bind to 127.0.0.1, or pass --insecure-no-auth.',
      );
    }
    const shared = config.redisUrl ? await openSharedState(config.redisUrl, stores, logger, alert) : undefined;
    if (shared) cleanup.push(() => shared.close());
    const limiter: RateLimiter = shared?.limiter ?? new MemoryRateLimiter();
    const breakerStore: BreakerStore = shared?.breakers ?? new MemoryBreakerStore();
    const upstream = await openUpstream(config, { breakerStore, simulator: options.simulator });
    cleanup.push(() => upstream.close());
    const writer = new BatchWriter(stores.ledger, {
      onError: (error, rows) =>
        logger.error({ err: error, rows }, 'ledger write failed; rows stay queued and are retried'),
    });
    const accounting = new StoreAccounting(shared ? { ...stores, budgets: shared.budgets } : stores, writer, logger);
    metrics.observe(upstream.sy);
    const lifecycle = new Lifecycle();
    metrics.trackInflight(() => lifecycle.inflight);
    const services: GatewayServices = {
      config,
      logger,
      upstream,
      keys,
      limiter,
      metrics,
      accounting,
      responses: shared?.responses ?? new MemoryResponsesStore(),
      openAccess,
      lifecycle,
      readiness: shared ? [{ name: 'redis', check: () => shared.ping() }] : [],
    };
    const app = await createApp(services, { wsPingMs: options.wsPingMs });
    cleanup.push(() => app.close());
    await app.listen({ host: config.host, port: config.port }).catch((error: unknown) => {
      throw listenError(error, config.port);
    });
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    const host = config.host.includes(':') ? `[${config.host}]` : config.host;
    const url = `http://${host === '0.0.0.0' || host === '[::]' ? '127.0.0.1' : host}:${port}`;
    announce(logger, config, upstream.description, await openAccess());
    logger.info(`switchyard gateway listening on ${url} (API: ${url}/api/v1, dashboard: ${url}/)`);
    const sweeper = setInterval(() => {
      accounting.sweep().catch((error) => logger.warn({ err: error }, 'budget sweep failed'));
    }, 60_000);
    sweeper.unref();

    let closing: Promise<void> | undefined;
    const close = () => {
      closing ??= (async () => {
        const aborted = await lifecycle.drain(config.graceMs);
        if (aborted > 0)
          logger.warn({ aborted }, 'grace period over: aborted requests still running (recorded with what they cost)');
        clearInterval(sweeper);
        // Every request has finished or been aborted; connections still open now carry nothing (a client's spare
        // keep-alive socket that never sent a request), so they are cut rather than waited for.
        const stopped = app.close();
        const cut = setTimeout(() => app.server.closeAllConnections(), 500);
        await stopped;
        clearTimeout(cut);
        await accounting.close();
        await limiter.close();
        await upstream.close();
        if (shared) await shared.close();
        logger.info('switchyard gateway stopped; ledger flushed');
        logger.flush?.();
      })();
      return closing;
    };
    return { url, baseURL: `${url}/api/v1`, port, app, services, close };
  } catch (error) {
    await undo();
    throw error;
  }
}
