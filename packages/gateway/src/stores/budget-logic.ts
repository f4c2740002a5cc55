/**
 * The budget rules, free of I/O, so the SQLite and PostgreSQL stores only differ in how they lock and persist:
 * which counters a request touches, whether a reservation fits, and how settling or expiring changes counters.
 */

import { newCrossings } from './budget-thresholds.js';
import type { BudgetLimit, BudgetPeriod, BudgetScope, BudgetUsage, ScopeRef, ThresholdEvent } from './budget-types.js';
import { GLOBAL_ID } from './budget-types.js';
import { nanoToUsdString } from './nano.js';
import { PERIODS, periodKey } from './periods.js';
import { InvalidBudgetError } from './store-errors.js';

/** One bucket of usage: a scope's spend in one period (`2026-11-21`, `2026-11` or `total`). */
export interface CounterKey {
  scope: BudgetScope;
  scopeId: string;
  period: BudgetPeriod;
  periodKey: string;
}

export interface CounterState extends CounterKey {
  spentCostNano: bigint;
  spentTokens: number;
  requests: number;
  reservedCostNano: bigint;
  reservedTokens: number;
  /** Highest threshold (50, 80, 100) already reported for this bucket; 0 when none. */
  alertedPercent: number;
  /** The limit currently set for (scope, scopeId, period), if any. */
  limit?: BudgetLimit;
}

export interface Ask {
  costNano: bigint;
  tokens: number;
  requests: number;
}

export type Rejection = {
  ok: false;
  limit: BudgetLimit;
  usedCostNano: bigint;
  usedTokens: number;
  usedRequests: number;
  reason: string;
};

/** How long a reservation holds its money when the request never settles (a crashed caller): then it expires. */
export const DEFAULT_TTL_MS = 15 * 60_000;
/** How long settled and expired reservations are kept (idempotent settle/release) before they are pruned. */
export const DEFAULT_RETAIN_MS = 7 * 24 * 3_600_000;

export const SCOPE_RANK: Record<BudgetScope, number> = { key: 0, user: 1, global: 2 };
export const PERIOD_RANK: Record<BudgetPeriod, number> = { day: 0, month: 1, total: 2 };

/** Stable identity of a counter (for maps and JSON). */
export function counterId(key: CounterKey): string {
  return `${key.scope}\u0000${key.scopeId}\u0000${key.period}\u0000${key.periodKey}`;
}

/** Most specific first (key, user, global; day, month, total): the order rejections are reported in. */
export function compareCounters(a: CounterKey, b: CounterKey): number {
  return (
    SCOPE_RANK[a.scope] - SCOPE_RANK[b.scope] ||
    (a.scopeId < b.scopeId ? -1 : a.scopeId > b.scopeId ? 1 : 0) ||
    PERIOD_RANK[a.period] - PERIOD_RANK[b.period]
  );
}

/**
 * Every counter a request touches: each given scope plus the global one, in every period. Counters are kept for
 * scopes without limits too, so a limit set mid-month already sees the month's spend. Sorted, so concurrent writers
 * create and lock them in the same order.
 */
export function counterKeysFor(scopes: ScopeRef[], now: number): CounterKey[] {
  const all = [...scopes, { scope: 'global' as const, scopeId: GLOBAL_ID }];
  const seen = new Map<string, CounterKey>();
  for (const ref of all) {
    if (!Object.hasOwn(SCOPE_RANK, ref.scope) || typeof ref.scopeId !== 'string' || ref.scopeId === '') {
      throw new InvalidBudgetError(`reserve: bad scope ${JSON.stringify(ref)}`);
    }
    for (const period of PERIODS) {
      const key = { scope: ref.scope, scopeId: ref.scopeId, period, periodKey: periodKey(period, now) };
      seen.set(counterId(key), key);
    }
  }
  return [...seen.values()].sort(compareCounters);
}

/** The first limit the ask would break (counting spent and reserved), or undefined when it fits everywhere. */
export function checkReserve(states: CounterState[], ask: Ask): Rejection | undefined {
  for (const state of [...states].sort(compareCounters)) {
    const limit = state.limit;
    if (!limit) continue;
    const usedCostNano = state.spentCostNano + state.reservedCostNano;
    const usedTokens = state.spentTokens + state.reservedTokens;
    const usedRequests = state.requests;
    let broken: string | undefined;
    if (limit.maxCostNano !== undefined && usedCostNano + ask.costNano > limit.maxCostNano) {
      broken = `cost ${nanoToUsdString(usedCostNano)} + ${nanoToUsdString(ask.costNano)} USD exceeds ${nanoToUsdString(limit.maxCostNano)} USD`;
    } else if (limit.maxTokens !== undefined && usedTokens + ask.tokens > limit.maxTokens) {
      broken = `tokens ${usedTokens} + ${ask.tokens} exceed ${limit.maxTokens}`;
    } else if (limit.maxRequests !== undefined && usedRequests + ask.requests > limit.maxRequests) {
      broken = `requests ${usedRequests} + ${ask.requests} exceed ${limit.maxRequests}`;
    }
    if (broken) {
      const who = limit.scope === 'global' ? 'global' : `${limit.scope} "${limit.scopeId}"`;
      const reason = `${who} ${limit.period} budget (${state.periodKey}): ${broken}`;
      return { ok: false, limit, usedCostNano, usedTokens, usedRequests, reason };
    }
  }
  return undefined;
}

export function withReservation(state: CounterState, ask: Ask): CounterState {
  return {
    ...state,
    reservedCostNano: state.reservedCostNano + ask.costNano,
    reservedTokens: state.reservedTokens + ask.tokens,
    requests: state.requests + ask.requests,
  };
}

/** Gives a reservation back (never below zero, in case of a hand-edited database) and books the actual spend. */
export function withSettlement(
  state: CounterState,
  reserved: { costNano: bigint; tokens: number } | undefined,
  actual: { costNano: bigint; tokens: number },
): CounterState {
  const reservedCostNano = state.reservedCostNano - (reserved?.costNano ?? 0n);
  const reservedTokens = state.reservedTokens - (reserved?.tokens ?? 0);
  return {
    ...state,
    reservedCostNano: reservedCostNano > 0n ? reservedCostNano : 0n,
    reservedTokens: Math.max(0, reservedTokens),
    spentCostNano: state.spentCostNano + actual.costNano,
    spentTokens: state.spentTokens + actual.tokens,
  };
}

/**
 * The counter updates for settling (or, with zero spend, releasing) a reservation: give back what it still holds
 * (nothing when a sweep already did), book the spend, and collect threshold crossings.
 */
export function planClose(
  reservation: { state: string; costNano: bigint; tokens: number },
  states: CounterState[],
  actual: { costNano: bigint; tokens: number },
): { states: CounterState[]; events: ThresholdEvent[] } {
  const held =
    reservation.state === 'open' ? { costNano: reservation.costNano, tokens: reservation.tokens } : undefined;
  const events: ThresholdEvent[] = [];
  const next = states.map((state) => {
    const settled = withSettlement(state, held, actual);
    const crossing = newCrossings(settled);
    events.push(...crossing.events);
    return { ...settled, alertedPercent: crossing.alertedPercent };
  });
  return { states: next, events };
}

/** A counter nobody has used yet. */
export function emptyCounter(key: CounterKey): CounterState {
  return {
    ...key,
    spentCostNano: 0n,
    spentTokens: 0,
    requests: 0,
    reservedCostNano: 0n,
    reservedTokens: 0,
    alertedPercent: 0,
  };
}

export function toUsage(state: CounterState, limit: BudgetLimit | undefined): BudgetUsage {
  const usage: BudgetUsage = {
    costNano: state.spentCostNano,
    tokens: state.spentTokens,
    requests: state.requests,
    reservedCostNano: state.reservedCostNano,
    reservedTokens: state.reservedTokens,
  };
  if (limit) usage.limit = limit;
  return usage;
}

/**
 * What expired reservations still hold, summed per counter (a sweep gives it all back in one write per counter).
 * Keys come back sorted so the counters are locked in the usual order.
 */
export function heldByCounter(reservations: { costNano: bigint; tokens: number; counters: CounterKey[] }[]): {
  keys: CounterKey[];
  held: Map<string, { costNano: bigint; tokens: number }>;
} {
  const held = new Map<string, { costNano: bigint; tokens: number }>();
  const keys = new Map<string, CounterKey>();
  for (const reservation of reservations) {
    for (const key of reservation.counters) {
      const id = counterId(key);
      const sum = held.get(id) ?? { costNano: 0n, tokens: 0 };
      held.set(id, { costNano: sum.costNano + reservation.costNano, tokens: sum.tokens + reservation.tokens });
      keys.set(id, key);
    }
  }
  return { keys: [...keys.values()].sort(compareCounters), held };
}
