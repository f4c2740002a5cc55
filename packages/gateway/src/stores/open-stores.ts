/**
 * Picks the persistence backend: PostgreSQL when a database URL is given (shared by every gateway instance),
 * otherwise the embedded SQLite file. Ledger reads, budgets and keys share one connection (SQLite) or one pool
 * (PostgreSQL); SQLite ledger appends run on a worker thread with a second connection (see
 * sqlite/worker-ledger-store.ts).
 */

import { resolve } from 'node:path';
import type { KeyStore } from '../keys/key-types.js';
import type { BudgetStore } from './budget-store.js';
import type { BudgetStoreOptions } from './budget-types.js';
import type { LedgerStore } from './ledger-store.js';
import { openPostgresPool } from './postgres/open-pool.js';
import { PostgresBudgetStore } from './postgres/postgres-budget-store.js';
import { PostgresKeyStore } from './postgres/postgres-key-store.js';
import { PostgresLedgerStore } from './postgres/postgres-ledger-store.js';
import { DEFAULT_SQLITE_PATH, openSqliteDatabase } from './sqlite/open-database.js';
import { SqliteBudgetStore } from './sqlite/sqlite-budget-store.js';
import { SqliteKeyStore } from './sqlite/sqlite-key-store.js';
import { SqliteLedgerStore } from './sqlite/sqlite-ledger-store.js';
import { WorkerSqliteLedgerStore } from './sqlite/worker-ledger-store.js';

export interface OpenStoresOptions extends BudgetStoreOptions {
  /** PostgreSQL URL (DATABASE_URL); when set, PostgreSQL is used and `sqlitePath` is ignored. */
  databaseUrl?: string;
  /** SQLite file (default `.switchyard/switchyard.db`). */
  sqlitePath?: string;
  /** SQLite durability: `normal` (default, crash-safe) or `full` (power-loss safe). See sqlite/open-database.ts. */
  synchronous?: 'normal' | 'full';
  /**
   * SQLite: commit ledger batches on a worker thread with its own connection (default true), so a batch never
   * stalls the event loop. `:memory:` databases always write in-thread (a worker cannot share them).
   */
  ledgerWorker?: boolean;
  /** PostgreSQL pool size (default 10). */
  poolMax?: number;
}

export interface Stores {
  ledger: LedgerStore;
  budgets: BudgetStore;
  /** Virtual keys (hashes only) and gateway settings, in the same database. */
  keys: KeyStore;
  kind: 'sqlite' | 'postgres';
  /** Closes the shared connection or pool; flush any BatchWriter first. */
  close(): Promise<void>;
}

export async function openStores(options: OpenStoresOptions = {}): Promise<Stores> {
  const budgetOptions: BudgetStoreOptions = {};
  if (options.onThreshold) budgetOptions.onThreshold = options.onThreshold;
  if (options.retainClosedMs !== undefined) budgetOptions.retainClosedMs = options.retainClosedMs;

  if (options.databaseUrl) {
    const pool = await openPostgresPool({
      databaseUrl: options.databaseUrl,
      ...(options.poolMax === undefined ? {} : { poolMax: options.poolMax }),
    });
    let closed = false;
    return {
      ledger: new PostgresLedgerStore(pool),
      budgets: new PostgresBudgetStore(pool, budgetOptions),
      keys: new PostgresKeyStore(pool),
      kind: 'postgres',
      async close() {
        if (closed) return;
        closed = true;
        await pool.end();
      },
    };
  }

  const db = openSqliteDatabase({
    ...(options.sqlitePath === undefined ? {} : { path: options.sqlitePath }),
    ...(options.synchronous === undefined ? {} : { synchronous: options.synchronous }),
  });
  const path = options.sqlitePath ?? DEFAULT_SQLITE_PATH;
  const memory = path === ':memory:' || path === '';
  // Absolute, so the worker opens the very file the main connection did.
  const ledger =
    options.ledgerWorker === false || memory
      ? new SqliteLedgerStore(db)
      : new WorkerSqliteLedgerStore(db, {
          path: resolve(path),
          ...(options.synchronous === undefined ? {} : { synchronous: options.synchronous }),
        });
  return {
    ledger,
    budgets: new SqliteBudgetStore(db, budgetOptions),
    keys: new SqliteKeyStore(db),
    kind: 'sqlite',
    async close() {
      // The worker first: it lets pending appends commit, then closes its own connection.
      await ledger.close();
      if (db.open) db.close();
    },
  };
}
