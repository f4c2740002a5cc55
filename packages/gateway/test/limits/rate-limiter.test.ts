/**
 * One behaviour suite for every RateLimiter (memory and Redis must agree exactly), plus Redis-only guarantees:
 * concurrent takes from separate connections and separate processes never admit more than the limit.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { KeyLimits } from '../../src/keys/key-types.js';
import { DAY, MemoryRateLimiter, MINUTE, type RateLimiter } from '../../src/limits/rate-limiter.js';
import { RedisRateLimiter } from '../../src/limits/redis-rate-limiter.js';
import { killAll, spawnTs, watch } from '../stores/children/spawn-ts.js';
import { useRedis } from '../support/redis.js';

const redis = useRedis();
afterEach(() => killAll());

/** 10:00:00.000 UTC on a fixed day: minute and day windows start here or earlier. */
const T0 = Date.UTC(2026, 10, 21, 10, 0, 0);

const implementations: [string, () => RateLimiter][] = [
  ['memory', () => new MemoryRateLimiter()],
  ['redis', () => new RedisRateLimiter(redis.server.connect(), { ownsConnection: true })],
];

describe.each(implementations)('rate limiter behaviour: %s', (_name, create) => {
  const made: RateLimiter[] = [];
  afterEach(async () => {
    await Promise.all(made.splice(0).map((limiter) => limiter.close()));
  });
  const limiter = () => {
    const l = create();
    made.push(l);
    return l;
  };
  const taker =
    (l: RateLimiter, limits: KeyLimits, subject = 'k1') =>
    (tokens = 0, now = T0) =>
      l.take({ subject, limits, tokens, now });

  it('admits everything and reports nothing when no limit is set', async () => {
    const take = taker(limiter(), {});
    for (let i = 0; i < 5; i++) expect(await take(1_000_000)).toEqual({ ok: true });
  });

  it('enforces requests per minute, with resetAt and retryAfterMs of the refusing window', async () => {
    const take = taker(limiter(), { requestsPerMinute: 3 });
    const now = T0 + 15_000;
    expect(await take(0, now)).toEqual({
      ok: true,
      which: 'requestsPerMinute',
      limit: 3,
      remaining: 2,
      resetAt: T0 + MINUTE,
    });
    await take(0, now);
    expect((await take(0, now)).remaining).toBe(0);
    expect(await take(0, now + 1_000)).toEqual({
      ok: false,
      which: 'requestsPerMinute',
      limit: 3,
      remaining: 0,
      resetAt: T0 + MINUTE,
      retryAfterMs: 44_000,
    });
    // The last millisecond of the window is still the same window; the next one starts afresh.
    expect((await take(0, T0 + MINUTE - 1)).ok).toBe(false);
    expect(await take(0, T0 + MINUTE)).toMatchObject({ ok: true, remaining: 2, resetAt: T0 + 2 * MINUTE });
  });

  it('enforces requests per UTC day across minutes and rolls over at midnight', async () => {
    const take = taker(limiter(), { requestsPerDay: 2 });
    const midnight = Date.UTC(2026, 10, 22);
    expect((await take(0, T0)).ok).toBe(true);
    expect((await take(0, T0 + 5 * MINUTE)).ok).toBe(true);
    expect(await take(0, midnight - 1)).toEqual({
      ok: false,
      which: 'requestsPerDay',
      limit: 2,
      remaining: 0,
      resetAt: midnight,
      retryAfterMs: 1,
    });
    expect(await take(0, midnight)).toMatchObject({ ok: true, remaining: 1, resetAt: midnight + DAY });
  });

  it('enforces tokens per minute, counting what each request asks', async () => {
    const take = taker(limiter(), { tokensPerMinute: 100 });
    expect(await take(60)).toMatchObject({ ok: true, which: 'tokensPerMinute', remaining: 40 });
    expect(await take(50)).toMatchObject({ ok: false, which: 'tokensPerMinute', limit: 100, remaining: 40 });
    expect(await take(40)).toMatchObject({ ok: true, remaining: 0 });
    expect(await take(1)).toMatchObject({ ok: false, remaining: 0 });
    expect(await take(0)).toMatchObject({ ok: true, remaining: 0 });
    expect(await take(100, T0 + MINUTE)).toMatchObject({ ok: true, remaining: 0 });
  });

  it('is all or nothing: a request refused by one limit consumes none of the others', async () => {
    const l = limiter();
    // Refused by tokens: the request does not count toward the request caps.
    const take = taker(l, { requestsPerMinute: 2, requestsPerDay: 2, tokensPerMinute: 100 });
    expect(await take(150)).toMatchObject({ ok: false, which: 'tokensPerMinute' });
    expect((await take(10)).ok).toBe(true);
    expect((await take(10)).ok).toBe(true);
    expect(await take(10)).toMatchObject({ ok: false, which: 'requestsPerMinute' });
    // Refused by the request cap: its tokens are not counted (seen through a token-only limit on the same subject).
    const take2 = taker(l, { requestsPerMinute: 1, tokensPerMinute: 100 }, 'k2');
    expect((await take2(60)).ok).toBe(true);
    expect(await take2(30)).toMatchObject({ ok: false, which: 'requestsPerMinute' });
    expect(await taker(l, { tokensPerMinute: 100 }, 'k2')(40)).toMatchObject({ ok: true, remaining: 0 });
  });

  it('reports the tightest limit when admitted (the first of equals) and the first refusing one otherwise', async () => {
    const l = limiter();
    const take = taker(l, { requestsPerMinute: 10, requestsPerDay: 5, tokensPerMinute: 1_000 });
    expect(await take(100)).toEqual({
      ok: true,
      which: 'requestsPerDay',
      limit: 5,
      remaining: 4,
      resetAt: Date.UTC(2026, 10, 22),
    });
    expect(await take(898)).toMatchObject({ ok: true, which: 'tokensPerMinute', remaining: 2 });
    const tie = taker(l, { requestsPerMinute: 4, requestsPerDay: 4 }, 'tie');
    expect(await tie()).toMatchObject({ ok: true, which: 'requestsPerMinute', remaining: 3 });
    // Both request caps are full: the per-minute one is checked (and reported) first.
    const full = taker(l, { requestsPerMinute: 1, requestsPerDay: 1 }, 'full');
    await full();
    expect(await full()).toMatchObject({ ok: false, which: 'requestsPerMinute' });
  });

  it('keeps subjects apart, also ids that look like key syntax', async () => {
    const l = limiter();
    const limits = { requestsPerMinute: 1 };
    for (const subject of ['a', 'a:rpm', 'a:rpm:0', '*', 'a b/ü']) {
      expect((await taker(l, limits, subject)()).ok, subject).toBe(true);
    }
    expect((await taker(l, limits, 'a:rpm')()).ok).toBe(false);
  });

  it('adjusts tokens both ways, in the window of `now`', async () => {
    const l = limiter();
    const take = taker(l, { tokensPerMinute: 100 });
    expect((await take(80)).ok).toBe(true);
    await l.adjustTokens('k1', -50, T0 + 1_000);
    expect(await take(60)).toMatchObject({ ok: true, remaining: 10 });
    await l.adjustTokens('k1', 20, T0 + 2_000);
    expect(await take(0)).toMatchObject({ ok: false, which: 'tokensPerMinute', remaining: 0 });
    await l.adjustTokens('k1', 0, T0);
    // A correction in the next minute lands in that minute's window.
    await l.adjustTokens('k1', 70, T0 + MINUTE);
    expect(await take(30, T0 + MINUTE)).toMatchObject({ ok: true, remaining: 0 });
    expect((await take(1, T0 + MINUTE)).ok).toBe(false);
  });
});

describe('redis rate limiter across connections and processes', () => {
  it('admits exactly the limit when two connections race 2 × 100 takes', async () => {
    const prefix = redis.server.prefix();
    const a = new RedisRateLimiter(redis.server.connect({ keyPrefix: prefix }), { ownsConnection: true });
    const b = new RedisRateLimiter(redis.server.connect({ keyPrefix: prefix }), { ownsConnection: true });
    try {
      const limits = { requestsPerMinute: 1_000, tokensPerMinute: 37 * 7 + 6 };
      const results = await Promise.all(
        Array.from({ length: 200 }, (_, i) => (i % 2 ? a : b).take({ subject: 'hot', limits, tokens: 7, now: T0 })),
      );
      expect(results.filter((r) => r.ok)).toHaveLength(37);
      expect(results.filter((r) => !r.ok).every((r) => r.which === 'tokensPerMinute' && r.remaining === 6)).toBe(true);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('lets every counter expire after its window (plus a margin), also corrections made by adjustTokens', async () => {
    const prefix = redis.server.prefix();
    const limiter = new RedisRateLimiter(redis.server.connect({ keyPrefix: prefix }), { ownsConnection: true });
    const raw = redis.server.connect({ keyPrefix: '' });
    try {
      const limits = { requestsPerMinute: 5, requestsPerDay: 5, tokensPerMinute: 500 };
      await limiter.take({ subject: 'k', limits, tokens: 10, now: T0 + 30_000 });
      await limiter.adjustTokens('other', 5, T0 + 30_000);
      const [, keys] = await raw.scan('0', 'MATCH', `${prefix}*`, 'COUNT', 100);
      expect(keys.sort()).toEqual(
        [`rl:k:rpm:${T0}`, `rl:k:rpd:${Date.UTC(2026, 10, 21)}`, `rl:k:tpm:${T0}`, `rl:other:tpm:${T0}`]
          .map((k) => prefix + k)
          .sort(),
      );
      for (const key of keys) {
        const ttl = await raw.pttl(key);
        const limit = key.includes(':rpd:') ? 14 * 3_600_000 + 60_000 : 30_000 + 60_000;
        expect(ttl, key).toBeGreaterThan(0);
        expect(ttl, key).toBeLessThanOrEqual(limit);
      }
    } finally {
      await limiter.close();
    }
  });

  it('reloads its script after Redis forgot it (SCRIPT FLUSH, a restart): EVALSHA falls back to EVAL', async () => {
    const connection = redis.server.connect();
    const limiter = new RedisRateLimiter(connection, { ownsConnection: true });
    try {
      const take = () => limiter.take({ subject: 'k', limits: { requestsPerMinute: 2 }, tokens: 0, now: T0 });
      expect((await take()).ok).toBe(true);
      await connection.script('FLUSH');
      expect(await take()).toMatchObject({ ok: true, remaining: 0 });
      expect((await take()).ok).toBe(false);
    } finally {
      await limiter.close();
    }
  });

  it('admits exactly the limit across 3 processes × 40 takes', async () => {
    const prefix = redis.server.prefix();
    const children = Array.from({ length: 3 }, () =>
      spawnTs('rate-limit-worker.ts', [redis.server.url, prefix, '40', String(T0)]),
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
    expect(admitted).toHaveLength(3);
    expect(admitted.reduce((x, y) => x + y, 0)).toBe(37);
  }, 30_000);
});
