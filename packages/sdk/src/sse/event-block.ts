import { SseEventTooLargeError } from './errors.js';
import type { SseEvent, SseItem } from './types.js';
import { utf8Length } from './utf8-lines.js';

const SPACE = 32;

/**
 * The fields of the event being read (everything since the last blank line) and the stream state they update,
 * per the WHATWG "process the field" and "dispatch the event" steps. The line splitting lives in `SseDecoder`.
 */
export class EventBlock {
  /** Last event ID string; per spec it is set at each dispatch and survives events without an `id`. */
  lastEventId = '';
  /** Reconnection time from the last valid `retry:`; set as soon as the field is read, as the spec says. */
  retry: number | undefined;
  /** A field line was read since the last blank line: the stream ending now would cut an event. */
  open = false;
  #data: string | undefined;
  #event: string | undefined;
  #id: string | undefined;
  #retry: number | undefined;
  /** UTF-8 size of `#data`, counted only once it could matter (see `data`). */
  #dataBytes: number | undefined;
  readonly #max: number;
  readonly #safeUnits: number;

  constructor(maxBytes: number, safeUnits: number) {
    this.#max = maxBytes;
    this.#safeUnits = safeUnits;
  }

  /** Appends one `data` value (the hot path: the decoder calls this directly for `data:` lines). */
  data(value: string): void {
    const data = this.#data === undefined ? value : this.#data + '\n' + value;
    if (data.length > this.#safeUnits) {
      // Counted once in full, then per added line, so a huge multi-line event is not rescanned line after line.
      this.#dataBytes = this.#dataBytes === undefined ? utf8Length(data) : this.#dataBytes + 1 + utf8Length(value);
      if (this.#dataBytes > this.#max) throw new SseEventTooLargeError(this.#max, 'data');
    }
    this.#data = data;
    this.open = true;
  }

  /** Any other field line `text[start, end)`; `colon === end` when it has none (the whole line is the name). */
  field(text: string, start: number, colon: number, end: number): void {
    this.open = true;
    let v = colon + 1;
    if (v < end && text.charCodeAt(v) === SPACE) v++;
    if (v > end) v = end;
    const nameLength = colon - start;
    if (nameLength === 4 && text.startsWith('data', start)) {
      this.data(text.slice(v, end));
    } else if (nameLength === 5 && text.startsWith('event', start)) {
      this.#event = text.slice(v, end);
    } else if (nameLength === 2 && text.startsWith('id', start)) {
      const value = text.slice(v, end);
      if (!value.includes('\0')) this.#id = value;
    } else if (nameLength === 5 && text.startsWith('retry', start)) {
      const value = text.slice(v, end);
      if (isDigits(value)) {
        this.retry = Number(value);
        this.#retry = this.retry;
      }
    }
    // Any other field name is ignored, as the spec requires.
  }

  /** A blank line: emits the event if it has data (a block of only event/id/retry dispatches nothing). */
  dispatch(out: SseItem[]): void {
    if (this.#id !== undefined) this.lastEventId = this.#id;
    if (this.#data !== undefined) {
      const event: SseEvent = { data: this.#data };
      if (this.#event !== undefined) event.event = this.#event;
      if (this.#id !== undefined) event.id = this.#id;
      if (this.#retry !== undefined) event.retry = this.#retry;
      out.push({ type: 'event', event });
    }
    this.reset();
  }

  /** Drops the fields read so far (stream state, `lastEventId` and `retry`, is kept). */
  reset(): void {
    this.open = false;
    this.#data = undefined;
    this.#event = undefined;
    this.#id = undefined;
    this.#retry = undefined;
    this.#dataBytes = undefined;
  }
}

function isDigits(value: string): boolean {
  if (value === '') return false;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}
