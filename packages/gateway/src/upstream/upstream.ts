import { type BreakerStore, resendOnStaleSocket, Switchyard, type SwitchyardOptions } from '@switchyard/sdk';
import { type SimulatorHandle, startSimulator } from '@switchyard/simulator';
import { Agent } from 'undici';
import type { GatewayConfig } from '../config/gateway-config.js';
import { dispatcherFetch } from './dispatcher-fetch.js';

/** The SDK client every gateway request is routed through, and what it talks to. */
export interface Upstream {
  sy: Switchyard;
  /** The embedded simulator, when no OpenRouter key is configured. */
  simulator?: SimulatorHandle;
  /** For the first log lines and the home page. */
  description: string;
  /** The provider `sy` talks to (`openrouter`; the simulator speaks OpenRouter's dialect). */
  defaultProvider: string;
  /** Providers a WebSocket client may select: the default and every `[providers.<name>]` of the config. */
  providerNames(): string[];
  /** The client for a selectable provider (created once, then reused). */
  clientFor(name: string): Switchyard;
  /** A read-only GET to the upstream API with the gateway's key, for catalog endpoints the SDK has no method for. */
  get(pathAndQuery: string, signal?: AbortSignal): Promise<Response>;
  close(): Promise<void>;
}

/** A key of the simulator's accepted shape; never a real credential. */
const SIMULATOR_KEY = 'sk-or-v1-switchyard-gateway-embedded';

/**
 * One keep-alive connection pool to the upstream for the whole process (undici's Agent), instead of the global
 * dispatcher's defaults: sized for a gateway's concurrency and kept warm between requests.
 */
function pooledFetch(maxResponseBytes: number): { fetch: typeof fetch; agent: Agent } {
  const agent = new Agent({
    connections: 256,
    keepAliveTimeout: 30_000,
    keepAliveMaxTimeout: 600_000,
    pipelining: 1,
    // A runaway upstream body (stream or not) is cut here instead of filling the gateway's memory.
    maxResponseSize: maxResponseBytes,
  });
  return { fetch: dispatcherFetch(agent, maxResponseBytes), agent };
}

/**
 * How long closing waits for upstream requests still in flight. It runs after the gateway has drained (every client
 * request answered), so what is left is background work — a catalog listing the upstream is slow to give — which
 * must not hold a shutdown until its headers timeout: after this it is cut.
 */
const CLOSE_WAIT_MS = 1_000;

async function closeAgent(agent: Agent): Promise<void> {
  const closed = agent.close().then(
    () => true,
    () => true,
  );
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<false>((resolve) => {
    timer = setTimeout(resolve, CLOSE_WAIT_MS, false);
  });
  const done = await Promise.race([closed, late]);
  clearTimeout(timer);
  if (!done) await agent.destroy().catch(() => {});
}

/** GET against the upstream base URL with the upstream key (never the client's). */
function upstreamGet(fetcher: typeof fetch, baseURL: string, apiKey: string) {
  // Relayed GETs bypass the SDK's transport, so they get its keep-alive resend here.
  const send = resendOnStaleSocket(fetcher);
  return (pathAndQuery: string, signal?: AbortSignal) =>
    send(`${baseURL.replace(/\/$/, '')}${pathAndQuery}`, {
      headers: { authorization: `Bearer ${apiKey}`, accept: 'application/json' },
      signal,
    });
}

/** Clients for the other configured providers, made on first use and closed with the upstream. */
function providerClients(sy: Switchyard, base: SwitchyardOptions) {
  const clients = new Map<string, Switchyard>([['openrouter', sy]]);
  return {
    providerNames: () => ['openrouter', ...Object.keys(sy.config.providers).filter((name) => name !== 'openrouter')],
    clientFor(name: string): Switchyard {
      let client = clients.get(name);
      if (!client) {
        client = new Switchyard({ ...base, provider: name });
        clients.set(name, client);
      }
      return client;
    },
    closeAll: () => Promise.all([...clients.values()].filter((c) => c !== sy).map((c) => c.close())),
  };
}

export async function openUpstream(
  config: GatewayConfig,
  extra: { breakerStore?: BreakerStore; simulator?: Parameters<typeof startSimulator>[0] } = {},
): Promise<Upstream> {
  const { fetch, agent } = pooledFetch(config.maxUpstreamResponseBytes);
  // The SDK's own bound on an answer it reads whole is the gateway's (the pool enforces it first, in its own words).
  const base: SwitchyardOptions = {
    ...config.sdk,
    fetch,
    breakerStore: extra.breakerStore,
    maxResponseBytes: config.maxUpstreamResponseBytes,
  };
  if (config.upstream.mode === 'openrouter') {
    const sy = new Switchyard({
      ...base,
      provider: 'openrouter',
      devMode: false,
      apiKey: config.upstream.apiKey,
      baseURL: config.upstream.baseURL,
    });
    const others = providerClients(sy, base);
    return {
      sy,
      description: `OpenRouter at ${sy.config.baseURL}`,
      defaultProvider: 'openrouter',
      providerNames: others.providerNames,
      clientFor: others.clientFor,
      get: upstreamGet(fetch, sy.config.baseURL, config.upstream.apiKey ?? ''),
      close: async () => {
        await others.closeAll();
        await sy.close();
        await closeAgent(agent);
      },
    };
  }
  const simulator = await startSimulator({
    port: 0,
    host: '127.0.0.1',
    pace: 'demo',
    // The embedded upstream is the operator's own account, as a management key sees it (`GET /credits`).
    keys: [{ key: SIMULATOR_KEY, management: true }],
    ...extra.simulator,
  });
  const sy = new Switchyard({
    ...base,
    provider: 'openrouter',
    devMode: false,
    apiKey: SIMULATOR_KEY,
    baseURL: simulator.url,
  });
  const others = providerClients(sy, base);
  return {
    sy,
    simulator,
    description: `the embedded simulator at ${simulator.url}`,
    defaultProvider: 'openrouter',
    providerNames: others.providerNames,
    clientFor: others.clientFor,
    get: upstreamGet(fetch, simulator.url, SIMULATOR_KEY),
    close: async () => {
      await others.closeAll();
      await sy.close();
      await closeAgent(agent);
      await simulator.close();
    },
  };
}
