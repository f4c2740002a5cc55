/**
 * Where the Redis budget store keeps things, and how the scripts' flat string replies become the shared
 * `CounterState` the pure budget logic works on.
 *
 * Keys (inside the connection's prefix, under the store's namespace, default `budget:`):
 *   l:<scope>:<scopeId>:<period>               hash   limit: max_cost_nano, max_tokens, max_requests, gen
 *   limits                                     set    JSON [scope, scopeId, period] of every limit
 *   c:<scope>:<scopeId>:<period>:<periodKey>   hash   counter: spent, tokens, requests, reserved, rtokens, alerted, agen
 *   r:<id>                                     hash   reservation (the columns of the SQL table)
 *   open / closed                              zsets  reservation ids by expiry / by closing time
 * Scope ids and reservation ids are URI-encoded, so no id can produce another's key.
 */
import type { CounterKey, CounterState } from '../budget-logic.js';
import { recordToCounter } from '../budget-records.js';
import type { BudgetPeriod, BudgetScope } from '../budget-types.js';
import { CLOSE_STRIDE } from './budget-scripts.js';

const DAY = 86_400_000;

/**
 * How long a counter lives after its last write ('' = forever). Relative (PEXPIRE), so neither an injected clock
 * nor a skewed Redis clock can expire a live counter. Long enough for late settlements (closed reservations are
 * kept 7 days by default) and for `usage` of recent periods; the ledger keeps the history for good.
 */
export const COUNTER_LIFETIME: Record<BudgetPeriod, string> = {
  day: String(35 * DAY),
  month: String(400 * DAY),
  total: '',
};

export class BudgetKeys {
  readonly limits: string;
  readonly open: string;
  readonly closed: string;

  constructor(readonly namespace: string) {
    this.limits = `${namespace}limits`;
    this.open = `${namespace}open`;
    this.closed = `${namespace}closed`;
  }

  limit(scope: BudgetScope, scopeId: string, period: BudgetPeriod): string {
    return `${this.namespace}l:${scope}:${encodeURIComponent(scopeId)}:${period}`;
  }

  counter(k: CounterKey): string {
    return `${this.namespace}c:${k.scope}:${encodeURIComponent(k.scopeId)}:${k.period}:${k.periodKey}`;
  }

  reservation(id: string): string {
    return `${this.namespace}r:${encodeURIComponent(id)}`;
  }
}

const orNull = (value: string | undefined): string | null => (value === undefined || value === '' ? null : value);

/**
 * A counter state from script output: `[spent, tokens, requests, reserved, rtokens, period, maxCost, maxTokens,
 * maxRequests]` ('' where absent; a limit exists when its period is set). `alertedPercent` is the stored mark only
 * when it was left under the limit's current generation — `setLimit` re-arms alerts by starting a new generation.
 */
export function counterState(
  key: CounterKey,
  values: string[],
  alert?: { alerted: string; agen: string; gen: string },
): CounterState {
  const [spent, tokens, requests, reserved, rtokens, period, maxCost, maxTokens, maxRequests] = values;
  return recordToCounter({
    scope: key.scope,
    scope_id: key.scopeId,
    period: key.period,
    period_key: key.periodKey,
    spent_cost_nano: spent || '0',
    spent_tokens: tokens || '0',
    requests: requests || '0',
    reserved_cost_nano: reserved || '0',
    reserved_tokens: rtokens || '0',
    alerted_percent: alert && alert.gen !== '' && alert.agen === alert.gen ? alert.alerted || '0' : '0',
    limit_period: orNull(period),
    max_cost_nano: orNull(maxCost),
    max_tokens: orNull(maxTokens),
    max_requests: orNull(maxRequests),
  });
}

/** The counters of an `{'ok', …}` close reply, each with its limit's generation (for claiming alerts). */
export function closedCounters(
  counters: CounterKey[],
  reply: string[],
): { key: CounterKey; state: CounterState; gen: string }[] {
  return counters.map((key, i) => {
    const v = reply.slice(1 + i * CLOSE_STRIDE, 1 + (i + 1) * CLOSE_STRIDE);
    const [spent = '', tokens = '', requests = '', reserved = '', rtokens = '', alerted = '', agen = ''] = v;
    const [period = '', maxCost = '', maxTokens = '', maxRequests = '', gen = ''] = v.slice(7);
    const usage = [spent, tokens, requests, reserved, rtokens, period, maxCost, maxTokens, maxRequests];
    return { key, state: counterState(key, usage, { alerted, agen, gen }), gen };
  });
}
