/**
 * The budget contract, run against every backend that holds budgets (sqlite.test.ts, postgres.test.ts,
 * redis.test.ts) with real databases: limits, all-or-nothing reservations, settle and release, periods, sweeps,
 * threshold alerts and concurrent reservations.
 */

import { describe, expect, it } from 'vitest';
import type { ThresholdEvent } from '../../src/stores/budget-types.js';
import { UnknownReservationError } from '../../src/stores/store-errors.js';
import { type ContractTarget, DAY, opener, T0 } from './contract-target.js';

export function budgetContract(target: ContractTarget): void {
  describe(`budget contract: ${target.name}`, () => {
    const open = opener(target);
    const key = (id: string) => ({ scope: 'key' as const, scopeId: id });
    const user = (id: string) => ({ scope: 'user' as const, scopeId: id });

    it('stores, lists, replaces and removes limits; rejects invalid ones', async () => {
      const { budgets } = await open();
      await budgets.setLimit({ scope: 'key', scopeId: 'k1', period: 'day', maxCostNano: 5n, maxRequests: 3 });
      await budgets.setLimit({ scope: 'key', scopeId: 'k1', period: 'day', maxTokens: 9 });
      await budgets.setLimit({ scope: 'global', scopeId: '*', period: 'month', maxCostNano: 2n ** 62n });
      await budgets.setLimit({ scope: 'user', scopeId: 'u1', period: 'total', maxRequests: 1 });
      expect(await budgets.limits()).toEqual([
        { scope: 'global', scopeId: '*', period: 'month', maxCostNano: 2n ** 62n },
        { scope: 'key', scopeId: 'k1', period: 'day', maxTokens: 9 },
        { scope: 'user', scopeId: 'u1', period: 'total', maxRequests: 1 },
      ]);
      expect(await budgets.limits({ scope: 'key' })).toHaveLength(1);
      expect(await budgets.limits({ scopeId: 'u1' })).toHaveLength(1);
      await budgets.removeLimit('key', 'k1', 'day');
      expect(await budgets.limits({ scope: 'key' })).toEqual([]);
      await expect(budgets.setLimit({ scope: 'global', scopeId: 'x', period: 'day' })).rejects.toMatchObject({
        code: 'invalid_budget',
      });
      await expect(
        budgets.setLimit({ scope: 'key', scopeId: 'k', period: 'day', maxCostNano: -1n }),
      ).rejects.toMatchObject({ code: 'invalid_budget' });
      await expect(budgets.setLimit({ scope: 'key', scopeId: 'k', period: 'week' as 'day' })).rejects.toThrow(/period/);
    });

    it('reserves all or nothing across key, user and global scopes', async () => {
      const { budgets } = await open();
      await budgets.setLimit({ scope: 'key', scopeId: 'k1', period: 'day', maxCostNano: 1_000n });
      await budgets.setLimit({ scope: 'user', scopeId: 'u1', period: 'month', maxTokens: 1_000 });
      await budgets.setLimit({ scope: 'global', scopeId: '*', period: 'total', maxCostNano: 600n });
      const scopes = [key('k1'), user('u1')];
      const first = await budgets.reserve({ scopes, costNano: 500n, tokens: 100, now: T0 });
      expect(first.ok).toBe(true);
      // Fits the key (1000) and the user (tokens), but not the global total (600): nothing may change anywhere.
      const second = await budgets.reserve({ scopes, costNano: 200n, tokens: 100, now: T0 });
      expect(second).toMatchObject({
        ok: false,
        limit: { scope: 'global', scopeId: '*', period: 'total', maxCostNano: 600n },
        usedCostNano: 500n,
        usedRequests: 1,
      });
      if (!second.ok)
        expect(second.reason).toMatch(/global total budget .*0\.000000500 \+ 0\.000000200 USD exceeds 0\.000000600/);
      for (const [scope, id] of [
        ['key', 'k1'],
        ['user', 'u1'],
        ['global', '*'],
      ] as const) {
        for (const period of ['day', 'month', 'total'] as const) {
          expect(await budgets.usage(scope, id, period, T0), `${scope} ${period}`).toMatchObject({
            costNano: 0n,
            requests: 1,
            reservedCostNano: 500n,
            reservedTokens: 100,
          });
        }
      }
      // The key's own limit is reported first when it is the one broken.
      const third = await budgets.reserve({ scopes: [key('k1')], costNano: 501n, tokens: 0, now: T0 });
      expect(third).toMatchObject({ ok: false, limit: { scope: 'key', scopeId: 'k1' } });
      const tokens = await budgets.reserve({ scopes, costNano: 0n, tokens: 901, now: T0 });
      expect(tokens).toMatchObject({ ok: false, limit: { scope: 'user' }, usedTokens: 100 });
    });

    it('settles below and above the reservation (spend past the limit is still recorded)', async () => {
      const { budgets } = await open();
      await budgets.setLimit({ scope: 'key', scopeId: 'k', period: 'day', maxCostNano: 1_000n, maxTokens: 500 });
      const a = await budgets.reserve({ scopes: [key('k')], costNano: 600n, tokens: 300, now: T0 });
      if (!a.ok) throw new Error(a.reason);
      await budgets.settle(a.reservationId, { costNano: 250n, tokens: 120 }, T0);
      expect(await budgets.usage('key', 'k', 'day', T0)).toMatchObject({
        costNano: 250n,
        tokens: 120,
        requests: 1,
        reservedCostNano: 0n,
        reservedTokens: 0,
        limit: { maxCostNano: 1_000n },
      });
      const b = await budgets.reserve({ scopes: [key('k')], costNano: 700n, tokens: 300, now: T0 });
      if (!b.ok) throw new Error(b.reason);
      await budgets.settle(b.reservationId, { costNano: 1_900n, tokens: 900 }, T0);
      const used = await budgets.usage('key', 'k', 'day', T0);
      expect(used).toMatchObject({ costNano: 2_150n, tokens: 1_020, reservedCostNano: 0n });
      expect((await budgets.reserve({ scopes: [key('k')], costNano: 0n, tokens: 0, now: T0 })).ok).toBe(false);
      expect((await budgets.usage('global', '*', 'total', T0)).costNano).toBe(2_150n);
    });

    it('release gives cost and tokens back but the request still counts', async () => {
      const { budgets } = await open();
      await budgets.setLimit({ scope: 'key', scopeId: 'k', period: 'day', maxCostNano: 100n, maxRequests: 2 });
      const a = await budgets.reserve({ scopes: [key('k')], costNano: 100n, tokens: 10, now: T0 });
      if (!a.ok) throw new Error(a.reason);
      expect((await budgets.reserve({ scopes: [key('k')], costNano: 1n, tokens: 0, now: T0 })).ok).toBe(false);
      await budgets.release(a.reservationId, T0);
      expect(await budgets.usage('key', 'k', 'day', T0)).toMatchObject({
        costNano: 0n,
        tokens: 0,
        requests: 1,
        reservedCostNano: 0n,
      });
      expect((await budgets.reserve({ scopes: [key('k')], costNano: 100n, tokens: 0, now: T0 })).ok).toBe(true);
      // Two requests used: the cap holds even though the first one was released.
      const third = await budgets.reserve({ scopes: [key('k')], costNano: 0n, tokens: 0, now: T0 });
      expect(third).toMatchObject({ ok: false, usedRequests: 2 });
      if (!third.ok) expect(third.reason).toMatch(/requests 2 \+ 1 exceed 2/);
    });

    it('enforces daily request caps and rolls over at UTC midnight, months at the 1st, totals never', async () => {
      const { budgets } = await open();
      await budgets.setLimit({ scope: 'user', scopeId: 'u', period: 'day', maxRequests: 3 });
      await budgets.setLimit({ scope: 'user', scopeId: 'u', period: 'month', maxRequests: 5 });
      await budgets.setLimit({ scope: 'user', scopeId: 'u', period: 'total', maxRequests: 7 });
      const ask = (now: number) => budgets.reserve({ scopes: [user('u')], costNano: 0n, tokens: 0, now });
      const endOfDay = Date.UTC(2026, 10, 21, 23, 59, 59, 999);
      const results: boolean[] = [];
      for (let i = 0; i < 4; i++) results.push((await ask(endOfDay)).ok);
      expect(results).toEqual([true, true, true, false]);
      const nextDay = endOfDay + 1;
      expect((await ask(nextDay)).ok).toBe(true);
      expect((await ask(nextDay)).ok).toBe(true);
      // Month cap (5) reached on the second day.
      expect(await ask(nextDay)).toMatchObject({ ok: false, limit: { period: 'month' } });
      expect(await budgets.usage('user', 'u', 'day', nextDay)).toMatchObject({ requests: 2 });
      expect(await budgets.usage('user', 'u', 'day', endOfDay)).toMatchObject({ requests: 3 });
      const nextMonth = Date.UTC(2026, 11, 1);
      expect((await ask(nextMonth)).ok).toBe(true);
      expect((await ask(nextMonth)).ok).toBe(true);
      // The total cap (7) never rolls over.
      expect(await ask(Date.UTC(2027, 0, 15))).toMatchObject({ ok: false, limit: { period: 'total' } });
      expect(await budgets.usage('user', 'u', 'month', nextMonth)).toMatchObject({ requests: 2 });
      expect(await budgets.usage('user', 'u', 'total', nextMonth)).toMatchObject({ requests: 7 });
    });

    it('books spend in the periods current at reserve time', async () => {
      const { budgets } = await open();
      const late = Date.UTC(2026, 10, 30, 23, 59, 0);
      const r = await budgets.reserve({ scopes: [key('k')], costNano: 10n, tokens: 1, now: late });
      if (!r.ok) throw new Error(r.reason);
      await budgets.settle(r.reservationId, { costNano: 8n, tokens: 1 }, late + 120_000);
      expect((await budgets.usage('key', 'k', 'month', late)).costNano).toBe(8n);
      expect((await budgets.usage('key', 'k', 'month', late + 120_000)).costNano).toBe(0n);
    });

    it('tracks usage before a limit exists, so a limit set mid-period sees it', async () => {
      const { budgets } = await open();
      const r = await budgets.reserve({ scopes: [key('k')], costNano: 90n, tokens: 0, now: T0 });
      if (!r.ok) throw new Error(r.reason);
      await budgets.settle(r.reservationId, { costNano: 90n, tokens: 0 }, T0);
      expect(await budgets.usage('key', 'k', 'day', T0)).toEqual({
        costNano: 90n,
        tokens: 0,
        requests: 1,
        reservedCostNano: 0n,
        reservedTokens: 0,
      });
      await budgets.setLimit({ scope: 'key', scopeId: 'k', period: 'day', maxCostNano: 100n });
      expect((await budgets.reserve({ scopes: [key('k')], costNano: 11n, tokens: 0, now: T0 })).ok).toBe(false);
      expect((await budgets.reserve({ scopes: [key('k')], costNano: 10n, tokens: 0, now: T0 })).ok).toBe(true);
    });

    it('sweeps expired reservations; a late settle still books its spend; settle is idempotent', async () => {
      const { budgets } = await open();
      await budgets.setLimit({ scope: 'key', scopeId: 'k', period: 'day', maxCostNano: 100n });
      const a = await budgets.reserve({ scopes: [key('k')], costNano: 60n, tokens: 5, ttlMs: 1_000, now: T0 });
      const b = await budgets.reserve({ scopes: [key('k')], costNano: 40n, tokens: 5, ttlMs: 5_000, now: T0 });
      if (!a.ok || !b.ok) throw new Error('reserve failed');
      expect(await budgets.sweep(T0 + 999)).toBe(0);
      expect(await budgets.sweep(T0 + 1_000)).toBe(1);
      expect(await budgets.usage('key', 'k', 'day', T0)).toMatchObject({ reservedCostNano: 40n, reservedTokens: 5 });
      expect(await budgets.sweep(T0 + 1_500)).toBe(0);
      // The "crashed" gateway was only slow: its spend must not vanish, nor be given back twice.
      await budgets.settle(a.reservationId, { costNano: 55n, tokens: 3 }, T0 + 2_000);
      expect(await budgets.usage('key', 'k', 'day', T0)).toMatchObject({ costNano: 55n, reservedCostNano: 40n });
      await budgets.settle(b.reservationId, { costNano: 30n, tokens: 3 }, T0 + 2_000);
      await budgets.settle(b.reservationId, { costNano: 30n, tokens: 3 }, T0 + 2_000);
      await budgets.release(b.reservationId, T0 + 2_000);
      expect(await budgets.usage('key', 'k', 'day', T0)).toMatchObject({
        costNano: 85n,
        tokens: 6,
        reservedCostNano: 0n,
      });
      await expect(budgets.settle('no-such-id', { costNano: 1n, tokens: 0 })).rejects.toBeInstanceOf(
        UnknownReservationError,
      );
      await expect(budgets.release('no-such-id')).rejects.toMatchObject({ code: 'unknown_reservation' });
      // Closed reservations are pruned after the retention time; then the id is unknown.
      expect(await budgets.sweep(T0 + 8 * DAY)).toBe(0);
      await expect(budgets.settle(a.reservationId, { costNano: 1n, tokens: 0 })).rejects.toMatchObject({
        code: 'unknown_reservation',
      });
    });

    it('reports 50 / 80 / 100 % crossings once per period, through the callback and the settle result', async () => {
      const seen: ThresholdEvent[] = [];
      const { budgets } = await open(undefined, { onThreshold: (e) => seen.push(e) });
      await budgets.setLimit({ scope: 'key', scopeId: 'k', period: 'day', maxCostNano: 100n });
      const reserve = async (now = T0) => {
        const r = await budgets.reserve({ scopes: [key('k')], costNano: 0n, tokens: 0, now });
        if (!r.ok) throw new Error(r.reason);
        return r.reservationId;
      };
      const settle = async (id: string, costNano: bigint, now = T0) =>
        (await budgets.settle(id, { costNano, tokens: 0 }, now)).map((e) => e.share);
      const spend = async (costNano: bigint, now = T0) => settle(await reserve(now), costNano, now);
      expect(await spend(40n)).toEqual([]);
      expect(await spend(15n)).toEqual([0.5]);
      expect(await spend(5n)).toEqual([]);
      expect(await spend(20n)).toEqual([0.8]);
      // Two requests in flight when the budget runs out: only the first settlement reports 100 %.
      const [last, straggler] = [await reserve(), await reserve()];
      expect(await settle(last!, 25n)).toEqual([1]);
      expect(await settle(straggler!, 25n)).toEqual([]);
      expect((await budgets.reserve({ scopes: [key('k')], costNano: 0n, tokens: 0, now: T0 })).ok).toBe(false);
      expect(seen.map((e) => [e.share, e.periodKey, e.usedCostNano])).toEqual([
        [0.5, '2026-11-21', 55n],
        [0.8, '2026-11-21', 80n],
        [1, '2026-11-21', 105n],
      ]);
      expect(seen[0]!.limit).toEqual({ scope: 'key', scopeId: 'k', period: 'day', maxCostNano: 100n });
      // A new day starts over; a jump reports every threshold it passed.
      expect(await spend(100n, T0 + DAY)).toEqual([0.5, 0.8, 1]);
      // Changing the limit re-arms the alerts for it.
      await budgets.setLimit({ scope: 'key', scopeId: 'k', period: 'day', maxCostNano: 1_000n });
      expect(await spend(400n, T0 + DAY)).toEqual([0.5]);
      // Request caps cross thresholds too (counted at reserve, reported at settle or release).
      await budgets.setLimit({ scope: 'user', scopeId: 'u', period: 'day', maxRequests: 2 });
      const r = await budgets.reserve({ scopes: [user('u')], costNano: 0n, tokens: 0, now: T0 });
      if (!r.ok) throw new Error(r.reason);
      expect((await budgets.release(r.reservationId, T0)).map((e) => e.share)).toEqual([0.5]);
    });

    it('200 concurrent reservations against a budget for exactly 37 admit exactly 37 (two store instances)', async () => {
      const location = await target.fresh();
      const a = await open(location);
      const b = await open(location);
      const X = 1_234_567n;
      const limit = X * 37n + (X - 1n);
      await a.budgets.setLimit({ scope: 'key', scopeId: 'hot', period: 'day', maxCostNano: limit });
      const results = await Promise.all(
        Array.from({ length: 200 }, (_, i) =>
          (i % 2 ? a : b).budgets.reserve({ scopes: [key('hot'), user(`u${i % 5}`)], costNano: X, tokens: 1, now: T0 }),
        ),
      );
      const admitted = results.filter((r) => r.ok);
      expect(admitted).toHaveLength(37);
      await Promise.all(
        admitted.map((r, i) =>
          r.ok ? (i % 2 ? a : b).budgets.settle(r.reservationId, { costNano: X - BigInt(i), tokens: 1 }, T0) : null,
        ),
      );
      const usage = await a.budgets.usage('key', 'hot', 'day', T0);
      expect(usage.costNano).toBeLessThanOrEqual(limit);
      expect(usage).toMatchObject({ reservedCostNano: 0n, requests: 37, tokens: 37 });
      expect((await b.budgets.usage('global', '*', 'day', T0)).requests).toBe(37);
    });
  });
}
