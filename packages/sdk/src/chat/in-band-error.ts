import type { ChatCompletionChunk } from '../protocol/chat.js';
import type { SseDecoder } from '../sse/decoder.js';
import type { SseItem } from '../sse/types.js';
import type { StreamAssembler } from './assembler.js';
import { isDoneMarker } from './done-marker.js';
import { unwrapKeepAlives } from './keep-alive.js';
import type { StreamEvent } from './types.js';

/**
 * How long a stream that reported an in-band error is still read for what follows it. OpenRouter's observed
 * three-chunk failure (error, then `finish_reason: "error"`, then the usage with what the failed attempt was billed)
 * can spread over several network reads, ~100 ms apart: without the wait the cost is lost and a ledger can only
 * guess it from the text. Bounded, because the failure is already known and a caller should not wait long for it;
 * a few hundred milliseconds cover the observed gaps.
 */
export const TRAILING_USAGE_WAIT_MS = 400;

function noop(): void {}

/**
 * Folds what follows an in-band error into the assembler, unshown (the consumer gets the error, not these events).
 * Returns true when nothing more is worth reading: `[DONE]`, a chunk that is not JSON, or the usage (the last chunk
 * before `[DONE]`) has arrived.
 */
export function foldTrailingChunks(items: SseItem[], from: number, asm: StreamAssembler): boolean {
  const unshown: StreamEvent[] = [];
  for (let n = from; n < items.length; n++) {
    const item = items[n]!;
    if (item.type !== 'event') continue;
    if (isDoneMarker(item.event.data)) return true;
    try {
      asm.push(JSON.parse(item.event.data) as ChatCompletionChunk, unshown);
    } catch {
      return true;
    }
  }
  return asm.usage !== undefined;
}

/**
 * Reads on after an in-band error, folding the chunks that follow it (see `TRAILING_USAGE_WAIT_MS`), until
 * `foldTrailingChunks` has all it wants, the body ends or fails, `signal` aborts (an abort cancels the pending read,
 * which settles it) or the bound passes. Never throws: the error already received is what the caller reports.
 * Returns whether the body ended.
 */
export async function readTrailingChunks(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  decoder: SseDecoder,
  asm: StreamAssembler,
  signal: AbortSignal,
): Promise<boolean> {
  let expire = noop;
  const expired = new Promise<undefined>((resolve) => {
    expire = () => resolve(undefined);
  });
  const timer = setTimeout(expire, TRAILING_USAGE_WAIT_MS);
  try {
    while (!signal.aborted) {
      const step = await Promise.race([reader.read(), expired]);
      if (!step || signal.aborted) return false;
      if (step.done) {
        foldTrailingChunks(unwrapKeepAlives(decoder.end({ dispatchPending: true }).items), 0, asm);
        return true;
      }
      if (foldTrailingChunks(unwrapKeepAlives(decoder.push(step.value)), 0, asm)) return false;
    }
    return false;
  } catch {
    return false; // a failed read or an oversized event: what was folded so far stands
  } finally {
    clearTimeout(timer);
  }
}
