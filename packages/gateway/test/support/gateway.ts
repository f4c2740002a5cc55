import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { FileConfig } from '@switchyard/sdk';
import type { SimulatorOptions } from '@switchyard/simulator';
import { afterAll, beforeAll } from 'vitest';
import {
  type Handler,
  type LoopbackUpstream,
  startLoopbackUpstream,
} from '../../../../test/support/loopback-upstream.js';
import { type GatewayConfig, resolveGatewayConfig } from '../../src/config/gateway-config.js';
import { type Gateway, startGateway } from '../../src/server/start-gateway.js';

export interface TestGatewayOptions {
  /** Environment the config is resolved from (never the test process's own). */
  env?: Record<string, string | undefined>;
  fileConfig?: FileConfig;
  /** Overrides applied after resolution. */
  config?: Partial<GatewayConfig>;
  simulator?: SimulatorOptions;
  wsPingMs?: number;
  /** Reuse a database directory (several gateways on one SQLite file). */
  sqlitePath?: string;
}

export interface TestGateway extends Gateway {
  /** Every log line written so far (JSON lines). */
  logs(): string;
  /** Parsed log lines. */
  logLines(): Record<string, unknown>[];
  sqlitePath: string;
  /** Stops the gateway and removes its temporary files. */
  stop(): Promise<void>;
}

/**
 * A gateway on a free loopback port with a temporary SQLite ledger, the embedded simulator at instant pacing and
 * captured logs. Callers must `stop()` it (afterAll/afterEach).
 */
export async function startTestGateway(options: TestGatewayOptions = {}): Promise<TestGateway> {
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-gw-'));
  const sqlitePath = options.sqlitePath ?? join(dir, 'switchyard.db');
  const resolved = resolveGatewayConfig({
    port: 0,
    sqlitePath,
    env: options.env ?? {},
    fileConfig: options.fileConfig,
  });
  const config: GatewayConfig = { ...resolved, graceMs: 2_000, ...options.config };
  let captured = '';
  const destination = new Writable({
    write(chunk, _encoding, done) {
      captured += chunk.toString();
      done();
    },
  });
  let gateway: Gateway;
  try {
    gateway = await startGateway({
      config,
      logDestination: destination as never,
      logLevel: 'debug',
      simulator: { pace: 'instant', ...options.simulator },
      wsPingMs: options.wsPingMs,
    });
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  let stopped = false;
  return {
    ...gateway,
    sqlitePath,
    logs: () => captured,
    logLines: () =>
      captured
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Record<string, unknown>),
    stop: async () => {
      if (stopped) return;
      stopped = true;
      await gateway.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** JSON POST to the gateway. */
export async function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
}

export const HELLO = { model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'Hello' }] };

/**
 * Holds every budget settlement of `gateway` until `open()`: shows what a client sees before the bookkeeping is
 * done. `restore()` (in a `finally`) opens the gate and puts the real `settle` back.
 */
export function holdSettlements(gateway: Gateway): { settled: () => number; open: () => void; restore: () => void } {
  const accounting = gateway.services.accounting;
  const settle = accounting.settle.bind(accounting);
  let open!: () => void;
  const gate = new Promise<void>((resolve) => {
    open = resolve;
  });
  let settled = 0;
  accounting.settle = async (...args) => {
    await gate;
    settled++;
    return settle(...args);
  };
  return {
    settled: () => settled,
    open,
    restore: () => {
      open();
      accounting.settle = settle;
    },
  };
}

/**
 * A gateway whose upstream is a loopback server answering chat POSTs with `answer` (anything else: OpenRouter's
 * 404), for a whole test file: both started before its tests and stopped after them (vitest hooks registered here).
 * Read `gateway` inside tests.
 */
export function useGatewayOverUpstream(answer: Handler): { readonly gateway: TestGateway } {
  let upstream: LoopbackUpstream | undefined;
  let gateway: TestGateway | undefined;
  beforeAll(async () => {
    upstream = await startLoopbackUpstream((req, res, body) => {
      if (req.method === 'POST') return answer(req, res, body);
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end('{"error":{"code":404,"message":"Not Found"}}');
    });
    gateway = await startTestGateway({
      env: { OPENROUTER_API_KEY: 'sk-or-v1-loopback-upstream-test', OPENROUTER_BASE_URL: upstream.baseURL },
    });
  });
  afterAll(async () => {
    await gateway?.stop();
    await upstream?.close();
  });
  return {
    get gateway() {
      if (!gateway) throw new Error('the gateway starts in beforeAll');
      return gateway;
    },
  };
}
