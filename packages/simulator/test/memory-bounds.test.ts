import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { Accounts } from '../src/account/accounts.js';
import { FreeTierLimiter } from '../src/limits/free-tier.js';
import { BoundedMap } from '../src/util/bounded-map.js';

describe('BoundedMap', () => {
  it('keeps at most max entries, forgetting the oldest insertion; setting a key again makes it the newest', () => {
    const map = new BoundedMap<string, number>(3);
    map.set('a', 1);
    map.set('b', 2);
    map.set('c', 3);
    map.set('a', 10); // a is now the newest: b is the oldest
    map.set('d', 4);
    expect(map.size).toBe(3);
    expect(map.get('b')).toBeUndefined();
    expect([map.get('a'), map.get('c'), map.get('d')]).toEqual([10, 3, 4]);
    for (let i = 0; i < 1000; i++) map.set(`k${i}`, i);
    expect(map.size).toBe(3);
    expect([map.get('k997'), map.get('k998'), map.get('k999')]).toEqual([997, 998, 999]);
    expect(map.get('a')).toBeUndefined();
  });

  it('does not grow while it churns below its bound (a long-running simulator kept every rehashed table alive)', () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    // The sticky-routing pattern: a few conversations, each turn re-setting its key (a fresh string every time).
    const map = new BoundedMap<string, { tag: string }>(50_000);
    const churn = (turns: number) => {
      for (let i = 0; i < turns; i++)
        map.set(`sk-or-v1-key|openai/gpt-4o-mini|${'x'.repeat(64)}${i % 3}`, { tag: 't' });
    };
    churn(20_000);
    gc();
    const before = process.memoryUsage().heapUsed;
    churn(60_000);
    gc();
    const grown = process.memoryUsage().heapUsed - before;
    expect(map.size).toBe(3);
    // With the leak this grew by ~12 MiB (every obsolete table and its keys); without it, by noise.
    expect(grown).toBeLessThan(2 * 1024 * 1024);
  });

  it('does not grow either when full and only known keys come back (no eviction advances its iterator then)', () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const map = new BoundedMap<string, { tag: string }>(1_000);
    for (let i = 0; i < 1_000; i++) map.set(`conversation-${'x'.repeat(64)}${i}`, { tag: 't' });
    map.set('one more', { tag: 't' }); // full: an eviction creates the iterator
    const churn = (turns: number) => {
      for (let i = 0; i < turns; i++) map.set(`conversation-${'x'.repeat(64)}${999 - (i % 3)}`, { tag: 't' });
    };
    churn(20_000);
    gc();
    const before = process.memoryUsage().heapUsed;
    churn(150_000);
    gc();
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(2 * 1024 * 1024); // ~8 MB before the fix
    expect(map.size).toBe(1_000); // a known key coming back evicts nothing
    expect(map.get('one more')).toBeDefined();
    expect(map.get(`conversation-${'x'.repeat(64)}0`)).toBeUndefined(); // the one the eviction took
  });
});

describe('what a simulator remembers per key is bounded too', () => {
  it('forgets the earliest of over 10,000 keys accepted on first use, never a listed key', () => {
    const accounts = new Accounts([{ key: 'sk-or-listed', limit: 5 }], 100, true, () => Date.now());
    const listed = accounts.authenticate('sk-or-listed');
    const first = accounts.authenticate('sk-or-open-0');
    expect(accounts.authenticate('sk-or-open-0')).toBe(first); // remembered while there is room
    for (let i = 1; i <= 10_000; i++) accounts.authenticate(`sk-or-open-${i}`);
    const again = accounts.authenticate('sk-or-open-0');
    expect(again).toBeDefined();
    expect(again).not.toBe(first); // forgotten, and registered afresh
    expect(accounts.authenticate('sk-or-listed')).toBe(listed);
    expect(listed?.limit).not.toBeNull();
  });

  it('keeps free-tier windows for at most 10,000 keys, still counting the recent ones', () => {
    const limiter = new FreeTierLimiter(
      2,
      () => 50,
      () => 1_000_000,
    );
    expect(limiter.take('k-a')).toBeUndefined();
    expect(limiter.take('k-a')).toBeUndefined();
    expect(limiter.take('k-a')?.status).toBe(429);
    for (let i = 0; i < 10_000; i++) limiter.take(`k-${i}`);
    expect(limiter.daily('k-a').used).toBe(0); // forgotten
    expect(limiter.daily('k-9999').used).toBe(1);
  });
});
