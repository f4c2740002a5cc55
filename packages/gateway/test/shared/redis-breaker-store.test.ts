/**
 * RedisBreakerStore on a real redis-server: the BreakerStore contract (get / update / entries / delete), no lost
 * updates under concurrent writers on separate connections, record lifetimes, and the point of it all: SDK clients
 * of different "instances" (separate stores on separate connections) agree on which targets are open.
 */
import { type BreakerRecord, CircuitOpenError, Switchyard } from '@switchyard/sdk';
import { CircuitBreakers } from '@switchyard/sdk/routing';
import { type SimulatorHandle, startSimulator } from '@switchyard/simulator';
import { afterEach, describe, expect, it } from 'vitest';
import { RedisBreakerStore, type RedisBreakerStoreOptions } from '../../src/shared/redis-breaker-store.js';
import { useRedis } from '../support/redis.js';

const redis = useRedis();
const T0 = Date.UTC(2026, 10, 21, 10, 0, 0);

const stores: RedisBreakerStore[] = [];
const sims: SimulatorHandle[] = [];
afterEach(async () => {
  await Promise.all(stores.splice(0).map((s) => s.close()));
  await Promise.all(sims.splice(0).map((s) => s.close()));
});

/** A store on its own connection; stores made with the same `prefix` share state like two gateway instances. */
function store(prefix: string, options: RedisBreakerStoreOptions = {}): RedisBreakerStore {
  const s = new RedisBreakerStore(redis.server.connect({ keyPrefix: prefix }), { ...options, ownsConnection: true });
  stores.push(s);
  return s;
}

const record = (updatedAt: number, consecutiveFailures = 0): BreakerRecord => ({
  state: 'closed',
  consecutiveFailures,
  window: { bucketMs: 1_000, buckets: [[updatedAt - (updatedAt % 1_000), 3, 1]] },
  updatedAt,
});

const increment = (current: BreakerRecord | undefined): BreakerRecord => ({
  ...(current ?? record(T0)),
  consecutiveFailures: (current?.consecutiveFailures ?? 0) + 1,
});

describe('RedisBreakerStore', () => {
  it('gets, updates, lists (by prefix, glob characters literal) and deletes', async () => {
    const s = store(redis.server.prefix());
    expect(await s.get('a')).toBeUndefined();
    const written = await s.update('a', (current) => {
      expect(current).toBeUndefined();
      return record(T0);
    });
    expect(written).toEqual(record(T0));
    expect(await s.get('a')).toEqual(record(T0));
    const keys = ['openrouter|openai/gpt-4o', 'openrouter|openai/gpt-4o|Azure', 'openrouter|x*y', 'sim|a?[b]\\c'];
    for (const [i, k] of keys.entries()) await s.update(k, () => record(T0 + i, i));
    const sorted = (list: [string, BreakerRecord][]) => list.map(([k]) => k).sort();
    expect(sorted(await s.entries())).toEqual(['a', ...keys].sort());
    expect(sorted(await s.entries('openrouter|openai/'))).toEqual(keys.slice(0, 2));
    expect(sorted(await s.entries('openrouter|x*'))).toEqual(['openrouter|x*y']);
    expect(sorted(await s.entries('openrouter|x'))).toEqual(['openrouter|x*y']);
    expect(await s.entries('sim|a?[b]\\')).toEqual([['sim|a?[b]\\c', record(T0 + 3, 3)]]);
    expect(await s.entries('nothing')).toEqual([]);
    await s.delete('a');
    expect(await s.get('a')).toBeUndefined();
    // Another deployment (another key prefix) on the same Redis sees none of it.
    expect(await store(redis.server.prefix()).entries()).toEqual([]);
  });

  it('lists thousands of records (SCAN in rounds, never KEYS)', async () => {
    const s = store(redis.server.prefix());
    await Promise.all(Array.from({ length: 1_200 }, (_, i) => s.update(`t|m${i}`, () => record(T0, i))));
    const all = await s.entries('t|');
    expect(all).toHaveLength(1_200);
    expect(new Set(all.map(([k]) => k)).size).toBe(1_200);
  });

  it('never loses an update: 2 connections × 100 concurrent increments of one record give 200', async () => {
    const prefix = redis.server.prefix();
    const a = store(prefix);
    const b = store(prefix);
    let calls = 0;
    await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        (i % 2 ? a : b).update('hot', (current) => {
          calls++;
          return increment(current);
        }),
      ),
    );
    expect((await a.get('hot'))?.consecutiveFailures).toBe(200);
    // Lost races re-run `fn` with a fresh read (this is why it must be pure).
    expect(calls).toBeGreaterThanOrEqual(200);
  });

  it('with almost no retries allowed, every update either lands or fails with a typed contention error', async () => {
    const prefix = redis.server.prefix();
    const a = store(prefix, { maxAttempts: 1, connections: 8 });
    const b = store(prefix, { maxAttempts: 1, connections: 8 });
    // Each store queues its own updates of a key, so the races are between the two stores (two instances).
    const results = await Promise.allSettled(
      Array.from({ length: 200 }, (_, i) => (i % 2 ? a : b).update('hot', increment)),
    );
    const landed = results.filter((r) => r.status === 'fulfilled').length;
    for (const r of results) {
      if (r.status === 'rejected')
        expect(r.reason).toMatchObject({ code: 'breaker_store_contention', retryable: true });
    }
    expect((await a.get('hot'))?.consecutiveFailures).toBe(landed);
  });

  it('passes an error thrown by the update function through unchanged and stays usable', async () => {
    const s = store(redis.server.prefix());
    const boom = new TypeError('boom');
    await expect(
      s.update('k', () => {
        throw boom;
      }),
    ).rejects.toBe(boom);
    expect((await s.update('k', increment)).consecutiveFailures).toBe(1);
  });

  it('expires records after the idle TTL, refreshed by every write', async () => {
    const prefix = redis.server.prefix();
    const s = store(prefix, { idleTtlMs: 3_600_000 });
    const raw = redis.server.connect({ keyPrefix: prefix });
    await s.update('k', () => record(T0));
    const ttl = await raw.pttl('breaker:k');
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(3_600_000);
    expect(await store(prefix).get('k')).toEqual(record(T0));
  });

  it('hands out exactly one half-open probe among instances', async () => {
    const prefix = redis.server.prefix();
    let now = T0;
    const clock = () => now;
    const options = { failureThreshold: 2, recoveryMs: 10_000 };
    const instances = Array.from({ length: 4 }, () => new CircuitBreakers(options, store(prefix), clock));
    await instances[0]!.failure('sim|m', { code: 'server_error', status: 500 });
    await instances[1]!.failure('sim|m', { code: 'server_error', status: 500 });
    expect(await instances[3]!.state('sim|m')).toBe('open');
    expect(await instances[2]!.acquire('sim|m')).toMatchObject({ allowed: false, retryAt: T0 + 10_000 });
    now = T0 + 10_000;
    const admissions = await Promise.all(instances.flatMap((b) => [b.acquire('sim|m'), b.acquire('sim|m')]));
    expect(admissions.filter((a) => a.probe)).toHaveLength(1);
    expect(admissions.filter((a) => a.allowed)).toHaveLength(1);
    await instances[3]!.success('sim|m');
    expect(await instances[0]!.state('sim|m')).toBe('closed');
  });
});

describe('SDK clients sharing breakers through Redis', () => {
  const hello = [{ role: 'user' as const, content: 'Say exactly: hi' }];
  const client = (sim: SimulatorHandle, prefix: string, fallbackModels: string[] = []) =>
    new Switchyard({
      apiKey: 'sk-or-v1-breaker-test-0123456789',
      baseURL: sim.url,
      env: {},
      retry: { attempts: 1 },
      breaker: { failureThreshold: 2, recoveryMs: 60_000 },
      fallbackModels,
      breakerStore: store(prefix),
    });

  it('a breaker opened by one client is open for the other, which skips the target without a request', async () => {
    const sim = await startSimulator({
      seed: 1,
      rules: [{ match: { model: 'openai/gpt-4o' }, fault: { kind: 'http', status: 500 } }],
    });
    sims.push(sim);
    const prefix = redis.server.prefix();
    const first = client(sim, prefix);
    const second = client(sim, prefix);
    const withFallback = client(sim, prefix, ['anthropic/claude-3-haiku']);
    const opened: string[] = [];
    first.on('breaker_open', (event) => opened.push(event.key));

    for (let i = 0; i < 2; i++) {
      await expect(first.chat({ model: 'openai/gpt-4o', messages: hello })).rejects.toMatchObject({ status: 500 });
    }
    expect(opened).toEqual(['openrouter|openai/gpt-4o']);
    expect(sim.stats.models['openai/gpt-4o']?.attempts).toBe(2);

    const error = await second.chat({ model: 'openai/gpt-4o', messages: hello }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(CircuitOpenError);
    expect(error).toMatchObject({ code: 'circuit_open', keys: ['openrouter|openai/gpt-4o'] });
    const health = await second.health();
    expect(health.breakers.find((b) => b.key === 'openrouter|openai/gpt-4o')).toMatchObject({
      state: 'open',
      consecutiveFailures: 2,
    });

    const served = await withFallback.chat({ model: 'openai/gpt-4o', messages: hello });
    expect(served.model).toBe('anthropic/claude-3-haiku');
    expect(served.attempts?.[0]).toMatchObject({ outcome: 'skipped', code: 'circuit_open' });
    // Neither of the other clients sent anything to the open target.
    expect(sim.stats.models['openai/gpt-4o']?.attempts).toBe(2);
  });
});
