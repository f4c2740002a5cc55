/**
 * Budgets in Redis, shared by every gateway instance, with the semantics of the SQL stores (see budget-store.ts and
 * stores/README.md): limits per (scope, scopeId, period), counters per period key for every touched scope, all or
 * nothing reservations, idempotent settle/release, request caps counted at reserve, threshold alerts once per
 * budget per period across processes, `sweep`, `usage`.
 *
 * Key layout and reply decoding: budget-layout.ts. Money is stored as decimal integer strings (HINCRBY).
 *
 * Atomicity: `reserve` and settling are each ONE Lua script (budget-scripts.ts) over all the counters involved.
 * Threshold alerts are computed here with the shared `newCrossings` from the counter values the settling script
 * returns, then claimed with a compare-and-raise script, so each threshold is reported by exactly one instance.
 *
 * Lifetimes: day counters expire 35 days and month counters 400 days after their last write (a relative PEXPIRE, so
 * injected clocks and clock skew cannot expire live counters); totals and limits never expire. Closed reservations
 * are deleted by `sweep` after `retainClosedMs` and, as a safety net if nobody sweeps, by Redis a day after that.
 * Open reservations never expire by themselves: `sweep` gives them back, or the reserved amounts would leak.
 * Redis holds the only copy of the counters: run it with persistence (AOF) if a restart must not forget the current
 * periods' spend (key limits are written back at start from the key store, see server/shared-state.ts).
 * Redis Cluster is not supported (one script touches keys of several scopes).
 */
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { closeRedis } from '../../shared/redis-connection.js';
import { RedisCommandError, toRedisError } from '../../shared/redis-errors.js';
import {
  type CounterKey,
  checkReserve,
  counterKeysFor,
  DEFAULT_RETAIN_MS,
  DEFAULT_TTL_MS,
  emptyCounter,
  toUsage,
} from '../budget-logic.js';
import { encodeCounters, recordToLimit, recordToReservation } from '../budget-records.js';
import type { BudgetStore } from '../budget-store.js';
import { newCrossings, notify } from '../budget-thresholds.js';
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
import { BudgetKeys, COUNTER_LIFETIME, closedCounters, counterState } from './budget-layout.js';
import { CLAIM_ALERT, CLOSE, COUNTER_FIELDS, RESERVE, RESERVE_STRIDE } from './budget-scripts.js';

const DAY = 86_400_000;
/** Reservations examined per sweep round. */
const SWEEP_BATCH = 200;

export interface RedisBudgetStoreOptions extends BudgetStoreOptions {
  /** Key namespace inside the connection's prefix (default `budget:`). */
  namespace?: string;
  /** Close the connection in `close()` (default false: the shared state owns it). */
  ownsConnection?: boolean;
}

type Row = Record<string, string | null>;

export class RedisBudgetStore implements BudgetStore {
  readonly #redis: Redis;
  readonly #options: RedisBudgetStoreOptions;
  readonly #keys: BudgetKeys;

  constructor(redis: Redis, options: RedisBudgetStoreOptions = {}) {
    this.#redis = redis;
    this.#options = options;
    this.#keys = new BudgetKeys(options.namespace ?? 'budget:');
  }

  /** Runs a Redis operation, turning its failures into typed errors (store errors pass through). */
  async #call<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      throw toRedisError(error, `budget ${operation}`, this.#redis.options.password);
    }
  }

  /** Executes a MULTI and throws the first command error, if any. */
  async #exec(multi: ReturnType<Redis['multi']>): Promise<void> {
    const results = await multi.exec();
    const failed = results?.find(([error]) => error);
    if (failed) throw failed[0];
  }

  async setLimit(limit: BudgetLimit): Promise<void> {
    const l = normalizeLimit(limit);
    const key = this.#keys.limit(l.scope, l.scopeId, l.period);
    const fields: Record<string, string> = {
      scope: l.scope,
      scope_id: l.scopeId,
      period: l.period,
      // A new generation re-arms threshold alerts for this budget in every period.
      gen: randomUUID(),
      updated_at: String(Date.now()),
    };
    if (l.maxCostNano !== undefined) fields.max_cost_nano = l.maxCostNano.toString();
    if (l.maxTokens !== undefined) fields.max_tokens = String(l.maxTokens);
    if (l.maxRequests !== undefined) fields.max_requests = String(l.maxRequests);
    const member = JSON.stringify([l.scope, l.scopeId, l.period]);
    await this.#call('setLimit', () =>
      this.#exec(this.#redis.multi().del(key).hset(key, fields).sadd(this.#keys.limits, member)),
    );
  }

  async removeLimit(scope: BudgetScope, scopeId: string, period: BudgetPeriod): Promise<void> {
    const member = JSON.stringify([scope, scopeId, period]);
    await this.#call('removeLimit', () =>
      this.#exec(
        this.#redis
          .multi()
          .del(this.#keys.limit(scope, scopeId, period))
          .srem(this.#keys.limits, member),
      ),
    );
  }

  async limits(filter: { scope?: BudgetScope; scopeId?: string } = {}): Promise<BudgetLimit[]> {
    return this.#call('limits', async () => {
      const members = (await this.#redis.smembers(this.#keys.limits))
        .map((m) => JSON.parse(m) as [BudgetScope, string, BudgetPeriod])
        .filter(([scope, scopeId]) => (filter.scope ?? scope) === scope && (filter.scopeId ?? scopeId) === scopeId);
      if (members.length === 0) return [];
      const pipeline = this.#redis.pipeline();
      for (const [scope, scopeId, period] of members) pipeline.hgetall(this.#keys.limit(scope, scopeId, period));
      const rows = ((await pipeline.exec()) ?? []).map(([error, row]) => {
        if (error) throw error;
        return row as Row;
      });
      const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
      return rows
        .filter((row) => row.period) // removed between SMEMBERS and HGETALL
        .map(recordToLimit)
        .sort((a, b) => cmp(a.scope, b.scope) || cmp(a.scopeId, b.scopeId) || cmp(a.period, b.period));
    });
  }

  async reserve(request: ReserveRequest): Promise<ReserveResult> {
    const ask = askOf(request);
    const now = request.now ?? Date.now();
    const keys = counterKeysFor(request.scopes, now);
    const id = randomUUID();
    const expiresAt = now + (request.ttlMs ?? DEFAULT_TTL_MS);
    const reply = (await this.#call('reserve', () =>
      RESERVE.run(
        this.#redis,
        [
          this.#keys.reservation(id),
          this.#keys.open,
          ...keys.map((k) => this.#keys.counter(k)),
          ...keys.map((k) => this.#keys.limit(k.scope, k.scopeId, k.period)),
        ],
        [
          keys.length,
          ask.costNano.toString(),
          ask.tokens,
          ask.requests,
          id,
          now,
          expiresAt,
          encodeCounters(keys),
          ...keys.map((k) => COUNTER_LIFETIME[k.period]),
        ],
      ),
    )) as string[];
    if (reply[0] === '1') return { ok: true, reservationId: id };
    const states = keys.map((key, i) =>
      counterState(key, reply.slice(1 + i * RESERVE_STRIDE, 1 + (i + 1) * RESERVE_STRIDE)),
    );
    const rejection = checkReserve(states, ask);
    if (!rejection) throw new RedisCommandError('budget reserve script refused a reservation that every limit allows');
    return rejection;
  }

  async settle(reservationId: string, actual: ActualSpend, now?: number): Promise<ThresholdEvent[]> {
    return this.#close(reservationId, spendOf(actual), 'settled', now ?? Date.now());
  }

  async release(reservationId: string, now?: number): Promise<ThresholdEvent[]> {
    return this.#close(reservationId, { costNano: 0n, tokens: 0 }, 'released', now ?? Date.now());
  }

  /** Runs the close script for a reservation; undefined when the reservation does not exist. */
  async #runClose(
    id: string,
    mode: 'settled' | 'released' | 'expired',
    actual: { costNano: bigint; tokens: number },
    now: number,
  ): Promise<{ reply: string[]; counters: CounterKey[] } | undefined> {
    const record = (await this.#redis.hgetall(this.#keys.reservation(id))) as Row;
    if (!record.state) return undefined;
    const { state, counters } = recordToReservation(record);
    if (state === 'settled' || state === 'released' || (mode === 'expired' && state !== 'open')) {
      return { reply: ['closed'], counters };
    }
    const retain = this.#options.retainClosedMs ?? DEFAULT_RETAIN_MS;
    const reply = (await CLOSE.run(
      this.#redis,
      [
        this.#keys.reservation(id),
        this.#keys.open,
        this.#keys.closed,
        ...counters.map((k) => this.#keys.counter(k)),
        ...counters.map((k) => this.#keys.limit(k.scope, k.scopeId, k.period)),
      ],
      [
        counters.length,
        mode,
        now,
        actual.costNano.toString(),
        actual.tokens,
        id,
        retain + DAY,
        ...counters.map((k) => COUNTER_LIFETIME[k.period]),
      ],
    )) as string[];
    return reply[0] === 'unknown' ? undefined : { reply, counters };
  }

  async #close(
    id: string,
    actual: { costNano: bigint; tokens: number },
    mode: 'settled' | 'released',
    now: number,
  ): Promise<ThresholdEvent[]> {
    const events = await this.#call(mode === 'settled' ? 'settle' : 'release', async () => {
      const closed = await this.#runClose(id, mode, actual, now);
      if (!closed) throw new UnknownReservationError(`unknown budget reservation ${id}`);
      if (closed.reply[0] !== 'ok') return [];
      const out: ThresholdEvent[] = [];
      for (const { key, state, gen } of closedCounters(closed.counters, closed.reply)) {
        const crossing = newCrossings(state);
        if (crossing.events.length === 0) continue;
        const before = Number(
          await CLAIM_ALERT.run(
            this.#redis,
            [this.#keys.counter(key), this.#keys.limit(key.scope, key.scopeId, key.period)],
            [crossing.alertedPercent, gen],
          ),
        );
        out.push(...crossing.events.filter((event) => Math.round(event.share * 100) > before));
      }
      return out;
    });
    notify(this.#options, events);
    return events;
  }

  async usage(scope: BudgetScope, scopeId: string, period: BudgetPeriod, now?: number): Promise<BudgetUsage> {
    const key = { scope, scopeId, period, periodKey: periodKey(period, now ?? Date.now()) };
    return this.#call('usage', async () => {
      const [counter, limit] = await Promise.all([
        this.#redis.hmget(this.#keys.counter(key), ...COUNTER_FIELDS.slice(0, 5)),
        this.#redis.hgetall(this.#keys.limit(scope, scopeId, period)) as Promise<Row>,
      ]);
      const state = counter.every((v) => v === null)
        ? emptyCounter(key)
        : counterState(key, [...counter.map((v) => v ?? '0'), '', '', '', '']);
      return toUsage(state, limit.period ? recordToLimit(limit) : undefined);
    });
  }

  async sweep(now?: number): Promise<number> {
    const at = now ?? Date.now();
    return this.#call('sweep', async () => {
      let released = 0;
      // Bounded: each round removes every id it read from the open index (expired, or found closed or missing).
      for (let round = 0; round < 10_000; round++) {
        const ids = await this.#redis.zrangebyscore(this.#keys.open, '-inf', at, 'LIMIT', 0, SWEEP_BATCH);
        for (const id of ids) {
          const closed = await this.#runClose(id, 'expired', { costNano: 0n, tokens: 0 }, at);
          if (closed?.reply[0] === 'ok') released++;
          else await this.#redis.zrem(this.#keys.open, id);
        }
        if (ids.length < SWEEP_BATCH) break;
      }
      const cutoff = at - (this.#options.retainClosedMs ?? DEFAULT_RETAIN_MS);
      for (let round = 0; round < 10_000; round++) {
        const ids = await this.#redis.zrangebyscore(this.#keys.closed, '-inf', `(${cutoff}`, 'LIMIT', 0, SWEEP_BATCH);
        if (ids.length === 0) break;
        const multi = this.#redis.multi();
        for (const id of ids) multi.del(this.#keys.reservation(id));
        await this.#exec(multi.zrem(this.#keys.closed, ...ids));
        if (ids.length < SWEEP_BATCH) break;
      }
      return released;
    });
  }

  /** Closes the connection when this store owns it. */
  async close(): Promise<void> {
    if (this.#options.ownsConnection) await closeRedis(this.#redis);
  }
}
