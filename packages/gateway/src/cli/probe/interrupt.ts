/** Exit code of a run the user stopped with Ctrl-C (128 + SIGINT, as shells expect). */
export const EXIT_INTERRUPTED = 130;

/**
 * Ctrl-C handling for long runs: the first SIGINT (or SIGTERM) stops starting new requests and lets the ones in
 * flight finish, so what was paid for is kept; a second one aborts those too.
 */
export class Interrupt {
  /** Fires on the first signal: start nothing new. */
  readonly stop = new AbortController();
  /** Fires on the second signal: abort requests in flight. */
  readonly abort = new AbortController();
  private readonly handler = () => {
    if (!this.stop.signal.aborted) {
      this.stop.abort();
      this.onStop();
    } else this.abort.abort();
  };

  constructor(private readonly onStop: () => void) {
    process.on('SIGINT', this.handler);
    process.on('SIGTERM', this.handler);
  }

  get stopped(): boolean {
    return this.stop.signal.aborted;
  }

  dispose(): void {
    process.off('SIGINT', this.handler);
    process.off('SIGTERM', this.handler);
  }
}

/**
 * Runs `worker` over `items` with at most `concurrency` at a time, in order of `items`, until they are done or
 * `stop` fires (items not started by then are left alone).
 */
export async function runPool<T>(
  items: readonly T[],
  concurrency: number,
  stop: AbortSignal,
  worker: (item: T, index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (!stop.aborted && next < items.length) {
      const index = next++;
      await worker(items[index] as T, index);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, lane));
}
