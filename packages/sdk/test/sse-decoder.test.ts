/**
 * SseDecoder against the WHATWG event-stream parsing rules, one rule per test, plus chunking independence.
 * https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation
 */
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../src/errors/client-errors.js';
import { SwitchyardError } from '../src/errors/switchyard-error.js';
import { SseDecoder, type SseDecoderOptions, type SseItem } from '../src/sse/decoder.js';
import { SseEventTooLargeError } from '../src/sse/errors.js';
import { utf8Length } from '../src/sse/utf8-lines.js';

const utf8 = new TextEncoder();

/** Decodes `chunks` in order with one decoder; returns every item and `end()`'s verdict. */
function decode(chunks: (string | Uint8Array)[], options?: SseDecoderOptions) {
  const decoder = new SseDecoder(options);
  const items: SseItem[] = [];
  for (const chunk of chunks) items.push(...decoder.push(chunk));
  const end = decoder.end();
  items.push(...end.items);
  return { items, incomplete: end.incomplete, decoder };
}

const ev = (data: string, extra: Record<string, unknown> = {}): SseItem => ({
  type: 'event',
  event: { data, ...extra },
});
const comment = (text: string): SseItem => ({ type: 'comment', text });

describe('line endings', () => {
  it.each([
    ['LF', '\n'],
    ['CR', '\r'],
    ['CRLF', '\r\n'],
  ])('%s ends lines and a blank line dispatches', (_name, eol) => {
    const stream = `data: a${eol}data: b${eol}${eol}data: c${eol}${eol}`;
    expect(decode([stream]).items).toEqual([ev('a\nb'), ev('c')]);
    expect(decode([utf8.encode(stream)]).items).toEqual([ev('a\nb'), ev('c')]);
  });

  it('mixes LF, CR and CRLF in one stream', () => {
    expect(decode(['data: a\rdata: b\r\ndata: c\n\r\n']).items).toEqual([ev('a\nb\nc')]);
  });

  it('treats a CR at the end of a chunk followed by an LF in the next as one line break', () => {
    const makers: ((s: string) => string | Uint8Array)[] = [(s) => s, (s) => utf8.encode(s)];
    for (const make of makers) {
      const chunks = ['data: a\r', '\ndata: b\r', '\n\r', '\n'].map(make);
      expect(decode(chunks).items).toEqual([ev('a\nb')]);
    }
  });

  it('remembers a trailing CR across empty chunks', () => {
    const { items } = decode(['data: a\r', '', new Uint8Array(0), '\n', 'data: b\n\n']);
    expect(items).toEqual([ev('a\nb')]);
  });

  it('a CR followed by something other than LF still ends only one line', () => {
    expect(decode(['data: a\r', 'data: b\r', '\r']).items).toEqual([ev('a\nb')]);
  });

  it('U+2028, U+2029 and NEL are content, not line breaks', () => {
    expect(decode(['data: a\u2028b\u2029c\u0085d\n\n']).items).toEqual([ev('a\u2028b\u2029c\u0085d')]);
  });
});

describe('fields', () => {
  it('strips exactly one leading space from the value', () => {
    expect(decode(['data:a\n\ndata: a\n\ndata:  a\n\n']).items).toEqual([ev('a'), ev('a'), ev(' a')]);
  });

  it('keeps colons inside values', () => {
    expect(decode(['data: a:b: c\nevent: x:y\n\n']).items).toEqual([ev('a:b: c', { event: 'x:y' })]);
  });

  it('`data:` with an empty value and a bare `data` line both add an empty line', () => {
    expect(decode(['data:\n\n']).items).toEqual([ev('')]);
    expect(decode(['data\n\n']).items).toEqual([ev('')]);
    expect(decode(['data:\ndata:\n\n']).items).toEqual([ev('\n')]);
    expect(decode(['data: \n\n']).items).toEqual([ev('')]);
  });

  it('joins several data lines with LF', () => {
    expect(decode(['data: {"a":\ndata: 1}\n\n']).items).toEqual([ev('{"a":\n1}')]);
  });

  it('reads event, id and retry', () => {
    const { items, decoder } = decode(['event: update\nid: 42\nretry: 1500\ndata: x\n\n']);
    expect(items).toEqual([ev('x', { event: 'update', id: '42', retry: 1500 })]);
    expect(decoder.lastEventId).toBe('42');
    expect(decoder.retry).toBe(1500);
  });

  it('a later field of the same name wins; bare `event` sets an empty type', () => {
    expect(decode(['event: a\nevent: b\ndata: x\n\n']).items).toEqual([ev('x', { event: 'b' })]);
    expect(decode(['event\ndata: x\n\n']).items).toEqual([ev('x', { event: '' })]);
  });

  it('ignores unknown fields, case variants and names with trailing spaces', () => {
    const { items } = decode(['foo: bar\nbaz\nData: no\ndata : no\nEVENT: no\ndata: yes\n\n']);
    expect(items).toEqual([ev('yes')]);
  });

  it('an event made only of unknown fields or event/id/retry is not dispatched', () => {
    expect(decode(['foo: bar\n\nevent: x\n\nid: 1\n\nretry: 10\n\n']).items).toEqual([]);
  });

  it('ignores retry values that are not only ASCII digits', () => {
    for (const value of ['', '  10', '10s', '-1', '1.5', '１０', '+1']) {
      const { items, decoder } = decode([`retry:${value}\ndata: x\n\n`]);
      expect(items, JSON.stringify(value)).toEqual([ev('x')]);
      expect(decoder.retry).toBeUndefined();
    }
    const { decoder } = decode(['retry: 3000\n\n']);
    expect(decoder.retry, 'a retry-only block still sets the reconnection time').toBe(3000);
  });

  it('keeps NUL in data but ignores an id containing NUL', () => {
    const { items, decoder } = decode(['id: 1\ndata: a\0b\n\nid: x\0y\ndata: c\n\n']);
    expect(items).toEqual([ev('a\0b', { id: '1' }), ev('c')]);
    expect(decoder.lastEventId).toBe('1');
  });
});

describe('lastEventId', () => {
  it('is set when the block is dispatched and survives events without an id', () => {
    const decoder = new SseDecoder();
    decoder.push('id: 5\ndata: a\n');
    expect(decoder.lastEventId).toBe('');
    expect(decoder.push('\n')).toEqual([ev('a', { id: '5' })]);
    expect(decoder.lastEventId).toBe('5');
    expect(decoder.push('data: b\n\n')).toEqual([ev('b')]);
    expect(decoder.lastEventId).toBe('5');
  });

  it('is updated by an id-only block, reset by an empty id, and kept across end()', () => {
    const decoder = new SseDecoder();
    decoder.push('id: 7\n\n');
    expect(decoder.lastEventId).toBe('7');
    decoder.push('id\ndata: x\n\n');
    expect(decoder.lastEventId).toBe('');
    decoder.push('id: 9\n\n');
    decoder.end();
    expect(decoder.lastEventId).toBe('9');
  });
});

describe('comments', () => {
  it('surfaces comments with one leading space stripped, in stream order', () => {
    const { items } = decode([': OPENROUTER PROCESSING\n\n:\n:  two\ndata: a\n: inside\n\n']);
    expect(items).toEqual([comment('OPENROUTER PROCESSING'), comment(''), comment(' two'), comment('inside'), ev('a')]);
  });

  it('a comment does not dispatch or reset the pending event', () => {
    expect(decode(['data: a\n: ping\ndata: b\n\n']).items).toEqual([comment('ping'), ev('a\nb')]);
  });
});

describe('byte order mark', () => {
  it('skips one leading BOM, in text or bytes, even split across chunks', () => {
    expect(decode(['\uFEFFdata: a\n\n']).items).toEqual([ev('a')]);
    const bytes = utf8.encode('\uFEFFdata: a\n\n');
    expect(bytes[0]).toBe(0xef);
    expect(decode([...bytes].map((b) => Uint8Array.of(b))).items).toEqual([ev('a')]);
  });

  it('keeps a second BOM and a BOM later in the stream (they make an unknown field name)', () => {
    expect(decode(['\uFEFF\uFEFFdata: a\n\n']).items).toEqual([]);
    expect(decode(['data: a\n\n\uFEFFdata: b\n\n']).items).toEqual([ev('a')]);
    expect(decode(['data: \uFEFFa\n\n']).items).toEqual([ev('\uFEFFa')]);
  });

  it('a stream that is only a BOM is empty, not truncated', () => {
    expect(decode([Uint8Array.of(0xef, 0xbb, 0xbf)])).toMatchObject({ items: [], incomplete: false });
  });
});

describe('WHATWG spec examples', () => {
  it('stock ticker: three data lines make one event', () => {
    expect(decode(['data: YHOO\ndata: +2\ndata: 10\n\n']).items).toEqual([ev('YHOO\n+2\n10')]);
  });

  it('comment, ids, and the space rule', () => {
    const stream = ': test stream\n\ndata: first event\nid: 1\n\ndata:second event\nid\n\ndata:  third event\n';
    const { items, incomplete, decoder } = decode([stream]);
    expect(items).toEqual([comment('test stream'), ev('first event', { id: '1' }), ev('second event', { id: '' })]);
    expect(incomplete, 'the third block lacks its blank line').toBe(true);
    expect(decoder.lastEventId).toBe('');
    expect(decode([stream + '\n']).items.at(-1)).toEqual(ev(' third event'));
  });

  it('empty data, a single newline, and a discarded last block', () => {
    const { items, incomplete } = decode(['data\n\ndata\ndata\n\ndata:']);
    expect(items).toEqual([ev(''), ev('\n')]);
    expect(incomplete).toBe(true);
  });

  it('`data:test` and `data: test` are the same', () => {
    expect(decode(['data:test\n\ndata: test\n\n']).items).toEqual([ev('test'), ev('test')]);
  });
});

describe('UTF-8', () => {
  const text = 'data: Grüße 👋🏽 — 你好 ∑\n\n';
  const bytes = utf8.encode(text);
  const expected = [ev('Grüße 👋🏽 — 你好 ∑')];

  it('decodes a code point split at every byte position', () => {
    for (let cut = 0; cut <= bytes.length; cut++) {
      expect(decode([bytes.subarray(0, cut), bytes.subarray(cut)]).items, `cut at ${cut}`).toEqual(expected);
    }
  });

  it('decodes at every pair of cut points and byte by byte', () => {
    for (let a = 1; a < bytes.length; a++) {
      for (let b = a; b < bytes.length; b++) {
        const chunks = [bytes.subarray(0, a), bytes.subarray(a, b), bytes.subarray(b)];
        expect(decode(chunks).items, `cuts at ${a}, ${b}`).toEqual(expected);
      }
    }
    expect(decode([...bytes].map((b) => Uint8Array.of(b))).items).toEqual(expected);
  });

  it('replaces invalid and truncated sequences with U+FFFD like TextDecoder, however chunked', () => {
    const bad = Uint8Array.from([...utf8.encode('data: '), 0xff, 0x41, 0xe4, 0xbd, 0x0a, 0x0a]);
    const want = [ev(new TextDecoder().decode(bad.subarray(6, 10)))];
    expect(want[0]).toEqual(ev('\uFFFDA\uFFFD'));
    for (let cut = 0; cut <= bad.length; cut++) {
      expect(decode([bad.subarray(0, cut), bad.subarray(cut)]).items, `cut at ${cut}`).toEqual(want);
    }
  });

  it('switches between ASCII and non-ASCII chunks of every size without changing the text', () => {
    const lines = ['plain', '你好'.repeat(200), 'x'.repeat(600), 'é', '👋'.repeat(300), 'tail'];
    const chunks = lines.map((line) => utf8.encode(`data: ${line}\n\n`));
    expect(decode(chunks).items).toEqual(lines.map((line) => ev(line)));
  });

  it('accepts bytes and strings mixed in one stream', () => {
    const emoji = utf8.encode('👋');
    const chunks = [utf8.encode('data: a'), emoji.subarray(0, 2), emoji.subarray(2), 'b\n', utf8.encode('\n')];
    expect(decode(chunks).items).toEqual([ev('a👋b')]);
  });
});

describe('chunking independence', () => {
  const stream =
    '\uFEFF: hello\r\nevent: a\r\ndata: 1\r\ndata:2\r\n\r\nid: 3\rdata: é👋\r\rretry: 10\ndata\n\n: bye\ndata: x\n\n';
  const whole = decode([stream]).items;

  it('the reference decoding is what the spec says', () => {
    expect(whole).toEqual([
      comment('hello'),
      ev('1\n2', { event: 'a' }),
      ev('é👋', { id: '3' }),
      ev('', { retry: 10 }),
      comment('bye'),
      ev('x'),
    ]);
  });

  it('gives the same items for every split into three pieces, as text and as bytes', () => {
    const bytes = utf8.encode(stream);
    for (let a = 0; a <= stream.length; a++) {
      for (let b = a; b <= stream.length; b++) {
        const pieces = [stream.slice(0, a), stream.slice(a, b), stream.slice(b)];
        expect(decode(pieces).items, `text cuts ${a}, ${b}`).toEqual(whole);
      }
    }
    for (let a = 0; a <= bytes.length; a++) {
      for (let b = a; b <= bytes.length; b += 3) {
        const pieces = [bytes.subarray(0, a), bytes.subarray(a, b), bytes.subarray(b)];
        expect(decode(pieces).items, `byte cuts ${a}, ${b}`).toEqual(whole);
      }
    }
  });

  it('returns each item from the push that completes it', () => {
    const decoder = new SseDecoder();
    expect(decoder.push('data: a\n')).toEqual([]);
    expect(decoder.push('\ndata: b')).toEqual([ev('a')]);
    expect(decoder.push('\n\n: c\n')).toEqual([ev('b'), comment('c')]);
  });
});

describe('end()', () => {
  it.each([
    ['', false],
    ['data: a\n\n', false],
    [': ping\n', false],
    ['data: a\n\n: ping\n', false],
    ['data: a\r\n\r\n', false],
    ['data: a\n', true],
    ['data: a', true],
    ['data: a\n\ndata: b', true],
    [': pi', true],
    ['event: x\n', true],
    ['id: 1\n', true],
    ['foo\n', true],
    ['data: a\r', true],
  ])('%j → incomplete %s', (stream, incomplete) => {
    expect(decode([stream])).toMatchObject({ incomplete });
    expect(decode([utf8.encode(stream)])).toMatchObject({ incomplete });
  });

  it('never dispatches the unterminated event, and resets for a new stream', () => {
    const decoder = new SseDecoder();
    expect(decoder.push('data: a\n\ndata: cut')).toEqual([ev('a')]);
    expect(decoder.end()).toEqual({ items: [], incomplete: true });
    expect(decoder.push('data: fresh\n\n')).toEqual([ev('fresh')]);
    expect(decoder.end()).toEqual({ items: [], incomplete: false });
  });

  it('reports bytes held back after the last line break', () => {
    const decoder = new SseDecoder();
    decoder.push(utf8.encode('data: a\n\n').subarray());
    decoder.push(utf8.encode('👋').subarray(0, 1));
    expect(decoder.end().incomplete).toBe(true);
  });
});

describe('maxEventBytes', () => {
  it('rejects an event whose data lines add up past the limit, naming the limit', () => {
    const decoder = new SseDecoder({ maxEventBytes: 100 });
    decoder.push(`data: ${'a'.repeat(60)}\n`);
    let error: unknown;
    try {
      decoder.push(`data: ${'b'.repeat(60)}\n`);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(SseEventTooLargeError);
    expect(error).toBeInstanceOf(SwitchyardError);
    expect(error).toMatchObject({ code: 'sse_event_too_large', name: 'SseEventTooLargeError', limit: 100 });
    expect((error as Error).message).toMatch(/maxEventBytes \(100 bytes\)/);
  });

  it('rejects a single unterminated line past the limit, as text, bytes, or many small pieces', () => {
    const long = `data: ${'x'.repeat(200)}`;
    expect(() => decode([long], { maxEventBytes: 100 })).toThrow(SseEventTooLargeError);
    expect(() => decode([utf8.encode(long)], { maxEventBytes: 100 })).toThrow(/single line exceeds maxEventBytes/);
    expect(() => decode([...long], { maxEventBytes: 100 })).toThrow(SseEventTooLargeError);
    const bytes = utf8.encode(long);
    expect(() =>
      decode(
        [...bytes].map((b) => Uint8Array.of(b)),
        { maxEventBytes: 100 },
      ),
    ).toThrow(/\(100 bytes\)/);
  });

  it('rejects a complete over-long line even when it arrives in one chunk (comments too)', () => {
    expect(() => decode([`: ${'c'.repeat(200)}\n\n`], { maxEventBytes: 100 })).toThrow(SseEventTooLargeError);
  });

  it('counts one event, not the chunk: many small events in one big chunk are fine', () => {
    const many = 'data: y\n\n'.repeat(100);
    const { items } = decode([utf8.encode('data: x'), utf8.encode(`\n\n${many}`)], { maxEventBytes: 50 });
    expect(items).toHaveLength(101);
    expect(decode([many.repeat(10)], { maxEventBytes: 50 }).items).toHaveLength(1000);
  });

  it('counts UTF-8 bytes exactly, with the same verdict for every chunking', () => {
    // A line of exactly 100 bytes passes and one of 101 fails, whether it is ASCII or not and however it arrives.
    for (const [body, over] of [
      ['a'.repeat(94), 'a'.repeat(95)],
      ['你'.repeat(31) + 'a', '你'.repeat(31) + 'ab'],
      ['👋'.repeat(23) + 'ab', '👋'.repeat(23) + 'abc'],
    ]) {
      for (const [value, fits] of [
        [body, true],
        [over, false],
      ] as const) {
        const text = `data: ${value}\n\n`;
        const bytes = utf8.encode(text);
        expect(bytes.length - 2).toBe(fits ? 100 : 101);
        for (const chunks of [[text], [bytes], [...text], [...bytes].map((b) => Uint8Array.of(b))]) {
          const run = () => decode(chunks, { maxEventBytes: 100 });
          if (fits) expect(run().items).toEqual([ev(value)]);
          else expect(run).toThrow(SseEventTooLargeError);
        }
      }
    }
  });

  it('bounds data joined over several lines, in bytes', () => {
    const lines = `data: ${'é'.repeat(40)}\n`.repeat(2);
    expect(decode([`${lines}\n`], { maxEventBytes: 161 }).items).toHaveLength(1);
    expect(() => decode([`${lines}\n`], { maxEventBytes: 160 })).toThrow(/event's data exceeds maxEventBytes/);
  });

  it('defaults to 8 MiB', () => {
    const mib = 1024 * 1024;
    expect(decode([utf8.encode(`data: ${'a'.repeat(7 * mib)}\n\n`)]).items).toHaveLength(1);
    expect(() => decode([utf8.encode(`data: ${'a'.repeat(9 * mib)}`)])).toThrow(/maxEventBytes \(8388608 bytes\)/);
  });

  it('rejects a limit that is not a positive integer', () => {
    for (const maxEventBytes of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => new SseDecoder({ maxEventBytes }), String(maxEventBytes)).toThrow(ConfigError);
    }
  });
});

describe('utf8Length', () => {
  it('agrees with TextEncoder, lone surrogates included', () => {
    const parts = ['a', 'é', '你', '👋', '\uD800', '\uDC00', '\u2028', '\0', '\uFEFF', '🏽'];
    let state = 7;
    for (let i = 0; i < 2000; i++) {
      let text = '';
      for (let n = i % 9; n > 0; n--) {
        state = (Math.imul(state, 1103515245) + 12345) >>> 0;
        text += parts[state % parts.length];
      }
      expect(utf8Length(text), JSON.stringify(text)).toBe(utf8.encode(text).length);
    }
    expect(utf8Length('xx👋yy', 2, 4)).toBe(4);
  });
});

describe('hostile shapes stay linear', () => {
  // Each case would take many seconds with a quadratic rescan; linear code does it in milliseconds.
  it('many short lines without a colon or CR in one chunk', () => {
    const started = performance.now();
    expect(decode(['x\n'.repeat(200_000) + 'data: end\n\n']).items).toEqual([ev('end')]);
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('one long line fed a byte (or a character) at a time', () => {
    const line = `data: ${'y'.repeat(300_000)}\n\n`;
    const bytes = utf8.encode(line);
    const started = performance.now();
    const decoder = new SseDecoder();
    const items: SseItem[] = [];
    for (let i = 0; i < bytes.length; i++) items.push(...decoder.push(bytes.subarray(i, i + 1)));
    const text = new SseDecoder();
    for (const char of line) items.push(...text.push(char));
    expect(items).toHaveLength(2);
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('a huge event of many data lines', () => {
    const started = performance.now();
    const { items } = decode([`${'data: 0123456789\n'.repeat(300_000)}\n`]);
    expect((items[0] as { event: { data: string } }).event.data.length).toBe(300_000 * 11 - 1);
    expect(performance.now() - started).toBeLessThan(2000);
  });
});
