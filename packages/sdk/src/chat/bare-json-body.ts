import type { WireError } from '../protocol/chat.js';

/** An error envelope is small; a body larger than this that never held an SSE event is not one worth parsing. */
const MAX_KEPT_BYTES = 64 * 1024;

/**
 * The start of a stream's body, kept until its first SSE item: some servers label a plain JSON error envelope
 * (`{"error":{"code":429,…}}`) `text/event-stream`. The SSE decoder sees no event in it (its lines are unknown
 * fields), so without this copy the stream only "ends without a finish reason" and the rate limit is lost.
 */
export class UndecodedBody {
  private text = '';
  private size = 0;
  /** Made on the first read without an event: most streams have one in their first read and never need it. */
  private decoder: TextDecoder | undefined;

  /** Keeps `bytes`; false once the body outgrew the bound (the caller drops this object then). */
  add(bytes: Uint8Array): boolean {
    this.size += bytes.byteLength;
    if (this.size > MAX_KEPT_BYTES) return false;
    this.decoder ??= new TextDecoder();
    this.text += this.decoder.decode(bytes, { stream: true });
    return true;
  }

  /** The `error` object of the JSON error envelope the body holds, or undefined when it holds something else. */
  wireError(): WireError | undefined {
    let parsed: unknown;
    try {
      parsed = JSON.parse((this.text + (this.decoder?.decode() ?? '')).replace(/^\uFEFF/, ''));
    } catch {
      return undefined;
    }
    const error = (parsed as { error?: unknown } | null)?.error;
    return error && typeof error === 'object' && !Array.isArray(error) ? (error as WireError) : undefined;
  }
}
