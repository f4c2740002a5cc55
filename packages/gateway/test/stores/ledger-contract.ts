/**
 * The ledger contract, run against every backend that holds the ledger (sqlite.test.ts, postgres.test.ts) with real
 * databases: round-trips, schema upgrades, idempotent appends, filters, totals, exact money, migrations and exports.
 */

import { describe, expect, it } from 'vitest';
import { BatchWriter } from '../../src/stores/batch-writer.js';
import type { LedgerRow } from '../../src/stores/ledger-types.js';
import { buildReport, ledgerToCsv, reportToJson, toCsv, toJson } from '../../src/stores/reports.js';
import { SQLITE_MIGRATIONS } from '../../src/stores/sqlite/migrations.js';
import { DAY, type LedgerContractTarget, opener, T0 } from './contract-target.js';
import { reference, scenario } from './ledger-scenario.js';
import { makeRow } from './rows.js';

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

    it('stores rows holding what an upstream or client sent oddly (ids that are no strings, NUL, runaway text and numbers) and blocks nothing', async () => {
      const { ledger } = await open();
      const writer = new BatchWriter(ledger, { maxBatch: 10, flushMs: 1, retryBaseMs: 1, retryMaxMs: 5 });
      const odd = (value: unknown) => value as string;
      writer.enqueue(
        makeRow({
          requestId: 'odd',
          at: T0,
          generationId: odd(['gen']),
          modelServed: odd(5),
          provider: odd({ name: 'x' }),
          finishReason: odd(5),
          nativeFinishReason: odd(null),
          status: odd('rate_limit') as unknown as number,
          modelRequested: 'acme/\u0000model',
          code: `x${'y'.repeat(5_000)}`,
          // Beyond PostgreSQL's INTEGER and BIGINT columns: a runaway usage report.
          promptTokens: 3e12,
          completionTokens: -4,
          ttftMs: 1e15,
          costReportedNano: 2n ** 70n,
        }),
      );
      writer.enqueue(makeRow({ requestId: 'after', at: T0 + 1 }));
      await writer.flush();
      expect(writer.stats).toMatchObject({ queued: 0, written: 2, failed: 0 });
      const [row] = await ledger.query({ requestId: 'odd' });
      expect(row).toMatchObject({ requestId: 'odd', modelRequested: 'acme/model' });
      for (const field of ['generationId', 'modelServed', 'provider', 'finishReason', 'nativeFinishReason', 'status'])
        expect(row).not.toHaveProperty(field);
      expect(row!.code).toHaveLength(512);
      expect(row).toMatchObject({ promptTokens: 2 ** 31 - 1, completionTokens: 0, ttftMs: 2 ** 31 - 1 });
      expect(row!.costReportedNano).toBe(2n ** 63n - 1n);
      expect(await ledger.query({ requestId: 'after' })).toHaveLength(1);
      await writer.close();
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
