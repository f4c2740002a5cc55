import type { ChatResult } from '../chat/types.js';
import { AbortError, ConfigError } from '../errors/client-errors.js';
import { NotFoundError, UnexpectedResponseError } from '../errors/http-errors.js';
import { SwitchyardError } from '../errors/switchyard-error.js';
import type { Generation } from '../protocol/account.js';
import type { RoutingEvents } from '../routing/events.js';
import { sleep } from '../routing/retry-policy.js';
import type { CallEnd } from '../routing/router.js';
import { type Cost, costDrift } from './cost.js';
import { UsageFeed, type UsageSink, type UsageTags } from './sink.js';

/** How long a background back-fill waits out `/generation`'s "not yet available" window. */
const BACKFILL_WAIT_MS = 10_000;
/** The same for `sy.backfillCost()` (as `sy.generation()`). */
const DEFAULT_WAIT_MS = 3_000;

export interface AccountingDeps {
  sinks: UsageSink[] | undefined;
  events: RoutingEvents;
  /** Back-fill missing costs from `/generation` automatically (`costBackfill` on an OpenRouter-type provider). */
  autoBackfill: boolean;
  /** One `GET /generation?id=` (the 404 of its "not yet available" window is retried here). */
  generation: (id: string, signal: AbortSignal | undefined) => Promise<Generation>;
}

function checkedSinks(sinks: unknown): UsageSink[] {
  if (sinks === undefined) return [];
  if (!Array.isArray(sinks)) throw new ConfigError('Invalid usageSinks from options (usageSinks): must be a list');
  sinks.forEach((sink, i) => {
    if (typeof (sink as UsageSink | null)?.record !== 'function') {
      throw new ConfigError(
        `Invalid usage sink from options (usageSinks[${i}]): must be an object with a record(entry) method`,
      );
    }
  });
  return [...sinks];
}

/**
 * The client's usage bookkeeping: every finished call's attempts go to the usage sinks, and costs missing from an
 * answer are back-filled from OpenRouter's `/generation` record (automatically with `costBackfill`, or on demand).
 */
export class UsageAccounting {
  private readonly feed: UsageFeed;
  private readonly pending = new Set<AbortController>();

  constructor(private readonly deps: AccountingDeps) {
    this.feed = new UsageFeed(checkedSinks(deps.sinks));
  }

  /** The routing engine's end-of-call hook for one call, or undefined when there is nothing to do. */
  onEnd(tags: UsageTags): ((end: CallEnd) => void) | undefined {
    if (!this.feed.active && !this.deps.autoBackfill) return undefined;
    return (end) => {
      this.feed.call(end, tags);
      const result = end.result;
      if (this.deps.autoBackfill && result && result.cost.source !== 'reported' && result.generationId) {
        this.backfillLater(result);
      }
    };
  }

  /**
   * Looks the result's generation up in `/generation` and makes its cost the billed one: `cost.usd` (source
   * `reported`), `driftUsd` against our computation. Updates `result.cost` and the trace, emits `cost_backfilled`,
   * and tells the usage sinks.
   */
  async backfill(result: ChatResult, options: { signal?: AbortSignal; waitMs?: number } = {}): Promise<Cost> {
    const id = result.generationId;
    if (!id) throw new SwitchyardError('The result has no generation id to look up');
    const record = await this.lookup(id, options.signal, options.waitMs ?? DEFAULT_WAIT_MS);
    const usd = typeof record.total_cost === 'number' ? record.total_cost : record.usage;
    if (typeof usd !== 'number' || !Number.isFinite(usd)) {
      throw new UnexpectedResponseError(`The /generation record of ${id} has no cost`, { generationId: id });
    }
    const previous = result.cost;
    const cost: Cost = { ...previous, usd, source: 'reported' };
    delete cost.unpriced;
    if (previous.computedUsd !== undefined) cost.driftUsd = costDrift(usd, previous.computedUsd);
    if (typeof record.upstream_inference_cost === 'number') cost.upstreamUsd = record.upstream_inference_cost;
    if (typeof record.is_byok === 'boolean') cost.isByok = record.is_byok;
    result.cost = cost;
    const attempt = result.attempts?.findLast((a) => a.outcome === 'success');
    if (attempt) attempt.costUsd = usd;
    this.deps.events.emit('cost_backfilled', { generationId: id, usd });
    this.feed.backfilled({
      generationId: id,
      usd,
      previousUsd: previous.unpriced ? undefined : previous.usd,
      at: Date.now(),
    });
    return cost;
  }

  /** Stops background back-fills (the client is closing). */
  close(): void {
    for (const controller of this.pending) controller.abort();
    this.pending.clear();
  }

  /** `/generation?id=`, retrying its 404 with backoff for up to `waitMs`; never calls out once `signal` fired. */
  private async lookup(id: string, signal: AbortSignal | undefined, waitMs: number): Promise<Generation> {
    const until = Date.now() + waitMs;
    for (let delay = 100; ; delay = Math.min(delay * 2, 1000)) {
      if (signal?.aborted) throw new AbortError('The cost back-fill was aborted', { cause: signal.reason });
      try {
        return await this.deps.generation(id, signal);
      } catch (error) {
        if (!(error instanceof NotFoundError) || Date.now() + delay > until) throw error;
        await sleep(delay, signal);
      }
    }
  }

  private backfillLater(result: ChatResult): void {
    const controller = new AbortController();
    this.pending.add(controller);
    this.backfill(result, { signal: controller.signal, waitMs: BACKFILL_WAIT_MS })
      .catch(() => {
        // Best effort: the computed cost stays.
      })
      .finally(() => this.pending.delete(controller));
  }
}
