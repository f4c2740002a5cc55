import type { CallEnd } from '../routing/router.js';
import type { AttemptOutcome } from '../routing/trace.js';

/**
 * One attempt of one call, as usage: every request the routing engine sent — successful, retried, failed over,
 * failed, or cut off mid-answer — becomes one record. Targets skipped without a request (an open circuit breaker,
 * the price guard, the preflight) are not attempts and make none.
 */
export interface UsageRecord {
  /** When the attempt started (epoch ms). */
  at: number;
  /** Your id of the call (`usageTags.requestId`), the same on every attempt of it. */
  requestId?: string;
  /** OpenRouter's generation id, when the attempt got one. */
  generationId?: string;
  /** Whose key paid (`usageTags.keyId`; the gateway's virtual key). */
  keyId?: string;
  /** The end user (`usageTags.userId`, else the request's `user`). */
  userId?: string;
  /** The model this attempt asked for (empty: the account's default model). */
  modelRequested: string;
  /** The model that answered (routers and aliases can differ). */
  modelServed?: string;
  /** The upstream provider that served or failed (e.g. `DeepInfra`), when known. */
  provider?: string;
  /** The switchyard provider (`openrouter`, `simulator`, a configured name). */
  backend: string;
  /** HTTP status (200 on success) or the in-band error code. */
  status?: number;
  /** The error code of a failed attempt (`rate_limited`, …). */
  code?: string;
  outcome: AttemptOutcome;
  promptTokens: number;
  completionTokens: number;
  cachedTokens: number;
  cacheWriteTokens: number;
  reasoningTokens: number;
  /** What the attempt cost: the reported cost when there is one, else the computed one; absent when unknown. */
  costUsd?: number;
  /** The cost OpenRouter reported (`usage.cost`, or a partial answer's). */
  costReportedUsd?: number;
  /** Our computation from the serving endpoint's (else the model's) prices. */
  costComputedUsd?: number;
  /** What prompt caching saved. */
  savingsUsd?: number;
  /**
   * The computed cost used the model's list prices because the serving endpoint's could not be had in time: an
   * estimate that may differ from what the endpoint billed (`costBackfill` corrects it).
   */
  listPrices?: boolean;
  latencyMs: number;
  ttftMs?: number;
  stream: boolean;
  /** Position of the attempt's model in the fallback chain: 0 = the primary, 1 = the first fallback, … */
  fallbackPosition: number;
  /** 1-based number of the attempt within its call (1 = the call's first request). */
  attempt?: number;
  /** The call's last attempt: its outcome is the call's (the answer, or the error the caller got). */
  final?: boolean;
}

/** A cost learned after the fact from `/generation` (`costBackfill`, `sy.backfillCost()`). */
export interface CostBackfill {
  generationId: string;
  /** The cost OpenRouter billed. */
  usd: number;
  /** The cost the attempt was recorded with before (computed, or absent). */
  previousUsd?: number;
  /** When it was learned (epoch ms). */
  at: number;
}

/**
 * Where usage records go (`usageSinks`): a database, a metrics exporter, a `UsageAggregator`. `record` is called
 * once per attempt, synchronously when the call ends; a returned promise is not awaited. A sink that throws or
 * rejects never fails a request (nothing is logged; `UsageAggregator`s among the sinks count the error).
 */
export interface UsageSink {
  record(entry: UsageRecord): void | Promise<void>;
  /** Optional: an attempt recorded without a reported cost got one from `/generation`. */
  costBackfilled?(update: CostBackfill): void | Promise<void>;
}

/** Per-call labels carried into every usage record of the call. */
export interface UsageTags {
  requestId?: string;
  keyId?: string;
  userId?: string;
}

/** A sink that counts the failures of its fellow sinks (UsageAggregator). */
interface CountsSinkErrors {
  noteSinkError(error: unknown): void;
}

function countsErrors(sink: UsageSink): sink is UsageSink & CountsSinkErrors {
  return typeof (sink as Partial<CountsSinkErrors>).noteSinkError === 'function';
}

/** Hands usage to the configured sinks; nothing a sink does can reach the request. */
export class UsageFeed {
  constructor(private readonly sinks: readonly UsageSink[] = []) {}

  get active(): boolean {
    return this.sinks.length > 0;
  }

  /** Records every attempt of a finished call (its records are built by the routing engine: see `CallEnd`). */
  call(end: CallEnd, tags: UsageTags = {}): void {
    if (!this.active || !end.records) return;
    for (const entry of end.records(tags)) this.deliver((sink) => sink.record(entry));
  }

  /** Tells the sinks that an attempt's cost was learned later. */
  backfilled(update: CostBackfill): void {
    this.deliver((sink) => sink.costBackfilled?.(update));
  }

  private deliver(send: (sink: UsageSink) => void | Promise<void>): void {
    for (const sink of this.sinks) {
      try {
        const pending = send(sink);
        if (pending && typeof (pending as Promise<void>).then === 'function') {
          (pending as Promise<void>).then(undefined, (error: unknown) => this.failed(error));
        }
      } catch (error) {
        this.failed(error);
      }
    }
  }

  private failed(error: unknown): void {
    for (const sink of this.sinks) {
      if (!countsErrors(sink)) continue;
      try {
        sink.noteSinkError(error);
      } catch {
        // nothing more to do
      }
    }
  }
}
