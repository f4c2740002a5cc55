import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ConfigError } from '../src/errors/client-errors.js';
import { EWMA_ALPHA, FAILURE_PENALTY_MS, HealthTracker, NEUTRAL_LATENCY_MS } from '../src/routing/health.js';

const T0 = 1_700_000_000_000;

// Fake timers drive the default clock (Date.now), so these tests also cover the tracker without an injected clock.
beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(T0);
});
afterEach(() => {
  vi.useRealTimers();
});

describe('HealthTracker stats', () => {
  it('is undefined for a target never recorded', () => {
    expect(new HealthTracker().stats('x')).toBeUndefined();
  });

  it('computes error rate, p50 and EWMAs over successes', () => {
    const health = new HealthTracker();
    health.record('k', { ok: true, latencyMs: 100, ttftMs: 40 });
    vi.advanceTimersByTime(1_000);
    health.record('k', { ok: true, latencyMs: 200 });
    vi.advanceTimersByTime(1_000);
    health.record('k', { ok: false, latencyMs: 5 }); // failure latency is ignored
    vi.advanceTimersByTime(1_000);
    health.record('k', { ok: true, latencyMs: 400, ttftMs: 80 });
    const stats = health.stats('k')!;
    const a = EWMA_ALPHA;
    const latency = a * 400 + (1 - a) * (a * 200 + (1 - a) * 100);
    expect(stats).toEqual({
      key: 'k',
      requests: 4,
      failures: 1,
      errorRate: 0.25,
      latencyMsP50: 200,
      latencyMsEwma: latency,
      ttftMsEwma: a * 80 + (1 - a) * 40,
      lastSuccessAt: T0 + 3_000,
      lastFailureAt: T0 + 2_000,
    });
    expect(latency).toBeCloseTo(211); // 0.3·400 + 0.7·(0.3·200 + 0.7·100)
  });

  it('p50 is the lower middle for an even count', () => {
    const health = new HealthTracker();
    for (const latencyMs of [40, 10, 30, 20]) health.record('k', { ok: true, latencyMs });
    expect(health.stats('k')?.latencyMsP50).toBe(20);
  });

  it('drops invalid durations but still counts the outcome', () => {
    const health = new HealthTracker();
    health.record('k', { ok: true, latencyMs: Number.NaN, ttftMs: -1 });
    expect(health.stats('k')).toEqual({ key: 'k', requests: 1, failures: 0, errorRate: 0, lastSuccessAt: T0 });
  });

  it('forgets outcomes older than the window but remembers when it last succeeded or failed', () => {
    const health = new HealthTracker({ windowMs: 60_000 });
    health.record('k', { ok: false, latencyMs: 10 });
    vi.advanceTimersByTime(30_000);
    health.record('k', { ok: true, latencyMs: 300 });
    vi.advanceTimersByTime(30_000); // the failure is exactly windowMs old
    expect(health.stats('k')).toMatchObject({ requests: 1, failures: 0, errorRate: 0, latencyMsEwma: 300 });
    vi.advanceTimersByTime(30_000);
    expect(health.stats('k')).toEqual({
      key: 'k',
      requests: 0,
      failures: 0,
      errorRate: 0,
      lastSuccessAt: T0 + 30_000,
      lastFailureAt: T0,
    });
  });

  it('keeps at most maxSamples per target, the newest', () => {
    const health = new HealthTracker({ maxSamples: 3 });
    health.record('k', { ok: false, latencyMs: 1 });
    for (const latencyMs of [100, 200, 300]) health.record('k', { ok: true, latencyMs });
    expect(health.stats('k')).toMatchObject({ requests: 3, failures: 0, latencyMsP50: 200 });
  });

  it('keeps at most maxKeys targets, forgetting the least recently recorded', () => {
    const health = new HealthTracker({ maxKeys: 2 });
    health.record('a', { ok: true, latencyMs: 1 });
    health.record('b', { ok: true, latencyMs: 1 });
    health.record('a', { ok: true, latencyMs: 1 });
    health.record('c', { ok: true, latencyMs: 1 });
    expect(health.all().map((s) => s.key)).toEqual(['a', 'c']);
  });

  it('all() lists every target sorted by key', () => {
    const health = new HealthTracker();
    health.record('z', { ok: true, latencyMs: 1 });
    health.record('m', { ok: false, latencyMs: 1 });
    expect(health.all().map((s) => [s.key, s.requests, s.failures])).toEqual([
      ['m', 1, 1],
      ['z', 1, 0],
    ]);
  });

  it('validates options', () => {
    expect(() => new HealthTracker({ windowMs: 0 })).toThrow(ConfigError);
    expect(() => new HealthTracker({ maxSamples: 1.5 })).toThrow(
      'Health option maxSamples must be a positive integer, got 1.5',
    );
    expect(() => new HealthTracker({ maxKeys: -3 })).toThrow(
      'Health option maxKeys must be a positive integer, got -3',
    );
  });

  it('accepts an injected clock', () => {
    let now = 0;
    const health = new HealthTracker({ windowMs: 10 }, () => now);
    health.record('k', { ok: true, latencyMs: 1 });
    now = 10;
    expect(health.stats('k')?.requests).toBe(0);
  });
});

describe('HealthTracker score', () => {
  it('ranks a fast reliable target before a slow one and a failing one', () => {
    const health = new HealthTracker();
    for (let i = 0; i < 20; i++) {
      health.record('fast', { ok: true, latencyMs: 150 });
      health.record('slow', { ok: true, latencyMs: 4_000 });
      health.record('failing', { ok: false, latencyMs: 50 });
      health.record('flaky', { ok: i % 2 === 0, latencyMs: 150 });
    }
    const order = ['failing', 'slow', 'flaky', 'fast', 'unknown'].sort((a, b) => health.score(a) - health.score(b));
    expect(order).toEqual(['fast', 'unknown', 'slow', 'flaky', 'failing']);
    expect(health.score('fast')).toBe(150);
    expect(health.score('failing')).toBe(NEUTRAL_LATENCY_MS + FAILURE_PENALTY_MS);
    expect(health.score('flaky')).toBe(150 + 0.5 * FAILURE_PENALTY_MS);
  });

  it('gives unknown and expired targets the neutral score', () => {
    const health = new HealthTracker({ windowMs: 1_000 });
    expect(health.score('never')).toBe(NEUTRAL_LATENCY_MS);
    health.record('k', { ok: false, latencyMs: 10 });
    expect(health.score('k')).toBe(NEUTRAL_LATENCY_MS + FAILURE_PENALTY_MS);
    vi.advanceTimersByTime(1_000);
    expect(health.score('k')).toBe(NEUTRAL_LATENCY_MS);
  });

  it('a small error rate costs proportionally', () => {
    const health = new HealthTracker();
    for (let i = 0; i < 20; i++) health.record('k', { ok: i !== 0, latencyMs: 200 });
    expect(health.score('k')).toBeCloseTo(200 + 0.05 * FAILURE_PENALTY_MS);
  });
});
