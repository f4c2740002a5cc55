import { ConfigError } from '../errors/client-errors.js';
import { SseEventTooLargeError } from './errors.js';
import { EventBlock } from './event-block.js';
import type { SseDecoderOptions, SseItem } from './types.js';
import { Utf8LineDecoder, utf8Length } from './utf8-lines.js';

export type { SseDecoderOptions, SseEvent, SseItem } from './types.js';

const DEFAULT_MAX_EVENT_BYTES = 8 * 1024 * 1024;
const LF = 10;
const SPACE = 32;
const COLON = 58;
const D = 100;
const BOM = 0xfeff;

/**
 * WHATWG `text/event-stream` parser (https://html.spec.whatwg.org/multipage/server-sent-events.html#parsing-an-event-stream).
 * This class splits lines; `EventBlock` interprets them. It works on strings with `indexOf`, never per character,
 * because V8's string search is far faster than any per-byte loop; `Utf8LineDecoder` turns bytes into whole lines.
 */
export class SseDecoder {
  readonly #max: number;
  /** Text up to this many UTF-16 units is within `#max` bytes for sure (≤ 3 bytes per unit): no need to count. */
  readonly #safeUnits: number;
  readonly #bytes: Utf8LineDecoder;
  readonly #block: EventBlock;
  /** Text of an unterminated line (string input, or bytes that a string push flushed). */
  #held = '';
  /** UTF-8 size of `#held`, counted only once it could matter. */
  #heldBytes: number | undefined;
  #atStart = true;
  /** The last text ended with CR: an LF opening the next one belongs to the same line break. */
  #skipLF = false;

  constructor(options: SseDecoderOptions = {}) {
    const max = options.maxEventBytes ?? DEFAULT_MAX_EVENT_BYTES;
    if (!Number.isSafeInteger(max) || max < 1) {
      throw new ConfigError(`maxEventBytes must be a positive integer, got ${String(options.maxEventBytes)}`);
    }
    this.#max = max;
    this.#safeUnits = Math.floor(max / 3);
    this.#bytes = new Utf8LineDecoder(max);
    this.#block = new EventBlock(max, this.#safeUnits);
  }

  /** Last event id seen (for `Last-Event-ID` on reconnection); per spec it survives events without an `id`. */
  get lastEventId(): string {
    return this.#block.lastEventId;
  }

  /** Reconnection time in ms last sent with `retry:`, if any. */
  get retry(): number | undefined {
    return this.#block.retry;
  }

  /** Feeds bytes (or an already-decoded string); returns the items completed by this chunk, in order. */
  push(chunk: Uint8Array | string): SseItem[] {
    const out: SseItem[] = [];
    let text: string;
    if (typeof chunk === 'string') {
      text = this.#bytes.pending === 0 ? chunk : this.#bytes.flush() + chunk;
      // No terminator: just hold it. Appending builds a rope; searching it now would flatten it on every push.
      if (text.indexOf('\n') < 0 && text.indexOf('\r') < 0) {
        this.#hold(text);
        return out;
      }
    } else {
      text = this.#bytes.decode(chunk);
      if (text === '') return out;
    }
    if (this.#held !== '') {
      text = this.#held + text;
      this.#held = '';
      this.#heldBytes = undefined;
    }
    if (this.#atStart) {
      this.#atStart = false;
      if (text.charCodeAt(0) === BOM) text = text.slice(1);
    }
    const consumed = this.#parse(text, out);
    if (consumed < text.length) this.#hold(text.slice(consumed));
    return out;
  }

  /**
   * Ends the input. An unterminated event is dropped (spec), but reported as `incomplete` to detect truncation.
   * With `dispatchPending`, the unterminated event is dispatched instead, as if the body had ended with a blank
   * line (some servers end on `data: [DONE]` with no line break): the caller must then check the event is whole.
   */
  end(options: { dispatchPending?: boolean } = {}): { items: SseItem[]; incomplete: boolean } {
    let rest = this.#held + this.#bytes.flush();
    if (this.#atStart && rest.charCodeAt(0) === BOM) rest = rest.slice(1);
    const incomplete = this.#block.open || rest !== '';
    const items: SseItem[] = [];
    if (incomplete && options.dispatchPending) {
      this.#held = '';
      this.#heldBytes = undefined;
      this.#parse(`${rest}\n\n`, items);
    }
    // Ready for another stream; `lastEventId` and `retry` are kept, they are what a reconnection needs.
    this.#held = '';
    this.#heldBytes = undefined;
    this.#atStart = true;
    this.#skipLF = false;
    this.#block.reset();
    return { items, incomplete };
  }

  /** Handles the complete lines of `text`; returns where the unterminated rest starts. */
  #parse(text: string, out: SseItem[]): number {
    const len = text.length;
    const block = this.#block;
    let pos = 0;
    if (this.#skipLF) {
      this.#skipLF = false;
      if (text.charCodeAt(0) === LF) pos = 1;
    }
    // Next LF / CR / colon at or after `pos` (`len` if none). Each is searched again only once passed, so a text is
    // scanned a bounded number of times whatever its lines look like (no quadratic rescans for CR-free input).
    let lf = -1;
    let cr = -1;
    let colon = -1;
    for (;;) {
      if (lf < pos) {
        lf = text.indexOf('\n', pos);
        if (lf < 0) lf = len;
      }
      if (cr < pos) {
        cr = text.indexOf('\r', pos);
        if (cr < 0) cr = len;
      }
      let end: number;
      let next: number;
      if (lf < cr) {
        end = lf;
        next = lf + 1;
      } else if (cr < len) {
        end = cr;
        next = cr + 1;
        if (next === len) this.#skipLF = true;
        else if (text.charCodeAt(next) === LF) next++;
      } else {
        return pos;
      }
      if (end - pos > this.#safeUnits && utf8Length(text, pos, end) > this.#max) {
        throw new SseEventTooLargeError(this.#max, 'line');
      }
      if (end === pos) {
        if (block.open) block.dispatch(out);
      } else {
        const c = text.charCodeAt(pos);
        if (c === COLON) {
          const v = pos + 1 < end && text.charCodeAt(pos + 1) === SPACE ? pos + 2 : pos + 1;
          out.push({ type: 'comment', text: text.slice(v, end) });
        } else if (c === D && text.startsWith('data:', pos)) {
          // The hot path: no colon search, no field-name comparison.
          block.data(text.slice(pos + 5 < end && text.charCodeAt(pos + 5) === SPACE ? pos + 6 : pos + 5, end));
        } else {
          if (colon < pos) {
            colon = text.indexOf(':', pos);
            if (colon < 0) colon = len;
          }
          block.field(text, pos, Math.min(colon, end), end);
        }
      }
      pos = next;
    }
  }

  #hold(text: string): void {
    this.#held += text;
    if (this.#held.length > this.#safeUnits) {
      this.#heldBytes = this.#heldBytes === undefined ? utf8Length(this.#held) : this.#heldBytes + utf8Length(text);
      if (this.#heldBytes > this.#max) throw new SseEventTooLargeError(this.#max, 'line');
    }
  }
}
