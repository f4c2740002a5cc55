import type { LedgerFilter, LedgerGroupBy, LedgerQuery, LedgerRow, ReportRow } from './ledger-types.js';

/** Persistent, append-only attempt ledger. Implemented by SQLite (embedded) and PostgreSQL (shared). */
export interface LedgerStore {
  /** Writes all rows in one transaction: either every row is stored or the call rejects and none is. */
  append(rows: LedgerRow[]): Promise<void>;
  query(filter?: LedgerQuery): Promise<LedgerRow[]>;
  /** Aggregates per group, ordered by group. See {@link ReportRow} for what each count means. */
  totals(groupBy: LedgerGroupBy, filter?: LedgerFilter): Promise<ReportRow[]>;
  /** Rejects when the database cannot be reached (health checks). */
  ping(): Promise<void>;
  close(): Promise<void>;
}
