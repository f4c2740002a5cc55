import { describe, expect, it } from 'vitest';
import { ConfigError } from '../src/errors/client-errors.js';
import {
  addOutcome,
  type BreakerRecord,
  bucketWidth,
  MemoryBreakerStore,
  trimWindow,
  windowCounts,
} from '../src/routing/breaker-store.js';

const record = (updatedAt: number, consecutiveFailures = 0): BreakerRecord => ({
  state: 'closed',
  consecutiveFailures,
  window: { bucketMs: 1_000, buckets: [] },
  updatedAt,
});

describe('MemoryBreakerStore', () => {
  it('gets, updates, lists and deletes', async () => {
    const store = new MemoryBreakerStore();
    expect(await store.get('a')).toBeUndefined();
    const written = await store.update('a', (current) => {
      expect(current).toBeUndefined();
      return record(1);
    });
    expect(written).toEqual(record(1));
    expect(await store.get('a')).toEqual(record(1));
    expect(await store.entries()).toEqual([['a', record(1)]]);
    expect(await store.entries('a')).toEqual([['a', record(1)]]);
    expect(await store.entries('b')).toEqual([]);
    await store.delete('a');
    expect(await store.get('a')).toBeUndefined();
  });

  it('hands out frozen records, so callers cannot mutate stored state', async () => {
    const store = new MemoryBreakerStore();
    const written = await store.update('a', () => record(1));
    expect(() => {
      written.consecutiveFailures = 99;
    }).toThrow(TypeError);
    const read = await store.get('a');
    expect(() => read!.window.buckets.push([0, 1, 1])).toThrow(TypeError);
    expect(await store.get('a')).toEqual(record(1));
  });

  it('applies concurrent updates one after another, losing none', async () => {
    const store = new MemoryBreakerStore();
    await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        store.update('k', (current) => ({
          ...(current ?? record(i)),
          consecutiveFailures: (current?.consecutiveFailures ?? 0) + 1,
        })),
      ),
    );
    expect((await store.get('k'))?.consecutiveFailures).toBe(100);
  });

  it('evicts the least recently updated key beyond maxKeys', async () => {
    const store = new MemoryBreakerStore({ maxKeys: 3 });
    for (const key of ['a', 'b', 'c']) await store.update(key, () => record(1));
    await store.update('a', () => record(1_500)); // a is now the most recent
    await store.get('b'); // reads do not count as use
    await store.update('d', () => record(2));
    expect(store.size).toBe(3);
    expect((await store.entries()).map(([k]) => k)).toEqual(['c', 'a', 'd']);
    await store.update('e', () => record(3));
    expect((await store.entries()).map(([k]) => k)).toEqual(['a', 'd', 'e']);
  });

  it('keeps the place of a record written again within a second (the eviction order is approximate)', async () => {
    const store = new MemoryBreakerStore({ maxKeys: 2 });
    await store.update('a', () => record(1_000));
    await store.update('b', () => record(1_000));
    await store.update('a', () => record(1_999)); // 999 ms later: stays the older one
    expect((await store.entries()).map(([k]) => k)).toEqual(['a', 'b']);
    expect((await store.get('a'))?.updatedAt).toBe(1_999);
    await store.update('c', () => record(2_000));
    expect((await store.entries()).map(([k]) => k)).toEqual(['b', 'c']);
  });

  it('validates maxKeys', () => {
    expect(() => new MemoryBreakerStore({ maxKeys: 0 })).toThrow(ConfigError);
    expect(() => new MemoryBreakerStore({ maxKeys: 0 })).toThrow(
      'MemoryBreakerStore option maxKeys must be a positive integer, got 0',
    );
  });
});

describe('failure window', () => {
  it('buckets outcomes and stays compact however many requests arrive', () => {
    const windowMs = 60_000;
    let window: BreakerRecord['window'] = { bucketMs: bucketWidth(windowMs), buckets: [] };
    // 10 requests a second for 5 minutes, every third failing.
    for (let i = 0; i < 3_000; i++) window = addOutcome(window, i * 100, windowMs, i % 3 === 0);
    expect(window.bucketMs).toBe(1_000);
    expect(window.buckets.length).toBeLessThanOrEqual(61);
    const now = 300_000;
    expect(windowCounts(window, now, windowMs)).toEqual({ requests: 600, failures: 200 });
  });

  it('drops buckets once every outcome in them is older than the window', () => {
    const window = {
      bucketMs: 1_000,
      buckets: [[0, 2, 1] as [number, number, number], [5_000, 1, 1] as [number, number, number]],
    };
    expect(trimWindow(window, 60_999, 60_000).buckets).toHaveLength(2);
    expect(trimWindow(window, 61_000, 60_000).buckets).toEqual([[5_000, 1, 1]]);
    expect(windowCounts(window, 70_000, 60_000)).toEqual({ requests: 0, failures: 0 });
  });

  it('restarts a window bucketed for another windowMs', () => {
    const window = { bucketMs: 500, buckets: [[0, 2, 1] as [number, number, number]] };
    expect(trimWindow(window, 1_000, 60_000)).toEqual({ bucketMs: 1_000, buckets: [] });
  });

  it('folds an outcome from a clock that stepped back into the last bucket', () => {
    let window: BreakerRecord['window'] = { bucketMs: 1_000, buckets: [] };
    window = addOutcome(window, 10_500, 60_000, false);
    window = addOutcome(window, 9_000, 60_000, true);
    expect(window.buckets).toEqual([[10_000, 2, 1]]);
  });
});
