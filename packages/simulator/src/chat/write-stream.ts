import type { Fault, MidStreamErrorFault } from '../faults/fault-types.js';
import { CORS_ANSWER } from '../http/cors.js';
import type { ResponseSession } from '../http/session.js';
import type { StreamShape } from '../options.js';
import { errorFrames, type Frame, malformedFrame, PROCESSING_COMMENT, type StreamMeta } from './stream-frames.js';

export interface Pacing {
  ttftMs: number;
  msPerToken: number;
}

export interface StreamJob {
  session: ResponseSession;
  headers: Record<string, string>;
  frames: Frame[];
  meta: StreamMeta;
  shape: StreamShape;
  pacing: Pacing;
  fault?: Fault;
  /** Usage of what was sent before an in-band error (its output tokens), for the three-chunk form's usage chunk. */
  partialUsage: (tokensSent: number) => Record<string, unknown>;
  /** How a skin words an in-band error and a broken line (default: chat's chunks). `kept` are the frames sent
   * before the error (a skin whose events are numbered continues from them). */
  errorFrames?: (
    meta: StreamMeta,
    fault: MidStreamErrorFault,
    partialUsage: Record<string, unknown>,
    shape: StreamShape,
    kept: Frame[],
  ) => Frame[];
  malformedFrame?: typeof malformedFrame;
}

type Action = { at: number; kind: 'stall' | 'reset' };

/** Index in `frames` right after the `n`-th output chunk (0 = before the first one). */
function afterChunk(frames: Frame[], n: number): number {
  // Before the first output: a skin's opening events are already out (see the first-token wait below).
  if (n <= 0) return frames.findIndex((f) => f.kind !== 'comment' && f.kind !== 'event');
  let seen = 0;
  for (let i = 0; i < frames.length; i++) {
    if (frames[i]?.kind === 'chunk' && ++seen === n) return i + 1;
  }
  // Fewer chunks than asked: act just before the finish chunk.
  const finish = frames.findIndex((f) => f.kind === 'finish');
  return finish < 0 ? frames.length : finish;
}

/** Applies a stream fault to the healthy frame list: what to write, and where to stall or reset. */
function shapeFrames(job: StreamJob): { frames: Frame[]; action?: Action } {
  const { frames, fault } = job;
  switch (fault?.kind) {
    case 'mid-stream-error': {
      const at = afterChunk(frames, fault.afterChunks ?? 2);
      const kept = frames.slice(0, at);
      const failure = (job.errorFrames ?? errorFrames)(
        job.meta,
        fault,
        job.partialUsage(tokensIn(kept)),
        job.shape,
        kept,
      );
      return { frames: [...kept, ...failure] };
    }
    case 'malformed-chunk': {
      const at = afterChunk(frames, fault.afterChunks ?? 1);
      const broken = (job.malformedFrame ?? malformedFrame)(job.meta);
      return { frames: [...frames.slice(0, at), broken, ...frames.slice(at)] };
    }
    case 'cut':
      return { frames: frames.slice(0, afterChunk(frames, fault.afterChunks ?? 2)) };
    case 'reset-mid-body':
      return { frames, action: { at: afterChunk(frames, fault.afterChunks ?? 2), kind: 'reset' } };
    case 'stall':
      return { frames, action: { at: Math.max(0, afterChunk(frames, fault.afterChunks ?? 0)), kind: 'stall' } };
    default:
      return { frames };
  }
}

async function stall(job: StreamJob): Promise<void> {
  const fault = job.fault;
  if (fault?.kind !== 'stall') return;
  const every = fault.mode === 'keepalive' ? (fault.intervalMs ?? 250) : 0;
  await job.session.hold(fault.durationMs, every, PROCESSING_COMMENT.text);
}

/** Output tokens a truncating stream fault lets through (undefined when the whole answer is delivered). */
export function deliveredTokens(frames: Frame[], fault: Fault | undefined): number | undefined {
  let at: number;
  switch (fault?.kind) {
    case 'mid-stream-error':
    case 'cut':
    case 'reset-mid-body':
      at = afterChunk(frames, fault.afterChunks ?? 2);
      break;
    case 'stall':
      if (fault.durationMs !== undefined) return undefined;
      at = Math.max(0, afterChunk(frames, fault.afterChunks ?? 0));
      break;
    default:
      return undefined;
  }
  return tokensIn(frames.slice(0, at));
}

/** Output tokens in `frames` (a chunk carries `chunkTokens` of them: counting chunks undercounts). */
function tokensIn(frames: Frame[]): number {
  return frames.reduce((sum, frame) => sum + (frame.kind === 'chunk' ? frame.tokens : 0), 0);
}

/** Writes an SSE response: headers at once, then frames with pacing; faults shape what is written. */
export async function writeStream(job: StreamJob): Promise<void> {
  const { session, pacing } = job;
  const { frames, action } = shapeFrames(job);
  const res = session.res;
  res.writeHead(200, {
    'content-type': 'text/event-stream',
    'cache-control': 'no-cache',
    ...CORS_ANSWER,
    ...job.headers,
  });
  const instant = pacing.ttftMs <= 0 && pacing.msPerToken <= 0;
  if (instant && !action) {
    // Fast path: one write for the whole stream, with the other answers of this event-loop turn when healthy (see
    // finishSoon); faults keep their timing.
    let text = '';
    for (const frame of frames) text += frame.text;
    if (!job.fault) return session.finishSoon(() => res.end(text));
    res.end(text);
    return;
  }
  res.flushHeaders();
  let first = true;
  for (let i = 0; i <= frames.length; i++) {
    if (session.closed) return;
    if (action?.at === i) {
      if (action.kind === 'reset') return session.breakAfter('');
      await stall(job);
      if (session.closed) return;
    }
    const frame = frames[i];
    if (!frame) break;
    // The wait for the first token comes before the first output: a skin's opening events (`message_start`,
    // `response.created`, …) go out at once, as the real services send them.
    if (frame.kind !== 'comment' && frame.kind !== 'event' && first) {
      first = false;
      await session.sleep(pacing.ttftMs);
    } else if (frame.tokens > 0) await session.sleep(frame.tokens * pacing.msPerToken);
    session.write(frame.text);
  }
  if (!session.closed) res.end();
}
