import { AbortError } from '../errors/client-errors.js';
import { errorFromWire } from '../errors/from-response.js';
import { TimeoutError, UnexpectedResponseError } from '../errors/http-errors.js';
import { StreamError, StreamTruncatedError } from '../errors/stream-errors.js';
import { SwitchyardError } from '../errors/switchyard-error.js';
import type { ChatCompletion, ChatCompletionChunk } from '../protocol/chat.js';
import { readSseBatches } from '../sse/read-sse.js';
import type { SseItem } from '../sse/types.js';
import { type Sent, stopError } from '../transport/transport.js';
import type { Cost } from '../usage/cost.js';
import { StreamAssembler } from './assembler.js';
import { toChatResult } from './result.js';
import type { StreamEvent } from './types.js';

export interface StreamAttemptOptions {
  /** Opens the HTTP stream (the request with `stream: true`). */
  open: (signal: AbortSignal) => Promise<Sent>;
  /** Time allowed from the request until the first content token (keep-alive comments do not count). */
  firstTokenMs?: number;
  /** Time allowed between two content chunks (keep-alive comments do not count). */
  idleMs?: number;
  requestedModel?: string;
  /** Also yield `frame` events with the upstream SSE frames verbatim (see StreamEvent). */
  frames?: boolean;
  /** Cost of the finished completion. */
  cost: (completion: ChatCompletion) => Promise<Cost>;
}

/** Event types that carry model output; only they start the first-token clock and reset the idle clock. */
export const CONTENT_EVENTS: ReadonlySet<StreamEvent['type']> = new Set(['text', 'reasoning', 'tool_call_delta']);

function timeout(phase: 'first_token' | 'idle', ms: number, model?: string): TimeoutError {
  const what = phase === 'first_token' ? 'No content token' : 'No new content';
  const error = new TimeoutError(`${what} within ${ms} ms`, { retryable: true, model });
  error.phase = phase;
  return error;
}

/**
 * One streaming request, as events. Ends with a `done` event, or throws: the typed error when nothing was
 * received (safe to retry elsewhere), a `StreamError` with the partial output once content has arrived, a
 * `StreamTruncatedError` when the stream stopped without a finish reason.
 */
export async function* streamAttempt(options: StreamAttemptOptions, signal: AbortSignal): AsyncGenerator<StreamEvent> {
  const asm = new StreamAssembler();
  let sent: Sent | undefined;
  let firstTokenAt: number | undefined;
  let clearTimer = () => {};
  let completed = false;
  const fail = (error: unknown): never => {
    let typed =
      error instanceof SwitchyardError
        ? error
        : sent
          ? stopError(sent.lifetime, error)
          : new SwitchyardError(String(error), { cause: error });
    // The caller's own abort stays an AbortError (with the partial output), not a stream failure to blame on upstream.
    if (asm.hasContent && !(typed instanceof StreamError) && !(typed instanceof AbortError)) {
      typed = new StreamError(`The stream failed after content had arrived: ${typed.message}`, {
        cause: typed,
        partial: asm.partial(),
        status: typed.status,
        model: asm.model || options.requestedModel,
        provider: asm.provider,
        generationId: asm.id || undefined,
        retryable: false,
      });
    } else if (!typed.partial && (asm.text || asm.reasoning || asm.hasContent)) {
      typed.partial = asm.partial();
      typed.model ??= asm.model || options.requestedModel;
      typed.provider ??= asm.provider;
      typed.generationId ??= asm.id || undefined;
    }
    throw typed;
  };
  try {
    try {
      sent = await options.open(signal);
    } catch (error) {
      fail(error);
    }
    const { lifetime, startedAt, response } = sent as Sent;
    const onAbort = () => lifetime.abort(signal.reason);
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
    // One idle timer for the whole stream: re-arming a timer per token costs more than the token's parsing. When it
    // fires early (content arrived meanwhile) it re-arms for the time that is left.
    let lastContentAt = 0;
    // Frames before the first content token wait: until then the engine may still retry or fail over.
    let held: string[] = [];
    const releaseHeld = function* (): Generator<StreamEvent> {
      const out = held;
      held = [];
      for (const text of out) yield { type: 'frame', text };
    };
    const armIdle = (idle: number, wait = idle): void => {
      clearTimer = lifetime.after(wait, () => {
        const quiet = Date.now() - lastContentAt;
        if (quiet >= idle) return timeout('idle', idle, asm.model || options.requestedModel);
        armIdle(idle, idle - quiet);
        return undefined;
      });
    };
    const firstTokenMs = options.firstTokenMs;
    if (firstTokenMs !== undefined) {
      clearTimer = lifetime.after(Math.max(1, firstTokenMs - (Date.now() - startedAt)), () =>
        timeout('first_token', firstTokenMs, options.requestedModel),
      );
    }
    if (!response.body) fail(new UnexpectedResponseError('The stream response has no body', { retryable: true }));
    const batches = readSseBatches(response.body as ReadableStream<Uint8Array>, { signal: lifetime.signal });
    let sawDone = false;
    try {
      read: for (;;) {
        let step: IteratorResult<SseItem[], { incomplete: boolean }>;
        try {
          step = await batches.next();
        } catch (error) {
          fail(stopError(lifetime, error, { model: options.requestedModel }));
        }
        if (step!.done) break;
        for (const item of step!.value) {
          if (item.type !== 'event') {
            // Keep-alive comments are not content; a proxy forwards the ones that come after content began.
            if (options.frames && firstTokenAt !== undefined)
              yield { type: 'frame', text: `:${item.text ? ` ${item.text}` : ''}\n\n` };
            continue;
          }
          const data = item.event.data;
          if (options.frames) {
            const frame = `data: ${data}\n\n`;
            if (firstTokenAt === undefined && data !== '[DONE]') held.push(frame);
            else {
              if (held.length > 0) yield* releaseHeld();
              yield { type: 'frame', text: frame };
            }
          }
          if (data === '[DONE]') {
            sawDone = true;
            break read;
          }
          let chunk: ChatCompletionChunk;
          try {
            chunk = JSON.parse(data) as ChatCompletionChunk;
          } catch {
            fail(
              new UnexpectedResponseError(`Malformed stream chunk: ${data.slice(0, 200)}`, {
                retryable: true,
                model: options.requestedModel,
              }),
            );
          }
          const events = asm.push(chunk!);
          if (asm.error) {
            fail(
              errorFromWire(asm.error, 200, {
                model: asm.model || options.requestedModel,
                provider: asm.provider,
                generationId: asm.id,
                origin: 'stream',
              }),
            );
          }
          for (const event of events) {
            if (CONTENT_EVENTS.has(event.type)) {
              lastContentAt = Date.now();
              if (firstTokenAt === undefined) {
                // The first content: release the frames held back so far (role chunk, this chunk) ahead of it.
                if (held.length > 0) yield* releaseHeld();
                firstTokenAt = lastContentAt;
                clearTimer();
                if (options.idleMs !== undefined) armIdle(options.idleMs);
              }
            }
            if (event.type === 'usage' && typeof chunk!.usage?.cost === 'number') {
              yield { ...event, cost: { usd: chunk!.usage.cost, source: 'reported' } };
            } else yield event;
          }
        }
      }
    } finally {
      clearTimer();
      await batches.return(undefined as never).catch(() => {});
    }
    if (!asm.finished) {
      const message = sawDone
        ? 'The stream ended with [DONE] but without a finish reason'
        : 'The stream ended without a finish reason or [DONE]: the answer is incomplete';
      if (asm.hasContent) {
        fail(
          new StreamTruncatedError(message, {
            partial: asm.partial(),
            model: asm.model,
            provider: asm.provider,
            generationId: asm.id || undefined,
          }),
        );
      }
      fail(new UnexpectedResponseError(message, { retryable: true, model: asm.model || options.requestedModel }));
    }
    yield* asm.toolCallEvents();
    const completion = asm.completion();
    const result = toChatResult(completion, {
      requestedModel: options.requestedModel,
      startedAt,
      firstTokenAt,
      cost: () => ({ usd: 0, source: 'computed' }),
    });
    result.cost = await options.cost(completion);
    lifetime.dispose();
    completed = true;
    yield { type: 'done', result };
  } catch (error) {
    if (error instanceof SwitchyardError) throw error;
    fail(error);
  } finally {
    clearTimer();
    // An early exit (consumer stopped, error) stops the upstream request; a completed one leaves its connection
    // alone so the pool can reuse it.
    if (!completed) sent?.lifetime.abort(new SwitchyardError('The stream was closed by its consumer'));
    sent?.lifetime.dispose();
  }
}
