/**
 * The store contract, run against every backend (sqlite.test.ts, postgres.test.ts) with real databases. Each
 * function registers describe blocks; `target` supplies fresh databases and opens stores on them.
 */

import { afterEach, describe, expect, it } from 'vitest';
import { BatchWriter } from '../../src/stores/batch-writer.js';
import type { ThresholdEvent } from '../../src/stores/budget-types.js';
import type { LedgerRow, ReportRow } from '../../src/stores/ledger-types.js';
import type { OpenStoresOptions, Stores } from '../../src/stores/open-stores.js';
import { buildReport, ledgerToCsv, reportToJson, toCsv, toJson } from '../../src/stores/reports.js';
import { SQLITE_MIGRATIONS } from '../../src/stores/sqlite/migrations.js';
import { UnknownReservationError } from '../../src/stores/store-errors.js';
import { makeRow } from './rows.js';

export interface ContractTarget {
  name: string;
  /** Location (file path or URL) of a new, empty database. */
  fresh(): Promise<string>;
  open(location: string, options?: OpenStoresOptions): Promise<Stores>;
  /** Rows of schema_migrations, read with a separate connection. */
  migrationVersions(location: string): Promise<number[]>;
}

/** A backend that holds the ledger: it can also lay down an older schema, to test upgrading it. */
export interface LedgerContractTarget extends ContractTarget {
  /**
   * Leaves at `location` (a fresh database) what an earlier switchyard left: this backend's migrations up to
   * `version` only, then `sql` (rows written by that version), run with a separate connection.
   */
  createOld(location: string, version: number, sql: string): Promise<void>;
}

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 10, 21, 10, 0, 0);

/** Opens stores and closes them after each test, pass or fail. */
function opener(target: ContractTarget) {
  const open: Stores[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((s) => s.close()));
  });
  return async (location?: string, options?: OpenStoresOptions): Promise<Stores> => {
    const stores = await target.open(location ?? (await target.fresh()), options);
    open.push(stores);
    return stores;
  };
}

/** Obviously-correct aggregation in plain JS: the oracle for `totals`. */
function reference(rows: LedgerRow[], key: (r: LedgerRow) => string): ReportRow[] {
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
function scenario(): LedgerRow[] {
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

export function ledgerContract(target: LedgerContractTarget): void {
  describe(`ledger contract: ${target.name}`, () => {
    const open = opener(target);

    it('round-trips every field, keeping absent optional fields absent', async () => {
      const { ledger } = await open();
      const full = makeRow({
        at: T0,
        generationId: 'gen-1',
        keyId: 'k',
        userId: 'u',
        code: 'x',
        costComputedNano: 7n,
        savingsNano: 3n,
        reasoningTokens: 4,
        cacheWriteTokens: 6,
        cachedTokens: 2,
        rowKey: 'row-key-full',
        finishReason: 'length',
        nativeFinishReason: 'max_tokens',
        isByok: true,
        // Above 2^53: money stays exact in the new column too.
        upstreamCostNano: 2n ** 53n + 1n,
      });
      // `false` is an answer, not the absence of one: it must not come back absent.
      const notByok = makeRow({ at: T0 + 2, finishReason: 'tool_calls', isByok: false });
      const minimal: LedgerRow = {
        at: T0 + 1,
        requestId: 'min',
        modelRequested: 'm',
        backend: 'simulator',
        outcome: 'failed',
        promptTokens: 0,
        completionTokens: 0,
        cachedTokens: 0,
        cacheWriteTokens: 0,
        reasoningTokens: 0,
        latencyMs: 12.6,
        stream: false,
        fallbackPosition: 2,
      };
      await ledger.append([full, minimal, notByok]);
      await ledger.append([]);
      const rows = await ledger.query();
      expect(rows).toEqual([full, { ...minimal, latencyMs: 13 }, notByok]);
      expect(Object.keys(rows[1]!)).not.toContain('keyId');
      expect(Object.keys(rows[1]!)).not.toContain('isByok');
    });

    it('upgrades a ledger of schema version 4 in place: its rows stay, with the new fields absent', async () => {
      const location = await target.fresh();
      // A row as the previous release wrote it. `1 = 1` is a boolean on PostgreSQL and 1 on SQLite.
      await target.createOld(
        location,
        4,
        `INSERT INTO ledger (at, day, request_id, generation_id, model_requested, model_served, backend, outcome,
           prompt_tokens, completion_tokens, cached_tokens, cache_write_tokens, reasoning_tokens, cost_reported_nano,
           latency_ms, stream, fallback_position, row_key)
         VALUES (${T0}, '2026-11-21', 'old', 'gen-old', 'm', 'm', 'openrouter', 'success', 10, 5, 0, 0, 0, 1234,
           50, 1 = 1, 0, 'old-key')`,
      );
      const { ledger } = await open(location);
      expect(await target.migrationVersions(location)).toEqual(SQLITE_MIGRATIONS.map((m) => m.version));
      const old: LedgerRow = {
        at: T0,
        requestId: 'old',
        generationId: 'gen-old',
        modelRequested: 'm',
        modelServed: 'm',
        backend: 'openrouter',
        outcome: 'success',
        promptTokens: 10,
        completionTokens: 5,
        cachedTokens: 0,
        cacheWriteTokens: 0,
        reasoningTokens: 0,
        costReportedNano: 1234n,
        latencyMs: 50,
        stream: true,
        fallbackPosition: 0,
        rowKey: 'old-key',
      };
      const answered = makeRow({
        at: T0 + 1,
        modelServed: 'm',
        rowKey: 'new-key',
        finishReason: 'length',
        nativeFinishReason: 'MAX_TOKENS',
        isByok: true,
        upstreamCostNano: 4_321n,
      });
      await ledger.append([answered]);
      expect(await ledger.query()).toEqual([old, answered]);
      expect((await ledger.totals('model')).map((r) => [r.group, r.attempts, r.costNano])).toEqual([
        ['m', 2, 1234n + answered.costReportedNano!],
      ]);
    });

    it('stores a keyed row once however often it is appended; rows without a key are all kept', async () => {
      const { ledger } = await open();
      const keyed = [makeRow({ requestId: 'a', rowKey: 'k-1' }), makeRow({ requestId: 'b', rowKey: 'k-2' })];
      await ledger.append(keyed);
      // The same batch again (its acknowledgement was lost), now with a row that came after it.
      await ledger.append([...keyed, makeRow({ requestId: 'c', rowKey: 'k-3' })]);
      const unkeyed = makeRow({ requestId: 'legacy' });
      await ledger.append([unkeyed, unkeyed]);
      const rows = await ledger.query();
      expect(rows.map((r) => [r.requestId, r.rowKey])).toEqual([
        ['a', 'k-1'],
        ['b', 'k-2'],
        ['c', 'k-3'],
        ['legacy', undefined],
        ['legacy', undefined],
      ]);
    });

    it('filters by time (from inclusive, to exclusive), key, user and model; orders and limits', async () => {
      const { ledger } = await open();
      const rows = scenario();
      await ledger.append(rows);
      const ids = (list: LedgerRow[]) => list.map((r) => `${r.requestId}:${r.outcome}`);
      expect(await ledger.query({ from: T0 + DAY })).toHaveLength(5);
      expect(await ledger.query({ to: T0 + DAY })).toHaveLength(3);
      expect(await ledger.query({ from: T0, to: T0 + 1 })).toHaveLength(3);
      expect(ids(await ledger.query({ keyId: 'k2' }))).toEqual(['C:retry', 'C:success', 'C:hedge_lost']);
      expect(ids(await ledger.query({ userId: 'u2' }))).toEqual(['B:success']);
      // `model` matches the requested or the served model.
      expect(ids(await ledger.query({ model: 'm-b' }))).toEqual(['A:success']);
      expect(await ledger.query({ model: 'm-a' })).toHaveLength(6);
      expect(ids(await ledger.query({ limit: 2 }))).toEqual(['A:fallback', 'A:success']);
      expect(ids(await ledger.query({ limit: 2, order: 'desc' }))).toEqual(['D:failed', 'D:skipped']);
      expect(await ledger.query({ keyId: 'k1', from: T0 + DAY })).toEqual([]);
      expect(ids(await ledger.query({ requestId: 'C' }))).toEqual(['C:retry', 'C:success', 'C:hedge_lost']);
      await ledger.append([makeRow({ requestId: 'E', generationId: 'gen-E' })]);
      expect(ids(await ledger.query({ generationId: 'gen-E' }))).toEqual(['E:success']);
    });

    it('totals for every grouping match a plain-JS oracle', async () => {
      const { ledger } = await open();
      const rows = scenario();
      await ledger.append(rows);
      const keys = {
        model: (r: LedgerRow) => r.modelServed ?? r.modelRequested,
        day: (r: LedgerRow) => new Date(r.at).toISOString().slice(0, 10),
        key: (r: LedgerRow) => r.keyId ?? '(none)',
        user: (r: LedgerRow) => r.userId ?? '(none)',
        provider: (r: LedgerRow) => r.provider ?? r.backend,
      } as const;
      for (const [groupBy, key] of Object.entries(keys)) {
        expect(await ledger.totals(groupBy as keyof typeof keys), groupBy).toEqual(reference(rows, key));
      }
      // Spot checks of the definitions, independent of the oracle.
      const byModel = await ledger.totals('model');
      expect(byModel.map((r) => [r.group, r.requests, r.attempts, r.failures])).toEqual([
        ['m-a', 2, 5, 2],
        ['m-b', 1, 1, 0],
        ['m-c', 0, 2, 1],
      ]);
      expect(byModel.find((r) => r.group === 'm-b')).toMatchObject({
        costNano: 3_000n,
        savingsNano: 100n,
        cachedTokens: 50,
      });
      expect((await ledger.totals('day')).map((r) => r.group)).toEqual(['2026-11-21', '2026-11-22']);
      expect((await ledger.totals('provider')).map((r) => r.group)).toEqual(['P1', 'P2', 'P3', 'simulator']);
      expect(await ledger.totals('key', { from: T0 + DAY, keyId: 'k2' })).toEqual(
        reference(
          rows.filter((r) => r.keyId === 'k2'),
          keys.key,
        ),
      );
      expect(await ledger.totals('model', { model: 'nope' })).toEqual([]);
    });

    it('keeps money exact over 10k rows written through the BatchWriter (no float drift, > 2^53 intact)', async () => {
      const { ledger } = await open();
      const writer = new BatchWriter(ledger, { maxBatch: 500, flushMs: 5 });
      let expected = 0n;
      let savings = 0n;
      for (let i = 0; i < 10_000; i++) {
        // 0.1 USD + i nano: summing these as floats in USD drifts; as integers it cannot.
        const reported = i % 3 === 0 ? undefined : 100_000_000n + BigInt(i);
        const computed = 33_333_333n + BigInt(i);
        expected += reported ?? computed;
        savings += BigInt(i % 7);
        writer.enqueue(
          makeRow({
            requestId: `m${i}`,
            at: T0 + i,
            costReportedNano: reported,
            costComputedNano: computed,
            savingsNano: BigInt(i % 7),
          }),
        );
      }
      const huge = 2n ** 53n + 1n;
      writer.enqueue(makeRow({ requestId: 'huge', at: T0 + 20_000, costReportedNano: huge }));
      expected += huge;
      await writer.close();
      expect(writer.stats).toMatchObject({ queued: 0, written: 10_001, failed: 0 });
      const [total] = await ledger.totals('day');
      expect(total!.attempts).toBe(10_001);
      expect(total!.costNano).toBe(expected);
      expect(total!.savingsNano).toBe(savings);
      const [last] = await ledger.query({ order: 'desc', limit: 1 });
      expect(last!.costReportedNano).toBe(huge);
    }, 30_000);

    it('migrations are idempotent: reopening applies nothing and keeps the data', async () => {
      const location = await target.fresh();
      const first = await open(location);
      await first.ledger.append([makeRow({ requestId: 'keep' })]);
      await first.close();
      const second = await open(location);
      const third = await open(location);
      expect((await second.ledger.query()).map((r) => r.requestId)).toEqual(['keep']);
      await third.ledger.ping();
      expect(await target.migrationVersions(location)).toEqual(SQLITE_MIGRATIONS.map((m) => m.version));
    });

    it('ping resolves while open and rejects after close', async () => {
      const stores = await open();
      await stores.ledger.ping();
      await stores.close();
      await expect(stores.ledger.ping()).rejects.toThrow();
    });

    it('exports totals as CSV (quoted, formula-safe, 9-decimal USD) and JSON (exact strings)', async () => {
      const { ledger } = await open();
      await ledger.append([
        makeRow({ keyId: 'team "a", west', costReportedNano: 3_000n, savingsNano: 1_234_567_891n }),
        makeRow({ keyId: '=HYPERLINK("x")', costReportedNano: 12_345_678_901n }),
        makeRow({ keyId: 'plain', costReportedNano: undefined }),
      ]);
      const rows = await ledger.totals('key');
      const csv = toCsv(rows);
      const lines = csv.split('\r\n');
      expect(lines[0]).toBe(
        'group,requests,attempts,failures,prompt_tokens,completion_tokens,cached_tokens,reasoning_tokens,cost_usd,savings_usd',
      );
      expect(lines).toContain(`"'=HYPERLINK(""x"")",1,1,0,100,20,0,0,12.345678901,0.000000000`);
      expect(lines).toContain('plain,1,1,0,100,20,0,0,0.000000000,0.000000000');
      expect(lines).toContain('"team ""a"", west",1,1,0,100,20,0,0,0.000003000,1.234567891');
      expect(csv.endsWith('\r\n')).toBe(true);
      expect(lines).toHaveLength(5);

      const json = JSON.parse(toJson(rows));
      expect(json.find((r: { group: string }) => r.group === 'plain')).toEqual({
        group: 'plain',
        requests: 1,
        attempts: 1,
        failures: 0,
        promptTokens: 100,
        completionTokens: 20,
        cachedTokens: 0,
        reasoningTokens: 0,
        costUsd: '0.000000000',
        costNano: '0',
        savingsUsd: '0.000000000',
        savingsNano: '0',
      });
      const report = await buildReport(ledger, 'key');
      expect(report.total).toMatchObject({
        group: 'total',
        attempts: 3,
        costNano: 12_345_681_901n,
        savingsNano: 1_234_567_891n,
      });
      expect(JSON.parse(reportToJson(report)).total.costUsd).toBe('12.345681901');

      const raw = ledgerToCsv(await ledger.query());
      expect(raw.split('\r\n')[0]!.split(',')).toHaveLength(28);
      expect(raw).toContain('2026-11-21T12:00:00.000Z,');
      // The answer's columns come last; rows without them leave the cells empty.
      expect(raw.split('\r\n')[0]).toMatch(/,finish_reason,native_finish_reason,is_byok,upstream_cost_usd$/);
      expect(raw.split('\r\n')[1]).toMatch(/,0,,,,$/);
      await ledger.append([
        makeRow({
          requestId: 'byok',
          finishReason: 'length',
          nativeFinishReason: 'max_tokens',
          isByok: true,
          upstreamCostNano: 2_500n,
        }),
      ]);
      expect(ledgerToCsv(await ledger.query({ requestId: 'byok' })).split('\r\n')[1]).toMatch(
        /,length,max_tokens,true,0\.000002500$/,
      );
    });
  });
}

export function budgetContract(target: ContractTarget): void {
  describe(`budget contract: ${target.name}`, () => {
    const open = opener(target);
    const key = (id: string) => ({ scope: 'key' as const, scopeId: id });
    const user = (id: string) => ({ scope: 'user' as const, scopeId: id });

    it('stores, lists, replaces and removes limits; rejects invalid ones', async () => {
      const { budgets } = await open();
      await budgets.setLimit({ scope: 'key', scopeId: 'k1', period: 'day', maxCostNano: 5n, maxRequests: 3 });
      await budgets.setLimit({ scope: 'key', scopeId: 'k1', period: 'day', maxTokens: 9 });
      await budgets.setLimit({ scope: 'global', scopeId: '*', period: 'month', maxCostNano: 2n ** 62n });
      await budgets.setLimit({ scope: 'user', scopeId: 'u1', period: 'total', maxRequests: 1 });
      expect(await budgets.limits()).toEqual([
        { scope: 'global', scopeId: '*', period: 'month', maxCostNano: 2n ** 62n },
        { scope: 'key', scopeId: 'k1', period: 'day', maxTokens: 9 },
        { scope: 'user', scopeId: 'u1', period: 'total', maxRequests: 1 },
      ]);
      expect(await budgets.limits({ scope: 'key' })).toHaveLength(1);
      expect(await budgets.limits({ scopeId: 'u1' })).toHaveLength(1);
      await budgets.removeLimit('key', 'k1', 'day');
      expect(await budgets.limits({ scope: 'key' })).toEqual([]);
      await expect(budgets.setLimit({ scope: 'global', scopeId: 'x', period: 'day' })).rejects.toMatchObject({
        code: 'invalid_budget',
      });
      await expect(
        budgets.setLimit({ scope: 'key', scopeId: 'k', period: 'day', maxCostNano: -1n }),
      ).rejects.toMatchObject({ code: 'invalid_budget' });
      await expect(budgets.setLimit({ scope: 'key', scopeId: 'k', period: 'week' as 'day' })).rejects.toThrow(/period/);
    });

    it('reserves all or nothing across key, user and global scopes', async () => {
      const { budgets } = await open();
      await budgets.setLimit({ scope: 'key', scopeId: 'k1', period: 'day', maxCostNano: 1_000n });
      await budgets.setLimit({ scope: 'user', scopeId: 'u1', period: 'month', maxTokens: 1_000 });
      await budgets.setLimit({ scope: 'global', scopeId: '*', period: 'total', maxCostNano: 600n });
      const scopes = [key('k1'), user('u1')];
      const first = await budgets.reserve({ scopes, costNano: 500n, tokens: 100, now: T0 });
      expect(first.ok).toBe(true);
      // Fits the key (1000) and the user (tokens), but not the global total (600): nothing may change anywhere.
      const second = await budgets.reserve({ scopes, costNano: 200n, tokens: 100, now: T0 });
      expect(second).toMatchObject({
        ok: false,
        limit: { scope: 'global', scopeId: '*', period: 'total', maxCostNano: 600n },
        usedCostNano: 500n,
        usedRequests: 1,
      });
      if (!second.ok)
        expect(second.reason).toMatch(/global total budget .*0\.000000500 \+ 0\.000000200 USD exceeds 0\.000000600/);
      for (const [scope, id] of [
        ['key', 'k1'],
        ['user', 'u1'],
        ['global', '*'],
      ] as const) {
        for (const period of ['day', 'month', 'total'] as const) {
          expect(await budgets.usage(scope, id, period, T0), `${scope} ${period}`).toMatchObject({
            costNano: 0n,
            requests: 1,
            reservedCostNano: 500n,
            reservedTokens: 100,
          });
        }
      }
      // The key's own limit is reported first when it is the one broken.
      const third = await budgets.reserve({ scopes: [key('k1')], costNano: 501n, tokens: 0, now: T0 });
      expect(third).toMatchObject({ ok: false, limit: { scope: 'key', scopeId: 'k1' } });
      const tokens = await budgets.reserve({ scopes, costNano: 0n, tokens: 901, now: T0 });
      expect(tokens).toMatchObject({ ok: false, limit: { scope: 'user' }, usedTokens: 100 });
    });

    it('settles below and above the reservation (spend past the limit is still recorded)', async () => {
      const { budgets } = await open();
      await budgets.setLimit({ scope: 'key', scopeId: 'k', period: 'day', maxCostNano: 1_000n, maxTokens: 500 });
      const a = await budgets.reserve({ scopes: [key('k')], costNano: 600n, tokens: 300, now: T0 });
      if (!a.ok) throw new Error(a.reason);
      await budgets.settle(a.reservationId, { costNano: 250n, tokens: 120 }, T0);
      expect(await budgets.usage('key', 'k', 'day', T0)).toMatchObject({
        costNano: 250n,
        tokens: 120,
        requests: 1,
        reservedCostNano: 0n,
        reservedTokens: 0,
        limit: { maxCostNano: 1_000n },
      });
      const b = await budgets.reserve({ scopes: [key('k')], costNano: 700n, tokens: 300, now: T0 });
      if (!b.ok) throw new Error(b.reason);
      await budgets.settle(b.reservationId, { costNano: 1_900n, tokens: 900 }, T0);
      const used = await budgets.usage('key', 'k', 'day', T0);
      expect(used).toMatchObject({ costNano: 2_150n, tokens: 1_020, reservedCostNano: 0n });
      expect((await budgets.reserve({ scopes: [key('k')], costNano: 0n, tokens: 0, now: T0 })).ok).toBe(false);
      expect((await budgets.usage('global', '*', 'total', T0)).costNano).toBe(2_150n);
    });

    it('release gives cost and tokens back but the request still counts', async () => {
      const { budgets } = await open();
      await budgets.setLimit({ scope: 'key', scopeId: 'k', period: 'day', maxCostNano: 100n, maxRequests: 2 });
      const a = await budgets.reserve({ scopes: [key('k')], costNano: 100n, tokens: 10, now: T0 });
      if (!a.ok) throw new Error(a.reason);
      expect((await budgets.reserve({ scopes: [key('k')], costNano: 1n, tokens: 0, now: T0 })).ok).toBe(false);
      await budgets.release(a.reservationId, T0);
      expect(await budgets.usage('key', 'k', 'day', T0)).toMatchObject({
        costNano: 0n,
        tokens: 0,
        requests: 1,
        reservedCostNano: 0n,
      });
      expect((await budgets.reserve({ scopes: [key('k')], costNano: 100n, tokens: 0, now: T0 })).ok).toBe(true);
      // Two requests used: the cap holds even though the first one was released.
      const third = await budgets.reserve({ scopes: [key('k')], costNano: 0n, tokens: 0, now: T0 });
      expect(third).toMatchObject({ ok: false, usedRequests: 2 });
      if (!third.ok) expect(third.reason).toMatch(/requests 2 \+ 1 exceed 2/);
    });

    it('enforces daily request caps and rolls over at UTC midnight, months at the 1st, totals never', async () => {
      const { budgets } = await open();
      await budgets.setLimit({ scope: 'user', scopeId: 'u', period: 'day', maxRequests: 3 });
      await budgets.setLimit({ scope: 'user', scopeId: 'u', period: 'month', maxRequests: 5 });
      await budgets.setLimit({ scope: 'user', scopeId: 'u', period: 'total', maxRequests: 7 });
      const ask = (now: number) => budgets.reserve({ scopes: [user('u')], costNano: 0n, tokens: 0, now });
      const endOfDay = Date.UTC(2026, 10, 21, 23, 59, 59, 999);
      const results: boolean[] = [];
      for (let i = 0; i < 4; i++) results.push((await ask(endOfDay)).ok);
      expect(results).toEqual([true, true, true, false]);
      const nextDay = endOfDay + 1;
      expect((await ask(nextDay)).ok).toBe(true);
      expect((await ask(nextDay)).ok).toBe(true);
      // Month cap (5) reached on the second day.
      expect(await ask(nextDay)).toMatchObject({ ok: false, limit: { period: 'month' } });
      expect(await budgets.usage('user', 'u', 'day', nextDay)).toMatchObject({ requests: 2 });
      expect(await budgets.usage('user', 'u', 'day', endOfDay)).toMatchObject({ requests: 3 });
      const nextMonth = Date.UTC(2026, 11, 1);
      expect((await ask(nextMonth)).ok).toBe(true);
      expect((await ask(nextMonth)).ok).toBe(true);
      // The total cap (7) never rolls over.
      expect(await ask(Date.UTC(2027, 0, 15))).toMatchObject({ ok: false, limit: { period: 'total' } });
      expect(await budgets.usage('user', 'u', 'month', nextMonth)).toMatchObject({ requests: 2 });
      expect(await budgets.usage('user', 'u', 'total', nextMonth)).toMatchObject({ requests: 7 });
    });

    it('books spend in the periods current at reserve time', async () => {
      const { budgets } = await open();
      const late = Date.UTC(2026, 10, 30, 23, 59, 0);
      const r = await budgets.reserve({ scopes: [key('k')], costNano: 10n, tokens: 1, now: late });
      if (!r.ok) throw new Error(r.reason);
      await budgets.settle(r.reservationId, { costNano: 8n, tokens: 1 }, late + 120_000);
      expect((await budgets.usage('key', 'k', 'month', late)).costNano).toBe(8n);
      expect((await budgets.usage('key', 'k', 'month', late + 120_000)).costNano).toBe(0n);
    });

    it('tracks usage before a limit exists, so a limit set mid-period sees it', async () => {
      const { budgets } = await open();
      const r = await budgets.reserve({ scopes: [key('k')], costNano: 90n, tokens: 0, now: T0 });
      if (!r.ok) throw new Error(r.reason);
      await budgets.settle(r.reservationId, { costNano: 90n, tokens: 0 }, T0);
      expect(await budgets.usage('key', 'k', 'day', T0)).toEqual({
        costNano: 90n,
        tokens: 0,
        requests: 1,
        reservedCostNano: 0n,
        reservedTokens: 0,
      });
      await budgets.setLimit({ scope: 'key', scopeId: 'k', period: 'day', maxCostNano: 100n });
      expect((await budgets.reserve({ scopes: [key('k')], costNano: 11n, tokens: 0, now: T0 })).ok).toBe(false);
      expect((await budgets.reserve({ scopes: [key('k')], costNano: 10n, tokens: 0, now: T0 })).ok).toBe(true);
    });

    it('sweeps expired reservations; a late settle still books its spend; settle is idempotent', async () => {
      const { budgets } = await open();
      await budgets.setLimit({ scope: 'key', scopeId: 'k', period: 'day', maxCostNano: 100n });
      const a = await budgets.reserve({ scopes: [key('k')], costNano: 60n, tokens: 5, ttlMs: 1_000, now: T0 });
      const b = await budgets.reserve({ scopes: [key('k')], costNano: 40n, tokens: 5, ttlMs: 5_000, now: T0 });
      if (!a.ok || !b.ok) throw new Error('reserve failed');
      expect(await budgets.sweep(T0 + 999)).toBe(0);
      expect(await budgets.sweep(T0 + 1_000)).toBe(1);
      expect(await budgets.usage('key', 'k', 'day', T0)).toMatchObject({ reservedCostNano: 40n, reservedTokens: 5 });
      expect(await budgets.sweep(T0 + 1_500)).toBe(0);
      // The "crashed" gateway was only slow: its spend must not vanish, nor be given back twice.
      await budgets.settle(a.reservationId, { costNano: 55n, tokens: 3 }, T0 + 2_000);
      expect(await budgets.usage('key', 'k', 'day', T0)).toMatchObject({ costNano: 55n, reservedCostNano: 40n });
      await budgets.settle(b.reservationId, { costNano: 30n, tokens: 3 }, T0 + 2_000);
      await budgets.settle(b.reservationId, { costNano: 30n, tokens: 3 }, T0 + 2_000);
      await budgets.release(b.reservationId, T0 + 2_000);
      expect(await budgets.usage('key', 'k', 'day', T0)).toMatchObject({
        costNano: 85n,
        tokens: 6,
        reservedCostNano: 0n,
      });
      await expect(budgets.settle('no-such-id', { costNano: 1n, tokens: 0 })).rejects.toBeInstanceOf(
        UnknownReservationError,
      );
      await expect(budgets.release('no-such-id')).rejects.toMatchObject({ code: 'unknown_reservation' });
      // Closed reservations are pruned after the retention time; then the id is unknown.
      expect(await budgets.sweep(T0 + 8 * DAY)).toBe(0);
      await expect(budgets.settle(a.reservationId, { costNano: 1n, tokens: 0 })).rejects.toMatchObject({
        code: 'unknown_reservation',
      });
    });

    it('reports 50 / 80 / 100 % crossings once per period, through the callback and the settle result', async () => {
      const seen: ThresholdEvent[] = [];
      const { budgets } = await open(undefined, { onThreshold: (e) => seen.push(e) });
      await budgets.setLimit({ scope: 'key', scopeId: 'k', period: 'day', maxCostNano: 100n });
      const reserve = async (now = T0) => {
        const r = await budgets.reserve({ scopes: [key('k')], costNano: 0n, tokens: 0, now });
        if (!r.ok) throw new Error(r.reason);
        return r.reservationId;
      };
      const settle = async (id: string, costNano: bigint, now = T0) =>
        (await budgets.settle(id, { costNano, tokens: 0 }, now)).map((e) => e.share);
      const spend = async (costNano: bigint, now = T0) => settle(await reserve(now), costNano, now);
      expect(await spend(40n)).toEqual([]);
      expect(await spend(15n)).toEqual([0.5]);
      expect(await spend(5n)).toEqual([]);
      expect(await spend(20n)).toEqual([0.8]);
      // Two requests in flight when the budget runs out: only the first settlement reports 100 %.
      const [last, straggler] = [await reserve(), await reserve()];
      expect(await settle(last!, 25n)).toEqual([1]);
      expect(await settle(straggler!, 25n)).toEqual([]);
      expect((await budgets.reserve({ scopes: [key('k')], costNano: 0n, tokens: 0, now: T0 })).ok).toBe(false);
      expect(seen.map((e) => [e.share, e.periodKey, e.usedCostNano])).toEqual([
        [0.5, '2026-11-21', 55n],
        [0.8, '2026-11-21', 80n],
        [1, '2026-11-21', 105n],
      ]);
      expect(seen[0]!.limit).toEqual({ scope: 'key', scopeId: 'k', period: 'day', maxCostNano: 100n });
      // A new day starts over; a jump reports every threshold it passed.
      expect(await spend(100n, T0 + DAY)).toEqual([0.5, 0.8, 1]);
      // Changing the limit re-arms the alerts for it.
      await budgets.setLimit({ scope: 'key', scopeId: 'k', period: 'day', maxCostNano: 1_000n });
      expect(await spend(400n, T0 + DAY)).toEqual([0.5]);
      // Request caps cross thresholds too (counted at reserve, reported at settle or release).
      await budgets.setLimit({ scope: 'user', scopeId: 'u', period: 'day', maxRequests: 2 });
      const r = await budgets.reserve({ scopes: [user('u')], costNano: 0n, tokens: 0, now: T0 });
      if (!r.ok) throw new Error(r.reason);
      expect((await budgets.release(r.reservationId, T0)).map((e) => e.share)).toEqual([0.5]);
    });

    it('200 concurrent reservations against a budget for exactly 37 admit exactly 37 (two store instances)', async () => {
      const location = await target.fresh();
      const a = await open(location);
      const b = await open(location);
      const X = 1_234_567n;
      const limit = X * 37n + (X - 1n);
      await a.budgets.setLimit({ scope: 'key', scopeId: 'hot', period: 'day', maxCostNano: limit });
      const results = await Promise.all(
        Array.from({ length: 200 }, (_, i) =>
          (i % 2 ? a : b).budgets.reserve({ scopes: [key('hot'), user(`u${i % 5}`)], costNano: X, tokens: 1, now: T0 }),
        ),
      );
      const admitted = results.filter((r) => r.ok);
      expect(admitted).toHaveLength(37);
      await Promise.all(
        admitted.map((r, i) =>
          r.ok ? (i % 2 ? a : b).budgets.settle(r.reservationId, { costNano: X - BigInt(i), tokens: 1 }, T0) : null,
        ),
      );
      const usage = await a.budgets.usage('key', 'hot', 'day', T0);
      expect(usage.costNano).toBeLessThanOrEqual(limit);
      expect(usage).toMatchObject({ reservedCostNano: 0n, requests: 37, tokens: 37 });
      expect((await b.budgets.usage('global', '*', 'day', T0)).requests).toBe(37);
    });
  });
}
