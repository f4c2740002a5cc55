import { type Command, Option } from 'commander';
import type { UsageFlags } from '../usage/run-usage.js';

// The definition of `switchyard usage` only: loaded by every `switchyard` run (for the help), so the implementation
// (usage/run-usage.ts, with the stores and the report code) is imported by the action.

const GROUPS = ['model', 'day', 'key', 'provider', 'user'] as const;

/** `switchyard usage`: what the gateway's ledger recorded, grouped, with a bar per row. */
export function registerUsage(program: Command): void {
  program
    .command('usage')
    .description('spend, tokens, requests and failures from the gateway ledger, with a cost bar per row')
    .option('--since <when>', 'from this time: 30m, 12h, 7d, 2w back, or an ISO date (default: all time)')
    .option('--until <when>', 'up to (not including) this time, same forms as --since (default: now)')
    .addOption(
      new Option('--by <group>', 'one row per model, day, key, provider or user').choices(GROUPS).default('model'),
    )
    .option('--key <id>', 'only requests made with this virtual key (key_…)')
    .option('--model <id>', 'only this model (requested or served)')
    .option('--json', 'print the report as JSON (money as exact decimal strings)')
    .option('--csv', 'print the report as CSV (the last line is the total)')
    .option('-c, --config <file>', 'switchyard.toml to read ([gateway] sqlite_path, database_url)')
    .option('--db <path>', 'SQLite ledger (default .switchyard/switchyard.db; DATABASE_URL selects PostgreSQL)')
    .addHelpText(
      'after',
      [
        '',
        'Examples:',
        '  switchyard usage                          everything, one row per model',
        '  switchyard usage --since 7d --by day      the last 7 days, one row per UTC day',
        '  switchyard usage --since 2025-06-01 --by key --csv > june.csv',
        '  DATABASE_URL=postgres://… switchyard usage --by provider --json',
        '',
        'Reads the ledger `switchyard serve` writes: every upstream attempt with its tokens and cost. "requests" counts',
        'requests that succeeded (once, where they succeeded); "failed" counts failed attempts (retries, fallbacks,',
        'errors). Cost is what the provider reported, else what the catalog prices give.',
      ].join('\n'),
    )
    .action(async (flags: UsageFlags) => {
      const { runUsage } = await import('../usage/run-usage.js');
      await runUsage(flags);
    });
}
