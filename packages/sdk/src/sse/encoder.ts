import type { SseEvent } from './types.js';

/** Any SSE line break; only used on the rare multi-line path, single-line data never reaches a regex. */
const LINE_BREAK = /\r\n|\r|\n/;

/**
 * Serialises one event so that `SseDecoder` yields it back unchanged (data line breaks come back as `\n`).
 * `event` and `id` cannot hold line breaks (nor `id` a NUL): they would end the field early, or make the decoder
 * drop it, so encoding them would silently change the event (or let a proxied value inject fields).
 */
export function encodeEvent(event: SseEvent): string {
  let out = '';
  if (event.event !== undefined) out += 'event: ' + singleLine(event.event, 'event') + '\n';
  if (event.id !== undefined) {
    if (event.id.includes('\0')) throw new TypeError('SSE id must not contain NUL');
    out += 'id: ' + singleLine(event.id, 'id') + '\n';
  }
  if (event.retry !== undefined) {
    if (!Number.isSafeInteger(event.retry) || event.retry < 0) {
      throw new RangeError(`SSE retry must be a non-negative integer, got ${event.retry}`);
    }
    out += 'retry: ' + event.retry + '\n';
  }
  const data = event.data;
  if (!hasLineBreak(data)) return out + 'data: ' + data + '\n\n';
  for (const line of data.split(LINE_BREAK)) out += 'data: ' + line + '\n';
  return out + '\n';
}

/** A comment frame (`: text`), one `:` line per line of `text`; the blank line after it also flushes proxies. */
export function encodeComment(text: string): string {
  if (!hasLineBreak(text)) return ': ' + text + '\n\n';
  let out = '';
  for (const line of text.split(LINE_BREAK)) out += ': ' + line + '\n';
  return out + '\n';
}

/** OpenAI-style end-of-stream sentinel. */
export function encodeDone(): string {
  return 'data: [DONE]\n\n';
}

function hasLineBreak(value: string): boolean {
  return value.indexOf('\n') >= 0 || value.indexOf('\r') >= 0;
}

function singleLine(value: string, field: string): string {
  if (hasLineBreak(value)) throw new TypeError(`SSE ${field} must not contain a line break`);
  return value;
}
