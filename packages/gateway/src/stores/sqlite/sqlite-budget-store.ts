/**
 * Budgets on SQLite. Every operation is one `BEGIN IMMEDIATE` transaction: it takes the database write lock before
 * reading, so the read-check-write of a reservation cannot interleave with another connection's — in this process
 * or another one on the same file (they wait up to busy_timeout). better-sqlite3 runs the transaction
 * synchronously, so the async methods below return already-settled promises.
 */
import { randomUUID } from 'node:crypto';
import type { Database, Statement } from 'better-sqlite3';
import {
  type CounterKey,
  type CounterState,
  checkReserve,
  counterId,
  counterKeysFor,
  DEFAULT_RETAIN_MS,
  DEFAULT_TTL_MS,
  emptyCounter,
  heldByCounter,
  planClose,
  toUsage,
  withReservation,
  withSettlement,
} from '../budget-logic.js';
import {
  COUNTER_JOIN,
  COUNTER_SELECT,
  encodeCounters,
  recordToCounter,
  recordToLimit,
  recordToReservation,
} from '../budget-records.js';
import type { BudgetStore } from '../budget-store.js';
import { notify } from '../budget-thresholds.js';
import type {
  ActualSpend,
  BudgetLimit,
  BudgetPeriod,
  BudgetScope,
  BudgetStoreOptions,
  BudgetUsage,
  ReserveRequest,
  ReserveResult,
  ThresholdEvent,
} from '../budget-types.js';
import { askOf, normalizeLimit, spendOf } from '../budget-validation.js';
import { periodKey } from '../periods.js';
import { UnknownReservationError } from '../store-errors.js';

type Row = Record<string, unknown>;

export class SqliteBudgetStore implements BudgetStore {
  readonly #db: Database;
  readonly #options: BudgetStoreOptions;
  readonly #ownsDb: boolean;
  readonly #sql: Record<
    | 'upsertLimit'
    | 'resetAlerts'
    | 'deleteLimit'
    | 'ensureCounter'
    | 'selectCounter'
    | 'writeCounter'
    | 'insertReservation'
    | 'selectReservation'
    | 'closeReservation'
    | 'selectExpired'
    | 'pruneClosed',
    Statement
  >;

  constructor(db: Database, options: BudgetStoreOptions & { ownsDb?: boolean } = {}) {
    this.#db = db;
    this.#options = options;
    this.#ownsDb = options.ownsDb ?? false;
    const prepare = (sql: string): Statement => this.#prepare(sql);
    this.#sql = {
      upsertLimit:
        prepare(`INSERT INTO budget_limits (scope, scope_id, period, max_cost_nano, max_tokens, max_requests, updated_at)
        VALUES (?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (scope, scope_id, period) DO UPDATE SET max_cost_nano = excluded.max_cost_nano,
          max_tokens = excluded.max_tokens, max_requests = excluded.max_requests, updated_at = excluded.updated_at`),
      resetAlerts: prepare(
        'UPDATE budget_counters SET alerted_percent = 0 WHERE scope = ? AND scope_id = ? AND period = ?',
      ),
      deleteLimit: prepare('DELETE FROM budget_limits WHERE scope = ? AND scope_id = ? AND period = ?'),
      ensureCounter: prepare(
        'INSERT OR IGNORE INTO budget_counters (scope, scope_id, period, period_key) VALUES (?, ?, ?, ?)',
      ),
      selectCounter: prepare(`SELECT ${COUNTER_SELECT} FROM ${COUNTER_JOIN}
        WHERE c.scope = ? AND c.scope_id = ? AND c.period = ? AND c.period_key = ?`),
      writeCounter: prepare(`UPDATE budget_counters SET spent_cost_nano = ?, spent_tokens = ?, requests = ?,
          reserved_cost_nano = ?, reserved_tokens = ?, alerted_percent = ?
        WHERE scope = ? AND scope_id = ? AND period = ? AND period_key = ?`),
      insertReservation: prepare(`INSERT INTO budget_reservations
        (id, state, created_at, expires_at, cost_nano, tokens, requests, counters) VALUES (?, 'open', ?, ?, ?, ?, ?, ?)`),
      selectReservation: prepare('SELECT * FROM budget_reservations WHERE id = ?'),
      closeReservation: prepare('UPDATE budget_reservations SET state = ?, closed_at = ? WHERE id = ?'),
      selectExpired: prepare("SELECT * FROM budget_reservations WHERE state = 'open' AND expires_at <= ?"),
      pruneClosed: prepare("DELETE FROM budget_reservations WHERE state <> 'open' AND closed_at < ?"),
    };
  }

  /** Every statement reads integers as bigint, whoever opened the connection: money must stay exact. */
  #prepare(sql: string): Statement {
    return this.#db.prepare(sql).safeIntegers(true);
  }

  /** Runs `fn` in a BEGIN IMMEDIATE transaction (rolled back if it throws). */
  #tx<T>(fn: () => T): T {
    return this.#db.transaction(fn).immediate();
  }

  #load(keys: CounterKey[], create: boolean): CounterState[] {
    return keys.map((key) => {
      const args = [key.scope, key.scopeId, key.period, key.periodKey];
      if (create) this.#sql.ensureCounter.run(...args);
      const row = this.#sql.selectCounter.get(...args) as Row | undefined;
      return row ? recordToCounter(row) : emptyCounter(key);
    });
  }

  #write(states: CounterState[]): void {
    for (const s of states) {
      this.#sql.writeCounter.run(
        s.spentCostNano,
        s.spentTokens,
        s.requests,
        s.reservedCostNano,
        s.reservedTokens,
        s.alertedPercent,
        s.scope,
        s.scopeId,
        s.period,
        s.periodKey,
      );
    }
  }

  async setLimit(limit: BudgetLimit): Promise<void> {
    const l = normalizeLimit(limit);
    this.#tx(() => {
      this.#sql.upsertLimit.run(
        l.scope,
        l.scopeId,
        l.period,
        l.maxCostNano ?? null,
        l.maxTokens ?? null,
        l.maxRequests ?? null,
        Date.now(),
      );
      this.#sql.resetAlerts.run(l.scope, l.scopeId, l.period);
    });
  }

  async removeLimit(scope: BudgetScope, scopeId: string, period: BudgetPeriod): Promise<void> {
    this.#sql.deleteLimit.run(scope, scopeId, period);
  }

  async limits(filter: { scope?: BudgetScope; scopeId?: string } = {}): Promise<BudgetLimit[]> {
    const rows = this.#prepare(
      `SELECT * FROM budget_limits WHERE (? IS NULL OR scope = ?) AND (? IS NULL OR scope_id = ?)
         ORDER BY scope, scope_id, period`,
    ).all(filter.scope ?? null, filter.scope ?? null, filter.scopeId ?? null, filter.scopeId ?? null) as Row[];
    return rows.map(recordToLimit);
  }

  async reserve(request: ReserveRequest): Promise<ReserveResult> {
    const ask = askOf(request);
    const now = request.now ?? Date.now();
    const keys = counterKeysFor(request.scopes, now);
    return this.#tx((): ReserveResult => {
      const states = this.#load(keys, true);
      const rejection = checkReserve(states, ask);
      // Nothing was changed except creating empty counters, which is harmless to keep.
      if (rejection) return rejection;
      this.#write(states.map((state) => withReservation(state, ask)));
      const id = randomUUID();
      const expiresAt = now + (request.ttlMs ?? DEFAULT_TTL_MS);
      this.#sql.insertReservation.run(id, now, expiresAt, ask.costNano, ask.tokens, ask.requests, encodeCounters(keys));
      return { ok: true, reservationId: id };
    });
  }

  async settle(reservationId: string, actual: ActualSpend, now?: number): Promise<ThresholdEvent[]> {
    return this.#close(reservationId, spendOf(actual), 'settled', now ?? Date.now());
  }

  async release(reservationId: string, now?: number): Promise<ThresholdEvent[]> {
    return this.#close(reservationId, { costNano: 0n, tokens: 0 }, 'released', now ?? Date.now());
  }

  #close(
    id: string,
    actual: { costNano: bigint; tokens: number },
    state: 'settled' | 'released',
    now: number,
  ): ThresholdEvent[] {
    const events = this.#tx((): ThresholdEvent[] => {
      const row = this.#sql.selectReservation.get(id) as Row | undefined;
      if (!row) throw new UnknownReservationError(`unknown budget reservation ${id}`);
      const reservation = recordToReservation(row);
      if (reservation.state === 'settled' || reservation.state === 'released') return [];
      const plan = planClose(reservation, this.#load(reservation.counters, true), actual);
      this.#write(plan.states);
      this.#sql.closeReservation.run(state, now, id);
      return plan.events;
    });
    notify(this.#options, events);
    return events;
  }

  async usage(scope: BudgetScope, scopeId: string, period: BudgetPeriod, now?: number): Promise<BudgetUsage> {
    const key = { scope, scopeId, period, periodKey: periodKey(period, now ?? Date.now()) };
    const [state] = this.#load([key], false);
    const limitRow = this.#prepare('SELECT * FROM budget_limits WHERE scope = ? AND scope_id = ? AND period = ?').get(
      scope,
      scopeId,
      period,
    ) as Row | undefined;
    return toUsage(state!, limitRow ? recordToLimit(limitRow) : undefined);
  }

  async sweep(now?: number): Promise<number> {
    const at = now ?? Date.now();
    return this.#tx((): number => {
      const expired = (this.#sql.selectExpired.all(at) as Row[]).map(recordToReservation);
      const { keys, held } = heldByCounter(expired);
      const states = this.#load(keys, true);
      this.#write(states.map((s) => withSettlement(s, held.get(counterId(s)), { costNano: 0n, tokens: 0 })));
      for (const reservation of expired) this.#sql.closeReservation.run('expired', at, reservation.id);
      this.#sql.pruneClosed.run(at - (this.#options.retainClosedMs ?? DEFAULT_RETAIN_MS));
      return expired.length;
    });
  }

  async close(): Promise<void> {
    if (this.#ownsDb && this.#db.open) this.#db.close();
  }
}
