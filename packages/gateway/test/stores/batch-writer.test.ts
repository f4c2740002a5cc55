/**
 * BatchWriter against a real SQLite store. Transient failures are real too: a second connection holds the write
 * lock (BEGIN IMMEDIATE) so the writer's transactions fail with SQLITE_BUSY until it commits.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SwitchyardError } from '@switchyard/sdk';
import Database from 'better-sqlite3';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { BatchWriter } from '../../src/stores/batch-writer.js';
import { openSqliteDatabase } from '../../src/stores/sqlite/open-database.js';
import { SqliteLedgerStore } from '../../src/stores/sqlite/sqlite-ledger-store.js';
import { LedgerOverflowError } from '../../src/stores/store-errors.js';
import { makeRow } from './rows.js';

const dir = mkdtempSync(join(tmpdir(), 'switchyard-writer-'));
let counter = 0;
const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const fn of cleanups.splice(0).reverse()) fn();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A store whose writes wait at most 2 ms for the lock, and a blocker connection that can hold the lock. */
function setup() {
  const path = join(dir, `w-${++counter}.db`);
  const db = openSqliteDatabase({ path, busyTimeoutMs: 2 });
  const store = new SqliteLedgerStore(db, { ownsDb: true });
  const blocker = new Database(path);
  const lock = () => blocker.exec('BEGIN IMMEDIATE');
  const unlock = () => blocker.exec('COMMIT');
  cleanups.push(() => {
    if (blocker.inTransaction) unlock();
    blocker.close();
    if (db.open) db.close();
  });
  return { store, lock, unlock };
}

async function until(check: () => boolean | Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(5);
  }
}

describe('BatchWriter', () => {
  it('enqueue returns without writing; a partial batch waits flushMs, a full batch goes at once', async () => {
    const { store } = setup();
    const timed = new BatchWriter(store, { maxBatch: 100, flushMs: 40 });
    for (let i = 0; i < 10; i++) timed.enqueue(makeRow());
    expect(timed.stats).toEqual({ queued: 10, written: 0, failed: 0 });
    expect(await store.query()).toHaveLength(0);
    await until(() => timed.stats.written === 10);

    const sized = new BatchWriter(store, { maxBatch: 100, flushMs: 60_000 });
    for (let i = 0; i < 99; i++) sized.enqueue(makeRow());
    await sleep(20);
    expect(sized.stats.written).toBe(0);
    // The 100th row fills a batch: written without waiting for the (one-minute) timer.
    sized.enqueue(makeRow());
    await until(() => sized.stats.written === 100);
    expect(await store.query()).toHaveLength(110);
    await Promise.all([timed.close(), sized.close()]);
  });

  it('retries a failed batch with backoff, in order, writing each row exactly once', async () => {
    const { store, lock, unlock } = setup();
    const errors: unknown[] = [];
    const writer = new BatchWriter(store, {
      maxBatch: 7,
      flushMs: 1,
      retryBaseMs: 5,
      retryMaxMs: 20,
      onError: (e) => errors.push(e),
    });
    lock();
    for (let i = 0; i < 20; i++) writer.enqueue(makeRow({ requestId: `r${i}` }));
    await expect(writer.flush()).rejects.toMatchObject({ code: 'SQLITE_BUSY' });
    await until(() => writer.stats.failed >= 3);
    expect(writer.stats).toMatchObject({ queued: 20, written: 0 });
    expect((writer.stats.lastError as { code?: string }).code).toBe('SQLITE_BUSY');
    expect(errors.length).toBe(writer.stats.failed);
    unlock();
    await until(() => writer.stats.queued === 0);
    const ids = (await store.query()).map((r) => r.requestId);
    expect(ids).toEqual(Array.from({ length: 20 }, (_, i) => `r${i}`));
    await writer.close();
  });

  it('throws ledger_overflow instead of dropping rows when the queue is full, and recovers', async () => {
    const { store, lock, unlock } = setup();
    const writer = new BatchWriter(store, { maxBatch: 10, flushMs: 1, maxQueue: 50, retryBaseMs: 5, retryMaxMs: 10 });
    lock();
    for (let i = 0; i < 50; i++) writer.enqueue(makeRow());
    await until(() => writer.stats.failed >= 1);
    let error: unknown;
    try {
      writer.enqueue(makeRow());
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(LedgerOverflowError);
    expect(error).toBeInstanceOf(SwitchyardError);
    expect(error).toMatchObject({ code: 'ledger_overflow', retryable: true });
    expect((error as Error).message).toMatch(/50 rows waiting.*locked/);
    unlock();
    await until(() => writer.stats.queued === 0);
    writer.enqueue(makeRow());
    await writer.close();
    expect(await store.query()).toHaveLength(51);
  });

  it('close flushes everything; enqueue after close throws ledger_closed', async () => {
    const { store } = setup();
    const writer = new BatchWriter(store, { maxBatch: 1_000, flushMs: 60_000 });
    for (let i = 0; i < 1_234; i++) writer.enqueue(makeRow());
    await writer.close();
    expect(await store.query()).toHaveLength(1_234);
    expect(() => writer.enqueue(makeRow())).toThrow(expect.objectContaining({ code: 'ledger_closed' }));
  });

  it('close reports unwritten rows when the database stays unavailable', async () => {
    const { store, lock } = setup();
    const writer = new BatchWriter(store, { flushMs: 1, retryBaseMs: 2, closeAttempts: 2 });
    lock();
    writer.enqueue(makeRow());
    writer.enqueue(makeRow());
    await expect(writer.close()).rejects.toMatchObject({
      code: 'ledger_write_failed',
      message: expect.stringMatching(/^2 ledger rows could not be written: database is locked/),
    });
  });

  it('rejects a malformed row at enqueue, so it can never block the queue', () => {
    const { store } = setup();
    const writer = new BatchWriter(store);
    expect(() => writer.enqueue(makeRow({ costReportedNano: 5 as unknown as bigint }))).toThrow(/bigint/);
    expect(() => writer.enqueue(makeRow({ at: 1e20 }))).toThrow(/at must be/);
    expect(() => writer.enqueue(makeRow({ backend: undefined as unknown as string }))).toThrow(
      /backend must be a string/,
    );
    expect(writer.stats.queued).toBe(0);
  });

  it("keeps a row whose counts are no numbers (an upstream's odd usage), counting them 0 or as the number they spell", async () => {
    const { store } = setup();
    const writer = new BatchWriter(store, { flushMs: 1 });
    writer.enqueue(
      makeRow({ requestId: 'odd-counts', promptTokens: Number.NaN, completionTokens: '12' as unknown as number }),
    );
    await writer.flush();
    const [row] = await store.query({ requestId: 'odd-counts' });
    expect(row).toMatchObject({ promptTokens: 0, completionTokens: 12 });
    await writer.close();
  });
});
