import { applyKeyBudget } from '../../accounting/store-accounting.js';
import { keyJson, parseCreateKey, parseUpdateKey } from '../../keys/key-json.js';
import type { VirtualKey } from '../../keys/key-types.js';
import { MAX_BUDGET_USD, nanoToUsdString } from '../../stores/nano.js';
import { UsageError } from '../support/exit-codes.js';
import { usd as money } from '../support/output.js';
import { type StoreFlags, withAdmin } from './key-admin.js';

// The implementation of `switchyard keys create|list|revoke|set-budget` (commands/keys.ts defines the commands):
// the key logic and the stores load from here, only when a `keys` command runs.

export type { StoreFlags } from './key-admin.js';

const list = (value: string) =>
  value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

const budgetText = (budget: VirtualKey['budget']) => (budget ? `$${budget.usd}/${budget.period}` : 'no budget');

function describe(key: VirtualKey): string {
  const json = keyJson(key);
  const limits = Object.entries(json.limits as Record<string, number | null>)
    .filter(([, v]) => v !== null)
    .map(([k, v]) => `${k.replace(/_/g, ' ')} ${v}`)
    .join(', ');
  const models = key.allowedModels.length ? key.allowedModels.join(' ') : 'any model';
  return `${key.id}  ${String(json.status).padEnd(7)}  ${key.name}  ${key.preview}  ${budgetText(key.budget)}; ${limits || 'no rate limits'}; ${models}${json.expires_at ? `; expires ${json.expires_at}` : ''}`;
}

export interface CreateFlags extends StoreFlags {
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

export interface ListFlags extends StoreFlags {
  all?: boolean;
  json?: boolean;
}

export interface SetBudgetFlags extends StoreFlags {
  budget?: string;
  period?: string;
  none?: boolean;
  json?: boolean;
}

function usdAmount(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const usd = Number(text);
  if (text.trim() === '' || !(usd >= 0 && usd <= MAX_BUDGET_USD))
    throw new UsageError(`--budget must be a number of USD from 0 to ${MAX_BUDGET_USD}, got "${text}"`);
  return usd;
}

/** `keys create`: the secret on stdout (shown only this once), the key's description on stderr. */
export async function runCreate(flags: CreateFlags): Promise<void> {
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
    process.stderr.write(`created ${describe(key)}\nThe secret above is shown only now: store it safely.\n`);
  });
}

/** `keys list`: active keys (all with --all), never their secrets. */
export async function runList(flags: ListFlags): Promise<void> {
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
}

/** `keys revoke <id>`. */
export async function runRevoke(id: string, flags: StoreFlags): Promise<void> {
  await withAdmin(flags, async ({ keys: store }) => {
    const key = await store.get(id);
    if (!key) throw new UsageError(`no key with id ${id} (see \`switchyard keys list --all\`)`);
    if (!(await store.revoke(id))) {
      process.stdout.write(`${id} was already revoked\n`);
      return;
    }
    process.stdout.write(`revoked ${id} (${key.name})\n`);
  });
}

/** `keys set-budget <id>`: set or remove the spend limit, applied to the budget store as the gateway would. */
export async function runSetBudget(id: string, flags: SetBudgetFlags): Promise<void> {
  if (flags.none && (flags.budget !== undefined || flags.period !== undefined))
    throw new UsageError('--none removes the budget: it cannot be combined with --budget or --period');
  if (!flags.none && flags.budget === undefined)
    throw new UsageError('say what to set: --budget <usd> [--period day|month|total], or --none to remove it');
  const usd = usdAmount(flags.budget);
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
}
