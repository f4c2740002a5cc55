import type { StreamEvent } from '../chat/types.js';

type Batches = AsyncIterator<readonly StreamEvent[]>;

/**
 * A stream's batch iterator that is still being made (the routing engine loading on a client's very first
 * stream): the first `next()` waits for it, every later call goes straight to it.
 */
export function deferredBatches(pending: Promise<Batches>): Batches {
  let inner: Batches | undefined;
  return {
    next: () => {
      if (inner) return inner.next();
      return pending.then((batches) => {
        inner = batches;
        return batches.next();
      });
    },
    return: async () => {
      const batches = inner ?? (await pending.catch(() => undefined));
      await batches?.return?.(undefined);
      return { done: true, value: undefined };
    },
  };
}
