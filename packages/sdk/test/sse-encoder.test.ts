/** encodeEvent / encodeComment / encodeDone: exact output, and decode(encode(x)) gives x back. */
import { describe, expect, it } from 'vitest';
import { SseDecoder, type SseEvent, type SseItem } from '../src/sse/decoder.js';
import { encodeComment, encodeDone, encodeEvent } from '../src/sse/encoder.js';

function decodeAll(text: string): SseItem[] {
  const decoder = new SseDecoder();
  const items = decoder.push(new TextEncoder().encode(text));
  const end = decoder.end();
  expect(end.incomplete, 'encoder output always ends at a blank line').toBe(false);
  return [...items, ...end.items];
}

/** What the decoder gives back: line breaks in data normalised to LF. */
function normalised(event: SseEvent): SseEvent {
  return { ...event, data: event.data.replace(/\r\n|\r/g, '\n') };
}

describe('encodeEvent', () => {
  it('writes one data line and a blank line', () => {
    expect(encodeEvent({ data: '{"a":1}' })).toBe('data: {"a":1}\n\n');
  });

  it('writes event, id and retry when present', () => {
    expect(encodeEvent({ data: 'x', event: 'update', id: '7', retry: 1000 })).toBe(
      'event: update\nid: 7\nretry: 1000\ndata: x\n\n',
    );
    expect(encodeEvent({ data: 'x', event: '', id: '' })).toBe('event: \nid: \ndata: x\n\n');
  });

  it('splits data on LF, CRLF and CR', () => {
    expect(encodeEvent({ data: 'a\nb\r\nc\rd' })).toBe('data: a\ndata: b\ndata: c\ndata: d\n\n');
    expect(encodeEvent({ data: '' })).toBe('data: \n\n');
    expect(encodeEvent({ data: '\n' })).toBe('data: \ndata: \n\n');
  });

  it('refuses values that cannot be encoded faithfully', () => {
    expect(() => encodeEvent({ data: 'x', event: 'a\nb' })).toThrow(/event must not contain a line break/);
    expect(() => encodeEvent({ data: 'x', id: 'a\rb' })).toThrow(/id must not contain a line break/);
    expect(() => encodeEvent({ data: 'x', id: 'a\0b' })).toThrow(/NUL/);
    for (const retry of [-1, 1.5, Number.NaN]) expect(() => encodeEvent({ data: 'x', retry })).toThrow(RangeError);
  });

  it.each<SseEvent>([
    { data: 'plain' },
    { data: '' },
    { data: ' leading space' },
    { data: '  two spaces' },
    { data: 'trailing space ' },
    { data: ': looks like a comment' },
    { data: 'data: nested' },
    { data: 'multi\nline\n\nwith blank' },
    { data: '\n\n' },
    { data: 'crlf\r\nand\rcr' },
    { data: 'ends with newline\n' },
    { data: 'Grüße 👋🏽 — 你好! \u2028 \0' },
    { data: '\uFEFFbom first' },
    { data: '[DONE]', event: 'done', id: '42', retry: 0 },
    { data: 'x', event: ' spaced type', id: ' spaced id' },
    { data: 'x', event: '', id: '' },
  ])('round-trips %j', (event) => {
    expect(decodeAll(encodeEvent(event))).toEqual([{ type: 'event', event: normalised(event) }]);
  });

  it('round-trips random events, one at a time and as one concatenated stream', () => {
    const alphabet = ['a', 'Z', ' ', ':', '\n', '\r', '\r\n', 'é', '你', '👋', '\u2028', '\0', 'data: ', '\uFEFF'];
    let state = 12345;
    const random = () => {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0;
      return state / 2 ** 32;
    };
    const pick = (n: number) => Array.from({ length: n }, () => alphabet[Math.floor(random() * alphabet.length)]);
    const singleLine = (n: number) =>
      pick(n)
        .join('')
        .replace(/[\r\n\0]/g, '_');
    const all: SseEvent[] = [];
    for (let i = 0; i < 300; i++) {
      const event: SseEvent = { data: pick(Math.floor(random() * 12)).join('') };
      if (random() < 0.3) event.event = singleLine(4);
      if (random() < 0.3) event.id = singleLine(4);
      if (random() < 0.2) event.retry = Math.floor(random() * 10_000);
      expect(decodeAll(encodeEvent(event)), JSON.stringify(event)).toEqual([
        { type: 'event', event: normalised(event) },
      ]);
      all.push(event);
    }
    const stream = all.map(encodeEvent).join('');
    expect(decodeAll(stream)).toEqual(all.map((event) => ({ type: 'event', event: normalised(event) })));
  });
});

describe('encodeComment', () => {
  it('writes a comment line and a blank line', () => {
    expect(encodeComment('OPENROUTER PROCESSING')).toBe(': OPENROUTER PROCESSING\n\n');
    expect(decodeAll(encodeComment('OPENROUTER PROCESSING'))).toEqual([
      { type: 'comment', text: 'OPENROUTER PROCESSING' },
    ]);
  });

  it('writes one comment line per line of text', () => {
    expect(encodeComment('a\nb\r\nc')).toBe(': a\n: b\n: c\n\n');
    expect(decodeAll(encodeComment(' x\n\ny'))).toEqual([
      { type: 'comment', text: ' x' },
      { type: 'comment', text: '' },
      { type: 'comment', text: 'y' },
    ]);
  });

  it('never dispatches or disturbs events around it', () => {
    const stream = encodeEvent({ data: 'a' }) + encodeComment('ping') + encodeEvent({ data: 'b' });
    expect(decodeAll(stream)).toEqual([
      { type: 'event', event: { data: 'a' } },
      { type: 'comment', text: 'ping' },
      { type: 'event', event: { data: 'b' } },
    ]);
  });
});

describe('encodeDone', () => {
  it('is the OpenAI end sentinel', () => {
    expect(encodeDone()).toBe('data: [DONE]\n\n');
    expect(decodeAll(encodeDone())).toEqual([{ type: 'event', event: { data: '[DONE]' } }]);
  });
});
