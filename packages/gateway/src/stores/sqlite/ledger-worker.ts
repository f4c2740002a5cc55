/**
 * Worker-thread entry of `WorkerSqliteLedgerStore`: owns a second better-sqlite3 connection to the gateway's SQLite
 * file and commits ledger batches there, so the synchronous commit (≈ 5 ms per 500 rows) no longer stalls the
 * gateway's event loop. Reads, budgets and keys stay on the main thread's connection; WAL lets them run beside
 * this writer, and `busy_timeout` serialises this connection's write lock with the main thread's budget writes
 * exactly as it does with other processes.
 *
 * The insert is `SqliteLedgerStore.append` itself (one `BEGIN IMMEDIATE` transaction per batch), so both stores
 * write identical rows. Each request is answered with `appended` or a `failed` reply carrying a plain-object error;
 * the thread is never left to die from a database error, only from a real crash, which the parent detects by the
 * `exit` event.
 */
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import type { LedgerRow } from '../ledger-types.js';
import { openSqliteDatabase } from './open-database.js';
import { SqliteLedgerStore } from './sqlite-ledger-store.js';

/** `workerData`: the same file and pragmas as the main connection. */
export interface LedgerWorkerData {
  path: string;
  synchronous?: 'normal' | 'full';
  busyTimeoutMs?: number;
}

export type LedgerWorkerRequest =
  | { type: 'append'; id: number; rows: LedgerRow[] }
  /** Close the connection and let the thread end (sent once every append has been answered). */
  | { type: 'close' }
  /**
   * Fault injection for tests: die the way a crash would (`process.exit` or an uncaught exception), now or — with
   * `exit-after-commit` — right after committing the next append, before acknowledging it.
   */
  | { type: 'crash'; mode: 'exit' | 'throw' | 'exit-after-commit' };

/** What crosses the thread boundary for a failed append (structured clone drops an Error's `code`). */
export interface SerializedError {
  name: string;
  message: string;
  code?: string;
  stack?: string;
}

export type LedgerWorkerReply =
  | { type: 'appended'; id: number }
  | { type: 'failed'; id: number; error: SerializedError };

function serializeError(error: unknown): SerializedError {
  if (!(error instanceof Error)) return { name: 'Error', message: String(error) };
  const serialized: SerializedError = { name: error.name, message: error.message };
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') serialized.code = code;
  if (error.stack !== undefined) serialized.stack = error.stack;
  return serialized;
}

const port = parentPort;
if (isMainThread || !port) {
  throw new Error('ledger-worker runs as a worker thread started by WorkerSqliteLedgerStore, not as a module');
}
const options = workerData as LedgerWorkerData;
// Top-level failures (file unreadable, database locked past busy_timeout) end the thread with an uncaught error:
// the parent rejects the pending appends and starts a fresh worker on the next one.
const store = new SqliteLedgerStore(openSqliteDatabase(options), { ownsDb: true });
let exitAfterCommit = false;

port.on('message', (request: LedgerWorkerRequest) => {
  switch (request.type) {
    case 'append': {
      const { id } = request;
      // SqliteLedgerStore.append runs synchronously and returns a settled promise; replies keep request order.
      store.append(request.rows).then(
        () => {
          if (exitAfterCommit) process.exit(70);
          port.postMessage({ type: 'appended', id } satisfies LedgerWorkerReply);
        },
        (error: unknown) =>
          port.postMessage({ type: 'failed', id, error: serializeError(error) } satisfies LedgerWorkerReply),
      );
      return;
    }
    case 'close':
      void store.close().finally(() => port.close());
      return;
    case 'crash':
      if (request.mode === 'exit-after-commit') {
        exitAfterCommit = true;
        return;
      }
      if (request.mode === 'exit') process.exit(70);
      // Thrown from the listener itself: deferring it would let messages already queued behind it run first.
      throw new Error('ledger worker crash injected by a test');
  }
});
