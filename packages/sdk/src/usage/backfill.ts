import type { ChatResult } from '../chat/types.js';
import { AbortError } from '../errors/client-errors.js';
import { NotFoundError, UnexpectedResponseError } from '../errors/http-errors.js';
import { SwitchyardError } from '../errors/switchyard-error.js';
import type { Generation } from '../protocol/account.js';
import type { RoutingEvents } from '../routing/events.js';
import { sleep } from '../routing/retry-policy.js';
import { type Cost, costDrift } from './cost.js';
import type { UsageFeed } from './sink.js';

// Cost back-fill from OpenRouter's `/generation` record, apart from the usage bookkeeping (accounting.ts) so that
// browser bundles load it only when a back-fill actually happens.

/** How long `sy.backfillCost()` waits out `/generation`'s "not yet available" window (as `sy.generation()`). */
const DEFAULT_WAIT_MS = 3_000;

export interface BackfillDeps {
  generation: (id: string, signal: AbortSignal | undefined) => Promise<Generation>;
  events: RoutingEvents;
  feed: UsageFeed;
}

/** Makes `result.cost` the billed one (see `UsageAccounting.backfill`). */
export async function backfillCost(
  result: ChatResult,
  options: { signal?: AbortSignal; waitMs?: number },
  deps: BackfillDeps,
): Promise<Cost> {
  const id = result.generationId;
  if (!id) throw new SwitchyardError('The result has no generation id to look up');
  const record = await lookup(deps, id, options.signal, options.waitMs ?? DEFAULT_WAIT_MS);
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
  deps.events.emit('cost_backfilled', { generationId: id, usd });
  deps.feed.backfilled({
    generationId: id,
    usd,
    previousUsd: previous.unpriced ? undefined : previous.usd,
    at: Date.now(),
  });
  return cost;
}

/** `/generation?id=`, retrying its 404 with backoff for up to `waitMs`; never calls out once `signal` fired. */
async function lookup(
  deps: BackfillDeps,
  id: string,
  signal: AbortSignal | undefined,
  waitMs: number,
): Promise<Generation> {
  const until = Date.now() + waitMs;
  for (let delay = 100; ; delay = Math.min(delay * 2, 1000)) {
    if (signal?.aborted) throw new AbortError('The cost back-fill was aborted', { cause: signal.reason });
    try {
      return await deps.generation(id, signal);
    } catch (error) {
      if (!(error instanceof NotFoundError) || Date.now() + delay > until) throw error;
      await sleep(delay, signal);
    }
  }
}
