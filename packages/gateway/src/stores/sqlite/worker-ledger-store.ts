/**
 * The SQLite ledger with its writes on a worker thread. better-sqlite3 is synchronous, so on the main thread every
 * batch commit stalls the event loop (≈ 5 ms per 500 rows), which lands directly in the gateway's p99 latency. Here
 * `append` only posts the rows to a worker (`ledger-worker.ts`, its own connection to the same file) and resolves
 * when the worker has committed them, so `BatchWriter`'s contract is unchanged: one batch in flight, resolved =
 * durable, rejected = not written and retried. The main thread pays the structured clone of the batch (bigint
 * survives it exactly) instead of the SQLite work.
 *
 * `query`/`totals`/`ping` stay on the main thread's connection: they are short, and WAL lets readers run beside
 * the writer. A committed batch is visible to the next read on the main connection as soon as `append` resolves.
 *
 * Crashes: if the worker dies (exit, uncaught error, failed start-up), every append it had not answered rejects
 * with `LedgerWorkerCrashError` (retryable) and the next append starts a new worker. Acknowledged rows were
 * committed before the reply was sent, so they are never lost. A batch whose commit finished in the instant
 * between the commit and the reply would be written again by the retry (at-least-once, as with a PostgreSQL
 * connection lost after COMMIT); nothing in the worker can fail there except the thread being killed.
 */
import { existsSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import BetterSqlite3, { type Database } from 'better-sqlite3';
import type { LedgerStore } from '../ledger-store.js';
import type { LedgerFilter, LedgerGroupBy, LedgerQuery, LedgerRow, ReportRow } from '../ledger-types.js';
import { LedgerClosedError, LedgerWorkerCrashError } from '../store-errors.js';
import type { LedgerWorkerData, LedgerWorkerReply, LedgerWorkerRequest, SerializedError } from './ledger-worker.js';
import { SqliteLedgerStore } from './sqlite-ledger-store.js';

export interface WorkerSqliteLedgerStoreOptions extends LedgerWorkerData {
  /** How long `close()` waits for the worker to close its connection and exit before terminating it (default 5 s). */
  closeTimeoutMs?: number;
}

interface Pending {
  resolve: () => void;
  reject: (error: unknown) => void;
}

/** One worker and the appends it has not answered yet: a crash rejects exactly these. */
interface WorkerHandle {
  worker: Worker;
  pending: Map<number, Pending>;
  /** The uncaught error reported by the `error` event, if the thread died of one. */
  failure?: unknown;
  exited: Promise<void>;
}

/**
 * Where the worker's code is. Compiled (`dist/`, the normal runtime) it is `ledger-worker.js` next to this module.
 * From the sources (vitest, which transforms TS in-process and cannot serve a `.ts` file to a new thread; `tsx`
 * runs of the bench and test children) there is only `ledger-worker.ts`: the worker then starts from a tiny ESM
 * bootstrap that registers tsx's loader in that thread and imports the `.ts` file. The bootstrap is needed because
 * tsx's `--import tsx` only registers itself on the main thread on Node 20, so `execArgv: ['--import', 'tsx']` does
 * not make a worker load `.ts`. tsx is a root devDependency: only this development path needs it.
 */
let entry: URL | undefined;
function workerEntry(): URL {
  if (entry) return entry;
  const compiled = new URL('./ledger-worker.js', import.meta.url);
  if (existsSync(compiled)) {
    entry = compiled;
    return entry;
  }
  const source = new URL('./ledger-worker.ts', import.meta.url);
  if (!existsSync(source)) throw new Error(`ledger worker not found next to ${import.meta.url}`);
  let tsxApi: string;
  try {
    // The ESM build: tsx's CommonJS build of this API resolves its own chunks wrongly when imported from ESM.
    tsxApi = import.meta.resolve('tsx/esm/api');
  } catch (error) {
    throw new Error('running the SQLite ledger worker from TypeScript sources needs tsx (a devDependency)', {
      cause: error,
    });
  }
  const bootstrap = `const { register } = await import(${JSON.stringify(tsxApi)});\nregister();\nawait import(${JSON.stringify(source.href)});\n`;
  entry = new URL(`data:text/javascript,${encodeURIComponent(bootstrap)}`);
  return entry;
}

/** A worker's `failed` reply back to an Error; SQLite errors keep their class and `code` (e.g. `SQLITE_BUSY`). */
function deserializeError(serialized: SerializedError): Error {
  const error =
    serialized.name === 'SqliteError' && serialized.code !== undefined
      ? new BetterSqlite3.SqliteError(serialized.message, serialized.code)
      : Object.assign(new Error(serialized.message), serialized.code === undefined ? {} : { code: serialized.code });
  if (error.name !== serialized.name) Object.defineProperty(error, 'name', { value: serialized.name });
  if (serialized.stack !== undefined) error.stack = serialized.stack;
  return error;
}

export class WorkerSqliteLedgerStore implements LedgerStore {
  readonly #reader: SqliteLedgerStore;
  readonly #workerData: LedgerWorkerData;
  readonly #closeTimeoutMs: number;
  #handle: WorkerHandle | undefined;
  #nextId = 1;
  /** Every unanswered append, settled either way: `close()` waits for them. */
  readonly #inflight = new Set<Promise<unknown>>();
  #closing: Promise<void> | undefined;

  /**
   * @param db the main thread's connection (reads); not closed by this store.
   * @param options the file the worker opens (must be a file: a worker cannot share a `:memory:` database) and
   *   the pragmas of the main connection.
   */
  constructor(db: Database, options: WorkerSqliteLedgerStoreOptions) {
    if (options.path === ':memory:' || options.path === '') {
      throw new TypeError('WorkerSqliteLedgerStore needs a database file; use SqliteLedgerStore for :memory:');
    }
    this.#reader = new SqliteLedgerStore(db);
    const data: LedgerWorkerData = { path: options.path };
    if (options.synchronous !== undefined) data.synchronous = options.synchronous;
    if (options.busyTimeoutMs !== undefined) data.busyTimeoutMs = options.busyTimeoutMs;
    this.#workerData = data;
    this.#closeTimeoutMs = options.closeTimeoutMs ?? 5_000;
  }

  /** Resolves once the worker has committed every row (one transaction); rejects if it did not. */
  append(rows: LedgerRow[]): Promise<void> {
    if (this.#closing) return Promise.reject(new LedgerClosedError('the ledger store is closed'));
    if (rows.length === 0) return Promise.resolve();
    let handle: WorkerHandle;
    try {
      handle = this.#worker();
    } catch (error) {
      return Promise.reject(error);
    }
    const id = this.#nextId++;
    const appended = new Promise<void>((resolve, reject) => {
      // Structured clone happens here, synchronously: a row that cannot be cloned rejects at once.
      handle.worker.postMessage({ type: 'append', id, rows } satisfies LedgerWorkerRequest);
      handle.pending.set(id, { resolve, reject });
      // An unanswered append keeps the process alive until it is committed; an idle worker does not.
      handle.worker.ref();
    });
    const settled: Promise<unknown> = appended.then(
      () => this.#inflight.delete(settled),
      () => this.#inflight.delete(settled),
    );
    this.#inflight.add(settled);
    return appended;
  }

  query(filter?: LedgerQuery): Promise<LedgerRow[]> {
    return this.#reader.query(filter);
  }

  totals(groupBy: LedgerGroupBy, filter?: LedgerFilter): Promise<ReportRow[]> {
    return this.#reader.totals(groupBy, filter);
  }

  ping(): Promise<void> {
    return this.#reader.ping();
  }

  /** Lets every append already made settle, then closes the worker's connection and ends the thread. */
  close(): Promise<void> {
    this.#closing ??= this.#closeNow();
    return this.#closing;
  }

  /**
   * Fault injection for tests: makes the worker die as a crash would (`exit`: `process.exit` in the thread; `throw`:
   * an uncaught exception; `exit-after-commit`: exit right after committing the next append, unacknowledged).
   * Appends posted before it are still answered; the ones after it reject.
   */
  crashWorkerForTest(mode: 'exit' | 'throw' | 'exit-after-commit'): void {
    if (this.#closing) throw new LedgerClosedError('the ledger store is closed');
    this.#worker().worker.postMessage({ type: 'crash', mode } satisfies LedgerWorkerRequest);
  }

  async #closeNow(): Promise<void> {
    await Promise.all(this.#inflight);
    // Undefined when no append was ever made, or when the worker crashed meanwhile and is gone already.
    const handle = this.#handle;
    if (!handle) return;
    handle.worker.postMessage({ type: 'close' } satisfies LedgerWorkerRequest);
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(true), this.#closeTimeoutMs);
    });
    try {
      if (await Promise.race([handle.exited.then(() => false), timedOut])) await handle.worker.terminate();
    } finally {
      clearTimeout(timer);
    }
  }

  /** The live worker, started on first use and again after a crash (not in the constructor: stores opened only
   * for budgets or keys, like `switchyard keys`, never start a thread). */
  #worker(): WorkerHandle {
    if (this.#handle) return this.#handle;
    // execArgv: [] — the worker needs no flags, and inheriting the gateway's would run its --import/--require
    // preloads again in this thread and make --cpu-prof write a second profile beside the main thread's one.
    const worker = new Worker(workerEntry(), { workerData: this.#workerData, execArgv: [] });
    let onExit!: () => void;
    const handle: WorkerHandle = {
      worker,
      pending: new Map(),
      exited: new Promise((resolve) => {
        onExit = resolve;
      }),
    };
    worker.unref();
    worker.on('message', (reply: LedgerWorkerReply) => {
      const pending = handle.pending.get(reply.id);
      if (!pending) return;
      handle.pending.delete(reply.id);
      if (handle.pending.size === 0) worker.unref();
      if (reply.type === 'appended') pending.resolve();
      else pending.reject(deserializeError(reply.error));
    });
    // Must always be handled: an unhandled `error` event on the Worker would crash the gateway itself.
    worker.on('error', (error) => {
      handle.failure = error;
    });
    // A reply that cannot be deserialised leaves its append unanswerable: end the thread, which rejects them all.
    worker.on('messageerror', (error) => {
      handle.failure = error;
      void worker.terminate();
    });
    worker.on('exit', (code) => {
      if (this.#handle === handle) this.#handle = undefined;
      if (handle.pending.size > 0) {
        const cause = handle.failure;
        const reason = cause instanceof Error ? `${cause.name}: ${cause.message}` : `exit code ${code}`;
        const error = new LedgerWorkerCrashError(
          `the SQLite ledger worker died before acknowledging the batch (${reason}); it was not committed and is retried`,
          { retryable: true, cause },
        );
        const pending = [...handle.pending.values()];
        handle.pending.clear();
        for (const p of pending) p.reject(error);
      }
      onExit();
    });
    this.#handle = handle;
    return handle;
  }
}
