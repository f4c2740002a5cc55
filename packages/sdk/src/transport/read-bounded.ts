/** Reads at most `limit` bytes of a body as text and cancels the rest, so a huge error page cannot exhaust memory. */
export async function readBounded(response: Response, limit = 64 * 1024): Promise<string> {
  const body = response.body;
  if (!body) return '';
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  let size = 0;
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > limit) {
        text += decoder.decode(value.subarray(0, value.byteLength - (size - limit)), { stream: true });
        await reader.cancel().catch(() => {});
        return `${text}…`;
      }
      text += decoder.decode(value, { stream: true });
    }
    return text + decoder.decode();
  } finally {
    reader.releaseLock();
  }
}
