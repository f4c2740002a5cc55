/** The store contract on SQLite (a temp file per database), plus SQLite-only guarantees: pragmas, several
 * processes on one file, and crash durability (SIGKILL of a writer). */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { openStores } from '../../src/stores/open-stores.js';
import { migrateSqlite, SQLITE_MIGRATIONS } from '../../src/stores/sqlite/migrations.js';
import { DEFAULT_SQLITE_PATH, openSqliteDatabase } from '../../src/stores/sqlite/open-database.js';
import { killAll, spawnTs, watch } from './children/spawn-ts.js';
import { budgetContract, type LedgerContractTarget, ledgerContract } from './contract.js';
import { makeRow } from './rows.js';

const dir = mkdtempSync(join(tmpdir(), 'switchyard-sqlite-'));
let counter = 0;
const fresh = async () => join(dir, `db-${++counter}.db`);

afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => killAll());

function readOnly<T>(path: string, fn: (db: Database.Database) => T): T {
  const db = new Database(path, { readonly: true });
  try {
    return fn(db);
  } finally {
    db.close();
  }
}

const target: LedgerContractTarget = {
  name: 'sqlite',
  fresh,
  open: (location, options) => openStores({ ...options, sqlitePath: location }),
  migrationVersions: async (location) =>
    readOnly(
      location,
      (db) => db.prepare('SELECT version FROM schema_migrations ORDER BY version').pluck().all() as number[],
    ),
  createOld: async (location, version, sql) => {
    const db = new Database(location);
    try {
      migrateSqlite(
        db,
        SQLITE_MIGRATIONS.filter((m) => m.version <= version),
      );
      db.exec(sql);
    } finally {
      db.close();
    }
  },
};

ledgerContract(target);
budgetContract(target);

describe('sqlite specifics', () => {
  it('opens in WAL mode with synchronous NORMAL (FULL on request), a busy timeout, creating the directory', async () => {
    const nested = join(dir, 'a', 'b', 'ledger.db');
    const db = openSqliteDatabase({ path: nested });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(Number(db.pragma('synchronous', { simple: true }))).toBe(1);
    expect(Number(db.pragma('busy_timeout', { simple: true }))).toBe(5000);
    db.close();
    const full = openSqliteDatabase({ path: nested, synchronous: 'full', busyTimeoutMs: 250 });
    expect(Number(full.pragma('synchronous', { simple: true }))).toBe(2);
    expect(Number(full.pragma('busy_timeout', { simple: true }))).toBe(250);
    full.close();
    expect(DEFAULT_SQLITE_PATH).toBe('.switchyard/switchyard.db');
  });

  it('refuses a database whose schema is newer than the code', async () => {
    const path = await fresh();
    openSqliteDatabase({ path }).close();
    const db = new Database(path);
    db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (99, ?, 0)').run('future');
    db.close();
    expect(() => openSqliteDatabase({ path })).toThrow(/schema version 99 is newer/);
  });

  it('upgrades a ledger written before row keys: old rows keep a NULL key, new appends are idempotent', async () => {
    const path = await fresh();
    const before = new Database(path);
    migrateSqlite(before, SQLITE_MIGRATIONS.slice(0, 3));
    before
      .prepare(
        `INSERT INTO ledger (at, day, request_id, model_requested, backend, outcome, prompt_tokens, completion_tokens,
          cached_tokens, cache_write_tokens, reasoning_tokens, latency_ms, stream, fallback_position)
         VALUES (1, '1970-01-01', 'old', 'm', 'openrouter', 'success', 1, 1, 0, 0, 0, 5, 0, 0)`,
      )
      .run();
    before.close();
    const stores = await openStores({ sqlitePath: path, ledgerWorker: false });
    try {
      const row = makeRow({ requestId: 'new', rowKey: 'key-new' });
      await stores.ledger.append([row]);
      await stores.ledger.append([row]);
      expect((await stores.ledger.query()).map((r) => [r.requestId, r.rowKey])).toEqual([
        ['old', undefined],
        ['new', 'key-new'],
      ]);
    } finally {
      await stores.close();
    }
  });

  it('stays exact across 4 processes × 50 concurrent reservations on one file (budget for 37)', async () => {
    const path = await fresh();
    const cost = 1_000_003n;
    const now = Date.UTC(2026, 10, 21, 10);
    const setup = await openStores({ sqlitePath: path });
    await setup.budgets.setLimit({ scope: 'key', scopeId: 'hot', period: 'day', maxCostNano: cost * 37n + cost / 2n });
    await setup.close();

    const children = Array.from({ length: 4 }, () =>
      spawnTs('reserve-worker.ts', [path, '50', String(cost), String(now)]),
    );
    let ready = 0;
    const admitted: number[] = [];
    const exits = children.map((child) =>
      watch(child, (line) => {
        if (line === 'ready' && ++ready === children.length) for (const c of children) c.stdin?.write('go\n');
        else if (line.startsWith('{')) admitted.push(JSON.parse(line).ok);
      }),
    );
    const results = await Promise.all(exits);
    for (const result of results) expect(result.code, result.stderr).toBe(0);
    expect(admitted.reduce((a, b) => a + b, 0)).toBe(37);

    const check = await openStores({ sqlitePath: path });
    const usage = await check.budgets.usage('key', 'hot', 'day', now);
    expect(usage).toMatchObject({ costNano: cost * 37n, requests: 37, reservedCostNano: 0n });
    expect(usage.costNano).toBeLessThanOrEqual(usage.limit!.maxCostNano!);
    await check.close();
  }, 30_000);

  it('keeps every acknowledged row when the writer is SIGKILLed mid-burst (integrity_check ok)', async () => {
    const path = await fresh();
    const batch = 200;
    const child = spawnTs('ledger-writer.ts', ['sqlite', path, String(batch)]);
    let acked = 0;
    let acks = 0;
    const exit = watch(child, (line) => {
      if (!line.startsWith('ack ')) return;
      acked = Number(line.slice(4));
      if (++acks === 40) child.kill('SIGKILL');
    });
    const { signal, stderr } = await exit;
    expect(signal, stderr).toBe('SIGKILL');
    expect(acked).toBeGreaterThanOrEqual(40 * batch);

    expect(readOnly(path, (db) => db.pragma('integrity_check', { simple: true }))).toBe('ok');
    const stores = await openStores({ sqlitePath: path });
    const rows = await stores.ledger.query();
    await stores.close();
    const ids = rows.map((r) => Number(r.requestId.slice(2)));
    // Every acknowledged row is there; rows beyond it come only in whole committed batches, in order.
    expect(ids.length).toBeGreaterThanOrEqual(acked);
    expect(ids.length % batch).toBe(0);
    expect(ids.every((id, i) => id === i + 1)).toBe(true);
    expect(rows[acked - 1]!.costReportedNano).toBe(BigInt(acked));
  }, 30_000);
});
