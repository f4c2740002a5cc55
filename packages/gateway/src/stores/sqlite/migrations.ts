/**
 * SQLite schema, as numbered migrations. Each runs once, inside a `BEGIN IMMEDIATE` transaction together with its
 * `schema_migrations` row, so two processes opening the same file at once cannot both apply it, and a crash leaves
 * either the old or the new schema. Tables are STRICT: a value of the wrong type is an error, not silently coerced.
 * Money is INTEGER nano-dollars (64-bit), time is INTEGER epoch ms.
 */
import type { Database } from 'better-sqlite3';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const SQLITE_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'ledger',
    sql: `
      CREATE TABLE ledger (
        id INTEGER PRIMARY KEY,
        at INTEGER NOT NULL,
        day TEXT NOT NULL,
        request_id TEXT NOT NULL,
        generation_id TEXT,
        key_id TEXT,
        user_id TEXT,
        model_requested TEXT NOT NULL,
        model_served TEXT,
        provider TEXT,
        backend TEXT NOT NULL,
        status INTEGER,
        code TEXT,
        outcome TEXT NOT NULL,
        prompt_tokens INTEGER NOT NULL,
        completion_tokens INTEGER NOT NULL,
        cached_tokens INTEGER NOT NULL,
        cache_write_tokens INTEGER NOT NULL,
        reasoning_tokens INTEGER NOT NULL,
        cost_reported_nano INTEGER,
        cost_computed_nano INTEGER,
        savings_nano INTEGER,
        latency_ms INTEGER NOT NULL,
        ttft_ms INTEGER,
        stream INTEGER NOT NULL,
        fallback_position INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX ledger_at ON ledger (at);
      CREATE INDEX ledger_key_at ON ledger (key_id, at);
      CREATE INDEX ledger_user_at ON ledger (user_id, at);
      CREATE INDEX ledger_model_at ON ledger ((COALESCE(model_served, model_requested)), at);
      CREATE INDEX ledger_provider_at ON ledger ((COALESCE(provider, backend)), at);
      CREATE INDEX ledger_request ON ledger (request_id);
      CREATE INDEX ledger_generation ON ledger (generation_id);
    `,
  },
  {
    version: 2,
    name: 'budgets',
    sql: `
      CREATE TABLE budget_limits (
        scope TEXT NOT NULL,
        scope_id TEXT NOT NULL,
        period TEXT NOT NULL,
        max_cost_nano INTEGER,
        max_tokens INTEGER,
        max_requests INTEGER,
        updated_at INTEGER NOT NULL,
        PRIMARY KEY (scope, scope_id, period)
      ) STRICT, WITHOUT ROWID;
      CREATE TABLE budget_counters (
        scope TEXT NOT NULL,
        scope_id TEXT NOT NULL,
        period TEXT NOT NULL,
        period_key TEXT NOT NULL,
        spent_cost_nano INTEGER NOT NULL DEFAULT 0,
        spent_tokens INTEGER NOT NULL DEFAULT 0,
        requests INTEGER NOT NULL DEFAULT 0,
        reserved_cost_nano INTEGER NOT NULL DEFAULT 0,
        reserved_tokens INTEGER NOT NULL DEFAULT 0,
        alerted_percent INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (scope, scope_id, period, period_key)
      ) STRICT, WITHOUT ROWID;
      CREATE TABLE budget_reservations (
        id TEXT PRIMARY KEY,
        state TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL,
        closed_at INTEGER,
        cost_nano INTEGER NOT NULL,
        tokens INTEGER NOT NULL,
        requests INTEGER NOT NULL,
        counters TEXT NOT NULL
      ) STRICT;
      CREATE INDEX budget_reservations_state ON budget_reservations (state, expires_at);
      CREATE INDEX budget_reservations_closed ON budget_reservations (closed_at);
    `,
  },
  {
    version: 3,
    name: 'virtual keys',
    sql: `
      CREATE TABLE virtual_keys (
        id TEXT PRIMARY KEY,
        hash TEXT NOT NULL UNIQUE,
        name TEXT NOT NULL,
        preview TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        expires_at INTEGER,
        revoked_at INTEGER,
        allowed_models TEXT NOT NULL,
        limits TEXT NOT NULL,
        budget TEXT
      ) STRICT;
      CREATE TABLE gateway_settings (
        name TEXT PRIMARY KEY,
        value TEXT NOT NULL
      ) STRICT, WITHOUT ROWID;
    `,
  },
  {
    version: 4,
    name: 'ledger row keys',
    // Idempotent appends (see LedgerRow.rowKey). Older rows keep a NULL key, which a unique index allows any number of.
    sql: `
      ALTER TABLE ledger ADD COLUMN row_key TEXT;
      CREATE UNIQUE INDEX ledger_row_key ON ledger (row_key);
    `,
  },
  {
    version: 5,
    name: 'ledger finish reason and byok',
    // How the answer ended and what a BYOK upstream charged, for `GET /generation` (LedgerRow.finishReason, …).
    // Nullable columns without a default: adding them rewrites no existing row, and rows written before keep NULL
    // (unknown), which reads back as an absent field.
    sql: `
      ALTER TABLE ledger ADD COLUMN finish_reason TEXT;
      ALTER TABLE ledger ADD COLUMN native_finish_reason TEXT;
      ALTER TABLE ledger ADD COLUMN is_byok INTEGER;
      ALTER TABLE ledger ADD COLUMN upstream_cost_nano INTEGER;
    `,
  },
];

/** Applies the migrations this database lacks; a no-op when it is current. Refuses a schema newer than this code. */
export function migrateSqlite(db: Database, migrations: readonly Migration[] = SQLITE_MIGRATIONS): number[] {
  const run = db.transaction((): number[] => {
    db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version INTEGER PRIMARY KEY,
      name TEXT NOT NULL,
      applied_at INTEGER NOT NULL
    ) STRICT`);
    const versions = db.prepare('SELECT version FROM schema_migrations').pluck().safeIntegers(false).all() as number[];
    const applied = new Set(versions);
    const latest = Math.max(0, ...migrations.map((m) => m.version));
    const newest = Math.max(0, ...versions);
    if (newest > latest) {
      throw new Error(`database schema version ${newest} is newer than this switchyard understands (${latest})`);
    }
    const insert = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
    const done: number[] = [];
    for (const migration of migrations) {
      if (applied.has(migration.version)) continue;
      db.exec(migration.sql);
      insert.run(migration.version, migration.name, Date.now());
      done.push(migration.version);
    }
    return done;
  });
  return run.immediate();
}
