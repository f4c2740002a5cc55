/** The store contract on a real PostgreSQL server started for this file, plus PostgreSQL-only guarantees:
 * concurrent first starts (advisory-locked migrations) and crash durability of a SIGKILLed writer. */

import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { openStores } from '../../src/stores/open-stores.js';
import { migratePostgres, POSTGRES_MIGRATIONS } from '../../src/stores/postgres/migrations.js';
import { usePostgres } from '../support/postgres.js';
import { killAll, spawnTs, watch } from './children/spawn-ts.js';
import { budgetContract, type LedgerContractTarget, ledgerContract } from './contract.js';

const postgres = usePostgres();
afterEach(() => killAll());

async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

const target: LedgerContractTarget = {
  name: 'postgres',
  fresh: () => postgres.server.createDatabase(),
  open: (location, options) => openStores({ ...options, databaseUrl: location }),
  migrationVersions: (location) =>
    withClient(location, async (c) =>
      (await c.query('SELECT version FROM schema_migrations ORDER BY version')).rows.map((r) => r.version),
    ),
  createOld: async (location, version, sql) => {
    const pool = new pg.Pool({ connectionString: location, max: 1 });
    try {
      await migratePostgres(
        pool,
        POSTGRES_MIGRATIONS.filter((m) => m.version <= version),
      );
      await pool.query(sql);
    } finally {
      await pool.end();
    }
  },
};

ledgerContract(target);
budgetContract(target);

describe('postgres specifics', () => {
  it('migrates once when several instances start at the same time (advisory lock)', async () => {
    const url = await postgres.server.createDatabase();
    const all = await Promise.all(Array.from({ length: 5 }, () => openStores({ databaseUrl: url, poolMax: 2 })));
    try {
      expect(all.every((s) => s.kind === 'postgres')).toBe(true);
      const rows = await withClient(url, async (c) => (await c.query('SELECT version FROM schema_migrations')).rows);
      expect(rows.map((r) => r.version).sort()).toEqual(POSTGRES_MIGRATIONS.map((m) => m.version));
      await Promise.all(all.map((s) => s.ledger.ping()));
    } finally {
      await Promise.all(all.map((s) => s.close()));
    }
  });

  it('keeps every acknowledged row when the writer is SIGKILLed mid-burst', async () => {
    const url = await postgres.server.createDatabase();
    const batch = 200;
    const child = spawnTs('ledger-writer.ts', ['postgres', url, String(batch)]);
    let acked = 0;
    let acks = 0;
    const exit = watch(child, (line) => {
      if (!line.startsWith('ack ')) return;
      acked = Number(line.slice(4));
      if (++acks === 30) child.kill('SIGKILL');
    });
    const { signal, stderr } = await exit;
    expect(signal, stderr).toBe('SIGKILL');
    expect(acked).toBeGreaterThanOrEqual(30 * batch);

    const stores = await openStores({ databaseUrl: url });
    try {
      const rows = await stores.ledger.query();
      const ids = rows.map((r) => Number(r.requestId.slice(2)));
      expect(ids.length).toBeGreaterThanOrEqual(acked);
      // Batches are single statements: rows beyond the last ack exist only as whole batches.
      expect(ids.length % batch).toBe(0);
      expect(ids.every((id, i) => id === i + 1)).toBe(true);
      expect(rows[acked - 1]!.costReportedNano).toBe(BigInt(acked));
    } finally {
      await stores.close();
    }
  }, 30_000);
});
