import { ScenarioError, type SimulatorOptions, startSimulator } from '@switchyard/simulator';
import type { Command } from 'commander';
import { parseInteger, parsePort } from '../parse-options.js';
import { UsageError } from '../support/exit-codes.js';

interface SimulateFlags {
  port: number;
  host: string;
  seed?: string;
  scenario?: string;
  catalog?: string;
  pace: 'demo' | 'instant';
}

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
      const options: SimulatorOptions = { port: flags.port, host: flags.host, pace: flags.pace };
      if (flags.seed !== undefined) options.seed = /^-?\d+$/.test(flags.seed) ? parseInteger(flags.seed) : flags.seed;
      if (flags.scenario) options.scenario = flags.scenario;
      if (flags.catalog) options.catalog = flags.catalog;
      const sim = await startSimulator(options).catch((error: unknown) => {
        // A bad scenario or catalog file is the user's to fix: a usage error, not a crash.
        throw error instanceof ScenarioError ? new UsageError(error.message) : error;
      });
      const catalog = sim.context.catalog;
      process.stdout.write(`${sim.url}\n`);
      process.stdout.write(
        `switchyard simulator: catalog of ${catalog.snapshotDate} (${catalog.models.length} models), ` +
          `pace ${flags.pace}, seed ${sim.context.settings.seed}. Any key starting with "sk-or-" works. Ctrl+C stops it.\n`,
      );
      const stop = () => {
        void sim.close().then(() => process.exit(0));
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
}
