import type { Command } from 'commander';
import type { VirtualKey } from '../../keys/key-types.js';
import type { VirtualKeys } from '../../keys/virtual-keys.js';
import type { BudgetStore } from '../../stores/budget-store.js';
import { parseInteger } from '../parse-options.js';
import { UsageError } from '../support/exit-codes.js';
import { usd as money } from '../support/output.js';

// Start-up stays fast: this module is loaded by every `switchyard` run (for `--help`), so the stores (better-sqlite3,
// pg, ioredis) and the key logic are imported inside the actions, only when a `keys` command runs.

interface StoreFlags {
  config?: string;
  db?: string;
}

interface KeyAdmin {
  keys: VirtualKeys;
  budgets: BudgetStore;
  close: () => Promise<void>;
}

/** The key store (and the budget store that enforces key budgets) the gateway itself would open. */
async function openKeyAdmin(flags: StoreFlags): Promise<KeyAdmin> {
  const [
    { loadConfig },
    { resolveGatewayConfig },
    { VirtualKeys },
    { createLogger },
    { openSharedState },
    { openStores },
  ] = await Promise.all([
    import('@switchyard/sdk/config'),
    import('../../config/gateway-config.js'),
    import('../../keys/virtual-keys.js'),
    import('../../logging/logger.js'),
    import('../../server/shared-state.js'),
    import('../../stores/open-stores.js'),
  ]);
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

async function withAdmin<T>(flags: StoreFlags, fn: (admin: KeyAdmin) => Promise<T>): Promise<T> {
  const admin = await openKeyAdmin(flags);
  try {
    return await fn(admin);
  } finally {
    await admin.close();
  }
}

/** `applyKeyBudget` lives with the store accounting (imported on demand, see above). */
async function applyKeyBudget(budgets: BudgetStore, key: VirtualKey): Promise<void> {
  const accounting = await import('../../accounting/store-accounting.js');
  await accounting.applyKeyBudget(budgets, key);
}

const list = (value: string) =>
  value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

const budgetText = (budget: VirtualKey['budget']) => (budget ? `$${budget.usd}/${budget.period}` : 'no budget');

async function describe(key: VirtualKey): Promise<string> {
  const { keyJson } = await import('../../keys/key-json.js');
  const json = keyJson(key);
  const limits = Object.entries(json.limits as Record<string, number | null>)
    .filter(([, v]) => v !== null)
    .map(([k, v]) => `${k.replace(/_/g, ' ')} ${v}`)
    .join(', ');
  const models = key.allowedModels.length ? key.allowedModels.join(' ') : 'any model';
  return `${key.id}  ${String(json.status).padEnd(7)}  ${key.name}  ${key.preview}  ${budgetText(key.budget)}; ${limits || 'no rate limits'}; ${models}${json.expires_at ? `; expires ${json.expires_at}` : ''}`;
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

interface SetBudgetFlags extends StoreFlags {
  budget?: string;
  period?: string;
  none?: boolean;
  json?: boolean;
}

function usdAmount(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const usd = Number(text);
  if (text.trim() === '' || !Number.isFinite(usd))
    throw new UsageError(`--budget must be a number of USD, got "${text}"`);
  return usd;
}

/** `switchyard keys create|list|revoke|set-budget`: virtual keys, written straight to the gateway's database. */
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
    const { keyJson, parseCreateKey } = await import('../../keys/key-json.js');
    const limits: Record<string, number> = {};
    if (flags.rpm !== undefined) limits.requests_per_minute = flags.rpm;
    if (flags.rpd !== undefined) limits.requests_per_day = flags.rpd;
    if (flags.tpm !== undefined) limits.tokens_per_minute = flags.tpm;
    const budgetUsd = usdAmount(flags.budget);
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
      process.stderr.write(`created ${await describe(key)}\nThe secret above is shown only now: store it safely.\n`);
    });
  });

  storeOptions(
    keys
      .command('list')
      .description('list keys (never their secrets)')
      .option('--all', 'include revoked and expired keys')
      .option('--json', 'print JSON'),
  ).action(async (flags: StoreFlags & { all?: boolean; json?: boolean }) => {
    const { keyJson } = await import('../../keys/key-json.js');
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
      for (const key of rows) process.stdout.write(`${await describe(key)}\n`);
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

  storeOptions(
    keys
      .command('set-budget')
      .description("set or remove a key's spend limit (a running gateway enforces it from the next request)")
      .argument('<id>', 'key id (key_…)')
      .option('--budget <usd>', 'spend limit in USD per period (0 blocks all paid requests)')
      .option('--period <period>', "day, month or total (default: the key's current period, else month)")
      .option('--none', 'remove the budget (the key may spend without limit)')
      .option('--json', 'print the updated key as JSON'),
  )
    .addHelpText(
      'after',
      [
        '',
        'Examples:',
        '  switchyard keys set-budget key_3f2a9c1d --budget 25                 $25 per month (or per the current period)',
        '  switchyard keys set-budget key_3f2a9c1d --budget 2 --period day     $2 per UTC day',
        '  switchyard keys set-budget key_3f2a9c1d --none                      no spend limit',
        '',
        'Spend already booked in the period still counts against the new limit. With REDIS_URL set the limit is',
        'written to the shared Redis budget store too, exactly as `switchyard serve` would.',
      ].join('\n'),
    )
    .action(async (id: string, flags: SetBudgetFlags) => {
      if (flags.none && (flags.budget !== undefined || flags.period !== undefined))
        throw new UsageError('--none removes the budget: it cannot be combined with --budget or --period');
      if (!flags.none && flags.budget === undefined)
        throw new UsageError('say what to set: --budget <usd> [--period day|month|total], or --none to remove it');
      const usd = usdAmount(flags.budget);
      const [{ keyJson, parseUpdateKey }, { nanoToUsdString }] = await Promise.all([
        import('../../keys/key-json.js'),
        import('../../stores/nano.js'),
      ]);
      await withAdmin(flags, async ({ keys: store, budgets }) => {
        const before = await store.get(id);
        if (!before) throw new UsageError(`no key with id ${id} (see \`switchyard keys list --all\`)`);
        if (before.revokedAt !== undefined) throw new UsageError(`key ${id} (${before.name}) is revoked`);
        // Validated like the admin API's PATCH /admin/keys/:id body, so both give the same messages.
        const patch = parseUpdateKey({
          budget: flags.none ? null : { usd, period: flags.period ?? before.budget?.period ?? 'month' },
        });
        const key = await store.update(id, patch);
        if (!key) throw new UsageError(`no key with id ${id} (see \`switchyard keys list --all\`)`);
        await applyKeyBudget(budgets, key);
        if (flags.json) {
          process.stdout.write(`${JSON.stringify({ data: keyJson(key) }, null, 2)}\n`);
          return;
        }
        const was = before.budget ? ` (was ${budgetText(before.budget)})` : ' (had none)';
        if (!key.budget) {
          process.stdout.write(`removed the budget of ${id} (${key.name})${was}\n`);
          return;
        }
        const spent = await budgets.usage('key', id, key.budget.period);
        const period = { day: 'today (UTC)', month: 'this month', total: 'in total' }[key.budget.period];
        process.stdout.write(
          `budget of ${id} (${key.name}) set to ${budgetText(key.budget)}${was}; spent ${period}: ${money(Number(nanoToUsdString(spent.costNano)))}\n`,
        );
      });
    });
}
