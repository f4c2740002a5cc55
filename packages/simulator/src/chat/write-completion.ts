import type { Fault } from '../faults/fault-types.js';
import { CORS_ANSWER } from '../http/cors.js';
import type { ResponseSession } from '../http/session.js';

/** OpenRouter's keep-alive for a non-streamed answer: whitespace before the JSON, which JSON parsers skip. */
const PADDING = '\n';

export interface CompletionAnswer {
  body: Record<string, unknown>;
  headers: Record<string, string>;
  /** 200, or a skin's error status for a failure mid-generation (Anthropic's). */
  status: number;
  /** When the answer is ready, in ms from now. */
  delayMs: number;
  /** While waiting longer than this, commit the headers and send a newline every this many ms (0 = never). */
  keepAliveMs: number;
}

/**
 * Writes a non-streaming JSON answer after `delayMs`, shaped by transport faults (cut, reset, stall, garbage).
 * A 200 that takes longer than `keepAliveMs` is sent the way OpenRouter sends a slow one: the status and headers
 * early, then a newline every `keepAliveMs` until the JSON. Its status is then committed, so a failure can only
 * ride in the body; and a client's per-read timeout never fires while the padding flows.
 */
export async function writeCompletion(session: ResponseSession, answer: CompletionAnswer, fault?: Fault) {
  const { res } = session;
  const { status, delayMs, keepAliveMs } = answer;
  let text = JSON.stringify(answer.body);
  const base: Record<string, string> = {
    'content-type': 'application/json',
    ...CORS_ANSWER,
    ...answer.headers,
  };
  if (fault?.kind === 'stall') {
    res.writeHead(status, base);
    res.flushHeaders();
    await session.hold(fault.durationMs, fault.mode === 'keepalive' ? (fault.intervalMs ?? 250) : 0, PADDING);
    if (!session.closed && fault.durationMs !== undefined) res.end(text);
    return;
  }
  const early = status === 200 && keepAliveMs > 0 && delayMs > keepAliveMs;
  if (early) {
    await session.sleep(keepAliveMs);
    if (session.closed) return;
    res.writeHead(status, base);
    res.write(PADDING);
    await session.hold(delayMs - keepAliveMs, keepAliveMs, PADDING);
  } else await session.sleep(delayMs);
  if (session.closed) return;
  const half = text.slice(0, Math.floor(text.length / 2));
  switch (fault?.kind) {
    case 'reset-mid-body':
      if (!early) {
        base['content-length'] = String(Buffer.byteLength(text));
        res.writeHead(status, base);
      }
      return session.breakAfter(half);
    case 'cut':
      // Chunked encoding ends cleanly: the client sees a complete HTTP response holding half a JSON document.
      if (!early) res.writeHead(status, base);
      res.end(half);
      return;
    case 'malformed-chunk':
      text = `${half}<html>upstream error`;
      break;
    default:
      break;
  }
  if (early) {
    res.end(text);
    return;
  }
  // Set on `base`, not `{ ...base, 'content-length': … }`: a spread followed by more properties is a slow path in
  // V8 (about 0.5 µs per response).
  base['content-length'] = String(Buffer.byteLength(text));
  if (!fault) {
    // Healthy answers are written with the others of this event-loop turn (see finishSoon); faults keep their timing.
    return session.finishSoon(() => {
      res.writeHead(status, base);
      res.end(text);
    });
  }
  res.writeHead(status, base);
  res.end(text);
}
