/** Persistent stores: the usage ledger (one row per attempt), budgets, reports. See open-stores.ts to start. */
export { BatchWriter, type BatchWriterOptions, type BatchWriterStats } from './batch-writer.js';
export type { BudgetStore } from './budget-store.js';
export * from './budget-types.js';
export type { LedgerStore } from './ledger-store.js';
export * from './ledger-types.js';
export { femtoToNano, type Nano, nanoToUsdString, usdToNano } from './nano.js';
export { type OpenStoresOptions, openStores, type Stores } from './open-stores.js';
export { periodKey } from './periods.js';
export * from './reports.js';
export * from './store-errors.js';
