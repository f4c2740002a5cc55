import { Command, CommanderError } from 'commander';
import { registerBench } from './commands/bench.js';
import { registerKeys } from './commands/keys.js';
import { registerServe } from './commands/serve.js';
import { registerSimulate } from './commands/simulate.js';
import { describeError, EXIT, exitCodeOf } from './support/exit-codes.js';

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
registerSimulate(program);
registerBench(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  // Commander already printed its own message (usage errors, --help, --version).
  if (error instanceof CommanderError) process.exit(error.exitCode === 0 ? EXIT.ok : EXIT.usage);
  process.stderr.write(`${describeError(error, process.argv.includes('--verbose'))}\n`);
  process.exit(exitCodeOf(error));
}
