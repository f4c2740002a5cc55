import type { Caller, VirtualKey } from '../keys/key-types.js';
import type { Logger } from '../logging/logger.js';
import type { Accounting, RequestRecord, Reservation, ReserveOutcome } from '../server/services.js';
import type { BatchWriter } from '../stores/batch-writer.js';
import type { BudgetStore } from '../stores/budget-store.js';
import {
  type BudgetLimit,
  type BudgetPeriod,
  type BudgetScope,
  GLOBAL_ID,
  type ScopeRef,
} from '../stores/budget-types.js';
import type { LedgerFilter, LedgerGroupBy } from '../stores/ledger-types.js';
import { costToNano, nanoToUsdString, usdToNano } from '../stores/nano.js';
import type { Stores } from '../stores/open-stores.js';
import { buildReport, type Report } from '../stores/reports.js';
import { generationRecord } from './generation-record.js';
import { ledgerRows } from './ledger-rows.js';

const PERIODS: readonly BudgetPeriod[] = ['day', 'month', 'total'];
const nanoToUsd = (nano: bigint) => Number(nanoToUsdString(nano));

/** Start (UTC) of the current day, week (from Monday, as OpenRouter counts) or month. */
function startOf(period: 'day' | 'week' | 'month', now: number): number {
  const d = new Date(now);
  const day = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
  if (period === 'day') return day;
  if (period === 'week') return day - ((d.getUTCDay() + 6) % 7) * 86_400_000;
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
}

/** The scopes (`scope:scopeId`) that have a budget limit, each with whether it caps cost (not only tokens/requests). */
type LimitedScopes = Map<string, boolean>;

/**
 * Accounting over the persistent stores: budget reservations in the budget store (SQLite, PostgreSQL, or Redis when
 * shared state is configured), ledger rows through the batch writer (never on the request path).
 *
 * A request whose scopes (key, user, global) have no limit at all reserves nothing — there is nothing to enforce and
 * the ledger still records it — which keeps the store off the hot path of unlimited traffic. The set of limits is
 * cached for `limitsCacheMs` (1 s); changes made through this gateway apply at once, a key's own budget always.
 */
export class StoreAccounting implements Accounting {
  #limited: Promise<LimitedScopes> | undefined;
  /** What `#limited` resolved to, while it is the current answer (read without a promise on the request path). */
  #limitedNow: LimitedScopes | undefined;
  #limitedAt = 0;

  constructor(
    private readonly stores: Stores,
    private readonly writer: BatchWriter,
    private readonly logger: Logger,
    private readonly limitsCacheMs = 1_000,
  ) {}

  private limited(now = Date.now()): LimitedScopes | Promise<LimitedScopes> {
    if (!this.#limited || now - this.#limitedAt > this.limitsCacheMs) {
      this.#limitedAt = now;
      this.#limitedNow = undefined;
      const asked = this.stores.budgets.limits().then((limits) => {
        const scopes: LimitedScopes = new Map();
        for (const l of limits) {
          const id = `${l.scope}:${l.scopeId}`;
          scopes.set(id, scopes.get(id) === true || l.maxCostNano !== undefined);
        }
        return scopes;
      });
      this.#limited = asked;
      asked.then(
        (set) => {
          if (this.#limited === asked) this.#limitedNow = set;
        },
        () => {
          if (this.#limited === asked) this.#limited = undefined;
        },
      );
    }
    return this.#limitedNow ?? this.#limited;
  }

  /** Limits changed through this gateway: the next request reads them afresh. */
  private forgetLimits(): void {
    this.#limited = undefined;
    this.#limitedNow = undefined;
  }

  private scopes(caller: Caller): ScopeRef[] {
    const scopes: ScopeRef[] = [];
    if (caller.kind === 'key') scopes.push({ scope: 'key', scopeId: caller.key.id });
    if (caller.userId) scopes.push({ scope: 'user', scopeId: caller.userId });
    return scopes;
  }

  reserve(caller: Caller, worstCaseUsd: number | undefined, tokens: number): ReserveOutcome | Promise<ReserveOutcome> {
    const limited = this.limited();
    return limited instanceof Promise
      ? limited.then((set) => this.reserveWith(set, caller, worstCaseUsd, tokens))
      : this.reserveWith(limited, caller, worstCaseUsd, tokens);
  }

  private reserveWith(
    limited: LimitedScopes,
    caller: Caller,
    worstCaseUsd: number | undefined,
    tokens: number,
  ): ReserveOutcome | Promise<ReserveOutcome> {
    const scopes = this.scopes(caller);
    // A key's own budget travels with the key record (read fresh per request), so a key created or changed by
    // another process is enforced at once; user and global limits come from the cached set.
    const keyBudget = caller.kind === 'key' ? caller.key.budget : undefined;
    const applying = [{ scope: 'global', scopeId: GLOBAL_ID }, ...scopes]
      .map((s) => `${s.scope}:${s.scopeId}`)
      .filter((id) => limited.has(id));
    if (!keyBudget && applying.length === 0) return { ok: true };
    if (worstCaseUsd === undefined) {
      // No prices to reckon the worst case with: a cost cap could only be enforced after the fact, so it refuses.
      const capped = keyBudget ? `key:${keyBudget.period}` : applying.find((id) => limited.get(id));
      if (capped)
        return { ok: false, reason: 'no prices to reckon the worst case with', scope: capped, pricesUnknown: true };
    }
    return this.reserveInStore(scopes, worstCaseUsd ?? 0, tokens);
  }

  private async reserveInStore(scopes: ScopeRef[], worstCaseUsd: number, tokens: number): Promise<ReserveOutcome> {
    const result = await this.stores.budgets.reserve({
      scopes,
      costNano: costToNano(worstCaseUsd),
      tokens: Math.max(0, Math.ceil(tokens)),
    });
    if (result.ok) return { ok: true, reservation: { id: result.reservationId } };
    return { ok: false, reason: result.reason, scope: `${result.limit.scope}:${result.limit.period}` };
  }

  async settle(reservation: Reservation | undefined, actualUsd: number, tokens: number): Promise<void> {
    if (!reservation) return;
    await this.stores.budgets.settle(reservation.id, {
      costNano: costToNano(actualUsd),
      tokens: Math.max(0, Math.round(tokens)),
    });
  }

  async release(reservation: Reservation | undefined): Promise<void> {
    if (reservation) await this.stores.budgets.release(reservation.id);
  }

  record(record: RequestRecord): void {
    try {
      for (const row of ledgerRows(record)) this.writer.enqueue(row);
    } catch (error) {
      // Admission refuses new work when the queue is full (see `accepting`); this is the last line of defence.
      this.logger.error({ err: error, requestId: record.requestId }, 'ledger rows could not be queued');
    }
  }

  accepting(): boolean {
    const { queued } = this.writer.stats;
    return queued < 90_000;
  }

  async generation(id: string, caller: Caller): Promise<Record<string, unknown> | undefined> {
    await this.writer.flush();
    const rows = await this.stores.ledger.query({ generationId: id });
    const first = rows[0];
    if (!first) return undefined;
    // A key sees only its own generations; open access (loopback, no keys) sees all.
    if (caller.kind === 'key' && first.keyId !== caller.key.id) return undefined;
    const attempts = await this.stores.ledger.query({ requestId: first.requestId });
    return generationRecord(id, attempts);
  }

  async usage(caller: Caller, now = Date.now()) {
    await this.writer.flush();
    const filter = caller.kind === 'key' ? { keyId: caller.key.id } : {};
    const spend = async (from?: number) => {
      const rows = await this.stores.ledger.totals('key', { ...filter, ...(from === undefined ? {} : { from }) });
      return rows.reduce((sum, r) => ({ usd: sum.usd + nanoToUsd(r.costNano), requests: sum.requests + r.requests }), {
        usd: 0,
        requests: 0,
      });
    };
    const [today, week, month, total] = await Promise.all([
      spend(startOf('day', now)),
      spend(startOf('week', now)),
      spend(startOf('month', now)),
      spend(),
    ]);
    return {
      todayUsd: today.usd,
      weekUsd: week.usd,
      monthUsd: month.usd,
      totalUsd: total.usd,
      requestsToday: today.requests,
    };
  }

  async applyKeyBudget(key: VirtualKey): Promise<void> {
    await applyKeyBudget(this.stores.budgets, key);
    this.forgetLimits();
  }

  limits(): Promise<BudgetLimit[]> {
    return this.stores.budgets.limits();
  }

  async setLimit(limit: BudgetLimit): Promise<void> {
    await this.stores.budgets.setLimit(limit);
    this.forgetLimits();
  }

  async removeLimit(scope: BudgetScope, scopeId: string, period: BudgetPeriod): Promise<void> {
    await this.stores.budgets.removeLimit(scope, scopeId, period);
    this.forgetLimits();
  }

  async report(groupBy: LedgerGroupBy, filter: LedgerFilter): Promise<Report> {
    await this.writer.flush();
    return buildReport(this.stores.ledger, groupBy, filter);
  }

  /** Gives back reservations of requests that never settled (a crashed instance) and prunes closed ones. */
  sweep(): Promise<number> {
    return this.stores.budgets.sweep();
  }

  ping(): Promise<void> {
    return this.stores.ledger.ping();
  }

  async close(): Promise<void> {
    try {
      await this.writer.close();
    } finally {
      await this.stores.close();
    }
  }
}

/** Makes the budget store's limits for a key match its `budget` (one period; limits of the other periods removed). */
export async function applyKeyBudget(budgets: BudgetStore, key: VirtualKey): Promise<void> {
  for (const period of PERIODS) {
    if (key.budget?.period === period) {
      const limit: BudgetLimit = { scope: 'key', scopeId: key.id, period, maxCostNano: usdToNano(key.budget.usd) };
      await budgets.setLimit(limit);
    } else {
      await budgets.removeLimit('key', key.id, period);
    }
  }
}
