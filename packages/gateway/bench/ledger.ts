/**
 * Ledger benchmark: batched write throughput (SQLite, and PostgreSQL when its binaries are installed — the bench
 * starts and stops its own server), and proof that the request path does not wait on the disk: the latency of
 * `BatchWriter.enqueue()` while the writer commits large batches, against a synchronous one-row-per-transaction
 * insert measured in the same run. Budgets are ratios within the run, so a slower machine does not fail them.
 * Bounded: fixed row counts; everything it creates lives in a temp dir that is removed at the end.
 *
 * SQLite is measured both in-thread (`SqliteLedgerStore`: the commit blocks the event loop) and with the worker-thread
 * store `openStores` uses (`WorkerSqliteLedgerStore`: the main thread only pays the structured clone of the batch).
 *
 * Run: npm run bench -w @switchyard/gateway   (node --import tsx bench/ledger.ts)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setImmediate as yieldNow } from 'node:timers/promises';
import { BatchWriter } from '../src/stores/batch-writer.js';
import type { LedgerStore } from '../src/stores/ledger-store.js';
import type { LedgerRow } from '../src/stores/ledger-types.js';
import { openStores } from '../src/stores/open-stores.js';
import { openSqliteDatabase } from '../src/stores/sqlite/open-database.js';
import { SqliteLedgerStore } from '../src/stores/sqlite/sqlite-ledger-store.js';
import { WorkerSqliteLedgerStore } from '../src/stores/sqlite/worker-ledger-store.js';
import { startPostgres, type TestPostgres } from '../test/support/postgres.js';

const THROUGHPUT_ROWS = 100_000;
const BATCH = 500;
const SYNC_ROWS = 2_000;
const ENQUEUE_ROUNDS = 100;
const ENQUEUE_PER_ROUND = 1_000;

function row(i: number): LedgerRow {
  return {
    at: 1_795_000_000_000 + i,
    requestId: `bench-${i}`,
    generationId: `gen-${i}`,
    keyId: `key-${i % 50}`,
    userId: `user-${i % 200}`,
    modelRequested: 'openai/gpt-4o-mini',
    modelServed: i % 10 === 0 ? 'anthropic/claude-3.5-haiku' : 'openai/gpt-4o-mini',
    provider: i % 3 === 0 ? 'Azure' : 'OpenAI',
    backend: 'openrouter',
    status: 200,
    outcome: i % 20 === 0 ? 'retry' : 'success',
    promptTokens: 1_200,
    completionTokens: 300,
    cachedTokens: 400,
    cacheWriteTokens: 0,
    reasoningTokens: 0,
    costReportedNano: 123_456n + BigInt(i),
    costComputedNano: 123_400n,
    savingsNano: 40_000n,
    latencyMs: 850,
    ttftMs: 210,
    stream: true,
    fallbackPosition: 0,
  };
}

const rows = Array.from({ length: THROUGHPUT_ROWS }, (_, i) => row(i));

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))]!;
}

/** Microseconds. */
interface Latency {
  p50: number;
  p99: number;
  mean: number;
}

function summarize(samplesNs: ArrayLike<number>): Latency {
  const sorted = Array.from(samplesNs).sort((a, b) => a - b);
  const mean = sorted.reduce((a, b) => a + b, 0) / sorted.length / 1e3;
  return { p50: percentile(sorted, 50) / 1e3, p99: percentile(sorted, 99) / 1e3, mean };
}

/** Rows per second of one-row-at-a-time inserts (mean, so checkpoint spikes count). */
const perRowRate = (latency: Latency) => 1e6 / latency.mean;

const us = (value: number) => `${value.toFixed(value < 10 ? 2 : 0)} µs`;

/**
 * Rows/s appending `count` rows in batches of BATCH, the time per batch, and how long each `append()` call holds the
 * main thread before it returns its promise (`block`: the whole commit in-thread, the structured clone of the batch
 * with the worker store).
 */
async function batchedThroughput(
  store: LedgerStore,
  count: number,
): Promise<{ rate: number; batch: Latency; block: Latency }> {
  const times: number[] = [];
  const blocks: number[] = [];
  const started = performance.now();
  for (let i = 0; i < count; i += BATCH) {
    const batch = rows.slice(i, i + BATCH);
    const t = process.hrtime.bigint();
    const appended = store.append(batch);
    blocks.push(Number(process.hrtime.bigint() - t));
    await appended;
    times.push(Number(process.hrtime.bigint() - t));
  }
  return { rate: count / ((performance.now() - started) / 1e3), batch: summarize(times), block: summarize(blocks) };
}

/** The worker-thread store as `openStores` builds it: main connection for reads, worker connection for appends. */
function workerStore(path: string): LedgerStore {
  const db = openSqliteDatabase({ path });
  const store = new WorkerSqliteLedgerStore(db, { path });
  return {
    append: (batch) => store.append(batch),
    query: (f) => store.query(f),
    totals: (g, f) => store.totals(g, f),
    ping: () => store.ping(),
    close: async () => {
      await store.close();
      db.close();
    },
  };
}

/** One row per transaction, awaited: what the request path would pay if it wrote the ledger itself. */
async function syncInsertLatency(store: LedgerStore, count: number, offset: number): Promise<Latency> {
  const samples: number[] = [];
  for (let i = 0; i < count; i++) {
    const t = process.hrtime.bigint();
    await store.append([rows[offset + i]!]);
    samples.push(Number(process.hrtime.bigint() - t));
  }
  return summarize(samples);
}

/**
 * `enqueue()` latency while the writer commits large batches: the request path keeps enqueuing between event-loop
 * turns (as requests finishing would), the writer drains in the background. Also reports the event-loop delay the
 * synchronous SQLite commits cause and the time per batch append.
 */
async function enqueueUnderLoad(store: LedgerStore) {
  const appendTimes: number[] = [];
  const timed: LedgerStore = {
    append: async (batch) => {
      const t = process.hrtime.bigint();
      await store.append(batch);
      appendTimes.push(Number(process.hrtime.bigint() - t));
    },
    query: (f) => store.query(f),
    totals: (g, f) => store.totals(g, f),
    ping: () => store.ping(),
    close: () => store.close(),
  };
  // Warm-up (not measured): let the JIT optimise enqueue and the write path first.
  const warm = new BatchWriter(store, { maxBatch: 5_000, flushMs: 10 });
  for (let i = 0; i < 20_000; i++) warm.enqueue(rows[i]!);
  await warm.close();
  const writer = new BatchWriter(timed, { maxBatch: 5_000, flushMs: 10, maxQueue: 1_000_000 });
  const loop = monitorEventLoopDelay({ resolution: 1 });
  loop.enable();
  // Preallocated, so the measurement itself allocates nothing between the two clock reads.
  const samples = new Float64Array(ENQUEUE_ROUNDS * ENQUEUE_PER_ROUND);
  let n = 0;
  const started = performance.now();
  for (let round = 0; round < ENQUEUE_ROUNDS; round++) {
    for (let i = 0; i < ENQUEUE_PER_ROUND; i++) {
      const r = rows[n % rows.length]!;
      const t = performance.now();
      writer.enqueue(r);
      samples[n++] = (performance.now() - t) * 1e6;
    }
    await yieldNow();
  }
  await writer.close();
  const seconds = (performance.now() - started) / 1e3;
  loop.disable();
  return {
    enqueue: summarize(samples),
    rowsPerSecond: (ENQUEUE_ROUNDS * ENQUEUE_PER_ROUND) / seconds,
    batches: appendTimes.length,
    batchAppend: summarize(appendTimes),
    loopDelayP99Ms: loop.percentile(99) / 1e6,
    loopDelayMaxMs: loop.max / 1e6,
  };
}

interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

const checks: Check[] = [];
function budget(name: string, actual: number, limit: number, detail: string): void {
  checks.push({ name, ok: actual <= limit, detail });
}

const dir = mkdtempSync(join(tmpdir(), 'switchyard-bench-'));
let server: TestPostgres | undefined;
try {
  console.log(`ledger bench — ${THROUGHPUT_ROWS} rows, batches of ${BATCH}, Node ${process.version}\n`);

  // SQLite, default durability (WAL + synchronous NORMAL).
  const normal = new SqliteLedgerStore(openSqliteDatabase({ path: join(dir, 'normal.db') }), { ownsDb: true });
  const sqlite = await batchedThroughput(normal, THROUGHPUT_ROWS);
  const sqliteSyncNormal = await syncInsertLatency(normal, SYNC_ROWS, 0);
  await normal.close();

  const full = new SqliteLedgerStore(openSqliteDatabase({ path: join(dir, 'full.db'), synchronous: 'full' }), {
    ownsDb: true,
  });
  const sqliteFull = await batchedThroughput(full, THROUGHPUT_ROWS / 4);
  const sqliteSyncFull = await syncInsertLatency(full, SYNC_ROWS / 4, 0);
  await full.close();

  const load = new SqliteLedgerStore(openSqliteDatabase({ path: join(dir, 'load.db') }), { ownsDb: true });
  const sqliteLoad = await enqueueUnderLoad(load);
  await load.close();

  const inWorker = workerStore(join(dir, 'worker.db'));
  await inWorker.append(rows.slice(0, 1)); // start the worker outside the measurement
  const worker = await batchedThroughput(inWorker, THROUGHPUT_ROWS);
  await inWorker.close();
  const workerLoadStore = workerStore(join(dir, 'worker-load.db'));
  const workerLoad = await enqueueUnderLoad(workerLoadStore);
  await workerLoadStore.close();

  console.log('SQLite (WAL, synchronous=NORMAL, default)');
  console.log(`  batched append              ${Math.round(sqlite.rate).toLocaleString('en')} rows/s`);
  console.log(
    `  one ${BATCH}-row batch          p50 ${us(sqlite.batch.p50)}  p99 ${us(sqlite.batch.p99)}  (in-thread: blocks the event loop)`,
  );
  console.log(
    `  1 row per transaction       p50 ${us(sqliteSyncNormal.p50)}  p99 ${us(sqliteSyncNormal.p99)}  (${Math.round(perRowRate(sqliteSyncNormal)).toLocaleString('en')} rows/s)`,
  );
  console.log('SQLite (WAL, synchronous=FULL)');
  console.log(`  batched append              ${Math.round(sqliteFull.rate).toLocaleString('en')} rows/s`);
  console.log(
    `  1 row per transaction       p50 ${us(sqliteSyncFull.p50)}  p99 ${us(sqliteSyncFull.p99)}  (${Math.round(perRowRate(sqliteSyncFull)).toLocaleString('en')} rows/s)`,
  );
  console.log(`BatchWriter over SQLite (maxBatch 5000), ${ENQUEUE_PER_ROUND} enqueues per event-loop turn`);
  console.log(`  enqueue()                   p50 ${us(sqliteLoad.enqueue.p50)}  p99 ${us(sqliteLoad.enqueue.p99)}`);
  console.log(
    `  end to end                  ${Math.round(sqliteLoad.rowsPerSecond).toLocaleString('en')} rows/s in ${sqliteLoad.batches} batches`,
  );
  console.log(
    `  batch commit                p50 ${us(sqliteLoad.batchAppend.p50)}  p99 ${us(sqliteLoad.batchAppend.p99)}`,
  );
  console.log(
    `  event-loop delay            p99 ${sqliteLoad.loopDelayP99Ms.toFixed(2)} ms  max ${sqliteLoad.loopDelayMaxMs.toFixed(2)} ms`,
  );
  console.log('SQLite ledger worker thread (WorkerSqliteLedgerStore, what openStores uses) vs in-thread');
  console.log(
    `  batched append              ${Math.round(worker.rate).toLocaleString('en')} rows/s  (in-thread ${Math.round(sqlite.rate).toLocaleString('en')})`,
  );
  console.log(
    `  one ${BATCH}-row batch, committed p50 ${us(worker.batch.p50)}  p99 ${us(worker.batch.p99)}  (the event loop runs meanwhile)`,
  );
  console.log(
    `  main thread blocked / batch p50 ${us(worker.block.p50)}  p99 ${us(worker.block.p99)}  (in-thread p50 ${us(sqlite.block.p50)}  p99 ${us(sqlite.block.p99)})`,
  );
  console.log(
    `  BatchWriter event-loop delay p99 ${workerLoad.loopDelayP99Ms.toFixed(2)} ms  max ${workerLoad.loopDelayMaxMs.toFixed(2)} ms  (in-thread p99 ${sqliteLoad.loopDelayP99Ms.toFixed(2)} ms  max ${sqliteLoad.loopDelayMaxMs.toFixed(2)} ms; 5000-row batches)`,
  );

  budget(
    'enqueue p99 ≤ 1/100 of a durable (FULL) one-row SQLite insert p50',
    sqliteLoad.enqueue.p99,
    sqliteSyncFull.p50 / 100,
    `${us(sqliteLoad.enqueue.p99)} vs ${us(sqliteSyncFull.p50)} / 100`,
  );
  budget(
    'enqueue p99 ≤ 1/10 of a NORMAL (no fsync) one-row SQLite insert p50',
    sqliteLoad.enqueue.p99,
    sqliteSyncNormal.p50 / 10,
    `${us(sqliteLoad.enqueue.p99)} vs ${us(sqliteSyncNormal.p50)} / 10`,
  );
  budget(
    'worker store: main thread blocked per batch p50 ≤ 1/2 of the in-thread batch commit p50',
    worker.block.p50,
    sqlite.block.p50 / 2,
    `${us(worker.block.p50)} vs ${us(sqlite.block.p50)} / 2`,
  );
  budget(
    'batched SQLite append (NORMAL) ≥ 10× the durable (FULL) one-row-per-transaction rate',
    perRowRate(sqliteSyncFull) * 10,
    sqlite.rate,
    `${Math.round(sqlite.rate)} vs ${Math.round(perRowRate(sqliteSyncFull))} rows/s`,
  );

  try {
    server = await startPostgres();
  } catch (error) {
    console.log(`\nPostgreSQL skipped: ${(error as Error).message.split('\n')[0]}`);
  }
  if (server) {
    const stores = await openStores({ databaseUrl: await server.createDatabase('bench') });
    const pgBatched = await batchedThroughput(stores.ledger, THROUGHPUT_ROWS / 2);
    const pgSync = await syncInsertLatency(stores.ledger, SYNC_ROWS / 2, 0);
    const pgLoad = await enqueueUnderLoad(stores.ledger);
    await stores.close();
    console.log('\nPostgreSQL 15 on 127.0.0.1 (bench server started here, fsync off)');
    console.log(`  batched append (unnest)     ${Math.round(pgBatched.rate).toLocaleString('en')} rows/s`);
    console.log(
      `  one ${BATCH}-row batch          p50 ${us(pgBatched.batch.p50)}  p99 ${us(pgBatched.batch.p99)}  (async: the loop keeps running)`,
    );
    console.log(
      `  1 row per statement         p50 ${us(pgSync.p50)}  p99 ${us(pgSync.p99)}  (${Math.round(perRowRate(pgSync)).toLocaleString('en')} rows/s)`,
    );
    console.log(`  enqueue()                   p50 ${us(pgLoad.enqueue.p50)}  p99 ${us(pgLoad.enqueue.p99)}`);
    console.log(
      `  end to end                  ${Math.round(pgLoad.rowsPerSecond).toLocaleString('en')} rows/s in ${pgLoad.batches} batches`,
    );
    console.log(
      `  event-loop delay            p99 ${pgLoad.loopDelayP99Ms.toFixed(2)} ms  max ${pgLoad.loopDelayMaxMs.toFixed(2)} ms`,
    );
    budget(
      'enqueue p99 ≤ 1/50 of a one-row PostgreSQL insert p50',
      pgLoad.enqueue.p99,
      pgSync.p50 / 50,
      `${us(pgLoad.enqueue.p99)} vs ${us(pgSync.p50)} / 50`,
    );
    budget(
      'batched PostgreSQL append ≥ 10× the one-row rate',
      perRowRate(pgSync) * 10,
      pgBatched.rate,
      `${Math.round(pgBatched.rate)} vs ${Math.round(perRowRate(pgSync))} rows/s`,
    );
  }

  console.log('\nbudgets');
  for (const check of checks) console.log(`  ${check.ok ? 'ok  ' : 'FAIL'} ${check.name}: ${check.detail}`);
  if (checks.some((c) => !c.ok)) process.exitCode = 1;
} finally {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
}
