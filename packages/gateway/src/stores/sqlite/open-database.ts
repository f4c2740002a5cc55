/**
 * Opens (creating if needed) the embedded SQLite database with the settings every store relies on.
 *
 * Durability: WAL with `synchronous = NORMAL` (the default here) syncs the WAL at checkpoints, not at every commit.
 * A committed transaction survives the process being killed (SIGKILL, OOM, a crash): it is in the OS page cache and
 * the WAL is replayed on the next open. On power loss or a kernel crash the last transactions before the failure
 * may be lost (the database stays consistent). `synchronous: 'full'` fsyncs the WAL on every commit and survives
 * power loss too, at the cost of one disk flush per batch.
 */
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import BetterSqlite3, { type Database } from 'better-sqlite3';
import { migrateSqlite } from './migrations.js';

export const DEFAULT_SQLITE_PATH = '.switchyard/switchyard.db';

export interface SqliteOptions {
  /** File path (default `.switchyard/switchyard.db`, relative to the working directory) or `:memory:`. */
  path?: string;
  /** `normal` (default): crash-safe, may lose the last commits on power loss. `full`: power-loss safe. */
  synchronous?: 'normal' | 'full';
  /** How long a write waits for another process's write lock before failing with SQLITE_BUSY (default 5 s). */
  busyTimeoutMs?: number;
}

export function openSqliteDatabase(options: SqliteOptions = {}): Database {
  const path = options.path ?? DEFAULT_SQLITE_PATH;
  const memory = path === ':memory:' || path === '';
  let db: Database | undefined;
  try {
    if (!memory) mkdirSync(dirname(resolve(path)), { recursive: true });
    // `timeout` is better-sqlite3's busy_timeout: set before anything else so even the WAL switch waits its turn.
    db = new BetterSqlite3(path, { timeout: options.busyTimeoutMs ?? 5_000 });
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${options.synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
    // Money columns exceed 2^53 only in absurd cases, but then they must not round: read integers as bigint.
    db.defaultSafeIntegers(true);
    migrateSqlite(db);
    return db;
  } catch (error) {
    db?.close();
    // "file is not a database" alone does not say which file, nor that it is the ledger.
    if (error instanceof Error) error.message = `SQLite ledger ${path}: ${error.message}`;
    throw error;
  }
}
