import { SwitchyardError } from '../errors/switchyard-error.js';
import type { FirstEvent, HedgeInput, Runner } from './hedge.js';

// The hedge race of `raceHedge` once the primary is running: its own module so that browser bundles load it only
// when hedging is configured (`routing.hedgeAfterMs`).

async function cancel(runner: Runner): Promise<void> {
  runner.controller.abort(new SwitchyardError('Lost the hedge race'));
  runner.next.catch(() => {});
  await runner.generator.return(undefined).catch(() => {});
}

/** After `early` (the primary's first batch, or silence): on silence starts the hedge and lets the two race. */
export async function finishRace(
  input: HedgeInput,
  primary: Runner,
  early: 'primary' | 'hedge',
  stopTimer: () => void,
  startHedge: () => Runner,
): Promise<FirstEvent> {
  stopTimer();
  if (early === 'primary') return { generator: primary.generator, step: await primary.next, hedged: false };
  input.onHedge?.();
  const backup = startHedge();
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
