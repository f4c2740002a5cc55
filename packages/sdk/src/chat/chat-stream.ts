import { AbortError } from '../errors/client-errors.js';
import { SwitchyardError } from '../errors/switchyard-error.js';
import type { ChatResult, StreamEvent } from './types.js';

/** Produces a stream's events; must end with a `done` event or throw. `return()` releases it early. */
export type StreamSource = (signal: AbortSignal) => AsyncIterator<StreamEvent>;

/**
 * The same, in batches (e.g. all the events of one network read; a batch may be empty). The SDK's own streams use
 * this form: handing out the events of a batch needs no further async step per event in the layers below.
 */
export type StreamBatchSource = (signal: AbortSignal) => AsyncIterator<readonly StreamEvent[]>;

const NO_EVENTS: readonly StreamEvent[] = [];

/** A per-event source as one-event batches. */
function batched(source: StreamSource): StreamBatchSource {
  return (signal) => {
    const events = source(signal);
    return {
      next: async () => {
        const step = await events.next();
        return step.done ? step : { done: false, value: [step.value] };
      },
      return: async () => {
        await events.return?.(undefined);
        return { done: true, value: undefined };
      },
    };
  };
}

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

  private readonly source: StreamBatchSource;

  /** `source` produces the events one by one, or (`{ batches }`) in batches. */
  constructor(source: StreamSource | { batches: StreamBatchSource }, signal?: AbortSignal) {
    this.source = typeof source === 'function' ? batched(source) : source.batches;
    this.settled = new Promise<ChatResult>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
    const stop = () => this.controller.abort(signal?.reason);
    if (signal?.aborted) stop();
    else signal?.addEventListener('abort', stop, { once: true });
    // Nobody may ever call final(); the rejection still reaches iterators, so it is handled here. Once settled the
    // caller's signal is unlinked: a long-lived one (an app's shutdown signal) must not hold every stream it saw.
    const unlink = () => signal?.removeEventListener('abort', stop);
    this.settled.then(unlink, unlink);
  }

  /** Stops the stream; iteration and `final()` end with an AbortError (carrying any partial output). */
  abort(reason?: unknown): void {
    this.controller.abort(reason ?? new AbortError('The stream was aborted'));
  }

  [Symbol.asyncIterator](): AsyncIterator<StreamEvent> {
    if (this.started) throw new SwitchyardError('A ChatStream can be iterated only once; use final() for the result');
    this.started = true;
    // A hand-written iterator rather than an async generator: the events of a batch are handed out without any
    // further async step (an async function or generator per event costs more than the event's own parsing).
    const source = this.source(this.controller.signal);
    let batch = NO_EVENTS;
    let at = 0;
    let finished = false;
    let resolved = false;
    // Built only when the result is still open: a finished stream allocates no error (and captures no stack).
    const closeEarly = () => {
      if (!resolved) this.reject(new AbortError('The stream was closed before it finished'));
    };
    const take = (): IteratorResult<StreamEvent> => {
      const value = batch[at++] as StreamEvent;
      if (value.type === 'done') {
        resolved = true;
        this.resolve(value.result);
      }
      return { done: false, value };
    };
    const pull = async (): Promise<IteratorResult<StreamEvent>> => {
      try {
        for (;;) {
          const step = await source.next();
          if (step.done) {
            finished = true;
            closeEarly();
            return { done: true, value: undefined };
          }
          if (step.value.length > 0) {
            batch = step.value;
            at = 0;
            return take();
          }
        }
      } catch (error) {
        finished = true;
        this.reject(error);
        throw error;
      }
    };
    const iterator: AsyncIterableIterator<StreamEvent> = {
      next: () => (at < batch.length ? Promise.resolve(take()) : pull()),
      return: async () => {
        batch = NO_EVENTS;
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
