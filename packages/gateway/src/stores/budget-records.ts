/**
 * Budget rows as both drivers return them (SQLite: bigint for every INTEGER under safe integers; pg: int8 as a
 * decimal string) converted to the shared types, plus the reservation record both stores keep.
 */
import type { CounterKey, CounterState } from './budget-logic.js';
import type { BudgetLimit, BudgetPeriod, BudgetScope } from './budget-types.js';

export type ReservationState = 'open' | 'settled' | 'released' | 'expired';

export interface ReservationRecord {
  id: string;
  /** `expired`: a sweep gave the reservation back; a late settle still books the spend. */
  state: ReservationState;
  createdAt: number;
  expiresAt: number;
  costNano: bigint;
  tokens: number;
  requests: number;
  /** The counters (with the period keys current at reserve time) the reservation holds amounts on. */
  counters: CounterKey[];
}

const big = (value: unknown): bigint => BigInt(value as bigint | string | number);
const optBig = (value: unknown): bigint | undefined => (value === null || value === undefined ? undefined : big(value));
const optNum = (value: unknown): number | undefined =>
  value === null || value === undefined ? undefined : Number(value);

/** `{ scope, scope_id, period, max_cost_nano, max_tokens, max_requests }` → limit (absent maxima stay absent). */
export function recordToLimit(r: Record<string, unknown>): BudgetLimit {
  const limit: BudgetLimit = {
    scope: String(r.scope) as BudgetScope,
    scopeId: String(r.scope_id),
    period: String(r.period) as BudgetPeriod,
  };
  const maxCostNano = optBig(r.max_cost_nano);
  const maxTokens = optNum(r.max_tokens);
  const maxRequests = optNum(r.max_requests);
  if (maxCostNano !== undefined) limit.maxCostNano = maxCostNano;
  if (maxTokens !== undefined) limit.maxTokens = maxTokens;
  if (maxRequests !== undefined) limit.maxRequests = maxRequests;
  return limit;
}

/**
 * A `budget_counters` row LEFT JOINed with its limit; the join exposes `limit_period` (null when no limit is set)
 * and the `max_*` columns.
 */
export function recordToCounter(r: Record<string, unknown>): CounterState {
  const state: CounterState = {
    scope: String(r.scope) as BudgetScope,
    scopeId: String(r.scope_id),
    period: String(r.period) as BudgetPeriod,
    periodKey: String(r.period_key),
    spentCostNano: big(r.spent_cost_nano),
    spentTokens: Number(r.spent_tokens),
    requests: Number(r.requests),
    reservedCostNano: big(r.reserved_cost_nano),
    reservedTokens: Number(r.reserved_tokens),
    alertedPercent: Number(r.alerted_percent),
  };
  if (r.limit_period !== null && r.limit_period !== undefined) state.limit = recordToLimit(r);
  return state;
}

/** Counters of a reservation as stored (compact JSON tuples). */
export function encodeCounters(keys: CounterKey[]): string {
  return JSON.stringify(keys.map((k) => [k.scope, k.scopeId, k.period, k.periodKey]));
}

function decodeCounters(json: string): CounterKey[] {
  return (JSON.parse(json) as [BudgetScope, string, BudgetPeriod, string][]).map(
    ([scope, scopeId, period, periodKey]) => ({ scope, scopeId, period, periodKey }),
  );
}

export function recordToReservation(r: Record<string, unknown>): ReservationRecord {
  return {
    id: String(r.id),
    state: String(r.state) as ReservationState,
    createdAt: Number(r.created_at),
    expiresAt: Number(r.expires_at),
    costNano: big(r.cost_nano),
    tokens: Number(r.tokens),
    requests: Number(r.requests),
    counters: decodeCounters(String(r.counters)),
  };
}

/** The SELECT list that `recordToCounter` expects, for `budget_counters c LEFT JOIN budget_limits l`. */
export const COUNTER_SELECT = `c.scope, c.scope_id, c.period, c.period_key, c.spent_cost_nano, c.spent_tokens,
  c.requests, c.reserved_cost_nano, c.reserved_tokens, c.alerted_percent,
  l.period AS limit_period, l.max_cost_nano, l.max_tokens, l.max_requests`;

export const COUNTER_JOIN = `budget_counters c LEFT JOIN budget_limits l
  ON l.scope = c.scope AND l.scope_id = c.scope_id AND l.period = c.period`;
