/**
 * PostgreSQL schema: the SQLite schema with PostgreSQL types. Time stays BIGINT epoch ms (not timestamptz) so a
 * row round-trips exactly, both stores share one mapping, and no session time zone can shift a `day`; the stored
 * `day` column is the UTC date (`to_timestamp(at / 1000.0)` gives a timestamptz in ad-hoc SQL). Money is BIGINT
 * nano-dollars. Migrations run in one transaction holding a transaction-scoped advisory lock, so gateways starting
 * together apply each migration exactly once (the others wait, then find nothing to do); DDL is transactional here,
 * so a failure leaves the previous schema.
 */
import type pg from 'pg';

export interface PgMigration {
  version: number;
  name: string;
  sql: string;
}

/** Advisory lock key for migrations: any constant shared by every switchyard instance ('SWYD' in ASCII). */
export const MIGRATION_LOCK_KEY = 0x53_57_59_44;

export const POSTGRES_MIGRATIONS: readonly PgMigration[] = [
  {
    version: 1,
    name: 'ledger',
    sql: `
      CREATE TABLE ledger (
        id BIGSERIAL PRIMARY KEY,
        at BIGINT NOT NULL,
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
        cost_reported_nano BIGINT,
        cost_computed_nano BIGINT,
        savings_nano BIGINT,
        latency_ms INTEGER NOT NULL,
        ttft_ms INTEGER,
        stream BOOLEAN NOT NULL,
        fallback_position INTEGER NOT NULL
      );
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
        max_cost_nano BIGINT,
        max_tokens BIGINT,
        max_requests BIGINT,
        updated_at BIGINT NOT NULL,
        PRIMARY KEY (scope, scope_id, period)
      );
      CREATE TABLE budget_counters (
        scope TEXT NOT NULL,
        scope_id TEXT NOT NULL,
        period TEXT NOT NULL,
        period_key TEXT NOT NULL,
        spent_cost_nano BIGINT NOT NULL DEFAULT 0,
        spent_tokens BIGINT NOT NULL DEFAULT 0,
        requests BIGINT NOT NULL DEFAULT 0,
        reserved_cost_nano BIGINT NOT NULL DEFAULT 0,
        reserved_tokens BIGINT NOT NULL DEFAULT 0,
        alerted_percent INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (scope, scope_id, period, period_key)
      );
      CREATE TABLE budget_reservations (
        id TEXT PRIMARY KEY,
        state TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        expires_at BIGINT NOT NULL,
        closed_at BIGINT,
        cost_nano BIGINT NOT NULL,
        tokens BIGINT NOT NULL,
        requests INTEGER NOT NULL,
        counters TEXT NOT NULL
      );
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
        created_at BIGINT NOT NULL,
        expires_at BIGINT,
        revoked_at BIGINT,
        allowed_models TEXT NOT NULL,
        limits TEXT NOT NULL,
        budget TEXT
      );
      CREATE TABLE gateway_settings (
        name TEXT PRIMARY KEY,
        value TEXT NOT NULL
      );
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
      ALTER TABLE ledger
        ADD COLUMN finish_reason TEXT,
        ADD COLUMN native_finish_reason TEXT,
        ADD COLUMN is_byok BOOLEAN,
        ADD COLUMN upstream_cost_nano BIGINT;
    `,
  },
];

/** Applies missing migrations under the advisory lock; returns the versions it applied (empty when current). */
export async function migratePostgres(
  pool: pg.Pool,
  migrations: readonly PgMigration[] = POSTGRES_MIGRATIONS,
): Promise<number[]> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
    await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version INTEGER PRIMARY KEY,
      name TEXT NOT NULL,
      applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
    )`);
    const { rows } = await client.query<{ version: number }>('SELECT version FROM schema_migrations');
    const applied = new Set(rows.map((r) => Number(r.version)));
    const latest = Math.max(0, ...migrations.map((m) => m.version));
    const newest = Math.max(0, ...applied);
    if (newest > latest) {
      throw new Error(`database schema version ${newest} is newer than this switchyard understands (${latest})`);
    }
    const done: number[] = [];
    for (const migration of migrations) {
      if (applied.has(migration.version)) continue;
      await client.query(migration.sql);
      await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [
        migration.version,
        migration.name,
      ]);
      done.push(migration.version);
    }
    await client.query('COMMIT');
    return done;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}
