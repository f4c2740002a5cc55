import { SseDecoder } from './decoder.js';
import type { SseDecoderOptions, SseItem } from './types.js';

export interface ReadSseOptions extends SseDecoderOptions {
  /** Aborting cancels the body (freeing the connection) and makes the iteration throw `signal.reason`. */
  signal?: AbortSignal;
}

/**
 * Iterates the SSE items of a response body, one batch per network chunk (the items that chunk completed; batches
 * may be empty). Hot paths use it directly: one async step per chunk instead of one per event. The return value
 * tells whether the body ended inside an event (a truncated stream). Leaving the loop early (`break`, `return`, a
 * throw) or aborting cancels the body, so the underlying socket is released instead of staying parked.
 */
export async function* readSseBatches(
  body: ReadableStream<Uint8Array>,
  options: ReadSseOptions = {},
): AsyncGenerator<SseItem[], { incomplete: boolean }> {
  const { signal } = options;
  signal?.throwIfAborted();
  const decoder = new SseDecoder(options);
  const reader = body.getReader();
  // Cancelling settles a pending `read()` (as done), which is how an abort interrupts a wait for the next chunk.
  const onAbort = (): void => void reader.cancel(signal?.reason).catch(noop);
  signal?.addEventListener('abort', onAbort, { once: true });
  let finished = false;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      signal?.throwIfAborted();
      if (done) break;
      const items = decoder.push(value);
      if (items.length > 0) yield items;
      signal?.throwIfAborted(); // an abort while the consumer held the batch stops the rest too
    }
    const { items, incomplete } = decoder.end();
    if (items.length > 0) yield items;
    finished = true;
    return { incomplete };
  } finally {
    signal?.removeEventListener('abort', onAbort);
    // Not awaited: some bodies settle `cancel()` only when the peer acknowledges, and an early exit must not hang.
    if (!finished) void reader.cancel().catch(noop);
    reader.releaseLock();
  }
}

/** Iterates the SSE items of a response body one by one (see `readSseBatches`). */
export async function* readSse(
  body: ReadableStream<Uint8Array>,
  options: ReadSseOptions = {},
): AsyncGenerator<SseItem, { incomplete: boolean }> {
  const batches = readSseBatches(body, options);
  try {
    for (;;) {
      const step = await batches.next();
      if (step.done) return step.value;
      for (const item of step.value) {
        options.signal?.throwIfAborted(); // an abort while the consumer held an item stops the rest of the chunk too
        yield item;
      }
    }
  } finally {
    await batches.return(undefined as never);
  }
}

function noop(): void {}
