import { AbortError } from '../errors/client-errors.js';
import { errorFromWire } from '../errors/from-response.js';
import { TimeoutError, UnexpectedResponseError } from '../errors/http-errors.js';
import { StreamError, StreamTruncatedError } from '../errors/stream-errors.js';
import { SwitchyardError } from '../errors/switchyard-error.js';
import type { ChatCompletion, ChatCompletionChunk } from '../protocol/chat.js';
import type { AssistantMessage } from '../protocol/messages.js';
import { SseDecoder } from '../sse/decoder.js';
import { encodeDone, encodeEvent } from '../sse/encoder.js';
import type { SseItem } from '../sse/types.js';
import { type Sent, stopError } from '../transport/transport.js';
import type { Cost } from '../usage/cost.js';
import { StreamAssembler } from './assembler.js';
import { UndecodedBody } from './bare-json-body.js';
import { isDoneMarker } from './done-marker.js';
import { finishReasonError } from './finish-error.js';
import { foldTrailingChunks, readTrailingChunks } from './in-band-error.js';
import { unwrapKeepAlives } from './keep-alive.js';
import { contentText, toChatResult } from './result.js';
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

function timeout(phase: 'first_token' | 'idle', ms: number, model?: string): TimeoutError {
  const what = phase === 'first_token' ? 'No content token' : 'No new content';
  const error = new TimeoutError(`${what} within ${ms} ms`, { retryable: true, model });
  error.phase = phase;
  return error;
}

function noop(): void {}

/** A last event read at the end of the body, kept only when nothing was cut from it. */
function isWholeEvent(item: SseItem): boolean {
  if (item.type !== 'event') return false;
  const data = item.event.data;
  if (isDoneMarker(data)) return true;
  try {
    JSON.parse(data);
    return true;
  } catch {
    return false;
  }
}

/** Largest JSON answer read in place of a stream (the SSE decoder's own default bound). */
const MAX_JSON_ANSWER_BYTES = 8 * 1024 * 1024;

/** Whether the server answered a stream request with JSON (`application/json`, `…+json`) rather than SSE. */
function isJsonAnswer(response: Response): boolean {
  const type = response.headers.get('content-type');
  return type !== null && /^\s*application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i.test(type);
}

/**
 * A JSON answer to a stream request, as the SSE stream it amounts to: one `chat.completion.chunk` carrying the whole
 * message (and usage, and any error), then `[DONE]`. A body that is not a completion becomes an event the stream
 * reader rejects (malformed chunk, or a stream without a finish reason), never a silent success.
 */
function jsonAnswerAsSse(body: ReadableStream<Uint8Array>, model: string | undefined): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const parts: Uint8Array[] = [];
      let size = 0;
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        size += value.byteLength;
        if (size > MAX_JSON_ANSWER_BYTES) {
          void reader.cancel().catch(noop);
          throw new UnexpectedResponseError(
            `The JSON answer to a stream request exceeds ${MAX_JSON_ANSWER_BYTES} bytes`,
            { retryable: false, model },
          );
        }
        parts.push(value);
      }
      const bytes = new Uint8Array(size);
      let at = 0;
      for (const part of parts) {
        bytes.set(part, at);
        at += part.byteLength;
      }
      controller.enqueue(new TextEncoder().encode(jsonAnswerToSse(new TextDecoder().decode(bytes))));
      controller.close();
    },
    cancel: (reason) => reader.cancel(reason),
  });
}

/** The SSE text of a JSON answer (see `jsonAnswerAsSse`). */
function jsonAnswerToSse(text: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    // Not a completion: handed on as is (bounded), for the reader to reject as a malformed chunk.
    const snippet = text.replace(/\s+/g, ' ').trim().slice(0, 200);
    return encodeEvent({ data: snippet || '(empty JSON answer)' }) + encodeDone();
  }
  const completion = parsed as Partial<ChatCompletion> & { error?: unknown };
  const chunk: Record<string, unknown> = {
    id: completion.id ?? '',
    object: 'chat.completion.chunk',
    created: completion.created ?? 0,
    model: completion.model ?? '',
  };
  if (completion.provider !== undefined) chunk.provider = completion.provider;
  if (completion.system_fingerprint !== undefined) chunk.system_fingerprint = completion.system_fingerprint;
  const choices: Record<string, unknown>[] = [];
  const choice = Array.isArray(completion.choices) ? completion.choices[0] : undefined;
  let error = completion.error && typeof completion.error === 'object' ? completion.error : undefined;
  if (choice && typeof choice === 'object' && choice.message && typeof choice.message === 'object') {
    const { role: _role, content, tool_calls, ...rest } = choice.message as AssistantMessage & Record<string, unknown>;
    const delta: Record<string, unknown> = { role: 'assistant', ...rest };
    const textContent = contentText(content);
    if (textContent !== '') delta.content = textContent;
    if (Array.isArray(tool_calls) && tool_calls.length > 0) {
      delta.tool_calls = tool_calls.map((call, index) => ({ index, ...call }));
    }
    choices.push({
      index: 0,
      delta,
      // A whole completion is finished whatever it says; `tool_calls` is patched in when calls are present.
      finish_reason: choice.finish_reason ?? 'stop',
      native_finish_reason: choice.native_finish_reason ?? null,
      logprobs: null,
    });
    if (choice.error && typeof choice.error === 'object') error ??= choice.error;
  }
  chunk.choices = choices;
  if (completion.usage) chunk.usage = completion.usage;
  if (error) chunk.error = error;
  return encodeEvent({ data: JSON.stringify(chunk) }) + encodeDone();
}

/** Whether an event carries model output (starts the first-token clock, resets the idle clock). */
function isContent(event: StreamEvent): boolean {
  return event.type === 'text' || event.type === 'reasoning' || event.type === 'tool_call_delta';
}

/**
 * One streaming request, as batches of events: all the events one network read completed, in order (never an
 * empty batch). One async step per read instead of one per event: with many events per read, per-event promise
 * and generator hops cost more than the events' own parsing. The last batch ends with a `done` event; otherwise
 * it throws: the typed error when nothing was received (safe to retry elsewhere), a `StreamError` with the partial
 * output once content has arrived, a `StreamTruncatedError` when the stream stopped without a finish reason.
 * When a read fails part-way, the events it completed before the failure are yielded first, then it throws.
 */
export async function* streamAttempt(
  options: StreamAttemptOptions,
  signal: AbortSignal,
): AsyncGenerator<StreamEvent[]> {
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
    } else if (!typed.partial && (asm.text || asm.reasoning || asm.hasContent || asm.usage)) {
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
    let held: StreamEvent[] = [];
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
    // Some servers ignore `stream: true` and answer one JSON completion (or a JSON `{error}`): it is read as the
    // one-chunk stream it amounts to, so the caller gets its content (or its typed error) all the same.
    const jsonAnswer = isJsonAnswer(response);
    const body = jsonAnswer
      ? jsonAnswerAsSse(response.body as ReadableStream<Uint8Array>, options.requestedModel)
      : (response.body as ReadableStream<Uint8Array>);
    // Kept only until the first SSE item (see UndecodedBody): a JSON error envelope sent as `text/event-stream`.
    let undecoded = jsonAnswer ? undefined : new UndecodedBody();
    // The body is read here rather than through `readSseBatches` (same steps: cancel on abort, check the signal
    // after each read and after the consumer had the batch, cancel the body on an early exit): one async hop less
    // per network read.
    const reader = body.getReader();
    const decoder = new SseDecoder();
    const lifetimeSignal = lifetime.signal;
    // Cancelling settles a pending `read()` (as done), which is how an abort interrupts a wait for the next chunk.
    const cancelRead = (): void => void reader.cancel(lifetimeSignal.reason).catch(noop);
    lifetimeSignal.addEventListener('abort', cancelRead, { once: true });
    const frames = options.frames === true;
    let bodyEnded = false;
    let sawDone = false;
    try {
      while (!sawDone && !bodyEnded) {
        let items: SseItem[];
        try {
          lifetimeSignal.throwIfAborted(); // an abort while the consumer held the last batch stops the rest too
          const { done, value } = await reader.read();
          lifetimeSignal.throwIfAborted();
          if (done) {
            bodyEnded = true;
            // Some servers end on an event without its closing blank line (`data: [DONE]` and close): a last event
            // that is whole (`[DONE]` or complete JSON) still counts; a cut one is dropped, so truncation is reported.
            items = unwrapKeepAlives(decoder.end({ dispatchPending: true }).items).filter(isWholeEvent);
            if (items.length === 0) break;
            undecoded = undefined; // the body held an event after all
          } else {
            items = unwrapKeepAlives(decoder.push(value));
            if (undecoded && (items.length > 0 || !undecoded.add(value))) undecoded = undefined;
          }
        } catch (error) {
          fail(stopError(lifetime, error, { model: options.requestedModel }));
        }
        let out: StreamEvent[] = [];
        let readAt = 0;
        try {
          for (let n = 0; n < items!.length; n++) {
            const item = items![n]!;
            const beforeFirstToken = firstTokenAt === undefined;
            if (item.type !== 'event') {
              // Keep-alive comments are not content; a proxy forwards the ones that come after content began.
              if (frames && firstTokenAt !== undefined)
                out.push({ type: 'frame', text: `:${item.text ? ` ${item.text}` : ''}\n\n` });
              continue;
            }
            const data = item.event.data;
            if (frames) {
              // Encoded, not `data: ${data}`: data that spanned several `data:` lines (legal SSE) keeps one prefix per
              // line, or the proxy's client cannot parse the frame.
              const frame: StreamEvent = { type: 'frame', text: encodeEvent({ data }) };
              if (firstTokenAt === undefined && !isDoneMarker(data)) held.push(frame);
              else {
                if (held.length > 0) {
                  for (const h of held) out.push(h);
                  held = [];
                }
                out.push(frame);
              }
            }
            if (isDoneMarker(data)) {
              sawDone = true;
              break;
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
            const from = out.length;
            asm.push(chunk!, out);
            // An in-band error, or `finish_reason: "error"` without one (a provider failure all the same).
            if (asm.error || asm.finishReason === 'error') {
              out.length = from; // this chunk's own events were never shown before its error either
              // The timers must not turn the failure into a timeout while its trailing usage is awaited.
              clearTimer();
              if (!foldTrailingChunks(items!, n + 1, asm)) {
                bodyEnded = await readTrailingChunks(reader, decoder, asm, lifetimeSignal);
              }
              // The caller's abort during that wait stays an AbortError (with the partial output), as anywhere else.
              if (signal.aborted) fail(stopError(lifetime, signal.reason, { model: options.requestedModel }));
              fail(
                errorFromWire(asm.error ?? finishReasonError(asm.nativeFinishReason), 200, {
                  model: asm.model || options.requestedModel,
                  provider: asm.provider,
                  generationId: asm.id,
                  origin: 'stream',
                }),
              );
            }
            for (let k = from; k < out.length; k++) {
              const event = out[k]!;
              if (isContent(event)) {
                // One clock read per network read: its events arrived together.
                if (readAt === 0) readAt = Date.now();
                lastContentAt = readAt;
                if (firstTokenAt === undefined) {
                  // The first content: release the frames held back so far (role chunk, this chunk) ahead of it.
                  if (held.length > 0) {
                    out.splice(k, 0, ...held);
                    k += held.length;
                    held = [];
                  }
                  firstTokenAt = lastContentAt;
                  clearTimer();
                  if (options.idleMs !== undefined) armIdle(options.idleMs);
                }
              } else if (event.type === 'usage' && typeof chunk!.usage?.cost === 'number') {
                out[k] = { ...event, cost: { usd: chunk!.usage.cost, source: 'reported' } };
              }
            }
            // The first content goes to the consumer at once, not after the rest of this read is parsed (a whole
            // answer can arrive in one read): one more batch per stream, and time to first token no longer grows with
            // the length of the answer.
            if (beforeFirstToken && firstTokenAt !== undefined && n < items!.length - 1) {
              yield out;
              out = [];
              lifetimeSignal.throwIfAborted(); // the consumer may have stopped while it had the batch
            }
          }
        } catch (error) {
          // What this read completed before the failure reaches the consumer first, as it would event by event.
          if (out.length > 0) yield out;
          throw error;
        }
        if (out.length > 0) yield out;
      }
    } finally {
      clearTimer();
      lifetimeSignal.removeEventListener('abort', cancelRead);
      // Not awaited: some bodies settle `cancel()` only when the peer acknowledges, and an early exit must not hang.
      if (!bodyEnded) void reader.cancel().catch(noop);
      reader.releaseLock();
    }
    // A body with no SSE event at all that is a JSON error envelope: the typed error a JSON error response gives.
    const bare = bodyEnded && !sawDone ? undecoded?.wireError() : undefined;
    if (bare) {
      fail(
        errorFromWire(bare, response.status, {
          model: options.requestedModel,
          headers: response.headers,
          origin: 'body',
        }),
      );
    }
    // Some providers end an answer (tool calls especially) with `[DONE]` but never a finish reason: the stream said
    // it was complete, so the answer stands, its finish reason inferred. Without `[DONE]` it was cut.
    if (!asm.finished && sawDone && asm.hasContent && !asm.error) asm.inferFinish();
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
    const calls = asm.toolCallEvents();
    if (calls.length > 0) yield calls;
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
    yield [{ type: 'done', result }];
  } catch (error) {
    if (error instanceof SwitchyardError) throw error;
    // Failed reads were typed where they happened; anything else thrown here (an abort reason aside) is this code
    // failing on what the upstream sent: an unexpected response, not a connection failure to blame on the network.
    if (sent && !sent.lifetime.signal.aborted) {
      const detail = error instanceof Error ? error.message : String(error);
      fail(
        new UnexpectedResponseError(`The stream could not be read: ${detail}`, {
          cause: error,
          retryable: true,
          model: options.requestedModel,
        }),
      );
    }
    fail(error);
  } finally {
    clearTimer();
    // An early exit (consumer stopped, error) stops the upstream request; a completed one leaves its connection
    // alone so the pool can reuse it.
    if (!completed) sent?.lifetime.abort(new SwitchyardError('The stream was closed by its consumer'));
    sent?.lifetime.dispose();
  }
}
