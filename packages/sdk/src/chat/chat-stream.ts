import { AbortError } from '../errors/client-errors.js';
import { errorFromWire } from '../errors/from-response.js';
import { TimeoutError, UnexpectedResponseError } from '../errors/http-errors.js';
import { StreamError, StreamTruncatedError } from '../errors/stream-errors.js';
import { SwitchyardError } from '../errors/switchyard-error.js';
import type { ChatCompletion, ChatCompletionChunk } from '../protocol/chat.js';
import { readSse } from '../sse/read-sse.js';
import type { SseItem } from '../sse/types.js';
import { type Sent, stopError } from '../transport/transport.js';
import type { Cost } from '../usage/cost.js';
import { StreamAssembler } from './assembler.js';
import { toChatResult } from './result.js';
import type { ChatResult, StreamEvent } from './types.js';

export interface ChatStreamOptions {
  /** Opens the HTTP stream (the request with `stream: true`). */
  open: (signal: AbortSignal) => Promise<Sent>;
  /** Time allowed from the request until the first content token (keep-alive comments do not count). */
  firstTokenMs?: number;
  /** Time allowed between two content chunks (keep-alive comments do not count). */
  idleMs?: number;
  requestedModel?: string;
  /** Cost of the finished (or partial) completion. */
  cost: (completion: ChatCompletion) => Promise<Cost>;
  signal?: AbortSignal;
}

const CONTENT = new Set(['text', 'reasoning', 'tool_call_delta']);

function timeout(phase: 'first_token' | 'idle', ms: number, model?: string): TimeoutError {
  const what = phase === 'first_token' ? 'No content token' : 'No new content';
  const error = new TimeoutError(`${what} within ${ms} ms`, { retryable: true, model });
  error.phase = phase;
  return error;
}

/**
 * A streaming chat answer. Iterate it for events (`text`, `reasoning`, `tool_call_delta`, `tool_call`, `usage`,
 * `done`), or `await stream.final()` for the ChatResult — both work, also together. A stream never ends
 * silently: an error before any content throws the typed error (safe to retry); after content it throws a
 * `StreamError` carrying what arrived; a stream that stops without a finish reason throws `StreamTruncatedError`.
 */
export class ChatStream implements AsyncIterable<StreamEvent> {
  private readonly controller = new AbortController();
  private started = false;
  private readonly settled: Promise<ChatResult>;
  private resolve!: (result: ChatResult) => void;
  private reject!: (error: unknown) => void;

  constructor(private readonly options: ChatStreamOptions) {
    this.settled = new Promise<ChatResult>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
    // Nobody may ever call final(); the rejection is still delivered to iterators, so don't report it twice.
    this.settled.catch(() => {});
    const parent = options.signal;
    if (parent) {
      if (parent.aborted) this.controller.abort(parent.reason);
      else parent.addEventListener('abort', () => this.controller.abort(parent.reason), { once: true });
    }
  }

  /** Stops the stream; iteration and `final()` end with an AbortError (carrying any partial output). */
  abort(reason?: unknown): void {
    this.controller.abort(reason ?? new AbortError('The stream was aborted'));
  }

  [Symbol.asyncIterator](): AsyncIterator<StreamEvent> {
    if (this.started) throw new SwitchyardError('A ChatStream can be iterated only once; use final() for the result');
    this.started = true;
    return this.run();
  }

  /** The complete ChatResult, after the stream finished (consumes the stream if nobody iterates it). */
  async final(): Promise<ChatResult> {
    if (!this.started) {
      for await (const _ of this) {
        // drain
      }
    }
    return this.settled;
  }

  /** The answer's text as a web `ReadableStream` (UTF-8), e.g. `new Response(stream.toReadableStream())`. */
  toReadableStream(): ReadableStream<Uint8Array> {
    const encoder = new TextEncoder();
    const iterator = this[Symbol.asyncIterator]();
    return new ReadableStream<Uint8Array>({
      pull: async (controller) => {
        try {
          for (;;) {
            const { value, done } = await iterator.next();
            if (done) return controller.close();
            if (value.type === 'text') return controller.enqueue(encoder.encode(value.text));
          }
        } catch (error) {
          controller.error(error);
        }
      },
      cancel: async (reason) => {
        this.abort(reason);
        await iterator.return?.();
      },
    });
  }

  private async *run(): AsyncGenerator<StreamEvent> {
    const { options } = this;
    const asm = new StreamAssembler();
    let sent: Sent | undefined;
    let firstTokenAt: number | undefined;
    let clearTimer = () => {};
    const fail = (error: unknown): never => {
      let typed =
        error instanceof SwitchyardError
          ? error
          : sent
            ? stopError(sent.lifetime, error)
            : new SwitchyardError(String(error), { cause: error });
      if (asm.hasContent && !(typed instanceof StreamError)) {
        const partial = asm.partial();
        typed = new StreamError(`The stream failed after content had arrived: ${typed.message}`, {
          cause: typed,
          partial,
          status: typed.status,
          model: asm.model || options.requestedModel,
          provider: asm.provider,
          generationId: asm.id || undefined,
          retryable: false,
        });
      } else if (!typed.partial && (asm.text || asm.reasoning)) typed.partial = asm.partial();
      this.reject(typed);
      throw typed;
    };
    try {
      try {
        sent = await options.open(this.controller.signal);
      } catch (error) {
        fail(error);
      }
      const lifetime = (sent as Sent).lifetime;
      const onAbort = () => lifetime.abort(this.controller.signal.reason);
      this.controller.signal.addEventListener('abort', onAbort, { once: true });
      const startedAt = (sent as Sent).startedAt;
      const firstTokenMs = options.firstTokenMs;
      if (firstTokenMs !== undefined) {
        clearTimer = lifetime.after(Math.max(1, firstTokenMs - (Date.now() - startedAt)), () =>
          timeout('first_token', firstTokenMs, options.requestedModel),
        );
      }
      const body = (sent as Sent).response.body;
      if (!body) fail(new UnexpectedResponseError('The stream response has no body', { retryable: true }));
      const items = readSse(body as ReadableStream<Uint8Array>, { signal: lifetime.signal });
      let sawDone = false;
      try {
        for (;;) {
          let step: IteratorResult<SseItem, { incomplete: boolean }>;
          try {
            step = await items.next();
          } catch (error) {
            fail(stopError(lifetime, error, { model: options.requestedModel }));
          }
          if (step!.done) break;
          const item = step!.value;
          if (item.type !== 'event') continue; // keep-alive comments are not content
          const data = item.event.data;
          if (data === '[DONE]') {
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
            if (CONTENT.has(event.type)) {
              firstTokenAt ??= Date.now();
              clearTimer();
              if (options.idleMs !== undefined) {
                const idle = options.idleMs;
                clearTimer = lifetime.after(idle, () => timeout('idle', idle, asm.model || options.requestedModel));
              }
            }
            if (event.type === 'usage' && typeof chunk!.usage?.cost === 'number') {
              yield { ...event, cost: { usd: chunk!.usage.cost, source: 'reported' } };
            } else yield event;
          }
        }
      } finally {
        clearTimer();
        await items.return(undefined as never).catch(() => {});
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
      for (const event of asm.toolCallEvents()) yield event;
      const completion = asm.completion();
      const result = toChatResult(completion, {
        requestedModel: options.requestedModel,
        startedAt,
        firstTokenAt,
        cost: () => ({ usd: 0, source: 'computed' }),
      });
      result.cost = await options.cost(completion);
      lifetime.dispose();
      this.resolve(result);
      yield { type: 'done', result };
    } catch (error) {
      if (error instanceof SwitchyardError) throw error;
      fail(error);
    } finally {
      clearTimer();
      sent?.lifetime.abort(new AbortError('The stream was closed by its consumer'));
      sent?.lifetime.dispose();
      this.reject(new AbortError('The stream was closed before it finished'));
    }
  }
}
