/** The ledger contract's fixture: a scenario of attempts, and a plain-JS oracle for the totals over it. */

import type { LedgerRow, ReportRow } from '../../src/stores/ledger-types.js';
import { DAY, T0 } from './contract-target.js';
import { makeRow } from './rows.js';

/** Obviously-correct aggregation in plain JS: the oracle for `totals`. */
export function reference(rows: LedgerRow[], key: (r: LedgerRow) => string): ReportRow[] {
  const groups = new Map<string, { report: ReportRow; succeeded: Set<string> }>();
  for (const r of rows) {
    const group = key(r);
    let g = groups.get(group);
    if (!g) {
      g = {
        report: {
          group,
          requests: 0,
          attempts: 0,
          failures: 0,
          promptTokens: 0,
          completionTokens: 0,
          cachedTokens: 0,
          reasoningTokens: 0,
          costNano: 0n,
          savingsNano: 0n,
        },
        succeeded: new Set(),
      };
      groups.set(group, g);
    }
    const t = g.report;
    if (r.outcome === 'success') g.succeeded.add(r.requestId);
    t.requests = g.succeeded.size;
    t.attempts++;
    if (['retry', 'fallback', 'failed'].includes(r.outcome)) t.failures++;
    t.promptTokens += r.promptTokens;
    t.completionTokens += r.completionTokens;
    t.cachedTokens += r.cachedTokens;
    t.reasoningTokens += r.reasoningTokens;
    t.costNano += r.costReportedNano ?? r.costComputedNano ?? 0n;
    t.savingsNano += r.savingsNano ?? 0n;
  }
  return [...groups.values()].map((g) => g.report).sort((a, b) => (a.group < b.group ? -1 : 1));
}

/** Attempts of five requests across two days: fallbacks, retries, a hedge loser, a skip, missing ids and costs. */
export function scenario(): LedgerRow[] {
  const d1 = T0;
  const d2 = T0 + DAY;
  const base = { keyId: 'k1', userId: 'u1', at: d1 };
  return [
    // A: rate-limited on m-a, served by the fallback m-b.
    makeRow({
      ...base,
      requestId: 'A',
      modelRequested: 'm-a',
      modelServed: undefined,
      provider: 'P1',
      outcome: 'fallback',
      code: 'rate_limited',
      status: 429,
      promptTokens: 0,
      completionTokens: 0,
      costReportedNano: undefined,
    }),
    makeRow({
      ...base,
      requestId: 'A',
      modelRequested: 'm-a',
      modelServed: 'm-b',
      provider: 'P2',
      fallbackPosition: 1,
      costReportedNano: 3_000n,
      costComputedNano: 2_900n,
      savingsNano: 100n,
      cachedTokens: 50,
      reasoningTokens: 5,
    }),
    // B: only a computed cost.
    makeRow({
      ...base,
      requestId: 'B',
      userId: 'u2',
      modelRequested: 'm-a',
      modelServed: 'm-a',
      provider: 'P1',
      costReportedNano: undefined,
      costComputedNano: 1_500n,
    }),
    // C: a partial retry, the success, and a hedge that lost.
    makeRow({
      at: d2,
      keyId: 'k2',
      requestId: 'C',
      modelRequested: 'm-a',
      modelServed: 'm-a',
      provider: 'P1',
      outcome: 'retry',
      code: 'server_error',
      status: 502,
      completionTokens: 10,
      costReportedNano: 200n,
    }),
    makeRow({ at: d2, keyId: 'k2', requestId: 'C', modelRequested: 'm-a', modelServed: 'm-a', provider: 'P1' }),
    makeRow({
      at: d2,
      keyId: 'k2',
      requestId: 'C',
      modelRequested: 'm-a',
      modelServed: 'm-a',
      provider: 'P3',
      outcome: 'hedge_lost',
      code: 'aborted',
      costReportedNano: 50n,
    }),
    // D: no key, no user, no upstream provider; skipped by a breaker, then failed.
    makeRow({
      at: d2,
      requestId: 'D',
      modelRequested: 'm-c',
      modelServed: undefined,
      provider: undefined,
      backend: 'simulator',
      outcome: 'skipped',
      code: 'circuit_open',
      status: undefined,
      promptTokens: 0,
      completionTokens: 0,
      costReportedNano: undefined,
      ttftMs: undefined,
    }),
    makeRow({
      at: d2,
      requestId: 'D',
      modelRequested: 'm-c',
      modelServed: undefined,
      provider: undefined,
      backend: 'simulator',
      outcome: 'failed',
      code: 'timeout',
      status: 504,
      costReportedNano: undefined,
      stream: false,
    }),
  ];
}
