import { ScenarioError, type SimulatorOptions, startSimulator } from '@switchyard/simulator';
import { listenError } from '../../shared/listen-error.js';
import { parseInteger } from '../parse-options.js';
import { UsageError } from '../support/exit-codes.js';

// The implementation of `switchyard simulate` (commands/simulate.ts defines the command): the simulator package
// loads from here, only when it is started.

export interface SimulateFlags {
  port: number;
  host: string;
  seed?: string;
  scenario?: string;
  catalog?: string;
  pace: 'demo' | 'instant';
}

/** The offline OpenRouter look-alike, until SIGINT/SIGTERM; its base URL is the first line on stdout. */
export async function runSimulate(flags: SimulateFlags): Promise<void> {
  const options: SimulatorOptions = { port: flags.port, host: flags.host, pace: flags.pace };
  if (flags.seed !== undefined) options.seed = /^-?\d+$/.test(flags.seed) ? parseInteger(flags.seed) : flags.seed;
  if (flags.scenario) options.scenario = flags.scenario;
  if (flags.catalog) options.catalog = flags.catalog;
  const sim = await startSimulator(options).catch((error: unknown) => {
    // A bad scenario or catalog file is the user's to fix: a usage error, not a crash.
    throw error instanceof ScenarioError ? new UsageError(error.message) : listenError(error, flags.port);
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
}
