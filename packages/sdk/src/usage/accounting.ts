import type { ChatResult } from '../chat/types.js';
import { lazyModule } from '../errors/chunk-load.js';
import { ConfigError } from '../errors/client-errors.js';
import type { Generation } from '../protocol/account.js';
import type { RoutingEvents } from '../routing/events.js';
import type { CallEnd } from '../routing/router.js';
import type { Cost } from './cost.js';
import { UsageFeed, type UsageSink, type UsageTags } from './sink.js';

/** Cost back-fill: loaded on first use (a lazy chunk); only `costBackfill` and `sy.backfillCost()` need it. */
const loadBackfill = lazyModule("the SDK's cost back-fill", () => import('./backfill.js'));

/** How long a background back-fill waits out `/generation`'s "not yet available" window. */
const BACKFILL_WAIT_MS = 10_000;

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
    const { backfillCost } = await loadBackfill();
    return backfillCost(result, options, {
      generation: this.deps.generation,
      events: this.deps.events,
      feed: this.feed,
    });
  }

  /** Stops background back-fills (the client is closing). */
  close(): void {
    for (const controller of this.pending) controller.abort();
    this.pending.clear();
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
