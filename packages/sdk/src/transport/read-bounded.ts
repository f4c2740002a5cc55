import { ResponseTooLargeError } from '../errors/http-errors.js';

/** Reads a body as text up to `limit` bytes; past that, cancels the rest and returns `over(the text within it)`. */
async function readUpTo(response: Response, limit: number, over: (text: string) => string): Promise<string> {
  const body = response.body;
  if (!body) return response.text();
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  let size = 0;
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return text + decoder.decode();
      size += value.byteLength;
      if (size > limit) {
        text += decoder.decode(value.subarray(0, value.byteLength - (size - limit)), { stream: true });
        await reader.cancel().catch(() => {});
        return over(text);
      }
      text += decoder.decode(value, { stream: true });
    }
  } finally {
    reader.releaseLock();
  }
}

/** Reads at most `limit` bytes of a body as text and cancels the rest, so a huge error page cannot exhaust memory. */
export function readBounded(response: Response, limit = 64 * 1024): Promise<string> {
  return readUpTo(response, limit, (text) => `${text}…`);
}

/**
 * A whole successful body as text, or ResponseTooLargeError once it passes `limit` bytes (the rest is not read).
 * A declared length within the limit is read with `text()`, the runtime's fastest path (fetch fails a body that
 * runs past its declared length); a compressed body's declared length is not its decoded size, so it is counted.
 */
export function readCapped(response: Response, limit: number, model?: string): Promise<string> {
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  if (declared <= limit && !response.headers.get('content-encoding')) return response.text();
  return readUpTo(response, limit, () => {
    throw new ResponseTooLargeError(`The answer is larger than maxResponseBytes (${limit} bytes)`, { model });
  });
}
