import { SseEventTooLargeError } from './errors.js';

const LF = 10;
const CR = 13;
const EMPTY = new Uint8Array(0);
/** A pending buffer grown past this by one long line is dropped once drained, so it does not pin memory. */
const KEEP_CAPACITY = 64 * 1024;
/** Below this, Node's ICU decoder costs more per call than it saves on non-ASCII text (see `#decode`). */
const WIDE_MIN_BYTES = 512;

/**
 * Turns UTF-8 byte chunks into text that always ends at a line terminator (LF or CR).
 *
 * Why not a streaming `TextDecoder`: `decode(chunk, { stream: true })` is several times slower than a one-shot
 * decode (Node leaves its fast UTF-8 path for ICU as soon as `stream` is used), and SSE only ever needs whole
 * lines. LF and CR bytes never occur inside a multi-byte UTF-8 sequence, so the bytes up to the last terminator
 * of a chunk always decode on their own; only the tail after it is kept (as bytes) for the next chunk.
 *
 * `ignoreBOM: true` because each call decodes a piece from the middle of the stream: a U+FEFF there is content.
 * The stream-start BOM is stripped by the caller.
 */
export class Utf8LineDecoder {
  readonly #decoder = new TextDecoder('utf-8', { ignoreBOM: true });
  #streaming: TextDecoder | undefined;
  /** The last chunk was not pure ASCII (see `#decode`). */
  #wide = false;
  readonly #limit: number;
  #buf: Uint8Array = EMPTY;
  #len = 0;

  constructor(limit: number) {
    this.#limit = limit;
  }

  /** Bytes of the unterminated line held back. */
  get pending(): number {
    return this.#len;
  }

  /** Decoded text of every line completed by `chunk` (`''` when none); the rest is held back. */
  decode(chunk: Uint8Array): string {
    // Scan backwards: network chunks almost always end with a terminator, so this usually stops at once.
    let last = chunk.length - 1;
    while (last >= 0) {
      const b = chunk[last];
      if (b === LF || b === CR) break;
      last--;
    }
    if (last < 0) {
      this.#append(chunk);
      return '';
    }
    const end = last + 1;
    let text: string;
    if (this.#len === 0) {
      text = this.#decode(end === chunk.length ? chunk : chunk.subarray(0, end));
    } else {
      // Complete only the held-back line through the buffer (so the size bound applies to that line, not to the
      // whole chunk), then decode the rest of the chunk straight from it.
      let first = 0;
      while (chunk[first] !== LF && chunk[first] !== CR) first++;
      this.#append(chunk.subarray(0, first + 1), 1);
      text = this.#decode(this.#buf.subarray(0, this.#len));
      this.#clear();
      if (first + 1 < end) text += this.#decode(chunk.subarray(first + 1, end));
    }
    if (end < chunk.length) this.#append(chunk.subarray(end));
    return text;
  }

  /** Decodes and drops whatever is held back (a code point cut at the end becomes U+FFFD). */
  flush(): string {
    if (this.#len === 0) return '';
    const text = this.#decoder.decode(this.#buf.subarray(0, this.#len));
    this.#clear();
    return text;
  }

  /**
   * Node's one-shot UTF-8 decode is ~8× faster than its ICU (streaming) path on ASCII, but ~1.6× slower once a
   * chunk holds non-ASCII text (CJK, emoji) early on; ICU's fixed cost per call only pays off from ~0.5 KB. Streams
   * keep their script, so the previous chunk picks the path. Both give the same text, and `stream: true` leaves no
   * state behind because the bytes given here always end at a whole character.
   */
  #decode(bytes: Uint8Array): string {
    let text: string;
    if (this.#wide && bytes.length >= WIDE_MIN_BYTES) {
      this.#streaming ??= new TextDecoder('utf-8', { ignoreBOM: true });
      text = this.#streaming.decode(bytes, { stream: true });
    } else {
      text = this.#decoder.decode(bytes);
    }
    this.#wide = text.length !== bytes.length;
    return text;
  }

  /** `terminator` is 1 when `bytes` ends with the line's terminator, which does not count towards the limit. */
  #append(bytes: Uint8Array, terminator = 0): void {
    const needed = this.#len + bytes.length;
    if (needed - terminator > this.#limit) throw new SseEventTooLargeError(this.#limit, 'line');
    if (needed > this.#buf.length) {
      const grown = new Uint8Array(Math.min(Math.max(needed, this.#buf.length * 2, 1024), this.#limit + 1));
      grown.set(this.#buf.subarray(0, this.#len));
      this.#buf = grown;
    }
    this.#buf.set(bytes, this.#len);
    this.#len = needed;
  }

  #clear(): void {
    this.#len = 0;
    if (this.#buf.length > KEEP_CAPACITY) this.#buf = EMPTY;
  }
}

/** UTF-8 size of `text[start, end)`, as `TextEncoder` would write it (a lone surrogate becomes 3-byte U+FFFD). */
export function utf8Length(text: string, start = 0, end = text.length): number {
  let bytes = end - start;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) bytes += 1;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < end && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 2; // a surrogate pair: 2 code units, 4 bytes
      i++;
    } else bytes += 2;
  }
  return bytes;
}
