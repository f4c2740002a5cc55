/**
 * Budgets on PostgreSQL, correct across any number of gateway instances. Each operation is one transaction that
 * first locks the counters it touches with `SELECT … FOR UPDATE`, always in the same order (so two transactions
 * never wait on each other in a cycle), then checks and writes them; a rejected reservation commits nothing.
 * Missing counter rows are created by a separate, committed `INSERT … ON CONFLICT DO NOTHING` before the locking
 * transaction is retried, so row creation never happens while other locks are held.
 */
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
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
import { inTransaction } from './open-pool.js';

type Queryable = pg.Pool | pg.PoolClient;

/** Counter keys as four parallel arrays, for `unnest`. */
function keyArrays(keys: CounterKey[]): string[][] {
  return [
    keys.map((k) => k.scope),
    keys.map((k) => k.scopeId),
    keys.map((k) => k.period),
    keys.map((k) => k.periodKey),
  ];
}

const KEYS_IN = `(c.scope, c.scope_id, c.period, c.period_key) IN
  (SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]))`;

const LOCK_COUNTERS = `SELECT ${COUNTER_SELECT} FROM ${COUNTER_JOIN} WHERE ${KEYS_IN}
  ORDER BY c.scope, c.scope_id, c.period, c.period_key FOR UPDATE OF c`;

const ENSURE_COUNTERS = `INSERT INTO budget_counters (scope, scope_id, period, period_key)
  SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) ON CONFLICT DO NOTHING`;

const WRITE_COUNTERS = `UPDATE budget_counters c SET spent_cost_nano = v.spent_cost_nano, spent_tokens = v.spent_tokens,
    requests = v.requests, reserved_cost_nano = v.reserved_cost_nano, reserved_tokens = v.reserved_tokens,
    alerted_percent = v.alerted_percent
  FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::bigint[], $7::bigint[], $8::bigint[],
    $9::bigint[], $10::int[])
    AS v(scope, scope_id, period, period_key, spent_cost_nano, spent_tokens, requests, reserved_cost_nano,
      reserved_tokens, alerted_percent)
  WHERE c.scope = v.scope AND c.scope_id = v.scope_id AND c.period = v.period AND c.period_key = v.period_key`;

/** Thrown inside a transaction when counter rows are missing: roll back, create them, try again. */
class MissingCounters {
  constructor(readonly keys: CounterKey[]) {}
}

export class PostgresBudgetStore implements BudgetStore {
  readonly #pool: pg.Pool;
  readonly #options: BudgetStoreOptions;
  readonly #ownsPool: boolean;
  #closed = false;

  constructor(pool: pg.Pool, options: BudgetStoreOptions & { ownsPool?: boolean } = {}) {
    this.#pool = pool;
    this.#options = options;
    this.#ownsPool = options.ownsPool ?? false;
  }

  /** A transaction that may lock counters; creates missing counter rows (committed) and retries when needed. */
  async #tx<T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await inTransaction(this.#pool, fn);
      } catch (error) {
        if (!(error instanceof MissingCounters) || attempt > 3) throw error;
        await this.#pool.query(ENSURE_COUNTERS, keyArrays(error.keys));
      }
    }
  }

  /** Locks the counters (sorted) and returns their states in `keys` order. */
  async #lock(client: Queryable, keys: CounterKey[]): Promise<CounterState[]> {
    if (keys.length === 0) return [];
    const { rows } = await client.query(LOCK_COUNTERS, keyArrays(keys));
    const byId = new Map(rows.map((r) => recordToCounter(r)).map((state) => [counterId(state), state]));
    const missing = keys.filter((k) => !byId.has(counterId(k)));
    if (missing.length > 0) throw new MissingCounters(missing);
    return keys.map((k) => byId.get(counterId(k))!);
  }

  async #write(client: Queryable, states: CounterState[]): Promise<void> {
    if (states.length === 0) return;
    await client.query(WRITE_COUNTERS, [
      ...keyArrays(states),
      states.map((s) => s.spentCostNano),
      states.map((s) => s.spentTokens),
      states.map((s) => s.requests),
      states.map((s) => s.reservedCostNano),
      states.map((s) => s.reservedTokens),
      states.map((s) => s.alertedPercent),
    ]);
  }

  async setLimit(limit: BudgetLimit): Promise<void> {
    const l = normalizeLimit(limit);
    await inTransaction(this.#pool, async (client) => {
      await client.query(
        `INSERT INTO budget_limits (scope, scope_id, period, max_cost_nano, max_tokens, max_requests, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (scope, scope_id, period) DO UPDATE SET max_cost_nano = excluded.max_cost_nano,
           max_tokens = excluded.max_tokens, max_requests = excluded.max_requests, updated_at = excluded.updated_at`,
        [l.scope, l.scopeId, l.period, l.maxCostNano ?? null, l.maxTokens ?? null, l.maxRequests ?? null, Date.now()],
      );
      await client.query(
        'UPDATE budget_counters SET alerted_percent = 0 WHERE scope = $1 AND scope_id = $2 AND period = $3',
        [l.scope, l.scopeId, l.period],
      );
    });
  }

  async removeLimit(scope: BudgetScope, scopeId: string, period: BudgetPeriod): Promise<void> {
    await this.#pool.query('DELETE FROM budget_limits WHERE scope = $1 AND scope_id = $2 AND period = $3', [
      scope,
      scopeId,
      period,
    ]);
  }

  async limits(filter: { scope?: BudgetScope; scopeId?: string } = {}): Promise<BudgetLimit[]> {
    const { rows } = await this.#pool.query(
      `SELECT * FROM budget_limits WHERE ($1::text IS NULL OR scope = $1) AND ($2::text IS NULL OR scope_id = $2)
       ORDER BY scope COLLATE "C", scope_id COLLATE "C", period COLLATE "C"`,
      [filter.scope ?? null, filter.scopeId ?? null],
    );
    return rows.map(recordToLimit);
  }

  async reserve(request: ReserveRequest): Promise<ReserveResult> {
    const ask = askOf(request);
    const now = request.now ?? Date.now();
    const keys = counterKeysFor(request.scopes, now);
    return this.#tx(async (client): Promise<ReserveResult> => {
      const states = await this.#lock(client, keys);
      const rejection = checkReserve(states, ask);
      if (rejection) return rejection;
      await this.#write(
        client,
        states.map((s) => withReservation(s, ask)),
      );
      const id = randomUUID();
      await client.query(
        `INSERT INTO budget_reservations (id, state, created_at, expires_at, cost_nano, tokens, requests, counters)
         VALUES ($1, 'open', $2, $3, $4, $5, $6, $7)`,
        [
          id,
          now,
          now + (request.ttlMs ?? DEFAULT_TTL_MS),
          ask.costNano,
          ask.tokens,
          ask.requests,
          encodeCounters(keys),
        ],
      );
      return { ok: true, reservationId: id };
    });
  }

  async settle(reservationId: string, actual: ActualSpend, now?: number): Promise<ThresholdEvent[]> {
    return this.#close(reservationId, spendOf(actual), 'settled', now ?? Date.now());
  }

  async release(reservationId: string, now?: number): Promise<ThresholdEvent[]> {
    return this.#close(reservationId, { costNano: 0n, tokens: 0 }, 'released', now ?? Date.now());
  }

  async #close(
    id: string,
    actual: { costNano: bigint; tokens: number },
    state: 'settled' | 'released',
    now: number,
  ): Promise<ThresholdEvent[]> {
    const events = await this.#tx(async (client): Promise<ThresholdEvent[]> => {
      const { rows } = await client.query('SELECT * FROM budget_reservations WHERE id = $1 FOR UPDATE', [id]);
      if (rows.length === 0) throw new UnknownReservationError(`unknown budget reservation ${id}`);
      const reservation = recordToReservation(rows[0]);
      if (reservation.state === 'settled' || reservation.state === 'released') return [];
      const plan = planClose(reservation, await this.#lock(client, reservation.counters), actual);
      await this.#write(client, plan.states);
      await client.query('UPDATE budget_reservations SET state = $1, closed_at = $2 WHERE id = $3', [state, now, id]);
      return plan.events;
    });
    notify(this.#options, events);
    return events;
  }

  async usage(scope: BudgetScope, scopeId: string, period: BudgetPeriod, now?: number): Promise<BudgetUsage> {
    const key = { scope, scopeId, period, periodKey: periodKey(period, now ?? Date.now()) };
    const { rows } = await this.#pool.query(
      `SELECT ${COUNTER_SELECT} FROM ${COUNTER_JOIN} WHERE ${KEYS_IN}`,
      keyArrays([key]),
    );
    const limits = await this.#pool.query(
      'SELECT * FROM budget_limits WHERE scope = $1 AND scope_id = $2 AND period = $3',
      [scope, scopeId, period],
    );
    const state = rows[0] ? recordToCounter(rows[0]) : emptyCounter(key);
    return toUsage(state, limits.rows[0] ? recordToLimit(limits.rows[0]) : undefined);
  }

  async sweep(now?: number): Promise<number> {
    const at = now ?? Date.now();
    return this.#tx(async (client): Promise<number> => {
      // SKIP LOCKED: a reservation being settled right now is not expired, and the sweep must not wait for it.
      const { rows } = await client.query(
        `SELECT * FROM budget_reservations WHERE state = 'open' AND expires_at <= $1 ORDER BY id FOR UPDATE SKIP LOCKED`,
        [at],
      );
      const expired = rows.map(recordToReservation);
      const { keys, held } = heldByCounter(expired);
      const states = await this.#lock(client, keys);
      await this.#write(
        client,
        states.map((s) => withSettlement(s, held.get(counterId(s)), { costNano: 0n, tokens: 0 })),
      );
      if (expired.length > 0) {
        await client.query(
          `UPDATE budget_reservations SET state = 'expired', closed_at = $1 WHERE id = ANY($2::text[])`,
          [at, expired.map((r) => r.id)],
        );
      }
      await client.query(`DELETE FROM budget_reservations WHERE state <> 'open' AND closed_at < $1`, [
        at - (this.#options.retainClosedMs ?? DEFAULT_RETAIN_MS),
      ]);
      return expired.length;
    });
  }

  async close(): Promise<void> {
    if (!this.#ownsPool || this.#closed) return;
    this.#closed = true;
    await this.#pool.end();
  }
}
