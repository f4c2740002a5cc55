import { SwitchyardError } from '../errors/switchyard-error.js';

/**
 * One SSE event (or one line still waiting for its terminator) grew past `maxEventBytes`. The bound exists so a
 * broken or hostile upstream cannot make the decoder buffer without limit; retrying would hit the same wall.
 */
export class SseEventTooLargeError extends SwitchyardError {
  static override readonly kind: string = 'SseEventTooLargeError';
  override readonly code: string = 'sse_event_too_large';
  /** The `maxEventBytes` that was exceeded. */
  readonly limit: number;

  constructor(limit: number, what: 'data' | 'line') {
    const part = what === 'data' ? "an event's data" : 'a single line';
    super(`SSE stream too large: ${part} exceeds maxEventBytes (${limit} bytes)`, { retryable: false });
    this.limit = limit;
  }
}
