/**
 * The PostgreSQL connection pool shared by the ledger and budget stores, migrated before first use.
 */
import pg from 'pg';
import { safeMessage, urlTarget } from '../../shared/connection-targets.js';
import { migratePostgres } from './migrations.js';

export interface PostgresOptions {
  /** `postgres://user:pass@host:port/db` (DATABASE_URL). */
  databaseUrl: string;
  /** Pool size (default 10). */
  poolMax?: number;
  /** Errors of idle pooled connections (server restart, network): the pool replaces them; this only observes. */
  onError?: (error: Error) => void;
}

export async function openPostgresPool(options: PostgresOptions): Promise<pg.Pool> {
  const pool = new pg.Pool({
    connectionString: options.databaseUrl,
    max: options.poolMax ?? 10,
    application_name: 'switchyard',
  });
  // Without a listener an idle client's error would be an uncaught 'error' event and crash the gateway.
  pool.on('error', (error) => options.onError?.(error));
  try {
    await migratePostgres(pool);
  } catch (error) {
    await pool.end().catch(() => {});
    // "connect ECONNREFUSED 127.0.0.1:5432" alone does not say it is the ledger, nor which setting points there.
    if (error instanceof Error)
      error.message = `PostgreSQL ledger ${urlTarget(options.databaseUrl)} (DATABASE_URL): ${safeMessage(error, [options.databaseUrl])}`;
    throw error;
  }
  return pool;
}

/** SQLSTATEs after which retrying the whole transaction is safe and expected to succeed. */
const RETRYABLE = new Set(['40001', '40P01']);

/** Runs `fn` in a transaction; retries a few times on serialization failures and deadlocks. */
export async function inTransaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const client = await pool.connect();
    let broken = false;
    try {
      await client.query('BEGIN');
      const result = await fn(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {
        broken = true;
      });
      const code = (error as { code?: string }).code;
      if (attempt < 5 && code !== undefined && RETRYABLE.has(code)) continue;
      throw error;
    } finally {
      // A connection whose ROLLBACK failed is in an unknown state: destroy it rather than pool it.
      client.release(broken);
    }
  }
}
