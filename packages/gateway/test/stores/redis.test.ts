/**
 * The budget contract on Redis (a real redis-server started for this file), plus Redis-only guarantees: exact money
 * beyond 2^53, refusal instead of 64-bit overflow, key lifetimes, alerts and sweeps shared by several instances, and
 * several processes reserving against one budget.
 *
 * The contract's targets open full `Stores`; Redis only holds budgets, so the ledger and keys of each target come
 * from a SQLite file (its path is the target's location, and names the Redis key prefix).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { closeRedis } from '../../src/shared/redis-connection.js';
import type { ThresholdEvent } from '../../src/stores/budget-types.js';
import { openStores, type Stores } from '../../src/stores/open-stores.js';
import { RedisBudgetStore } from '../../src/stores/redis/redis-budget-store.js';
import { useRedis } from '../support/redis.js';
import { killAll, spawnTs, watch } from './children/spawn-ts.js';
import { budgetContract, type ContractTarget } from './contract.js';

const redis = useRedis();
const dir = mkdtempSync(join(tmpdir(), 'switchyard-redis-stores-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => killAll());

const T0 = Date.UTC(2026, 10, 21, 10, 0, 0);
const DAY = 86_400_000;
const prefixes = new Map<string, string>();
let counter = 0;

const target: ContractTarget = {
  name: 'redis',
  fresh: async () => {
    const location = join(dir, `db-${++counter}.db`);
    prefixes.set(location, redis.server.prefix());
    return location;
  },
  open: async (location, options = {}) => {
    const sqlite = await openStores({ sqlitePath: location });
    const connection = redis.server.connect({ keyPrefix: prefixes.get(location)! });
    const budgets = new RedisBudgetStore(connection, options);
    let closed = false;
    return {
      ...sqlite,
      budgets,
      async close() {
        if (closed) return;
        closed = true;
        await closeRedis(connection);
        await sqlite.close();
      },
    } satisfies Stores;
  },
  migrationVersions: async () => [],
};

budgetContract(target);

describe('redis budget specifics', () => {
  const open: (() => Promise<void>)[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((close) => close()));
  });
  const store = (prefix: string, options: ConstructorParameters<typeof RedisBudgetStore>[1] = {}) => {
    const budgets = new RedisBudgetStore(redis.server.connect({ keyPrefix: prefix }), {
      ...options,
      ownsConnection: true,
    });
    open.push(() => budgets.close());
    return budgets;
  };
  const key = (id: string) => ({ scope: 'key' as const, scopeId: id });

  it('keeps money exact beyond 2^53 nano-dollars (where doubles cannot tell n from n + 1)', async () => {
    const budgets = store(redis.server.prefix());
    const big = 2n ** 60n;
    await budgets.setLimit({ scope: 'global', scopeId: '*', period: 'month', maxCostNano: big + 1n });
    const first = await budgets.reserve({ scopes: [key('k')], costNano: big, tokens: 0, now: T0 });
    expect(first.ok).toBe(true);
    expect((await budgets.reserve({ scopes: [key('k')], costNano: 1n, tokens: 0, now: T0 })).ok).toBe(true);
    const refused = await budgets.reserve({ scopes: [key('k')], costNano: 1n, tokens: 0, now: T0 });
    expect(refused).toMatchObject({ ok: false, usedCostNano: big + 1n, limit: { maxCostNano: big + 1n } });
    if (!refused.ok) expect(refused.reason).toContain('1152921504.606846977 USD');
    if (!first.ok) throw new Error('unreachable');
    await budgets.settle(first.reservationId, { costNano: big - 3n, tokens: 0 }, T0);
    expect(await budgets.usage('global', '*', 'month', T0)).toMatchObject({
      costNano: big - 3n,
      reservedCostNano: 1n,
      // The refused reservation counted nothing, not even its request.
      requests: 2,
    });
  });

  it('refuses a reservation that would overflow a 64-bit counter, changing nothing', async () => {
    const budgets = store(redis.server.prefix());
    const max = 2n ** 63n - 1n;
    expect((await budgets.reserve({ scopes: [key('a')], costNano: max, tokens: 0, now: T0 })).ok).toBe(true);
    await expect(budgets.reserve({ scopes: [key('b')], costNano: 1n, tokens: 5, now: T0 })).rejects.toMatchObject({
      code: 'redis_error',
      message: expect.stringContaining('overflow'),
    });
    expect(await budgets.usage('key', 'b', 'day', T0)).toMatchObject({ requests: 0, reservedTokens: 0 });
    expect(await budgets.usage('global', '*', 'day', T0)).toMatchObject({ requests: 1, reservedCostNano: max });
  });

  it('lets period counters and closed reservations expire, never totals, limits or open reservations', async () => {
    const prefix = redis.server.prefix();
    const budgets = store(prefix, { retainClosedMs: DAY });
    const raw = redis.server.connect({ keyPrefix: prefix });
    await budgets.setLimit({ scope: 'key', scopeId: 'k', period: 'day', maxCostNano: 100n });
    const a = await budgets.reserve({ scopes: [key('k')], costNano: 10n, tokens: 1, now: T0 });
    const b = await budgets.reserve({ scopes: [key('k')], costNano: 10n, tokens: 1, now: T0 });
    if (!a.ok || !b.ok) throw new Error('reserve failed');
    await budgets.settle(a.reservationId, { costNano: 5n, tokens: 1 }, T0);
    const ttl = (k: string) => raw.pttl(k);
    for (const scope of ['key:k', 'global:*']) {
      const [s, id] = scope.split(':');
      const day = await ttl(`budget:c:${s}:${encodeURIComponent(id!)}:day:2026-11-21`);
      const month = await ttl(`budget:c:${s}:${encodeURIComponent(id!)}:month:2026-11`);
      expect(day).toBeGreaterThan(34 * DAY);
      expect(day).toBeLessThanOrEqual(35 * DAY);
      expect(month).toBeGreaterThan(399 * DAY);
      expect(month).toBeLessThanOrEqual(400 * DAY);
      expect(await ttl(`budget:c:${s}:${encodeURIComponent(id!)}:total:total`)).toBe(-1);
    }
    expect(await ttl('budget:l:key:k:day')).toBe(-1);
    expect(await ttl(`budget:r:${b.reservationId}`)).toBe(-1);
    const closed = await ttl(`budget:r:${a.reservationId}`);
    expect(closed).toBeGreaterThan(DAY);
    expect(closed).toBeLessThanOrEqual(2 * DAY);
  });

  it('reports each threshold once when two instances settle at the same time', async () => {
    const prefix = redis.server.prefix();
    const seen: ThresholdEvent[] = [];
    const a = store(prefix, { onThreshold: (e) => seen.push(e) });
    const b = store(prefix, { onThreshold: (e) => seen.push(e) });
    await a.setLimit({ scope: 'key', scopeId: 'k', period: 'day', maxCostNano: 100n });
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) {
      const r = await a.reserve({ scopes: [key('k')], costNano: 0n, tokens: 0, now: T0 });
      if (!r.ok) throw new Error(r.reason);
      ids.push(r.reservationId);
    }
    const returned = await Promise.all(ids.map((id, i) => (i % 2 ? a : b).settle(id, { costNano: 6n, tokens: 0 }, T0)));
    expect(
      returned
        .flat()
        .map((e) => e.share)
        .sort(),
    ).toEqual([0.5, 0.8, 1]);
    expect(seen.map((e) => e.share).sort()).toEqual([0.5, 0.8, 1]);
    expect(await a.usage('key', 'k', 'day', T0)).toMatchObject({ costNano: 120n, requests: 20 });
  });

  it('gives each expired reservation back exactly once when two instances sweep at the same time', async () => {
    const prefix = redis.server.prefix();
    const a = store(prefix);
    const b = store(prefix);
    for (let i = 0; i < 450; i++) {
      const r = await a.reserve({ scopes: [key('k')], costNano: 2n, tokens: 1, ttlMs: 1_000, now: T0 });
      if (!r.ok) throw new Error(r.reason);
    }
    const [x, y] = await Promise.all([a.sweep(T0 + 1_000), b.sweep(T0 + 1_000)]);
    expect(x + y).toBe(450);
    expect(await a.usage('global', '*', 'day', T0)).toMatchObject({
      reservedCostNano: 0n,
      reservedTokens: 0,
      requests: 450,
    });
    expect(await b.sweep(T0 + 2_000)).toBe(0);
  });

  it('stays exact across 4 processes × 50 reservations on one budget (budget for 37)', async () => {
    const prefix = redis.server.prefix();
    const cost = 1_000_003n;
    const setup = store(prefix);
    await setup.setLimit({ scope: 'key', scopeId: 'hot', period: 'day', maxCostNano: cost * 37n + cost / 2n });

    const children = Array.from({ length: 4 }, () =>
      spawnTs('redis-reserve-worker.ts', [redis.server.url, prefix, '50', String(cost), String(T0)]),
    );
    let ready = 0;
    const admitted: number[] = [];
    const exits = children.map((child) =>
      watch(child, (line) => {
        if (line === 'ready' && ++ready === children.length) for (const c of children) c.stdin?.write('go\n');
        else if (line.startsWith('{')) admitted.push(JSON.parse(line).ok);
      }),
    );
    const results = await Promise.all(exits);
    for (const result of results) expect(result.code, result.stderr).toBe(0);
    expect(admitted).toHaveLength(4);
    expect(admitted.reduce((x, y) => x + y, 0)).toBe(37);
    const usage = await setup.usage('key', 'hot', 'day', T0);
    expect(usage).toMatchObject({ costNano: cost * 37n, requests: 37, reservedCostNano: 0n });
    expect(usage.costNano).toBeLessThanOrEqual(usage.limit!.maxCostNano!);
  }, 30_000);
});
