import type { Database } from 'better-sqlite3';
import type { KeyStore, VirtualKey } from '../../keys/key-types.js';
import { KEY_COLUMNS, keyToRecord, patched, recordToKey } from '../key-rows.js';

/** Virtual keys in the gateway's SQLite database (table `virtual_keys`, migration 3). Lookups are synchronous. */
export class SqliteKeyStore implements KeyStore {
  constructor(private readonly db: Database) {}

  async insert(key: VirtualKey, hash: string): Promise<void> {
    const record = keyToRecord(key, hash);
    this.db
      .prepare(
        `INSERT INTO virtual_keys (${KEY_COLUMNS.join(', ')}) VALUES (${KEY_COLUMNS.map((c) => `@${c}`).join(', ')})`,
      )
      .run(record);
  }

  private one(sql: string, value: string): VirtualKey | undefined {
    const row = this.db.prepare(sql).get(value) as Record<string, unknown> | undefined;
    return row ? recordToKey(row) : undefined;
  }

  async byHash(hash: string): Promise<VirtualKey | undefined> {
    return this.one('SELECT * FROM virtual_keys WHERE hash = ?', hash);
  }

  async byId(id: string): Promise<VirtualKey | undefined> {
    return this.one('SELECT * FROM virtual_keys WHERE id = ?', id);
  }

  async list(): Promise<VirtualKey[]> {
    return (
      this.db.prepare('SELECT * FROM virtual_keys ORDER BY created_at, id').all() as Record<string, unknown>[]
    ).map(recordToKey);
  }

  async revoke(id: string, at: number): Promise<boolean> {
    return (
      this.db.prepare('UPDATE virtual_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL').run(at, id)
        .changes > 0
    );
  }

  async update(id: string, patch: Parameters<KeyStore['update']>[1]): Promise<VirtualKey | undefined> {
    return this.db
      .transaction(() => {
        const row = this.db.prepare('SELECT * FROM virtual_keys WHERE id = ?').get(id) as
          | Record<string, unknown>
          | undefined;
        if (!row) return undefined;
        const next = patched(recordToKey(row), patch);
        const r = keyToRecord(next, String(row.hash));
        this.db
          .prepare(
            'UPDATE virtual_keys SET name = @name, expires_at = @expires_at, allowed_models = @allowed_models, limits = @limits, budget = @budget WHERE id = @id',
          )
          .run(r);
        return next;
      })
      .immediate();
  }

  async setting(name: string, create: () => string): Promise<string> {
    // INSERT OR IGNORE then read: two processes creating the secret at once agree on the first one written.
    this.db.prepare('INSERT OR IGNORE INTO gateway_settings (name, value) VALUES (?, ?)').run(name, create());
    return String(
      (this.db.prepare('SELECT value FROM gateway_settings WHERE name = ?').get(name) as { value: string }).value,
    );
  }

  async count(): Promise<number> {
    const row = this.db.prepare('SELECT COUNT(*) AS n FROM virtual_keys WHERE revoked_at IS NULL').get() as {
      n: bigint | number;
    };
    return Number(row.n);
  }
}
