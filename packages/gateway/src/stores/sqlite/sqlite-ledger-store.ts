/**
 * The ledger on SQLite. better-sqlite3 is synchronous: each call does its work on this thread and returns a
 * settled promise, which is why the request path goes through `BatchWriter` (one transaction per batch).
 */
import type { Database, Statement } from 'better-sqlite3';
import { LEDGER_COLUMNS, recordToRow, rowToValues } from '../ledger-columns.js';
import { recordsToReport, totalsSql, whereClause } from '../ledger-sql.js';
import type { LedgerStore } from '../ledger-store.js';
import type { LedgerFilter, LedgerGroupBy, LedgerQuery, LedgerRow, ReportRow } from '../ledger-types.js';

const placeholder = (): string => '?';
const STREAM = LEDGER_COLUMNS.indexOf('stream');
const IS_BYOK = LEDGER_COLUMNS.indexOf('is_byok');

export class SqliteLedgerStore implements LedgerStore {
  readonly #db: Database;
  readonly #insert: Statement;
  readonly #appendAll: (rows: LedgerRow[]) => void;
  /** Set when this store owns the connection (opened it) and must close it. */
  readonly #ownsDb: boolean;

  constructor(db: Database, options: { ownsDb?: boolean } = {}) {
    this.#db = db;
    this.#ownsDb = options.ownsDb ?? false;
    const columns = LEDGER_COLUMNS.join(', ');
    const marks = LEDGER_COLUMNS.map(placeholder).join(', ');
    // A row already stored under its key is skipped: a batch retried after a lost acknowledgement adds nothing twice.
    this.#insert = db.prepare(`INSERT INTO ledger (${columns}) VALUES (${marks}) ON CONFLICT (row_key) DO NOTHING`);
    // IMMEDIATE: take the write lock up front, so a concurrent writer makes us wait (busy_timeout) instead of failing mid-batch.
    const tx = db.transaction((rows: LedgerRow[]) => {
      for (const row of rows) {
        const values = rowToValues(row);
        // SQLite has no boolean (and better-sqlite3 refuses to bind one): `stream` and `is_byok` are 0/1.
        values[STREAM] = row.stream ? 1 : 0;
        if (row.isByok !== undefined) values[IS_BYOK] = row.isByok ? 1 : 0;
        this.#insert.run(values);
      }
    });
    this.#appendAll = (rows) => tx.immediate(rows);
  }

  async append(rows: LedgerRow[]): Promise<void> {
    if (rows.length > 0) this.#appendAll(rows);
  }

  async query(filter: LedgerQuery = {}): Promise<LedgerRow[]> {
    const where = whereClause(filter, placeholder);
    const direction = filter.order === 'desc' ? 'DESC' : 'ASC';
    const limit = filter.limit === undefined ? '' : ` LIMIT ${Math.max(0, Math.floor(filter.limit))}`;
    const sql = `SELECT * FROM ledger ${where.sql} ORDER BY at ${direction}, id ${direction}${limit}`;
    // Safe integers per statement, whoever opened the connection: money must come back as exact bigint.
    const records = this.#db
      .prepare(sql)
      .safeIntegers(true)
      .all(...where.params) as Record<string, unknown>[];
    return records.map(recordToRow);
  }

  async totals(groupBy: LedgerGroupBy, filter: LedgerFilter = {}): Promise<ReportRow[]> {
    const where = whereClause(filter, placeholder);
    const statement = this.#db.prepare(totalsSql(groupBy, where.sql)).safeIntegers(true);
    const records = statement.all(...where.params) as Record<string, unknown>[];
    return recordsToReport(records);
  }

  async ping(): Promise<void> {
    this.#db.prepare('SELECT 1').get();
  }

  async close(): Promise<void> {
    if (this.#ownsDb && this.#db.open) this.#db.close();
  }
}
