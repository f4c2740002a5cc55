import { SseDecoder } from './decoder.js';
import type { SseDecoderOptions, SseItem } from './types.js';

export interface ReadSseOptions extends SseDecoderOptions {
  /** Aborting cancels the body (freeing the connection) and makes the iteration throw `signal.reason`. */
  signal?: AbortSignal;
}

/**
 * Iterates the SSE items of a response body. The generator's return value tells whether the body ended inside an
 * event (a truncated stream). Leaving the loop early (`break`, `return`, a throw) or aborting cancels the body, so
 * the underlying socket is released instead of staying parked on an unread stream.
 */
export async function* readSse(
  body: ReadableStream<Uint8Array>,
  options: ReadSseOptions = {},
): AsyncGenerator<SseItem, { incomplete: boolean }> {
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
      for (const item of decoder.push(value)) {
        signal?.throwIfAborted(); // an abort while the consumer held an item stops the rest of the chunk too
        yield item;
      }
    }
    const { items, incomplete } = decoder.end();
    for (const item of items) yield item;
    finished = true;
    return { incomplete };
  } finally {
    signal?.removeEventListener('abort', onAbort);
    // Not awaited: some bodies settle `cancel()` only when the peer acknowledges, and an early exit must not hang.
    if (!finished) void reader.cancel().catch(noop);
    reader.releaseLock();
  }
}

function noop(): void {}
