import { describe, expect, it } from 'vitest';
import { ConfigError } from '../src/errors/client-errors.js';
import { SwitchyardError } from '../src/errors/switchyard-error.js';
import { MemoryBreakerStore } from '../src/routing/breaker-store.js';
import { type BreakerEvent, type BreakerOptions, breakerKey, CircuitBreakers } from '../src/routing/circuit-breaker.js';
import { CircuitOpenError } from '../src/routing/circuit-open-error.js';

const KEY = 'openrouter|openai/gpt-4o';
const T0 = 1_700_000_000_000;

/** Breakers on an injected clock, recording events. */
function setup(options: BreakerOptions = {}) {
  const clock = { now: T0 };
  const events: BreakerEvent[] = [];
  const store = new MemoryBreakerStore();
  const breakers = new CircuitBreakers(
    options,
    store,
    () => clock.now,
    (e) => events.push(e),
  );
  const advance = (ms: number) => {
    clock.now += ms;
  };
  return { breakers, events, store, clock, advance };
}

async function fail(breakers: CircuitBreakers, times: number, code = 'server_error') {
  for (let i = 0; i < times; i++) await breakers.failure(KEY, { code, status: 500, message: 'boom' });
}

async function succeed(breakers: CircuitBreakers, times: number) {
  for (let i = 0; i < times; i++) await breakers.success(KEY);
}

describe('breakerKey', () => {
  it('joins backend, model and upstream', () => {
    expect(breakerKey('openrouter', 'openai/gpt-4o')).toBe('openrouter|openai/gpt-4o');
    expect(breakerKey('openrouter', 'openai/gpt-4o', 'Azure')).toBe('openrouter|openai/gpt-4o|Azure');
    expect(breakerKey('openrouter', 'openai/gpt-4o', '')).toBe('openrouter|openai/gpt-4o');
  });

  it('escapes separators so distinct targets never share a key', () => {
    expect(breakerKey('a', 'b|c')).not.toBe(breakerKey('a', 'b', 'c'));
    expect(breakerKey('a', 'b|c')).toBe('a|b%7Cc');
    expect(breakerKey('a', 'b%7Cc')).toBe('a|b%257Cc');
  });
});

describe('closed → open', () => {
  it('opens on consecutive failures, and a success resets the count', async () => {
    const { breakers, events } = setup({ failureThreshold: 3, minRequests: 100 });
    await fail(breakers, 2);
    await succeed(breakers, 1);
    await fail(breakers, 2);
    expect(await breakers.state(KEY)).toBe('closed');
    await fail(breakers, 1);
    expect(await breakers.state(KEY)).toBe('open');
    expect(events).toEqual([{ type: 'breaker_open', key: KEY, at: T0, reason: '3 consecutive failures' }]);
  });

  it('opens on the failure rate once minRequests are in the window, not before', async () => {
    const { breakers, events } = setup({ failureThreshold: 100, failureRate: 0.5, minRequests: 10 });
    // Alternate so consecutive failures never exceed 1: 5 failures out of 9 requests is 56 %, but under 10 requests.
    for (let i = 0; i < 4; i++) {
      await fail(breakers, 1);
      await succeed(breakers, 1);
    }
    await fail(breakers, 1);
    expect(await breakers.state(KEY)).toBe('closed');
    await fail(breakers, 1); // 6 of 10
    expect(await breakers.state(KEY)).toBe('open');
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ type: 'breaker_open', reason: 'failure rate 60% over 10 requests' });
  });

  it('stays closed while the failure rate is below the threshold', async () => {
    const { breakers } = setup({ failureThreshold: 100, failureRate: 0.5, minRequests: 4 });
    // A third of requests fail: 1 of 3, 2 of 6, … never half.
    for (let i = 0; i < 10; i++) {
      await succeed(breakers, 2);
      await fail(breakers, 1);
    }
    expect(await breakers.state(KEY)).toBe('closed');
  });

  it('forgets outcomes older than the window', async () => {
    const { breakers, advance } = setup({ failureThreshold: 100, failureRate: 0.5, minRequests: 4, windowMs: 10_000 });
    await fail(breakers, 3);
    advance(11_000);
    // The old failures no longer count: 1 failure of 3 requests, and under minRequests anyway.
    await succeed(breakers, 2);
    await fail(breakers, 1);
    expect((await breakers.snapshot())[0]).toMatchObject({ windowRequests: 3, windowFailures: 1 });
    await succeed(breakers, 1);
    expect(await breakers.state(KEY)).toBe('closed');
  });

  it('trims the window as time passes even without new outcomes (snapshot view)', async () => {
    const { breakers, advance } = setup({ windowMs: 60_000, minRequests: 100, failureThreshold: 100 });
    await fail(breakers, 2);
    advance(30_000);
    await succeed(breakers, 1);
    expect((await breakers.snapshot())[0]).toMatchObject({ windowRequests: 3, windowFailures: 2 });
    advance(31_000); // the first two are 61 s old
    expect((await breakers.snapshot())[0]).toMatchObject({ windowRequests: 1, windowFailures: 0 });
  });
});

describe('open → half_open → closed/open', () => {
  async function opened(options: BreakerOptions = {}) {
    const ctx = setup({ failureThreshold: 2, recoveryMs: 30_000, probeTimeoutMs: 10_000, ...options });
    await fail(ctx.breakers, 2);
    ctx.events.length = 0;
    return ctx;
  }

  it('rejects until recoveryMs has passed, telling when to retry', async () => {
    const { breakers, advance } = await opened();
    expect(await breakers.acquire(KEY)).toEqual({ allowed: false, state: 'open', probe: false, retryAt: T0 + 30_000 });
    advance(29_999);
    expect(await breakers.acquire(KEY)).toMatchObject({ allowed: false, state: 'open', retryAt: T0 + 30_000 });
  });

  it('admits exactly one probe when 10 acquires race after recovery', async () => {
    const { breakers, events, advance } = await opened();
    advance(30_000);
    const admissions = await Promise.all(Array.from({ length: 10 }, () => breakers.acquire(KEY)));
    const probes = admissions.filter((a) => a.allowed);
    expect(probes).toEqual([{ allowed: true, state: 'half_open', probe: true }]);
    for (const a of admissions.filter((x) => !x.allowed)) {
      expect(a).toEqual({ allowed: false, state: 'half_open', probe: false, retryAt: T0 + 40_000 });
    }
    expect(await breakers.state(KEY)).toBe('half_open');
    expect(events).toEqual([
      { type: 'breaker_half_open', key: KEY, at: T0 + 30_000, reason: 'probing after 30000 ms open' },
    ]);
  });

  it('closes on probe success and resets the counters', async () => {
    const { breakers, events, advance } = await opened();
    advance(30_000);
    await breakers.acquire(KEY);
    await breakers.success(KEY);
    expect(await breakers.state(KEY)).toBe('closed');
    const [row] = await breakers.snapshot();
    expect(row).toMatchObject({ state: 'closed', consecutiveFailures: 0, windowRequests: 0, windowFailures: 0 });
    expect(row?.openedAt).toBeUndefined();
    expect(row?.retryAt).toBeUndefined();
    expect(events.map((e) => [e.type, e.reason])).toEqual([
      ['breaker_half_open', 'probing after 30000 ms open'],
      ['breaker_close', 'probe succeeded'],
    ]);
    expect(await breakers.acquire(KEY)).toEqual({ allowed: true, state: 'closed', probe: false });
    // Counters really restarted: it takes the full threshold to open again.
    await fail(breakers, 1);
    expect(await breakers.state(KEY)).toBe('closed');
  });

  it('reopens on probe failure with a new openedAt', async () => {
    const { breakers, events, advance } = await opened();
    advance(30_000);
    await breakers.acquire(KEY);
    advance(500);
    await breakers.failure(KEY, { code: 'rate_limited', status: 429, message: 'slow down' });
    expect(await breakers.state(KEY)).toBe('open');
    const [row] = await breakers.snapshot();
    expect(row).toMatchObject({ openedAt: T0 + 30_500, retryAt: T0 + 60_500 });
    expect(row?.lastError).toEqual({ code: 'rate_limited', status: 429, message: 'slow down', at: T0 + 30_500 });
    expect(events.at(-1)).toEqual({
      type: 'breaker_open',
      key: KEY,
      at: T0 + 30_500,
      reason: 'probe failed: rate_limited',
    });
    expect(await breakers.acquire(KEY)).toMatchObject({ allowed: false, retryAt: T0 + 60_500 });
  });

  it('admits another probe once the lease expires', async () => {
    const { breakers, events, advance } = await opened();
    advance(30_000);
    expect((await breakers.acquire(KEY)).probe).toBe(true);
    advance(9_999);
    expect((await breakers.acquire(KEY)).allowed).toBe(false);
    advance(1);
    expect(await breakers.acquire(KEY)).toEqual({ allowed: true, state: 'half_open', probe: true });
    expect((await breakers.acquire(KEY)).allowed).toBe(false);
    // Still half-open: no second half-open event.
    expect(events.filter((e) => e.type === 'breaker_half_open')).toHaveLength(1);
  });

  it('release frees the probe lease', async () => {
    const { breakers, advance } = await opened();
    advance(30_000);
    expect((await breakers.acquire(KEY)).probe).toBe(true);
    expect((await breakers.acquire(KEY)).allowed).toBe(false);
    await breakers.release(KEY);
    expect(await breakers.acquire(KEY)).toEqual({ allowed: true, state: 'half_open', probe: true });
  });

  it('release is a no-op for closed and open breakers', async () => {
    const { breakers, store } = await opened();
    await breakers.release(KEY);
    await breakers.release('unknown|model');
    expect(await breakers.state(KEY)).toBe('open');
    expect(await store.get('unknown|model')).toBeUndefined();
  });

  it('a late failure while open keeps openedAt and emits nothing', async () => {
    const { breakers, events, advance } = await opened();
    advance(1_000);
    await fail(breakers, 3, 'timeout');
    const [row] = await breakers.snapshot();
    expect(row).toMatchObject({ state: 'open', openedAt: T0, lastError: { code: 'timeout' } });
    expect(events).toEqual([]);
  });

  it('a late success while open does not close it', async () => {
    const { breakers, events } = await opened();
    await breakers.success(KEY);
    expect(await breakers.state(KEY)).toBe('open');
    expect(events).toEqual([]);
  });
});

describe('events', () => {
  it('fire once per transition over a full cycle', async () => {
    const { breakers, events, advance } = setup({ failureThreshold: 2, recoveryMs: 1_000 });
    await fail(breakers, 5); // opens at the 2nd; further failures while open are not transitions
    advance(1_000);
    await Promise.all([breakers.acquire(KEY), breakers.acquire(KEY), breakers.acquire(KEY)]);
    await breakers.success(KEY);
    await breakers.success(KEY);
    expect(events.map((e) => e.type)).toEqual(['breaker_open', 'breaker_half_open', 'breaker_close']);
    expect(events[0]?.reason).toBe('2 consecutive failures');
  });

  it('a throwing listener does not break the breaker', async () => {
    const breakers = new CircuitBreakers({ failureThreshold: 1 }, undefined, undefined, () => {
      throw new Error('listener bug');
    });
    await breakers.failure(KEY);
    expect(await breakers.state(KEY)).toBe('open');
  });
});

describe('snapshot and reset', () => {
  it('lists every target sorted by key with counts, retryAt and the last error', async () => {
    const { breakers, advance } = setup({ failureThreshold: 2, recoveryMs: 5_000 });
    await breakers.success('b|model');
    await breakers.failure('b|model', { code: 'timeout', message: 'x'.repeat(500) });
    await breakers.failure(KEY, { code: 'server_error', status: 500, message: 'boom' });
    await breakers.failure(KEY, { code: 'server_error', status: 500, message: 'boom' });
    advance(1_000);
    const rows = await breakers.snapshot();
    expect(rows.map((r) => r.key)).toEqual(['b|model', KEY]);
    expect((await breakers.snapshot('b|')).map((r) => r.key)).toEqual(['b|model']);
    expect(rows[0]).toMatchObject({ state: 'closed', consecutiveFailures: 1, windowRequests: 2, windowFailures: 1 });
    expect(rows[0]?.lastError?.message).toHaveLength(200);
    expect(rows[1]).toEqual({
      key: KEY,
      state: 'open',
      consecutiveFailures: 2,
      windowRequests: 2,
      windowFailures: 2,
      openedAt: T0,
      retryAt: T0 + 5_000,
      lastError: { code: 'server_error', status: 500, message: 'boom', at: T0 },
    });
  });

  it('reset closes one or all targets and reports the open ones', async () => {
    const { breakers, events } = setup({ failureThreshold: 1 });
    await breakers.failure('a|m');
    await breakers.failure('b|m');
    await breakers.success('c|m');
    events.length = 0;
    await breakers.reset('a|m');
    expect(await breakers.state('a|m')).toBe('closed');
    expect(await breakers.state('b|m')).toBe('open');
    await breakers.reset();
    expect(await breakers.snapshot()).toEqual([]);
    expect(events.map((e) => [e.type, e.key, e.reason])).toEqual([
      ['breaker_close', 'a|m', 'reset'],
      ['breaker_close', 'b|m', 'reset'],
    ]);
  });

  it('reset works with a store that has no delete', async () => {
    const inner = new MemoryBreakerStore();
    const store = { get: inner.get.bind(inner), update: inner.update.bind(inner), entries: inner.entries.bind(inner) };
    const breakers = new CircuitBreakers({ failureThreshold: 1 }, store);
    await breakers.failure(KEY);
    await breakers.reset(KEY);
    expect(await breakers.snapshot()).toMatchObject([{ key: KEY, state: 'closed', consecutiveFailures: 0 }]);
  });
});

describe('options', () => {
  it('fills in defaults', () => {
    expect(new CircuitBreakers().options).toEqual({
      failureThreshold: 5,
      failureRate: 0.5,
      minRequests: 10,
      windowMs: 60_000,
      recoveryMs: 60_000,
      probeTimeoutMs: 60_000,
    });
  });

  it.each([
    [{ failureThreshold: 0 }, 'Circuit breaker option failureThreshold must be a positive integer, got 0'],
    [{ failureThreshold: 2.5 }, 'Circuit breaker option failureThreshold must be a positive integer, got 2.5'],
    [{ minRequests: -1 }, 'Circuit breaker option minRequests must be a positive integer, got -1'],
    [{ windowMs: Number.NaN }, 'Circuit breaker option windowMs must be a positive integer, got NaN'],
    [{ recoveryMs: 0 }, 'Circuit breaker option recoveryMs must be a positive integer, got 0'],
    [{ probeTimeoutMs: Infinity }, 'Circuit breaker option probeTimeoutMs must be a positive integer, got Infinity'],
    [{ failureRate: 0 }, 'Circuit breaker option failureRate must be a number in (0, 1], got 0'],
    [{ failureRate: 1.5 }, 'Circuit breaker option failureRate must be a number in (0, 1], got 1.5'],
    [{ failureRate: '0.5' as any }, 'Circuit breaker option failureRate must be a number in (0, 1], got 0.5'],
  ])('rejects %o', (options, message) => {
    expect(() => new CircuitBreakers(options)).toThrow(ConfigError);
    expect(() => new CircuitBreakers(options)).toThrow(message);
  });

  it('accepts failureRate 1', () => {
    expect(new CircuitBreakers({ failureRate: 1 }).options.failureRate).toBe(1);
  });
});

describe('CircuitOpenError', () => {
  it('carries keys, retryAt and a retryable retryAfterMs', () => {
    const error = new CircuitOpenError('all open', { keys: ['a|m', 'b|m'], retryAt: T0 + 12_000, now: T0 });
    expect(error).toBeInstanceOf(CircuitOpenError);
    expect(error).toBeInstanceOf(SwitchyardError);
    expect(error.code).toBe('circuit_open');
    expect(error.name).toBe('CircuitOpenError');
    expect(CircuitOpenError.kind).toBe('CircuitOpenError');
    expect(error.retryable).toBe(true);
    expect(error.retryAfterMs).toBe(12_000);
    expect(error.keys).toEqual(['a|m', 'b|m']);
    expect(error.retryAt).toBe(T0 + 12_000);
    expect(error.toJSON()).toMatchObject({ code: 'circuit_open', keys: ['a|m', 'b|m'], retryAt: T0 + 12_000 });
  });

  it('never has a negative retryAfterMs, and none without retryAt', () => {
    expect(new CircuitOpenError('x', { keys: ['a'], retryAt: T0 - 5, now: T0 }).retryAfterMs).toBe(0);
    const without = new CircuitOpenError('x', { keys: ['a'] });
    expect(without.retryAfterMs).toBeUndefined();
    expect(without.retryable).toBe(true);
  });

  it('fromTargets picks the earliest retryAt and names the targets', () => {
    const error = CircuitOpenError.fromTargets(
      [{ key: 'a|m', retryAt: T0 + 30_000 }, { key: 'b|m', retryAt: T0 + 4_500 }, { key: 'c|m' }],
      T0,
    );
    expect(error.retryAt).toBe(T0 + 4_500);
    expect(error.retryAfterMs).toBe(4_500);
    expect(error.keys).toEqual(['a|m', 'b|m', 'c|m']);
    expect(error.message).toBe('Circuit open for 3 targets (a|m, b|m, c|m); next probe in 5 s');
  });

  it('works with admissions from a real breaker', async () => {
    const { breakers } = setup({ failureThreshold: 1, recoveryMs: 2_000 });
    await breakers.failure(KEY);
    const admission = await breakers.acquire(KEY);
    const error = CircuitOpenError.fromTargets([{ key: KEY, retryAt: admission.retryAt }], T0 + 500);
    expect(error.retryAfterMs).toBe(1_500);
    expect(error.message).toBe(`Circuit open for 1 target (${KEY}); next probe in 2 s`);
  });
});
