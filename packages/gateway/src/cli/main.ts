import { Command, CommanderError } from 'commander';
import { registerBench } from './commands/bench.js';
import { registerKeys } from './commands/keys.js';
import { registerServe } from './commands/serve.js';
import { registerSimulate } from './commands/simulate.js';

const program = new Command('switchyard')
  .description('switchyard — reliable, cost-aware access to hundreds of LLMs through OpenRouter')
  .version('0.1.0', '-v, --version')
  .showHelpAfterError('(run with --help for usage)')
  .exitOverride();

registerServe(program);
registerKeys(program);
registerSimulate(program);
registerBench(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) process.exit(error.exitCode);
  process.stderr.write(`switchyard: ${(error as Error).message}\n`);
  process.exit(2);
}
