import type { Command } from 'commander';
import type { CreateFlags, ListFlags, SetBudgetFlags, StoreFlags } from '../keys/run-keys.js';
import { parseInteger } from '../parse-options.js';

// The definitions of `switchyard keys …` only: loaded by every `switchyard` run (for the help), so the key logic and
// the stores (keys/run-keys.ts: better-sqlite3, pg, ioredis) are imported by the actions.

const runKeys = () => import('../keys/run-keys.js');

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
  ).action(async (flags: CreateFlags) => (await runKeys()).runCreate(flags));

  storeOptions(
    keys
      .command('list')
      .description('list keys (never their secrets)')
      .option('--all', 'include revoked and expired keys')
      .option('--json', 'print JSON'),
  ).action(async (flags: ListFlags) => (await runKeys()).runList(flags));

  storeOptions(
    keys
      .command('revoke')
      .description('revoke a key by id (a running gateway refuses it within seconds)')
      .argument('<id>', 'key id (key_…)'),
  ).action(async (id: string, flags: StoreFlags) => (await runKeys()).runRevoke(id, flags));

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
    .action(async (id: string, flags: SetBudgetFlags) => (await runKeys()).runSetBudget(id, flags));
}
