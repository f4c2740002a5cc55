/**
 * Budgets: spend caps per virtual key, per user and global, over a UTC day, a UTC month or all time, in USD
 * (nano-dollars), tokens and requests (the daily request caps).
 */

export type BudgetScope = 'key' | 'user' | 'global';
export type BudgetPeriod = 'day' | 'month' | 'total';

/** The scope id of the one global budget. */
export const GLOBAL_ID = '*';

export interface BudgetLimit {
  scope: BudgetScope;
  /** Virtual key id, user id, or `'*'` for global. */
  scopeId: string;
  period: BudgetPeriod;
  maxCostNano?: bigint;
  maxTokens?: number;
  maxRequests?: number;
}

export interface ScopeRef {
  scope: BudgetScope;
  scopeId: string;
}

export interface ReserveRequest {
  /** The request's key and user scopes; the global scope always applies and need not be listed. */
  scopes: ScopeRef[];
  /** Worst-case cost (e.g. prompt estimate + max_tokens at catalog prices). */
  costNano: bigint;
  /** Worst-case tokens. */
  tokens: number;
  /** Counted toward request caps at once (default 1). */
  requests?: number;
  /** After this long an unsettled reservation is given back by `sweep` (default 15 minutes). */
  ttlMs?: number;
  /** Clock override (epoch ms) for the period keys and expiry; tests inject it. */
  now?: number;
}

export type ReserveResult =
  | { ok: true; reservationId: string }
  | {
      ok: false;
      /** The first limit (key, then user, then global; day, month, total) the request would break. */
      limit: BudgetLimit;
      /** Committed against that limit: spent plus currently reserved. */
      usedCostNano: bigint;
      usedTokens: number;
      usedRequests: number;
      /** Human-readable: which budget, which dimension, used + asked vs the maximum. */
      reason: string;
    };

export interface ActualSpend {
  costNano: bigint;
  tokens: number;
}

export interface BudgetUsage {
  /** Settled spend in the current period. */
  costNano: bigint;
  tokens: number;
  requests: number;
  /** Held by open reservations. */
  reservedCostNano: bigint;
  reservedTokens: number;
  limit?: BudgetLimit;
}

export type ThresholdShare = 0.5 | 0.8 | 1;

/** A budget's settled usage crossed 50 %, 80 % or 100 % of a maximum (the largest share over cost, tokens, requests). */
export interface ThresholdEvent {
  limit: BudgetLimit;
  share: ThresholdShare;
  /** The period the crossing happened in: `2026-11-21`, `2026-11` or `total`. */
  periodKey: string;
  usedCostNano: bigint;
  usedTokens: number;
  usedRequests: number;
}

export interface BudgetStoreOptions {
  /** Called after the settling transaction commits, once per threshold per budget per period (across processes). */
  onThreshold?: (event: ThresholdEvent) => void;
  /** Closed reservations are kept this long (for idempotent settle/release), then `sweep` deletes them. Default 7 days. */
  retainClosedMs?: number;
}
