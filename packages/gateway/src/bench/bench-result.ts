import type { CpuUse } from './process-cpu.js';
import type { GatewayProfile } from './profile-gateway.js';
import type { RssReading } from './rss.js';
import type { Summary } from './stats.js';
import type { SweepPoint } from './sweep.js';

/** What one `switchyard bench` run measures (its flags, resolved). */
export interface BenchSettings {
  /** Non-streamed requests per side at c=1 (measured, after `warmup`). */
  requests: number;
  warmup: number;
  /** Streamed requests per side (measured, after `streamWarmup`). */
  streams: number;
  streamWarmup: number;
  /** Requests a side takes in a row before the other side's turn. */
  block: number;
  concurrency: number[];
  sweepSeconds: number;
  model: string;
  deadlineSeconds: number;
}

export interface StreamSummary {
  ttfb: Summary;
  ttft: Summary;
  total: Summary;
}

export interface Verdict {
  name: string;
  measured: number;
  budget: number;
  unit: 'ms' | '%';
  /** `max`: measured must not exceed the budget; `min`: must reach it. */
  kind: 'max' | 'min';
  pass: boolean;
  /** The same statistic for the minimal proxy (`floor`), for reference: not judged. */
  floor?: number;
}

/** What the minimal proxy (floor-proxy.ts: node:http + undici, no logic) adds, measured the same way. */
export interface FloorResult {
  nonStream: { direct: Summary; proxy: Summary; added: { p50: number; p99: number } };
  stream: { direct: StreamSummary; proxy: StreamSummary; added: { ttftP50: number; ttftP99: number } };
  sweep: SweepPoint[];
  /** Best proxy requests/s over the sweep as a share of the best direct requests/s. */
  throughputRatio: number;
  /** The proxy's CPU per non-stream request at c=1 (warm-up included); Linux only. */
  cpu?: CpuUse;
}

/** The JSON `switchyard bench` writes (`--json`). Times in ms, memory in bytes. */
export interface BenchResult {
  schema: 'switchyard-gateway-bench/1';
  startedAt: string;
  durationMs: number;
  environment: { node: string; platform: string; cpus: number; loadavgStart: number[]; loadavgEnd: number[] };
  settings: BenchSettings;
  processes: { simulator: { pid: number; origin: string }; gateway: { pid: number; origin: string } };
  nonStream: {
    direct: Summary;
    gateway: Summary;
    /** gateway − direct, per statistic. */
    added: { p50: number; p90: number; p99: number; mean: number };
  };
  stream: {
    direct: StreamSummary;
    gateway: StreamSummary;
    added: { ttfbP50: number; ttfbP99: number; ttftP50: number; ttftP99: number; totalP50: number };
  };
  sweep: SweepPoint[];
  /** Best requests/s of each side over the sweep, and their ratio. */
  throughput: {
    directRps: number;
    directConcurrency: number;
    gatewayRps: number;
    gatewayConcurrency: number;
    ratio: number;
  };
  rss: { idle?: RssReading; afterSweep?: RssReading };
  /** CPU per request of each process during the c=1 phases (warm-up included); Linux only. */
  cpu: {
    nonStream: { gateway?: CpuUse; simulator?: CpuUse };
    stream: { gateway?: CpuUse; simulator?: CpuUse };
  };
  /** The reference point: a proxy with no logic on the same machine, in the same run. */
  floor: FloorResult;
  budgets: Verdict[];
  profiles: GatewayProfile[];
}
