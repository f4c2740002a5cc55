/**
 * What the store contracts (ledger-contract.ts, budget-contract.ts) run against: a backend's target, which supplies
 * fresh databases and opens stores on them; the opener that closes those stores after each test; the shared clock.
 */

import { afterEach } from 'vitest';
import type { OpenStoresOptions, Stores } from '../../src/stores/open-stores.js';

export interface ContractTarget {
  name: string;
  /** Location (file path or URL) of a new, empty database. */
  fresh(): Promise<string>;
  open(location: string, options?: OpenStoresOptions): Promise<Stores>;
  /** Rows of schema_migrations, read with a separate connection. */
  migrationVersions(location: string): Promise<number[]>;
}

/** A backend that holds the ledger: it can also lay down an older schema, to test upgrading it. */
export interface LedgerContractTarget extends ContractTarget {
  /**
   * Leaves at `location` (a fresh database) what an earlier switchyard left: this backend's migrations up to
   * `version` only, then `sql` (rows written by that version), run with a separate connection.
   */
  createOld(location: string, version: number, sql: string): Promise<void>;
}

/** The contracts' clock: one day, and the instant every scenario starts at (2026-11-21 10:00 UTC). */
export const DAY = 86_400_000;
export const T0 = Date.UTC(2026, 10, 21, 10, 0, 0);

/** Opens stores and closes them after each test, pass or fail. */
export function opener(target: ContractTarget) {
  const open: Stores[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((s) => s.close()));
  });
  return async (location?: string, options?: OpenStoresOptions): Promise<Stores> => {
    const stores = await target.open(location ?? (await target.fresh()), options);
    open.push(stores);
    return stores;
  };
}
