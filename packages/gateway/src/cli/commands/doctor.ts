import { type Command, InvalidArgumentError } from 'commander';
import { createOutput } from '../support/output.js';

interface DoctorFlags {
  config?: string;
  db?: string;
  json?: boolean;
  timeout: number;
}

function seconds(value: string): number {
  const n = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value.trim()) || !(n > 0) || n > 300)
    throw new InvalidArgumentError(`expected seconds between 0 and 300, got "${value}"`);
  return n;
}

/** `switchyard doctor`: is everything set up? One line per check; exit 1 when any check fails. */
export function registerDoctor(program: Command): void {
  program
    .command('doctor')
    .description('check the setup: config file, keys (masked), key and credits, catalog, ledger, Redis')
    .option('-c, --config <file>', 'switchyard.toml to check (default ./switchyard.toml when present)')
    .option(
      '--db <path>',
      'SQLite ledger to check (default .switchyard/switchyard.db; DATABASE_URL selects PostgreSQL)',
    )
    .option('--timeout <s>', 'seconds each network check may take', seconds, 10)
    .option('--json', 'print the results as JSON ({ ok, checks: [{ name, status, detail }] })')
    .addHelpText(
      'after',
      [
        '',
        'Examples:',
        '  switchyard doctor',
        '  switchyard doctor --config ops/gateway.toml --timeout 3',
        '  DATABASE_URL=postgres://… REDIS_URL=redis://… switchyard doctor --json',
        '',
        'Each line is OK, INFO (worth knowing, not a problem), SKIP (nothing to check) or FAIL. Without a key the',
        'CLI uses the offline simulator: that is INFO, not a failure; so is a 403 from /credits for a key that is',
        'not a management key. Keys are shown masked, database and Redis URLs without user or password.',
        'Exit code: 0 when nothing failed, 1 when a check failed.',
      ].join('\n'),
    )
    .action(async (flags: DoctorFlags) => {
      // The checks (and the drivers they use) load only when doctor runs: start-up of other commands stays fast.
      const { runDoctor } = await import('../doctor/run-doctor.js');
      await runDoctor(flags, createOutput());
    });
}
