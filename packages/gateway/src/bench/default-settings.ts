import type { BenchSettings } from './bench-result.js';

// Apart from run-bench.ts on purpose: `switchyard bench --help` shows these defaults, and the help of every command
// is built on each `switchyard` run, which must not load the bench itself (undici, child processes, reports).

/** What `switchyard bench` measures when no flag says otherwise. */
export const DEFAULT_SETTINGS: BenchSettings = {
  requests: 5_000,
  warmup: 500,
  streams: 1_000,
  streamWarmup: 100,
  block: 250,
  concurrency: [1, 8, 32, 64],
  sweepSeconds: 2.5,
  model: 'openai/gpt-4o-mini',
  deadlineSeconds: 150,
};
