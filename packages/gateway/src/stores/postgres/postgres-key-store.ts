import type pg from 'pg';
import type { KeyStore, VirtualKey } from '../../keys/key-types.js';
import { KEY_COLUMNS, keyToRecord, patched, recordToKey } from '../key-rows.js';
import { inTransaction } from './open-pool.js';

/** Virtual keys in PostgreSQL (table `virtual_keys`, migration 3), shared by every gateway on the database. */
export class PostgresKeyStore implements KeyStore {
  constructor(private readonly pool: pg.Pool) {}

  async insert(key: VirtualKey, hash: string): Promise<void> {
    const record = keyToRecord(key, hash);
    await this.pool.query(
      `INSERT INTO virtual_keys (${KEY_COLUMNS.join(', ')}) VALUES (${KEY_COLUMNS.map((_, i) => `$${i + 1}`).join(', ')})`,
      KEY_COLUMNS.map((c) => record[c]),
    );
  }

  private async one(sql: string, value: string): Promise<VirtualKey | undefined> {
    const { rows } = await this.pool.query(sql, [value]);
    return rows[0] ? recordToKey(rows[0]) : undefined;
  }

  byHash(hash: string): Promise<VirtualKey | undefined> {
    return this.one('SELECT * FROM virtual_keys WHERE hash = $1', hash);
  }

  byId(id: string): Promise<VirtualKey | undefined> {
    return this.one('SELECT * FROM virtual_keys WHERE id = $1', id);
  }

  async list(): Promise<VirtualKey[]> {
    const { rows } = await this.pool.query('SELECT * FROM virtual_keys ORDER BY created_at, id');
    return rows.map(recordToKey);
  }

  async revoke(id: string, at: number): Promise<boolean> {
    const { rowCount } = await this.pool.query(
      'UPDATE virtual_keys SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL',
      [at, id],
    );
    return (rowCount ?? 0) > 0;
  }

  update(id: string, patch: Parameters<KeyStore['update']>[1]): Promise<VirtualKey | undefined> {
    return inTransaction(this.pool, async (client) => {
      const { rows } = await client.query('SELECT * FROM virtual_keys WHERE id = $1 FOR UPDATE', [id]);
      if (!rows[0]) return undefined;
      const next = patched(recordToKey(rows[0]), patch);
      const r = keyToRecord(next, String(rows[0].hash));
      await client.query(
        'UPDATE virtual_keys SET name = $1, expires_at = $2, allowed_models = $3, limits = $4, budget = $5 WHERE id = $6',
        [r.name, r.expires_at, r.allowed_models, r.limits, r.budget, id],
      );
      return next;
    });
  }

  async setting(name: string, create: () => string): Promise<string> {
    await this.pool.query('INSERT INTO gateway_settings (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING', [
      name,
      create(),
    ]);
    const { rows } = await this.pool.query('SELECT value FROM gateway_settings WHERE name = $1', [name]);
    return String(rows[0].value);
  }

  async count(): Promise<number> {
    const { rows } = await this.pool.query('SELECT COUNT(*) AS n FROM virtual_keys WHERE revoked_at IS NULL');
    return Number(rows[0].n);
  }
}
