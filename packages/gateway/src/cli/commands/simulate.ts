import type { Command } from 'commander';
import { parsePort } from '../parse-options.js';
import type { SimulateFlags } from '../simulate/run-simulate.js';
import { UsageError } from '../support/exit-codes.js';

/** `switchyard simulate`: the offline OpenRouter look-alike on its own, for any OpenAI/OpenRouter client. */
export function registerSimulate(program: Command): void {
  program
    .command('simulate')
    .description('run the offline OpenRouter simulator (no key, no network needed)')
    .option('-p, --port <port>', 'port to listen on (0 = any free port)', parsePort, 8790)
    .option('--host <host>', 'interface to bind', '127.0.0.1')
    .option('--seed <seed>', 'seed for deterministic answers and probabilistic faults')
    .option('--scenario <file>', 'fault scenario JSON file (see the simulator README)')
    .option('--catalog <file>', 'use another model catalog JSON file')
    .option('--pace <pace>', 'demo = realistic latency and speed, instant = no delays', 'instant')
    .addHelpText(
      'after',
      '\nPrints the base URL on its first line; point OPENROUTER_BASE_URL or any OpenAI client at it.',
    )
    .action(async (flags: SimulateFlags) => {
      if (flags.pace !== 'demo' && flags.pace !== 'instant') {
        throw new UsageError(`--pace must be "demo" or "instant", got "${flags.pace}"`);
      }
      // The simulator package loads only when it runs: every other command starts without it.
      const { runSimulate } = await import('../simulate/run-simulate.js');
      await runSimulate(flags);
    });
}
