import type {
  ActualSpend,
  BudgetLimit,
  BudgetPeriod,
  BudgetScope,
  BudgetUsage,
  ReserveRequest,
  ReserveResult,
  ThresholdEvent,
} from './budget-types.js';

/**
 * Budget enforcement with reservations: before a request goes upstream its worst case is reserved on every
 * applicable budget (all or nothing), afterwards the reservation is replaced by what it really cost.
 *
 * Request caps: the request counts when it is reserved and keeps counting after `release` — an attempt that failed
 * upstream still used a request slot (and a cap meant to stop a runaway client must not refill on its errors).
 * Spend is booked in the periods current at `reserve` time, so a stream that crosses midnight counts on the day it began.
 */
export interface BudgetStore {
  /** Creates or replaces the limit for (scope, scopeId, period); threshold alerts for it start over. */
  setLimit(limit: BudgetLimit): Promise<void>;
  removeLimit(scope: BudgetScope, scopeId: string, period: BudgetPeriod): Promise<void>;
  limits(filter?: { scope?: BudgetScope; scopeId?: string }): Promise<BudgetLimit[]>;
  /** Atomically reserves the worst case on every applicable budget (all or nothing). */
  reserve(request: ReserveRequest): Promise<ReserveResult>;
  /**
   * Replaces the reservation with the actual spend (less or more than reserved: spend above the reservation is
   * recorded too, even past the limit). Resolves with the threshold crossings it caused (also sent to `onThreshold`).
   * Settling a reservation twice (or after `release`) does nothing; after a `sweep` expired it, the spend is still
   * booked. Unknown ids reject with `unknown_reservation`.
   */
  settle(reservationId: string, actual: ActualSpend, now?: number): Promise<ThresholdEvent[]>;
  /** Gives the reserved cost and tokens back; the request still counts toward request caps. */
  release(reservationId: string, now?: number): Promise<ThresholdEvent[]>;
  usage(scope: BudgetScope, scopeId: string, period: BudgetPeriod, now?: number): Promise<BudgetUsage>;
  /**
   * Releases reservations whose ttl passed (their gateway crashed or hung) and deletes closed ones older than
   * `retainClosedMs`. Returns how many it released. Not run by a timer here: the server calls it periodically.
   */
  sweep(now?: number): Promise<number>;
}
