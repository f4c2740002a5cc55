import type { ChatCompletion, ChatCompletionChunk } from '../protocol/chat.js';
import { SseDecoder } from '../sse/decoder.js';
import { StreamAssembler } from './assembler.js';
import { isDoneMarker } from './done-marker.js';
import { unwrapKeepAlives } from './keep-alive.js';
import type { StreamEvent } from './types.js';

/**
 * A non-streaming chat answered with an SSE stream anyway (some servers and proxies stream whatever they are
 * asked): the completion its chunks add up to — the mirror of how a stream request answered with one JSON
 * completion is read. An in-band error with nothing before it becomes the `{ error }` envelope (a typed error),
 * one after content the choice's error (the partial answer is kept on the error). Undefined when the text is not
 * such a stream (no chunk, or one that is not JSON), so the caller's "expected JSON" error stands.
 */
export function completionFromSse(text: string): ChatCompletion | { error: unknown } | undefined {
  const assembler = new StreamAssembler();
  const events: StreamEvent[] = [];
  let chunks = 0;
  // The closing blank line makes a last event without one count, as the stream reader does.
  for (const item of unwrapKeepAlives(new SseDecoder().push(`${text}\n\n`))) {
    if (item.type !== 'event') continue;
    if (isDoneMarker(item.event.data)) break;
    let chunk: unknown;
    try {
      chunk = JSON.parse(item.event.data);
    } catch {
      return undefined;
    }
    if (typeof chunk !== 'object' || chunk === null) return undefined;
    assembler.push(chunk as ChatCompletionChunk, events);
    chunks++;
  }
  if (chunks === 0) return undefined;
  if (assembler.error && !assembler.hasContent) return { error: assembler.error };
  const completion = assembler.completion();
  const choice = completion.choices[0];
  if (assembler.error && choice) choice.error = assembler.error;
  return completion;
}
