import type { Fault } from '../faults/fault-types.js';
import { CORS_ANSWER } from '../http/cors.js';
import type { ResponseSession } from '../http/session.js';

/** Writes a non-streaming JSON answer after `delayMs`, shaped by transport faults (cut, reset, stall, garbage).
 * `status` is 200 but for a skin that answers a failure mid-generation with an error status (Anthropic's). */
export async function writeCompletion(
  session: ResponseSession,
  body: Record<string, unknown>,
  headers: Record<string, string>,
  delayMs: number,
  fault?: Fault,
  status = 200,
): Promise<void> {
  const res = session.res;
  let text = JSON.stringify(body);
  const base: Record<string, string> = {
    'content-type': 'application/json',
    ...CORS_ANSWER,
    ...headers,
  };
  if (fault?.kind === 'stall') {
    res.writeHead(status, base);
    res.flushHeaders();
    if (fault.durationMs === undefined) return; // parked until the client or the simulator closes
    await session.sleep(fault.durationMs);
    if (!session.closed) res.end(text);
    return;
  }
  await session.sleep(delayMs);
  if (session.closed) return;
  const half = text.slice(0, Math.floor(text.length / 2));
  switch (fault?.kind) {
    case 'reset-mid-body':
      base['content-length'] = String(Buffer.byteLength(text));
      res.writeHead(status, base);
      return session.breakAfter(half);
    case 'cut':
      // Chunked encoding ends cleanly: the client sees a complete HTTP response holding half a JSON document.
      res.writeHead(status, base);
      res.end(half);
      return;
    case 'malformed-chunk':
      text = `${half}<html>upstream error`;
      break;
    default:
      break;
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
