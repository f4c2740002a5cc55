import { join } from 'node:path';
import { type Command, InvalidArgumentError } from 'commander';
import { DEFAULT_SETTINGS } from '../../bench/default-settings.js';
import { parseNonNegative, parsePositive } from '../parse-options.js';

interface BenchFlags {
  requests: number;
  warmup: number;
  streams: number;
  streamWarmup: number;
  concurrency: number[];
  sweepSeconds: number;
  model: string;
  json: string;
  check?: boolean;
  profile?: boolean;
  deadline: number;
}

function seconds(value: string): number {
  const n = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value.trim()) || !(n > 0)) {
    throw new InvalidArgumentError(`expected a positive number of seconds, got "${value}"`);
  }
  return n;
}

function levels(value: string): number[] {
  const list = value.split(',').map((part) => part.trim());
  if (list.length === 0 || list.some((part) => !/^\d+$/.test(part) || Number(part) < 1 || Number(part) > 1024)) {
    throw new InvalidArgumentError(`expected a comma-separated list of concurrencies from 1 to 1024, got "${value}"`);
  }
  return list.map(Number);
}

/** `switchyard bench`: added latency and throughput of the gateway against the simulator, in one run. */
export function registerBench(program: Command): void {
  const d = DEFAULT_SETTINGS;
  program
    .command('bench')
    .description('measure the gateway against the simulator: added latency (p50/p99), TTFT, requests/s, memory')
    .option('--requests <n>', `non-stream requests per side at c=1 (default ${d.requests})`, parsePositive, d.requests)
    .option(
      '--warmup <n>',
      `unrecorded non-stream requests per side first (default ${d.warmup})`,
      parseNonNegative,
      d.warmup,
    )
    .option('--streams <n>', `streamed requests per side (default ${d.streams})`, parsePositive, d.streams)
    .option(
      '--stream-warmup <n>',
      `unrecorded streams per side first (default ${d.streamWarmup})`,
      parseNonNegative,
      d.streamWarmup,
    )
    .option('--concurrency <list>', `sweep levels (default ${d.concurrency.join(',')})`, levels, d.concurrency)
    .option(
      '--sweep-seconds <s>',
      `measured seconds per level and side (default ${d.sweepSeconds})`,
      seconds,
      d.sweepSeconds,
    )
    .option('--model <id>', `model to request (default ${d.model})`, d.model)
    .option('--json <file>', 'where to write the results as JSON', join('bench-results', 'gateway-bench.json'))
    .option('--check', 'exit with code 1 when a budget is missed')
    .option('--profile', 'always profile the gateway (node --cpu-prof) and print its hot spots')
    .option('--no-profile', 'never profile (default: profile when a budget is missed)')
    .option('--deadline <s>', `hard limit for the whole run (default ${d.deadlineSeconds})`, seconds, d.deadlineSeconds)
    .addHelpText(
      'after',
      [
        '',
        'Starts `switchyard simulate --pace instant` and `switchyard serve` (upstream = the simulator, throwaway',
        'SQLite ledger) as child processes on 127.0.0.1, then times the same requests direct and through the',
        'gateway. Budgets: added p50 ≤ 0.15 ms, p99 ≤ 0.6 ms; added TTFT p99 ≤ 0.3 ms; throughput ≥ 40 % of direct.',
        'Exit code: 0, or 1 with --check when a budget is missed; 2 when the bench itself failed.',
      ].join('\n'),
    )
    .action(async (flags: BenchFlags) => {
      // The bench (undici, child processes, profiling, reports) loads only when it runs.
      const { runBench } = await import('../../bench/run-bench.js');
      const code = await runBench({
        ...d,
        requests: flags.requests,
        warmup: flags.warmup,
        streams: flags.streams,
        streamWarmup: flags.streamWarmup,
        concurrency: flags.concurrency,
        sweepSeconds: flags.sweepSeconds,
        model: flags.model,
        deadlineSeconds: flags.deadline,
        jsonPath: flags.json,
        check: flags.check === true,
        profile: flags.profile === undefined ? 'auto' : flags.profile ? 'always' : 'never',
      });
      process.exit(code);
    });
}
