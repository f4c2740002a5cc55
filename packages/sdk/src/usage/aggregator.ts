import { type Femto, formatFemto, parseUsd, toUsd } from './money.js';
import type { CostBackfill, UsageRecord, UsageSink } from './sink.js';

/** Sums over a set of usage records. Money is summed exactly (femto-dollars) and reported in USD. */
export interface UsageTotals {
  /** Calls, each counted once, where it ended (its final attempt's model, provider, …). */
  requests: number;
  /** Requests sent, retries and fallbacks included. */
  attempts: number;
  /** Attempts that did not succeed (retried, failed over, failed). */
  failures: number;
  /** Calls that ended in an error. */
  failedRequests: number;
  promptTokens: number;
  completionTokens: number;
  cachedTokens: number;
  cacheWriteTokens: number;
  reasoningTokens: number;
  costUsd: number;
  savingsUsd: number;
}

/** The groupings of `toCsv()`. */
export type UsageDimension = 'total' | 'model' | 'day' | 'provider' | 'key';

class Bucket {
  requests = 0;
  attempts = 0;
  failures = 0;
  failedRequests = 0;
  promptTokens = 0;
  completionTokens = 0;
  cachedTokens = 0;
  cacheWriteTokens = 0;
  reasoningTokens = 0;
  cost: Femto = 0n;
  savings: Femto = 0n;

  add(entry: UsageRecord, cost: Femto, savings: Femto): void {
    // A call counts once, on its final attempt (so by model and provider it counts where it ended). Records
    // without `final` (written by hand) count on their first attempt.
    const final = entry.final;
    if (final ?? (entry.attempt === undefined || entry.attempt === 1)) this.requests++;
    if (final === undefined ? entry.outcome === 'failed' : final && entry.outcome !== 'success') this.failedRequests++;
    this.attempts++;
    if (entry.outcome !== 'success') this.failures++;
    this.promptTokens += count(entry.promptTokens);
    this.completionTokens += count(entry.completionTokens);
    this.cachedTokens += count(entry.cachedTokens);
    this.cacheWriteTokens += count(entry.cacheWriteTokens);
    this.reasoningTokens += count(entry.reasoningTokens);
    this.cost += cost;
    this.savings += savings;
  }

  totals(): UsageTotals {
    return {
      requests: this.requests,
      attempts: this.attempts,
      failures: this.failures,
      failedRequests: this.failedRequests,
      promptTokens: this.promptTokens,
      completionTokens: this.completionTokens,
      cachedTokens: this.cachedTokens,
      cacheWriteTokens: this.cacheWriteTokens,
      reasoningTokens: this.reasoningTokens,
      costUsd: toUsd(this.cost),
      savingsUsd: toUsd(this.savings),
    };
  }

  csvCells(): string[] {
    return [
      this.requests,
      this.attempts,
      this.failures,
      this.failedRequests,
      this.promptTokens,
      this.completionTokens,
      this.cachedTokens,
      this.cacheWriteTokens,
      this.reasoningTokens,
    ]
      .map(String)
      .concat(formatFemto(this.cost), formatFemto(this.savings));
  }
}

function count(value: number | undefined): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : 0;
}

/** Exact femto-dollars of a USD number (absent, negative and non-finite amounts count as 0). */
function femto(usd: number | undefined): Femto {
  return typeof usd === 'number' && Number.isFinite(usd) && usd > 0 ? parseUsd(usd) : 0n;
}

function csvCell(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function plain(groups: Map<string, Bucket>): Record<string, UsageTotals> {
  const out: Record<string, UsageTotals> = {};
  for (const name of [...groups.keys()].sort()) {
    Object.defineProperty(out, name, { value: groups.get(name)!.totals(), enumerable: true, writable: true });
  }
  return out;
}

/** Records still waiting for a back-filled cost, at most this many (the oldest are forgotten first). */
const MAX_PENDING = 10_000;

const CSV_HEADER = [
  'dimension',
  'key',
  'requests',
  'attempts',
  'failures',
  'failed_requests',
  'prompt_tokens',
  'completion_tokens',
  'cached_tokens',
  'cache_write_tokens',
  'reasoning_tokens',
  'cost_usd',
  'savings_usd',
].join(',');

/**
 * An in-memory usage ledger: totals of requests, attempts, failures, tokens, cost and cache savings, overall and
 * by model (served, else requested), UTC day, upstream provider and key. Money is summed exactly in femto-dollars.
 * Use it as a sink (`usageSinks: [aggregator]`); it also counts the errors of the other sinks (`sinkErrors`) and
 * applies costs back-filled from `/generation`.
 */
export class UsageAggregator implements UsageSink {
  /** Errors thrown or rejected by sinks fed alongside this one (they never fail a request). */
  sinkErrors = 0;
  private total = new Bucket();
  private readonly groups: Record<Exclude<UsageDimension, 'total'>, Map<string, Bucket>> = {
    model: new Map(),
    day: new Map(),
    provider: new Map(),
    key: new Map(),
  };
  private readonly pending = new Map<string, { cost: Femto; buckets: Bucket[] }>();

  record(entry: UsageRecord): void {
    const cost = femto(entry.costUsd);
    const savings = femto(entry.savingsUsd);
    const buckets = [
      this.total,
      this.bucket('model', entry.modelServed || entry.modelRequested || '(default)'),
      this.bucket('day', new Date(entry.at).toISOString().slice(0, 10)),
      this.bucket('provider', entry.provider ?? '(unknown)'),
      this.bucket('key', entry.keyId ?? '(none)'),
    ];
    for (const bucket of buckets) bucket.add(entry, cost, savings);
    if (entry.generationId && entry.costReportedUsd === undefined) {
      if (this.pending.size >= MAX_PENDING) this.pending.delete(this.pending.keys().next().value as string);
      this.pending.set(entry.generationId, { cost, buckets });
    }
  }

  /** Replaces a recorded attempt's computed (or missing) cost by the one OpenRouter billed. */
  costBackfilled(update: CostBackfill): void {
    const waiting = this.pending.get(update.generationId);
    if (!waiting) return;
    this.pending.delete(update.generationId);
    const delta = femto(update.usd) - waiting.cost;
    for (const bucket of waiting.buckets) bucket.cost += delta;
  }

  /** Counts an error of a fellow sink (called by the client). */
  noteSinkError(_error: unknown): void {
    this.sinkErrors++;
  }

  totals(): UsageTotals & { sinkErrors: number } {
    return { ...this.total.totals(), sinkErrors: this.sinkErrors };
  }

  /** By the model that served (else the one requested). */
  byModel(): Record<string, UsageTotals> {
    return plain(this.groups.model);
  }

  /** By UTC day of the attempt's start (`2026-11-01`). */
  byDay(): Record<string, UsageTotals> {
    return plain(this.groups.day);
  }

  /** By upstream provider (`(unknown)` when none was named). */
  byProvider(): Record<string, UsageTotals> {
    return plain(this.groups.provider);
  }

  /** By `keyId` (`(none)` without one). */
  byKey(): Record<string, UsageTotals> {
    return plain(this.groups.key);
  }

  toJSON(): {
    totals: UsageTotals & { sinkErrors: number };
    byModel: Record<string, UsageTotals>;
    byDay: Record<string, UsageTotals>;
    byProvider: Record<string, UsageTotals>;
    byKey: Record<string, UsageTotals>;
  } {
    return {
      totals: this.totals(),
      byModel: this.byModel(),
      byDay: this.byDay(),
      byProvider: this.byProvider(),
      byKey: this.byKey(),
    };
  }

  /**
   * CSV with a header row, one row per group: `dimension` (`total`, `model`, `day`, `provider`, `key`), `key`, the
   * counts, and `cost_usd`/`savings_usd` as exact decimals. `dimensions` picks the groupings (default: all).
   */
  toCsv(dimensions: UsageDimension[] = ['total', 'model', 'day', 'provider', 'key']): string {
    const lines = [CSV_HEADER];
    for (const dimension of dimensions) {
      if (dimension === 'total') {
        lines.push(['total', '', ...this.total.csvCells()].join(','));
        continue;
      }
      const groups = this.groups[dimension];
      for (const name of [...groups.keys()].sort()) {
        lines.push([dimension, csvCell(name), ...groups.get(name)!.csvCells()].join(','));
      }
    }
    return `${lines.join('\n')}\n`;
  }

  /** Forgets everything recorded. */
  reset(): void {
    this.total = new Bucket();
    for (const groups of Object.values(this.groups)) groups.clear();
    this.pending.clear();
    this.sinkErrors = 0;
  }

  private bucket(dimension: Exclude<UsageDimension, 'total'>, name: string): Bucket {
    const groups = this.groups[dimension];
    let bucket = groups.get(name);
    if (!bucket) {
      bucket = new Bucket();
      groups.set(name, bucket);
    }
    return bucket;
  }
}
