import { AbortError } from '../errors/client-errors.js';
import { SwitchyardError } from '../errors/switchyard-error.js';
import type { ChatResult, StreamEvent } from './types.js';

/** Produces a stream's events; must end with a `done` event or throw. `return()` releases it early. */
export type StreamSource = (signal: AbortSignal) => AsyncIterator<StreamEvent>;

/**
 * A streaming chat answer. Iterate it for events (`text`, `reasoning`, `tool_call_delta`, `tool_call`, `usage`,
 * `done`), or `await stream.final()` for the ChatResult — both work, also together. A stream never ends
 * silently: an error before any content throws the typed error; after content it throws a `StreamError` carrying
 * what arrived; a stream that stops without a finish reason throws `StreamTruncatedError`.
 */
export class ChatStream implements AsyncIterable<StreamEvent> {
  private readonly controller = new AbortController();
  private started = false;
  private readonly settled: Promise<ChatResult>;
  private resolve!: (result: ChatResult) => void;
  private reject!: (error: unknown) => void;

  constructor(
    private readonly source: StreamSource,
    signal?: AbortSignal,
  ) {
    this.settled = new Promise<ChatResult>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
    // Nobody may ever call final(); the rejection still reaches iterators, so don't report it as unhandled.
    this.settled.catch(() => {});
    if (signal) {
      if (signal.aborted) this.controller.abort(signal.reason);
      else signal.addEventListener('abort', () => this.controller.abort(signal.reason), { once: true });
    }
  }

  /** Stops the stream; iteration and `final()` end with an AbortError (carrying any partial output). */
  abort(reason?: unknown): void {
    this.controller.abort(reason ?? new AbortError('The stream was aborted'));
  }

  [Symbol.asyncIterator](): AsyncIterator<StreamEvent> {
    if (this.started) throw new SwitchyardError('A ChatStream can be iterated only once; use final() for the result');
    this.started = true;
    // A hand-written iterator rather than an async generator: one less generator hop per event on the hot path.
    const source = this.source(this.controller.signal);
    let finished = false;
    let resolved = false;
    // Built only when the result is still open: a finished stream allocates no error (and captures no stack).
    const closeEarly = () => {
      if (!resolved) this.reject(new AbortError('The stream was closed before it finished'));
    };
    const iterator: AsyncIterableIterator<StreamEvent> = {
      next: async () => {
        try {
          const step = await source.next();
          if (step.done) {
            finished = true;
            closeEarly();
          } else if (step.value.type === 'done') {
            resolved = true;
            this.resolve(step.value.result);
          }
          return step;
        } catch (error) {
          finished = true;
          this.reject(error);
          throw error;
        }
      },
      return: async () => {
        if (!finished) {
          finished = true;
          closeEarly();
          await source.return?.(undefined)?.catch(() => {});
        }
        return { done: true, value: undefined };
      },
      [Symbol.asyncIterator]: () => iterator,
    };
    return iterator;
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
}
