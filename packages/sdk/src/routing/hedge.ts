import type { StreamEvent } from '../chat/types.js';
import { SwitchyardError } from '../errors/switchyard-error.js';

/** A stream attempt's events, in batches (see `streamAttempt`). */
type Events = AsyncGenerator<StreamEvent[]>;

export interface HedgeInput {
  /** Starts the primary stream. */
  start: (signal: AbortSignal) => Events;
  /** Starts the hedge (the next target), if hedging is on and there is one. */
  hedge?: (signal: AbortSignal) => Events;
  /** Start the hedge when the primary produced nothing for this long (0 = never). */
  hedgeAfterMs: number;
  signal?: AbortSignal;
  onHedge?: () => void;
}

export interface FirstEvent {
  generator: Events;
  step: IteratorResult<StreamEvent[]>;
  /** Whether the hedge won. */
  hedged: boolean;
  /** The loser's failure, if it failed before being cancelled. */
  loserError?: SwitchyardError;
}

interface Runner {
  generator: Events;
  controller: AbortController;
  next: Promise<IteratorResult<StreamEvent[]>>;
  hedged: boolean;
}

function run(start: (signal: AbortSignal) => Events, parent: AbortSignal | undefined, hedged: boolean): Runner {
  const controller = new AbortController();
  if (parent) {
    if (parent.aborted) controller.abort(parent.reason);
    else parent.addEventListener('abort', () => controller.abort(parent.reason), { once: true });
  }
  const generator = start(controller.signal);
  return { generator, controller, next: generator.next(), hedged };
}

async function cancel(runner: Runner): Promise<void> {
  runner.controller.abort(new SwitchyardError('Lost the hedge race'));
  runner.next.catch(() => {});
  await runner.generator.return(undefined).catch(() => {});
}

/**
 * Waits for the first batch of events (it holds the first content token: streams emit nothing before it) of the primary stream. With
 * hedging on, when the primary is silent for `hedgeAfterMs`, the hedge starts too; the first to produce content
 * wins and the other is aborted. A stream that fails before content simply leaves the race; when both fail, the
 * primary's error is thrown.
 */
export async function raceHedge(input: HedgeInput): Promise<FirstEvent> {
  const primary = run(input.start, input.signal, false);
  if (!input.hedge || input.hedgeAfterMs <= 0) {
    return { generator: primary.generator, step: await primary.next, hedged: false };
  }
  let timer: ReturnType<typeof setTimeout> | undefined;
  const silence = new Promise<'hedge'>((resolve) => {
    timer = setTimeout(() => resolve('hedge'), input.hedgeAfterMs);
  });
  const early = await Promise.race([
    primary.next.then(
      () => 'primary' as const,
      () => 'primary' as const,
    ),
    silence,
  ]);
  clearTimeout(timer);
  if (early === 'primary') return { generator: primary.generator, step: await primary.next, hedged: false };
  input.onHedge?.();
  const backup = run(input.hedge, input.signal, true);
  const settle = (runner: Runner) =>
    runner.next.then(
      (step) => ({ runner, step, error: undefined }),
      (error: unknown) => ({ runner, step: undefined, error }),
    );
  const firstDone = await Promise.race([settle(primary), settle(backup)]);
  const other = firstDone.runner === primary ? backup : primary;
  if (firstDone.step) {
    await cancel(other);
    return { generator: firstDone.runner.generator, step: firstDone.step, hedged: firstDone.runner.hedged };
  }
  // The first to settle failed before content: the other one is all that is left.
  const loserError = firstDone.error instanceof SwitchyardError ? firstDone.error : undefined;
  try {
    const step = await other.next;
    return { generator: other.generator, step, hedged: other.hedged, loserError };
  } catch (error) {
    throw firstDone.runner === primary ? firstDone.error : error;
  }
}
