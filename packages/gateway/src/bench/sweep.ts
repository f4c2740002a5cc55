import type { LoadClient } from './load-client.js';
import { type CpuUse, cpuMeter } from './process-cpu.js';
import { type Summary, summarize } from './stats.js';

/** Throughput of one side at one concurrency. */
export interface SidePoint {
  /** Requests completed inside the measured window. */
  requests: number;
  /** Requests that failed (any time during the level); they do not count towards throughput. */
  errors: number;
  firstError?: string;
  rps: number;
  latency: Summary;
  /** CPU of the gateway and the simulator while this side ran (per request over all completions, ramp included). */
  cpu: { gateway?: CpuUse; simulator?: CpuUse };
}

export interface SweepPoint {
  concurrency: number;
  seconds: number;
  direct: SidePoint;
  gateway: SidePoint;
  /** gateway rps ÷ direct rps. */
  ratio: number;
}

export interface SweepOptions {
  clients: { direct: LoadClient; gateway: LoadClient };
  levels: readonly number[];
  /** Measured seconds per level and side (after a short unrecorded ramp). */
  seconds: number;
  body: string;
  deadline: number;
  /** Processes whose CPU use is recorded. */
  pids: { gateway: number; simulator: number };
}

/** A side stops early after this many failures (a dead target must not spin until the window ends). */
const MAX_ERRORS = 200;

/** `concurrency` closed-loop workers for `rampMs + windowMs`; completions inside the window are counted. */
async function level(
  client: LoadClient,
  concurrency: number,
  windowMs: number,
  body: string,
  pids: SweepOptions['pids'],
): Promise<SidePoint> {
  const meters = { gateway: cpuMeter(pids.gateway), simulator: cpuMeter(pids.simulator) };
  let completed = 0;
  const rampMs = Math.min(500, Math.max(100, windowMs * 0.1));
  const start = performance.now() + rampMs;
  const end = start + windowMs;
  const latencies: number[] = [];
  let errors = 0;
  let firstError: string | undefined;
  const worker = async () => {
    while (performance.now() < end && errors < MAX_ERRORS) {
      try {
        const ms = await client.once(body);
        completed++;
        const now = performance.now();
        if (now >= start && now <= end) latencies.push(ms);
      } catch (error) {
        errors++;
        firstError ??= error instanceof Error ? error.message : String(error);
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return {
    requests: latencies.length,
    errors,
    firstError,
    rps: latencies.length / (windowMs / 1000),
    latency: summarize(latencies),
    cpu: { gateway: meters.gateway(completed), simulator: meters.simulator(completed) },
  };
}

/**
 * Requests per second through each side at increasing concurrency (closed loop: every worker sends its next request
 * when the previous one is answered). Sides alternate which goes first at each level.
 */
export async function sweep(options: SweepOptions): Promise<SweepPoint[]> {
  const points: SweepPoint[] = [];
  const windowMs = options.seconds * 1000;
  for (const [i, concurrency] of options.levels.entries()) {
    const order = i % 2 === 0 ? (['direct', 'gateway'] as const) : (['gateway', 'direct'] as const);
    const result: Partial<Record<'direct' | 'gateway', SidePoint>> = {};
    for (const side of order) {
      if (Date.now() > options.deadline) throw new Error('the concurrency sweep ran past its deadline');
      result[side] = await level(options.clients[side], concurrency, windowMs, options.body, options.pids);
    }
    const direct = result.direct!;
    const gateway = result.gateway!;
    points.push({
      concurrency,
      seconds: options.seconds,
      direct,
      gateway,
      ratio: direct.rps > 0 ? gateway.rps / direct.rps : Number.NaN,
    });
  }
  return points;
}
