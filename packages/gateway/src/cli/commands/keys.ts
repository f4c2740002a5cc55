import { loadConfig } from '@switchyard/sdk/config';
import type { Command } from 'commander';
import { applyKeyBudget } from '../../accounting/store-accounting.js';
import { resolveGatewayConfig } from '../../config/gateway-config.js';
import { keyJson, parseCreateKey } from '../../keys/key-json.js';
import type { VirtualKey } from '../../keys/key-types.js';
import { VirtualKeys } from '../../keys/virtual-keys.js';
import { createLogger } from '../../logging/logger.js';
import { openSharedState } from '../../server/shared-state.js';
import type { BudgetStore } from '../../stores/budget-store.js';
import { openStores } from '../../stores/open-stores.js';
import { parseInteger } from '../parse-options.js';
import { UsageError } from '../support/exit-codes.js';

interface StoreFlags {
  config?: string;
  db?: string;
}

/** The key store (and the budget store that enforces key budgets) the gateway itself would open. */
async function openKeyAdmin(
  flags: StoreFlags,
): Promise<{ keys: VirtualKeys; budgets: BudgetStore; close: () => Promise<void> }> {
  const fileConfig = await loadConfig(flags.config);
  const config = resolveGatewayConfig({ sqlitePath: flags.db, fileConfig });
  const stores = await openStores({ databaseUrl: config.databaseUrl, sqlitePath: config.sqlitePath });
  const shared = config.redisUrl
    ? await openSharedState(config.redisUrl, stores, createLogger({ level: 'warn' }))
    : undefined;
  return {
    keys: new VirtualKeys(stores.keys, config.keySecret),
    budgets: shared?.budgets ?? stores.budgets,
    close: async () => {
      await shared?.close();
      await stores.close();
    },
  };
}

async function withAdmin<T>(
  flags: StoreFlags,
  fn: (admin: Awaited<ReturnType<typeof openKeyAdmin>>) => Promise<T>,
): Promise<T> {
  const admin = await openKeyAdmin(flags);
  try {
    return await fn(admin);
  } finally {
    await admin.close();
  }
}

const list = (value: string) =>
  value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

function describe(key: VirtualKey): string {
  const json = keyJson(key);
  const limits = Object.entries(json.limits as Record<string, number | null>)
    .filter(([, v]) => v !== null)
    .map(([k, v]) => `${k.replace(/_/g, ' ')} ${v}`)
    .join(', ');
  const budget = key.budget ? `$${key.budget.usd}/${key.budget.period}` : 'no budget';
  const models = key.allowedModels.length ? key.allowedModels.join(' ') : 'any model';
  return `${key.id}  ${String(json.status).padEnd(7)}  ${key.name}  ${key.preview}  ${budget}; ${limits || 'no rate limits'}; ${models}${json.expires_at ? `; expires ${json.expires_at}` : ''}`;
}

interface CreateFlags extends StoreFlags {
  name: string;
  models?: string;
  rpm?: number;
  rpd?: number;
  tpm?: number;
  budget?: string;
  budgetPeriod: string;
  expires?: string;
  json?: boolean;
}

/** `switchyard keys create|list|revoke`: virtual keys, written straight to the gateway's database. */
export function registerKeys(program: Command): void {
  const keys = program
    .command('keys')
    .description('manage virtual keys (sk-sy-…) in the gateway database (SQLite file, or DATABASE_URL)')
    .addHelpText(
      'after',
      '\nThe secret is printed once, at creation; only its HMAC is stored. A running gateway sees changes within seconds.',
    );
  const storeOptions = (command: Command) =>
    command
      .option('-c, --config <file>', 'switchyard.toml to read')
      .option('--db <path>', 'SQLite file (default .switchyard/switchyard.db)');

  storeOptions(
    keys
      .command('create')
      .description('create a key and print its secret (shown only this once)')
      .requiredOption('-n, --name <name>', 'a name for the key (who or what uses it)')
      .option('--models <ids>', 'comma-separated model ids or author/* globs the key may use (default: any)')
      .option('--rpm <n>', 'requests per minute', parseInteger)
      .option('--rpd <n>', 'requests per day (daily cap)', parseInteger)
      .option('--tpm <n>', 'tokens per minute', parseInteger)
      .option('--budget <usd>', 'spend limit in USD for the budget period')
      .option('--budget-period <period>', 'day, month or total', 'month')
      .option('--expires <duration>', 'lifetime such as 30d, 12h, 90m')
      .option('--json', 'print the key and secret as JSON'),
  ).action(async (flags: CreateFlags) => {
    const limits: Record<string, number> = {};
    if (flags.rpm !== undefined) limits.requests_per_minute = flags.rpm;
    if (flags.rpd !== undefined) limits.requests_per_day = flags.rpd;
    if (flags.tpm !== undefined) limits.tokens_per_minute = flags.tpm;
    const budgetUsd = flags.budget === undefined ? undefined : Number(flags.budget);
    if (budgetUsd !== undefined && !Number.isFinite(budgetUsd))
      throw new UsageError(`--budget must be a number of USD, got "${flags.budget}"`);
    const input = parseCreateKey({
      name: flags.name,
      allowed_models: flags.models ? list(flags.models) : undefined,
      limits: Object.keys(limits).length ? limits : undefined,
      budget: budgetUsd === undefined ? undefined : { usd: budgetUsd, period: flags.budgetPeriod },
      expires_in: flags.expires,
    });
    await withAdmin(flags, async ({ keys: store, budgets }) => {
      const { key, secret } = await store.create(input);
      await applyKeyBudget(budgets, key);
      if (flags.json) {
        process.stdout.write(`${JSON.stringify({ data: keyJson(key), secret }, null, 2)}\n`);
        return;
      }
      process.stdout.write(`${secret}\n`);
      process.stderr.write(`created ${describe(key)}\nThe secret above is shown only now: store it safely.\n`);
    });
  });

  storeOptions(
    keys
      .command('list')
      .description('list keys (never their secrets)')
      .option('--all', 'include revoked and expired keys')
      .option('--json', 'print JSON'),
  ).action(async (flags: StoreFlags & { all?: boolean; json?: boolean }) => {
    await withAdmin(flags, async ({ keys: store }) => {
      const now = Date.now();
      const rows = (await store.list()).filter(
        (k) => flags.all || (k.revokedAt === undefined && (k.expiresAt === undefined || k.expiresAt > now)),
      );
      if (flags.json) {
        process.stdout.write(`${JSON.stringify({ data: rows.map((k) => keyJson(k, now)) }, null, 2)}\n`);
        return;
      }
      if (rows.length === 0) process.stdout.write('no keys (create one with `switchyard keys create --name …`)\n');
      for (const key of rows) process.stdout.write(`${describe(key)}\n`);
    });
  });

  storeOptions(
    keys
      .command('revoke')
      .description('revoke a key by id (a running gateway refuses it within seconds)')
      .argument('<id>', 'key id (key_…)'),
  ).action(async (id: string, flags: StoreFlags) => {
    await withAdmin(flags, async ({ keys: store }) => {
      const key = await store.get(id);
      if (!key) throw new UsageError(`no key with id ${id} (see \`switchyard keys list --all\`)`);
      if (!(await store.revoke(id))) {
        process.stdout.write(`${id} was already revoked\n`);
        return;
      }
      process.stdout.write(`revoked ${id} (${key.name})\n`);
    });
  });
}
