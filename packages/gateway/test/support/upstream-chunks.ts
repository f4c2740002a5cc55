/** What identifies an upstream chat answer in each of its chunks. */
export interface ChunkHead {
  id: string;
  model: string;
  created?: number;
  provider?: string;
}

/** One `chat.completion.chunk` of a loopback upstream's stream, as an SSE frame. */
export function chunkFrame(
  head: ChunkHead,
  delta: Record<string, unknown>,
  finish: string | null = null,
  native: string | null = null,
): string {
  const chunk = {
    ...head,
    object: 'chat.completion.chunk',
    choices: [{ index: 0, delta, finish_reason: finish, native_finish_reason: native }],
  };
  return `data: ${JSON.stringify(chunk)}\n\n`;
}

/** The usage chunk that ends an OpenRouter stream (empty choices), as an SSE frame. */
export function usageFrame(head: ChunkHead, usage: Record<string, unknown>): string {
  return `data: ${JSON.stringify({ ...head, object: 'chat.completion.chunk', choices: [], usage })}\n\n`;
}

/** A non-streamed `chat.completion` of a loopback upstream, as its JSON body. */
export function completionBody(
  head: ChunkHead,
  message: Record<string, unknown>,
  finish: string | null,
  native: string | null,
  usage: Record<string, unknown>,
): string {
  const choices = [{ index: 0, message, finish_reason: finish, native_finish_reason: native }];
  return JSON.stringify({ ...head, object: 'chat.completion', choices, usage });
}
