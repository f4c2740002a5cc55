/**
 * Recent health per routing target, for the `health` selection policy and `sy.health()`.
 *
 * Unlike breaker state this is advisory — a stale or per-instance view only makes routing slightly less clever —
 * so it is in-memory and synchronous, and the engine can score every candidate without awaiting anything.
 * Memory is bounded twice: at most `maxSamples` outcomes per target (oldest dropped first) and at most `maxKeys`
 * targets (the least recently recorded is forgotten). Samples older than `windowMs` no longer count.
 *
 * Latency figures use successful requests only: failures are often fast (an instant 429) or cut short by a
 * timeout, and would make a failing target look quick. Failures show up in `errorRate` instead.
 */
import { ConfigError } from '../errors/client-errors.js';

export interface HealthStats {
  key: string;
  /** Outcomes in the window. */
  requests: number;
  failures: number;
  /** `failures / requests` (0 when there are none). */
  errorRate: number;
  /** Median latency of successes in the window (nearest rank: the lower middle of an even count). */
  latencyMsP50?: number;
  /** Exponentially weighted mean latency of successes in the window, oldest first (`EWMA_ALPHA`). */
  latencyMsEwma?: number;
  /** Same, for time to first token of the successes that reported one. */
  ttftMsEwma?: number;
  lastSuccessAt?: number;
  lastFailureAt?: number;
}

export interface HealthOptions {
  /** Outcomes older than this are forgotten (default 300_000 ms). */
  windowMs?: number;
  /** Outcomes kept per target (default 200). */
  maxSamples?: number;
  /** Targets tracked; the least recently recorded is evicted beyond it (default 10_000). */
  maxKeys?: number;
}

/** Weight of the newest sample in the EWMAs: ~the last 6–7 successes dominate. */
export const EWMA_ALPHA = 0.3;
/** Latency assumed for a target without successes in the window: a typical, acceptable target. */
export const NEUTRAL_LATENCY_MS = 1_000;
/** What an error rate of 100 % costs in score, in ms: about a failed attempt plus the retry it forces. */
export const FAILURE_PENALTY_MS = 10_000;

interface Sample {
  at: number;
  ok: boolean;
  latencyMs?: number;
  ttftMs?: number;
}

interface Entry {
  samples: Sample[];
  lastSuccessAt?: number;
  lastFailureAt?: number;
}

const validMs = (value: number | undefined) =>
  value !== undefined && Number.isFinite(value) && value >= 0 ? value : undefined;

function positiveInteger(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new ConfigError(`Health option ${name} must be a positive integer, got ${String(value)}`);
  }
  return value;
}

export class HealthTracker {
  readonly #windowMs: number;
  readonly #maxSamples: number;
  readonly #maxKeys: number;
  readonly #clock: () => number;
  /** Map order is recording order (entries are re-inserted on record), so the first key is the eviction candidate. */
  readonly #entries = new Map<string, Entry>();
  /** The last key recorded (the end of the map's order): recording it again needs no re-insertion. */
  #newest: string | undefined;

  constructor(options: HealthOptions = {}, clock: () => number = Date.now) {
    this.#windowMs = positiveInteger('windowMs', options.windowMs, 300_000);
    this.#maxSamples = positiveInteger('maxSamples', options.maxSamples, 200);
    this.#maxKeys = positiveInteger('maxKeys', options.maxKeys, 10_000);
    this.#clock = clock;
  }

  /** Records one finished attempt. Invalid durations (negative, NaN) are dropped; the outcome still counts. */
  record(key: string, outcome: { ok: boolean; latencyMs: number; ttftMs?: number }): void {
    const now = this.#clock();
    let entry = this.#entries.get(key);
    if (key !== this.#newest || !entry) {
      entry ??= { samples: [] };
      this.#entries.delete(key);
      this.#entries.set(key, entry);
      this.#newest = key;
      if (this.#entries.size > this.#maxKeys) {
        const oldest = this.#entries.keys().next().value;
        if (oldest !== undefined) this.#entries.delete(oldest);
      }
    }
    entry.samples.push({
      at: now,
      ok: outcome.ok,
      latencyMs: validMs(outcome.latencyMs),
      ttftMs: validMs(outcome.ttftMs),
    });
    if (entry.samples.length > this.#maxSamples) entry.samples.shift();
    if (outcome.ok) entry.lastSuccessAt = now;
    else entry.lastFailureAt = now;
    this.#trim(entry, now);
  }

  /** Stats over the window; `undefined` for a target never recorded (or evicted). */
  stats(key: string): HealthStats | undefined {
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    this.#trim(entry, this.#clock());
    let failures = 0;
    let latencyEwma: number | undefined;
    let ttftEwma: number | undefined;
    const latencies: number[] = [];
    for (const sample of entry.samples) {
      if (!sample.ok) {
        failures += 1;
        continue;
      }
      if (sample.latencyMs !== undefined) {
        latencies.push(sample.latencyMs);
        latencyEwma = ewma(latencyEwma, sample.latencyMs);
      }
      if (sample.ttftMs !== undefined) ttftEwma = ewma(ttftEwma, sample.ttftMs);
    }
    const requests = entry.samples.length;
    latencies.sort((a, b) => a - b);
    const p50 = latencies[Math.ceil(latencies.length / 2) - 1];
    return {
      key,
      requests,
      failures,
      errorRate: requests === 0 ? 0 : failures / requests,
      ...(p50 === undefined ? {} : { latencyMsP50: p50 }),
      ...(latencyEwma === undefined ? {} : { latencyMsEwma: latencyEwma }),
      ...(ttftEwma === undefined ? {} : { ttftMsEwma: ttftEwma }),
      ...(entry.lastSuccessAt === undefined ? {} : { lastSuccessAt: entry.lastSuccessAt }),
      ...(entry.lastFailureAt === undefined ? {} : { lastFailureAt: entry.lastFailureAt }),
    };
  }

  /** Stats of every tracked target, sorted by key. */
  all(): HealthStats[] {
    return [...this.#entries.keys()]
      .sort()
      .map((key) => this.stats(key))
      .filter((s): s is HealthStats => s !== undefined);
  }

  /**
   * Lower is better, in milliseconds of "expected cost":
   *
   *   score = (latencyMsEwma ?? NEUTRAL_LATENCY_MS) + errorRate × FAILURE_PENALTY_MS
   *
   * so a 5 % error rate weighs like 500 ms of extra latency, and a target failing everything (11 000) ranks below
   * any plausibly slow one. A target with no outcomes in the window — never tried, or its samples expired — scores
   * NEUTRAL_LATENCY_MS: it ranks like an acceptable target and is tried again, which is also how a target that
   * failed its way to the bottom gets a second chance once the window has passed.
   */
  score(key: string): number {
    const stats = this.stats(key);
    if (!stats || stats.requests === 0) return NEUTRAL_LATENCY_MS;
    return (stats.latencyMsEwma ?? NEUTRAL_LATENCY_MS) + stats.errorRate * FAILURE_PENALTY_MS;
  }

  /** Drops samples older than the window (samples are in time order, so expired ones are a prefix). */
  #trim(entry: Entry, now: number): void {
    const oldest = now - this.#windowMs;
    let expired = 0;
    while (expired < entry.samples.length && (entry.samples[expired] as Sample).at <= oldest) expired += 1;
    if (expired > 0) entry.samples.splice(0, expired);
  }
}

function ewma(previous: number | undefined, value: number): number {
  return previous === undefined ? value : EWMA_ALPHA * value + (1 - EWMA_ALPHA) * previous;
}
