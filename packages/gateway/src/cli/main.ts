import { Command, CommanderError } from 'commander';
import { registerBatch } from './commands/batch.js';
import { registerBench } from './commands/bench.js';
import { registerChat } from './commands/chat.js';
import { registerCompare } from './commands/compare.js';
import { registerConfig } from './commands/config.js';
import { registerDoctor } from './commands/doctor.js';
import { registerKeys } from './commands/keys.js';
import { registerModels } from './commands/models.js';
import { registerProbe } from './commands/probe.js';
import { registerServe } from './commands/serve.js';
import { registerSimulate } from './commands/simulate.js';
import { registerUsage } from './commands/usage.js';
import { EXIT } from './support/exit-codes.js';

// Start-up cost is what every run pays (`--help` included): this module and the command definitions it registers
// import only commander and small modules without dependencies. Each command loads its implementation (the SDK,
// the stores, fastify, the simulator, …) with `await import()` in its action; bench/cli-startup.ts holds the budget.

const program = new Command('switchyard')
  .description('switchyard — reliable, cost-aware access to hundreds of LLMs through OpenRouter')
  .version('0.1.0', '-v, --version')
  .option('--verbose', 'show error codes, causes and stack traces')
  .showHelpAfterError('(run with --help for usage)')
  .addHelpText(
    'after',
    '\nExit codes: 0 ok, 1 the work failed, 2 wrong usage (bad flags or arguments, invalid config).',
  )
  .exitOverride();

registerServe(program);
registerKeys(program);
registerModels(program);
registerProbe(program);
registerCompare(program);
registerBatch(program);
registerUsage(program);
registerDoctor(program);
registerConfig(program);
registerSimulate(program);
registerBench(program);
registerChat(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  // Commander already printed its own message (usage errors, --help, --version).
  if (error instanceof CommanderError) process.exit(error.exitCode === 0 ? EXIT.ok : EXIT.usage);
  // The SDK's error classes decide the exit code: loaded only now, so that a run that succeeds never pays for them.
  const { describeError, exitCodeOf } = await import('./support/error-report.js');
  process.stderr.write(`${describeError(error, process.argv.includes('--verbose'))}\n`);
  process.exit(exitCodeOf(error));
}
