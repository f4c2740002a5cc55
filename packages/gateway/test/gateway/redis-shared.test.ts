import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type SimulatorHandle, startSimulator } from '@switchyard/simulator';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BenchChild, startGatewayChild } from '../../src/bench/bench-processes.js';
import { HELLO, post } from '../support/gateway.js';
import { useRedis } from '../support/redis.js';

const run = promisify(execFile);
const BIN = join(import.meta.dirname, '..', '..', 'bin', 'switchyard.js');
const BROKEN = 'mistralai/mistral-nemo';

/**
 * Two gateway processes sharing one Redis (and one SQLite file for keys and the ledger): a key's rate limit, its
 * budget and the circuit breakers hold across both, as they would behind a load balancer.
 */
const redis = useRedis();
let sim: SimulatorHandle;
let dir: string;
let db: string;
let gateways: BenchChild[] = [];

async function createKey(args: string[]): Promise<string> {
  const { stdout } = await run('node', [BIN, 'keys', 'create', '--db', db, '--json', ...args], {
    cwd: dir,
    env: { ...process.env, REDIS_URL: redis.server.url, OPENROUTER_API_KEY: '', DATABASE_URL: '' },
  });
  return (JSON.parse(stdout) as { secret: string }).secret;
}

beforeAll(async () => {
  sim = await startSimulator({ port: 0, pace: 'instant' });
  dir = mkdtempSync(join(tmpdir(), 'switchyard-redis-gw-'));
  db = join(dir, 'shared.db');
  // One attempt per request and a breaker that opens after two failures keep the breaker test short.
  writeFileSync(join(dir, 'switchyard.toml'), '[retry]\nattempts = 1\n\n[breaker]\nfailure_threshold = 2\n');
  // The first key exists before the gateways start, so neither runs with open access.
  await createKey(['--name', 'bootstrap']);
  const start = () =>
    startGatewayChild({
      cwd: dir,
      dbPath: db,
      upstreamBaseURL: sim.url,
      lifetimeMs: 120_000,
      env: { REDIS_URL: redis.server.url },
    });
  gateways = await Promise.all([start(), start()]);
}, 60_000);

afterAll(async () => {
  await Promise.all(gateways.map((g) => g.stop()));
  await sim?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const chat = (gateway: BenchChild, key: string, body: unknown = HELLO) =>
  post(`${gateway.origin}/api/v1/chat/completions`, body, { authorization: `Bearer ${key}` });

describe('two gateways on one Redis', () => {
  it('enforce one rate limit between them', async () => {
    const key = await createKey(['--name', 'shared-rpm', '--rpm', '10']);
    const responses = await Promise.all(Array.from({ length: 24 }, (_, i) => chat(gateways[i % 2] as BenchChild, key)));
    const statuses = responses.map((r) => r.status);
    await Promise.all(responses.map((r) => r.arrayBuffer()));
    expect(statuses.filter((s) => s === 200)).toHaveLength(10);
    expect(statuses.filter((s) => s === 429)).toHaveLength(14);
  });

  it('never overspend one budget between them', async () => {
    const usd = 0.0003;
    const key = await createKey(['--name', 'shared-budget', '--budget', String(usd), '--budget-period', 'total']);
    const request = { ...HELLO, max_tokens: 150 };
    const responses = await Promise.all(
      Array.from({ length: 30 }, (_, i) => chat(gateways[i % 2] as BenchChild, key, request)),
    );
    const bodies = (await Promise.all(responses.map((r) => r.json()))) as { usage?: { cost: number } }[];
    const served = responses.filter((r) => r.status === 200).length;
    expect(served).toBeGreaterThan(0);
    expect(responses.filter((r) => r.status === 402)).toHaveLength(30 - served);
    const spent = bodies.reduce((sum, b) => sum + (b.usage?.cost ?? 0), 0);
    expect(spent).toBeLessThanOrEqual(usd);
  });

  it('share circuit breakers: failures seen by one open the breaker for the other', async () => {
    sim.setRules([{ match: { model: BROKEN }, fault: { kind: 'http', status: 500 } }]);
    try {
      const key = await createKey(['--name', 'breaker']);
      const body = { ...HELLO, model: BROKEN };
      const [a, b] = gateways as [BenchChild, BenchChild];
      for (let i = 0; i < 2; i++) expect((await chat(a, key, body)).status).toBe(500);
      const attempts = sim.stats.models[BROKEN]?.attempts ?? 0;
      const refused = await chat(b, key, body);
      expect(refused.status).toBe(503);
      expect(((await refused.json()) as { error: { type: string } }).error.type).toBe('circuit_open');
      expect(sim.stats.models[BROKEN]?.attempts).toBe(attempts);
    } finally {
      sim.setRules([]);
    }
  });

  it('share stored responses: a conversation answered by one continues, lists and deletes through the other', async () => {
    const key = await createKey(['--name', 'responses']);
    const [a, b] = gateways as [BenchChild, BenchChild];
    const call = (gateway: BenchChild, method: string, path: string, body?: unknown) =>
      fetch(`${gateway.origin}/api/v1${path}`, {
        method,
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    const ask = { model: HELLO.model, input: 'Say exactly: first turn' };
    const first = (await (await call(a, 'POST', '/responses', ask)).json()) as { id: string; output: { id: string }[] };
    expect(first.id).toMatch(/^resp_/);
    // Continued through the other instance, by previous_response_id and by item_reference.
    const next = await call(b, 'POST', '/responses', {
      model: HELLO.model,
      previous_response_id: first.id,
      input: [
        { type: 'item_reference', id: first.output[0]?.id },
        { type: 'message', role: 'user', content: 'Say exactly: second turn' },
      ],
    });
    expect(next.status).toBe(200);
    const second = (await next.json()) as { id: string };
    expect((await (await call(b, 'GET', `/responses/${first.id}`)).json()) as unknown).toEqual(first);
    const items = (await (await call(a, 'GET', `/responses/${second.id}/input_items?order=asc`)).json()) as {
      data: { type: string; content?: unknown }[];
    };
    // The first turn's input and output, then the second's own input (the reference resolved to the item).
    expect(items.data.map((item) => item.type)).toEqual(['message', 'message', 'message', 'message']);
    expect((await call(b, 'DELETE', `/responses/${first.id}`)).status).toBe(200);
    expect((await call(a, 'GET', `/responses/${first.id}`)).status).toBe(404);
    const orphan = await call(a, 'POST', '/responses', {
      model: HELLO.model,
      previous_response_id: first.id,
      input: 'hi',
    });
    expect(orphan.status).toBe(400);
  });

  it('record both instances’ requests in the shared ledger', () => {
    const ledger = new Database(db, { readonly: true });
    try {
      const rows = ledger.prepare("SELECT COUNT(*) AS n FROM ledger WHERE outcome = 'success'").get() as { n: number };
      expect(rows.n).toBeGreaterThan(10);
    } finally {
      ledger.close();
    }
  });
});
