import type { StreamEvent } from '../chat/types.js';
import type { SwitchyardError } from '../errors/switchyard-error.js';

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

export interface Runner {
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

/**
 * Waits for the first batch of events (it holds the first content token: streams emit nothing before it) of the
 * primary stream. With
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
  // Settled before the race module loads, so a primary failing meanwhile is already handled.
  const early = Promise.race([
    primary.next.then(
      () => 'primary' as const,
      () => 'primary' as const,
    ),
    silence,
  ]);
  // The race itself is loaded on first use (a lazy chunk in browser bundles): hedging is off by default. The
  // primary and the silence timer are already running, so loading it costs the race no time. Should the chunk fail
  // to load (a browser that lost its connection to the app's server), the primary carries on unhedged.
  const race = await import('./hedge-race.js').catch(() => undefined);
  if (!race) {
    clearTimeout(timer);
    return { generator: primary.generator, step: await primary.next, hedged: false };
  }
  const hedge = input.hedge;
  return race.finishRace(
    input,
    primary,
    await early,
    () => clearTimeout(timer),
    () => run(hedge, input.signal, true),
  );
}
