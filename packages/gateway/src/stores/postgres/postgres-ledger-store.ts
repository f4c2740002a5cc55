/**
 * The ledger on PostgreSQL. A batch is one INSERT … SELECT FROM unnest(column arrays): one round trip and one
 * statement per batch whatever its size, without building a giant VALUES list or hitting the parameter limit.
 */
import type pg from 'pg';
import { LEDGER_COLUMNS, type LedgerColumn, recordToRow, rowToValues } from '../ledger-columns.js';
import { recordsToReport, totalsSql, whereClause } from '../ledger-sql.js';
import type { LedgerStore } from '../ledger-store.js';
import type { LedgerFilter, LedgerGroupBy, LedgerQuery, LedgerRow, ReportRow } from '../ledger-types.js';

const placeholder = (index: number): string => `$${index}`;

const COLUMN_TYPES: Record<LedgerColumn, string> = {
  at: 'bigint',
  day: 'text',
  request_id: 'text',
  generation_id: 'text',
  key_id: 'text',
  user_id: 'text',
  model_requested: 'text',
  model_served: 'text',
  provider: 'text',
  backend: 'text',
  status: 'int',
  code: 'text',
  outcome: 'text',
  prompt_tokens: 'int',
  completion_tokens: 'int',
  cached_tokens: 'int',
  cache_write_tokens: 'int',
  reasoning_tokens: 'int',
  cost_reported_nano: 'bigint',
  cost_computed_nano: 'bigint',
  savings_nano: 'bigint',
  latency_ms: 'int',
  ttft_ms: 'int',
  stream: 'boolean',
  fallback_position: 'int',
  row_key: 'text',
  finish_reason: 'text',
  native_finish_reason: 'text',
  is_byok: 'boolean',
  upstream_cost_nano: 'bigint',
};

const INSERT_SQL = `INSERT INTO ledger (${LEDGER_COLUMNS.join(', ')})
  SELECT * FROM unnest(${LEDGER_COLUMNS.map((c, i) => `$${i + 1}::${COLUMN_TYPES[c]}[]`).join(', ')})
  ON CONFLICT (row_key) DO NOTHING`;

export class PostgresLedgerStore implements LedgerStore {
  readonly #pool: pg.Pool;
  readonly #ownsPool: boolean;
  #closed = false;

  constructor(pool: pg.Pool, options: { ownsPool?: boolean } = {}) {
    this.#pool = pool;
    this.#ownsPool = options.ownsPool ?? false;
  }

  async append(rows: LedgerRow[]): Promise<void> {
    if (rows.length === 0) return;
    const columns: unknown[][] = LEDGER_COLUMNS.map(() => new Array(rows.length));
    rows.forEach((row, r) => {
      rowToValues(row).forEach((value, c) => {
        // pg renders bigint array elements with toString(): exact.
        columns[c]![r] = value;
      });
    });
    await this.#pool.query(INSERT_SQL, columns);
  }

  async query(filter: LedgerQuery = {}): Promise<LedgerRow[]> {
    const where = whereClause(filter, placeholder);
    const direction = filter.order === 'desc' ? 'DESC' : 'ASC';
    const limit = filter.limit === undefined ? '' : ` LIMIT ${Math.max(0, Math.floor(filter.limit))}`;
    const sql = `SELECT * FROM ledger ${where.sql} ORDER BY at ${direction}, id ${direction}${limit}`;
    const { rows } = await this.#pool.query(sql, where.params);
    return rows.map(recordToRow);
  }

  async totals(groupBy: LedgerGroupBy, filter: LedgerFilter = {}): Promise<ReportRow[]> {
    const where = whereClause(filter, placeholder);
    const { rows } = await this.#pool.query(totalsSql(groupBy, where.sql), where.params);
    return recordsToReport(rows);
  }

  async ping(): Promise<void> {
    await this.#pool.query('SELECT 1');
  }

  async close(): Promise<void> {
    if (!this.#ownsPool || this.#closed) return;
    this.#closed = true;
    await this.#pool.end();
  }
}
