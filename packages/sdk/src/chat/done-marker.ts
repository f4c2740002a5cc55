/**
 * Whether an SSE event's data is the end-of-stream marker `[DONE]`. Whitespace around it is tolerated: a proxy that
 * pads the line (`data: [DONE]  `) still ends the stream; read as a chunk, it failed an answer that was whole.
 */
export function isDoneMarker(data: string): boolean {
  return data === '[DONE]' || (data.length <= 32 && data.trim() === '[DONE]');
}
