/**
 * Connection behaviour and the gateway's shared state on real redis-servers: typed, password-free errors when Redis
 * is down or the URL is wrong (no hang, no crash), and `openSharedState` wiring the Redis limiter, breakers and
 * budgets (threshold log line, key budgets restored from the key store).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RedisRateLimiter } from '../../src/limits/redis-rate-limiter.js';
import { createLogger } from '../../src/logging/logger.js';
import { openSharedState } from '../../src/server/shared-state.js';
import { RedisBreakerStore } from '../../src/shared/redis-breaker-store.js';
import { closeRedis, connectRedis, redisTarget } from '../../src/shared/redis-connection.js';
import { openStores } from '../../src/stores/open-stores.js';
import { startRedis, useRedis } from '../support/redis.js';

const redis = useRedis();
const dir = mkdtempSync(join(tmpdir(), 'switchyard-shared-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const PASSWORD = 'pa55-w0rd-never-shown';
const T0 = Date.UTC(2026, 10, 21, 10, 0, 0);

function capture() {
  const lines: string[] = [];
  const logger = createLogger({ destination: { write: (line: string) => lines.push(line) } });
  return { logger, lines };
}

describe('redis connection', () => {
  it('describes URLs without credentials and refuses malformed ones without echoing secrets', () => {
    expect(redisTarget(`redis://user:${PASSWORD}@10.0.0.5:6380/2`)).toBe('redis://10.0.0.5:6380/2');
    expect(redisTarget(`rediss://:${PASSWORD}@cache.internal`)).toBe('rediss://cache.internal/0');
    for (const url of [`http://u:${PASSWORD}@host:6379`, `redis://:${PASSWORD}@host:6379/x`, 'not a url']) {
      let error: unknown;
      try {
        connectRedis(url);
      } catch (e) {
        error = e;
      }
      expect(error, url).toMatchObject({ code: 'invalid_config' });
      expect((error as Error).message).not.toContain(PASSWORD);
    }
  });

  it('fails commands against a dead Redis with a typed, password-free error instead of hanging', async () => {
    const dead = await startRedis();
    const port = dead.port;
    await dead.stop();
    const reported: Error[] = [];
    const connection = connectRedis(`redis://:${PASSWORD}@127.0.0.1:${port}/0`, {
      onError: (error) => reported.push(error),
    });
    try {
      const limiter = new RedisRateLimiter(connection);
      const error = await limiter.take({ subject: 'k', limits: { requestsPerMinute: 1 }, tokens: 0 }).then(
        () => undefined,
        (e: unknown) => e as Error & { code: string; retryable: boolean },
      );
      expect(error).toMatchObject({ code: 'redis_unavailable', retryable: true });
      expect(error!.message).toMatch(/rate limit take/);
      expect(error!.message).not.toContain(PASSWORD);
      expect(reported.length).toBeGreaterThan(0);
      for (const e of reported) expect(e.message).not.toContain(PASSWORD);
    } finally {
      await closeRedis(connection);
    }
  });

  it('turns a server that goes away mid-life into typed errors on every store', async () => {
    const server = await startRedis();
    const connection = connectRedis(server.url, { keyPrefix: 'gone:' });
    try {
      const breakers = new RedisBreakerStore(connection);
      await breakers.update(
        'k',
        (current) =>
          current ?? {
            state: 'closed',
            consecutiveFailures: 0,
            window: { bucketMs: 1_000, buckets: [] },
            updatedAt: T0,
          },
      );
      await server.stop();
      await expect(breakers.get('k')).rejects.toMatchObject({ code: 'redis_unavailable' });
      await expect(breakers.update('k', (c) => c!)).rejects.toMatchObject({ code: 'redis_unavailable' });
      await expect(breakers.entries()).rejects.toMatchObject({ code: 'redis_unavailable' });
      await breakers.close();
    } finally {
      await closeRedis(connection, 200);
      await server.stop();
    }
  });
});

describe('openSharedState', () => {
  it('refuses to start when Redis is unreachable, naming the host but not the password', async () => {
    const dead = await startRedis();
    const port = dead.port;
    await dead.stop();
    const stores = await openStores({ sqlitePath: join(dir, 'dead.db') });
    try {
      const { logger, lines } = capture();
      const error = await openSharedState(`redis://:${PASSWORD}@127.0.0.1:${port}/0`, stores, logger).then(
        () => undefined,
        (e: unknown) => e as Error,
      );
      expect(error).toMatchObject({ code: 'redis_unavailable' });
      expect(error!.message).toContain(`redis://127.0.0.1:${port}/0`);
      expect(error!.message).not.toContain(PASSWORD);
      expect(lines.join('')).not.toContain(PASSWORD);
    } finally {
      await stores.close();
    }
  });

  it('shares limiter, breakers and budgets; logs budget thresholds; restores key budgets Redis lost', async () => {
    const stores = await openStores({ sqlitePath: join(dir, 'shared.db') });
    const budgetKey = {
      id: 'key-with-budget',
      name: 'capped',
      preview: 'sk-sy-ab…yz',
      createdAt: T0,
      allowedModels: [],
      limits: {},
      budget: { usd: 2, period: 'day' as const },
    };
    await stores.keys.insert(budgetKey, 'hash-1');
    await stores.keys.insert({ ...budgetKey, id: 'plain', name: 'plain', budget: undefined }, 'hash-2');
    const url = `${redis.server.url.replace(/\/0$/, '')}/5`;
    const { logger, lines } = capture();
    const shared = await openSharedState(url, stores, logger);
    try {
      await shared.ping();
      expect(await shared.budgets.limits()).toEqual([
        { scope: 'key', scopeId: 'key-with-budget', period: 'day', maxCostNano: 2_000_000_000n },
      ]);
      expect(lines.some((l) => l.includes('restored key budgets'))).toBe(true);

      const decision = await shared.limiter.take({ subject: 's', limits: { requestsPerDay: 1 }, tokens: 0, now: T0 });
      expect(decision).toMatchObject({ ok: true, remaining: 0 });
      await shared.breakers.update('sim|m', () => ({
        state: 'open',
        consecutiveFailures: 3,
        window: { bucketMs: 1_000, buckets: [] },
        openedAt: T0,
        updatedAt: T0,
      }));
      expect((await shared.breakers.get('sim|m'))?.state).toBe('open');

      const r = await shared.budgets.reserve({
        scopes: [{ scope: 'key', scopeId: 'key-with-budget' }],
        costNano: 1n,
        tokens: 0,
        now: T0,
      });
      if (!r.ok) throw new Error(r.reason);
      expect((await shared.budgets.settle(r.reservationId, { costNano: 2_000_000_000n, tokens: 0 }, T0)).length).toBe(
        3,
      );
      const warning = lines.map((l) => JSON.parse(l)).find((l) => l.msg?.startsWith('budget threshold: 100 %'));
      expect(warning).toMatchObject({
        level: 40,
        msg: 'budget threshold: 100 % of the key day budget used',
        scope: 'key',
        scopeId: 'key-with-budget',
        period: 'day',
        periodKey: '2026-11-21',
        share: 1,
      });
    } finally {
      await shared.close();
      await shared.close();
    }
    // A second start finds the limit present and leaves it (and its alert state) alone.
    const again = capture();
    const reopened = await openSharedState(url, stores, again.logger);
    try {
      expect(again.lines.some((l) => l.includes('restored key budgets'))).toBe(false);
      expect(await reopened.budgets.limits()).toHaveLength(1);
    } finally {
      await reopened.close();
      await stores.close();
    }
  });
});
