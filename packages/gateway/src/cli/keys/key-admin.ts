import { loadConfig } from '@switchyard/sdk/config';
import { resolveGatewayConfig } from '../../config/gateway-config.js';
import { VirtualKeys } from '../../keys/virtual-keys.js';
import { createLogger } from '../../logging/logger.js';
import { openSharedState } from '../../server/shared-state.js';
import type { BudgetStore } from '../../stores/budget-store.js';
import { openStores } from '../../stores/open-stores.js';

// The stores behind `switchyard keys` (better-sqlite3 or pg, ioredis): imported by keys/run-keys.ts, which the
// `keys` command definitions load only when a `keys` command runs.

export interface StoreFlags {
  config?: string;
  db?: string;
}

export interface KeyAdmin {
  keys: VirtualKeys;
  budgets: BudgetStore;
  close: () => Promise<void>;
}

/** The key store (and the budget store that enforces key budgets) the gateway itself would open. */
async function openKeyAdmin(flags: StoreFlags): Promise<KeyAdmin> {
  const fileConfig = await loadConfig(flags.config);
  const config = resolveGatewayConfig({ sqlitePath: flags.db, fileConfig });
  const stores = await openStores({ databaseUrl: config.databaseUrl, sqlitePath: config.sqlitePath });
  let shared: Awaited<ReturnType<typeof openSharedState>> | undefined;
  try {
    shared = config.redisUrl
      ? await openSharedState(config.redisUrl, stores, createLogger({ level: 'warn' }))
      : undefined;
  } catch (error) {
    await stores.close();
    throw error;
  }
  return {
    keys: new VirtualKeys(stores.keys, config.keySecret),
    budgets: shared?.budgets ?? stores.budgets,
    close: async () => {
      await shared?.close();
      await stores.close();
    },
  };
}

/** Runs `fn` with the stores open, and closes them whatever happens. */
export async function withAdmin<T>(flags: StoreFlags, fn: (admin: KeyAdmin) => Promise<T>): Promise<T> {
  const admin = await openKeyAdmin(flags);
  try {
    return await fn(admin);
  } finally {
    await admin.close();
  }
}
