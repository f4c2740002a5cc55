/** SQLite ledger appends on a worker thread (`WorkerSqliteLedgerStore`): off the event loop, exact, crash-safe. The
 * store contract itself runs against the worker store in sqlite.test.ts (openStores uses it by default). */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { BatchWriter } from '../../src/stores/batch-writer.js';
import type { LedgerStore } from '../../src/stores/ledger-store.js';
import type { LedgerRow } from '../../src/stores/ledger-types.js';
import { openStores, type Stores } from '../../src/stores/open-stores.js';
import { SqliteLedgerStore } from '../../src/stores/sqlite/sqlite-ledger-store.js';
import { WorkerSqliteLedgerStore } from '../../src/stores/sqlite/worker-ledger-store.js';
import { LedgerClosedError, LedgerWorkerCrashError } from '../../src/stores/store-errors.js';
import { makeRow } from './rows.js';

const dir = mkdtempSync(join(tmpdir(), 'switchyard-sqlite-worker-'));
let counter = 0;
const fresh = () => join(dir, `db-${++counter}.db`);
const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

const open: Stores[] = [];
async function openSqlite(path = fresh(), options: { ledgerWorker?: boolean } = {}): Promise<Stores> {
  const stores = await openStores({ sqlitePath: path, ...options });
  open.push(stores);
  return stores;
}
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function workerLedger(stores: Stores): WorkerSqliteLedgerStore {
  expect(stores.ledger).toBeInstanceOf(WorkerSqliteLedgerStore);
  return stores.ledger as WorkerSqliteLedgerStore;
}

const rowsFor = (prefix: string, count: number, from = 0): LedgerRow[] =>
  Array.from({ length: count }, (_, i) =>
    makeRow({ requestId: `${prefix}-${from + i}`, at: 1_700_000_000_000 + from + i, costReportedNano: BigInt(i) }),
  );

/** setImmediate turns the main event loop completes while `work` is pending: 0 when `work` blocks the thread. */
async function ticksDuring(work: () => Promise<void>): Promise<number> {
  let ticks = 0;
  let running = true;
  const tick = () => {
    if (!running) return;
    ticks++;
    setImmediate(tick);
  };
  setImmediate(tick);
  try {
    await work();
  } finally {
    running = false;
  }
  return ticks;
}

describe('sqlite ledger worker', () => {
  it('is what openStores uses for SQLite files; :memory: and ledgerWorker: false stay in-thread', async () => {
    expect((await openSqlite()).ledger).toBeInstanceOf(WorkerSqliteLedgerStore);
    expect((await openSqlite(fresh(), { ledgerWorker: false })).ledger).toBeInstanceOf(SqliteLedgerStore);
    const memory = await openSqlite(':memory:');
    expect(memory.ledger).toBeInstanceOf(SqliteLedgerStore);
    await memory.ledger.append([makeRow({ requestId: 'mem' })]);
    expect((await memory.ledger.query()).map((r) => r.requestId)).toEqual(['mem']);
  });

  it('commits off the main thread: the event loop keeps turning during a 20,000-row append (0 turns in-thread)', async () => {
    const path = fresh();
    const stores = await openSqlite(path);
    const ledger = workerLedger(stores);
    await ledger.append(rowsFor('warm', 1)); // the worker is started and its statement prepared
    const big = rowsFor('big', 20_000);
    const workerTicks = await ticksDuring(() => ledger.append(big));

    const inThread = new SqliteLedgerStore(new Database(path), { ownsDb: true });
    const inThreadTicks = await ticksDuring(() => inThread.append(rowsFor('sync', 20_000)));
    await inThread.close();

    expect(inThreadTicks).toBe(0);
    // No timing threshold: the in-thread append allows none, so any number of turns proves the commit ran elsewhere.
    expect(workerTicks).toBeGreaterThanOrEqual(5);
    const rows = await ledger.query({ limit: 1, order: 'desc' });
    expect(rows[0]!.requestId).toBe('sync-19999');
    expect((await ledger.totals('day'))[0]!.attempts).toBe(40_001);
  });

  it('keeps money exact across the thread boundary beyond 2^53 (bigint survives structured clone)', async () => {
    const ledger = workerLedger(await openSqlite());
    const max = 2n ** 63n - 1n;
    const rows = [
      makeRow({ requestId: 'max', costReportedNano: max, costComputedNano: max - 1n, savingsNano: 2n ** 62n + 3n }),
      makeRow({ requestId: '2^53+1', costReportedNano: 2n ** 53n + 1n, costComputedNano: undefined }),
    ];
    expect(structuredClone(rows)).toEqual(rows);
    await ledger.append(rows);
    const back = await ledger.query();
    expect(back.map((r) => [r.requestId, r.costReportedNano, r.costComputedNano, r.savingsNano])).toEqual([
      ['max', max, max - 1n, 2n ** 62n + 3n],
      ['2^53+1', 2n ** 53n + 1n, undefined, undefined],
    ]);
    expect(back[1]).not.toHaveProperty('costComputedNano');
  });

  it('returns database errors as SQLite errors (code kept), writes none of the batch and keeps the worker', async () => {
    const ledger = workerLedger(await openSqlite());
    // A NOT NULL column left null is refused by SQLite itself (BatchWriter's enqueue would have refused it earlier).
    const bad = makeRow({ requestId: 'bad', modelRequested: null as unknown as string });
    const error = await ledger.append([makeRow({ requestId: 'ok-but-same-batch' }), bad]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Database.SqliteError);
    expect((error as { code: string }).code).toMatch(/^SQLITE_CONSTRAINT/);
    expect(await ledger.query()).toEqual([]);
    await ledger.append([makeRow({ requestId: 'after' })]);
    expect((await ledger.query()).map((r) => r.requestId)).toEqual(['after']);
  });

  for (const mode of ['exit', 'throw'] as const) {
    it(`a worker crash (${mode}) rejects the unanswered append with ledger_worker_crashed; the next append restarts it`, async () => {
      const ledger = workerLedger(await openSqlite());
      await ledger.append(rowsFor('acked', 3));
      ledger.crashWorkerForTest(mode);
      const error = await ledger.append(rowsFor('lost', 2)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(LedgerWorkerCrashError);
      expect(error).toMatchObject({ code: 'ledger_worker_crashed', retryable: true });
      expect((error as Error).message).toMatch(mode === 'exit' ? /exit code 70/ : /crash injected by a test/);
      await ledger.append(rowsFor('retried', 2, 10));
      expect((await ledger.query()).map((r) => r.requestId)).toEqual([
        'acked-0',
        'acked-1',
        'acked-2',
        'retried-10',
        'retried-11',
      ]);
    });
  }

  it('through the BatchWriter: a crash costs one retry, every row is written exactly once, in order', async () => {
    const ledger = workerLedger(await openSqlite());
    const errors: unknown[] = [];
    const writer = new BatchWriter(ledger, {
      maxBatch: 100,
      flushMs: 1,
      retryBaseMs: 1,
      retryMaxMs: 5,
      onError: (e) => errors.push(e),
    });
    for (const row of rowsFor('w', 250)) writer.enqueue(row);
    await writer.flush();
    for (const row of rowsFor('w', 250, 250)) writer.enqueue(row);
    ledger.crashWorkerForTest('exit');
    // flush() posts the next batch synchronously, to the worker that is about to die.
    await expect(writer.flush()).rejects.toBeInstanceOf(LedgerWorkerCrashError);
    await writer.close();
    expect(writer.stats).toMatchObject({ written: 500, queued: 0, failed: 1 });
    expect(errors).toHaveLength(1);
    const ids = (await ledger.query()).map((r) => Number(r.requestId.slice(2)));
    expect(ids).toEqual(Array.from({ length: 500 }, (_, i) => i));
  });

  it('a crash after a commit but before its acknowledgement: the retried batch stores nothing twice', async () => {
    const ledger = workerLedger(await openSqlite());
    const writer = new BatchWriter(ledger, { maxBatch: 100, flushMs: 1, retryBaseMs: 1, retryMaxMs: 5 });
    for (const row of rowsFor('k', 50)) writer.enqueue(row);
    await writer.flush();
    ledger.crashWorkerForTest('exit-after-commit');
    for (const row of rowsFor('k', 50, 50)) writer.enqueue(row);
    await expect(writer.flush()).rejects.toBeInstanceOf(LedgerWorkerCrashError);
    await writer.close();
    expect(writer.stats).toMatchObject({ written: 100, queued: 0, failed: 1 });
    const stored = await ledger.query();
    expect(stored.map((r) => Number(r.requestId.slice(2)))).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(new Set(stored.map((r) => r.rowKey)).size).toBe(100);
  });

  it('close() lets pending appends commit, then ends the worker; later appends reject with ledger_closed', async () => {
    const path = fresh();
    const stores = await openStores({ sqlitePath: path });
    const ledger = workerLedger(stores);
    const appends = [0, 1, 2].map((i) => ledger.append(rowsFor(`p${i}`, 5_000)));
    await stores.close();
    await expect(Promise.all(appends)).resolves.toEqual([undefined, undefined, undefined]);
    await expect(ledger.append(rowsFor('late', 1))).rejects.toBeInstanceOf(LedgerClosedError);
    await ledger.close(); // idempotent

    const check = await openSqlite(path, { ledgerWorker: false });
    expect((await check.ledger.totals('day'))[0]!.attempts).toBe(15_000);
  });

  it('close() of a store that never appended starts no worker', async () => {
    const stores = await openStores({ sqlitePath: fresh() });
    await stores.budgets.usage('key', 'k', 'day', Date.now());
    await stores.close();
  });

  it('an unawaited append keeps the process alive until committed; an idle worker does not keep it alive', async () => {
    const path = fresh();
    const module = pathToFileURL(fileURLToPath(new URL('../../src/stores/open-stores.ts', import.meta.url))).href;
    // No close(), no await: the process must still commit the row, then exit by itself.
    const script = `
      const { openStores } = await import(${JSON.stringify(module)});
      const stores = await openStores({ sqlitePath: ${JSON.stringify(path)} });
      const row = { at: 1700000000000, requestId: 'orphan', modelRequested: 'm', backend: 'b', outcome: 'success',
        promptTokens: 1, completionTokens: 1, cachedTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0,
        costReportedNano: 2n ** 60n, latencyMs: 1, stream: false, fallbackPosition: 0 };
      void stores.ledger.append([row]);
      console.log('posted');
    `;
    const child = spawn(
      process.execPath,
      ['--conditions=@switchyard/source', '--import', 'tsx', '--input-type=module', '-e', script],
      { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    child.stdout.on('data', (chunk) => {
      output += chunk;
    });
    child.stderr.on('data', (chunk) => {
      output += chunk;
    });
    // Bounded: a child that hangs is killed by its PID and fails the test.
    const guard = setTimeout(() => child.kill('SIGKILL'), 15_000);
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
      child.on('exit', (c, s) => resolve([c, s])),
    );
    clearTimeout(guard);
    expect({ code, signal }, output).toEqual({ code: 0, signal: null });
    expect(output).toContain('posted');
    const stores = await openSqlite(path, { ledgerWorker: false });
    const rows = await stores.ledger.query();
    expect(rows.map((r) => [r.requestId, r.costReportedNano])).toEqual([['orphan', 2n ** 60n]]);
  }, 30_000);

  it('a store used only through the LedgerStore interface behaves like the in-thread one', async () => {
    const path = fresh();
    const ledger: LedgerStore = (await openSqlite(path)).ledger;
    await ledger.ping();
    await ledger.append(rowsFor('x', 10));
    const inThread: LedgerStore = (await openSqlite(path, { ledgerWorker: false })).ledger;
    expect(await inThread.query()).toEqual(await ledger.query());
    expect(await inThread.totals('model')).toEqual(await ledger.totals('model'));
  });
});
