import { describe, expect, it } from 'vitest';
import { StreamTruncatedError, UnexpectedResponseError } from '../src/index.js';
import { failure } from './helpers.js';
import {
  chunk,
  collect,
  finish,
  frames,
  hello,
  streamPieces,
  textOf,
  tick,
  usageChunk,
  useNastyUpstream,
} from './nasty-upstream-helpers.js';

/**
 * A nasty upstream (see nasty-upstream-helpers.ts) that streams: odd SSE framing, streams that end with or without
 * [DONE], cut short or on a socket destroyed mid-event, and tool-call deltas in every split.
 */

const { upstream, client } = useNastyUpstream();

describe('SSE framing', () => {
  const cases: [string, () => (string | Buffer)[]][] = [
    ['CRLF line endings', () => frames('\r\n')],
    ['lone CR line endings', () => frames('\r')],
    ['`data:` without the space', () => frames('\n', 'data:')],
    [
      'event:, id: and retry: lines around the data',
      () =>
        frames().map((frame, i) => `event: message\nid: ${i}\nretry: 3000\n: keep-alive\n${frame.replace(/^/, '')}`),
    ],
    ['a BOM at stream start', () => ['\uFEFF', ...frames()]],
    ['every byte in its own read', () => [...Buffer.from(frames().join(''))].map((b) => Buffer.from([b]))],
    ['a [DONE] padded with spaces', () => [...frames().slice(0, -1), 'data:  [DONE]  \n\n']],
  ];
  for (const [name, pieces] of cases) {
    it(`reads ${name}`, async () => {
      upstream.handler = streamPieces(pieces());
      const events = await collect(client().stream({ messages: hello }));
      expect(textOf(events)).toBe('Hello ☃ 🎉');
      const done = events.at(-1);
      expect(done?.type).toBe('done');
      if (done?.type === 'done') {
        expect(done.result.finishReason).toBe('stop');
        expect(done.result.usage.totalTokens).toBe(8);
      }
    });
  }

  it('reads multi-byte characters split across reads', async () => {
    const bytes = Buffer.from(frames().join(''));
    // Cut inside each multi-byte sequence (after its lead byte): the reads end mid-character.
    const pieces: Buffer[] = [];
    let from = 0;
    for (let i = 0; i < bytes.length; i++) {
      if (bytes[i]! >= 0xc0) {
        pieces.push(bytes.subarray(from, i + 1));
        from = i + 1;
      }
    }
    pieces.push(bytes.subarray(from));
    upstream.handler = streamPieces(pieces);
    expect((await client().stream({ messages: hello }).final()).text).toBe('Hello ☃ 🎉');
  });

  it('reads a single 1 MB data line', async () => {
    const big = 'x'.repeat(1024 * 1024);
    const line = `data: ${chunk({ content: big })}\n\n`;
    const buffer = Buffer.from(line);
    const pieces = Array.from({ length: Math.ceil(buffer.length / 65536) }, (_, i) =>
      buffer.subarray(i * 65536, (i + 1) * 65536),
    );
    upstream.handler = streamPieces([...pieces, `data: ${finish()}\n\n`, 'data: [DONE]\n\n']);
    const result = await client().stream({ messages: hello }).final();
    expect(result.text.length).toBe(big.length);
  });
});

describe('how a stream ends', () => {
  it('a stream that ends after finish_reason and usage without [DONE] is a success', async () => {
    upstream.handler = streamPieces(frames().slice(0, -1));
    const result = await client().stream({ messages: hello }).final();
    expect(result.text).toBe('Hello ☃ 🎉');
    expect(result.usage.totalTokens).toBe(8);
  });

  it('a stream whose last event lacks the closing blank line still counts it', async () => {
    // Some servers end with `data: [DONE]\n` (or no line break at all) and close.
    for (const tail of ['data: [DONE]\n', 'data: [DONE]', '']) {
      const body = frames().slice(0, -2).join('') + `data: ${usageChunk()}\n` + (tail ? `\n${tail}` : '');
      upstream.handler = streamPieces([body]);
      const result = await client().stream({ messages: hello }).final();
      expect(result.usage.totalTokens, JSON.stringify(tail)).toBe(8);
    }
  });

  it('a finish chunk without its closing blank line, then the socket closes, is a success', async () => {
    const body = frames().slice(0, 3).join('') + `data: ${finish()}`;
    upstream.handler = streamPieces([body]);
    const result = await client().stream({ messages: hello }).final();
    expect(result.text).toBe('Hello ☃ 🎉');
    expect(result.finishReason).toBe('stop');
  });

  it('[DONE] after content but no finish reason (seen with tool calls) completes, the reason inferred', async () => {
    const call = {
      index: 0,
      id: 'call_1',
      type: 'function',
      function: { name: 'get_weather', arguments: '{"city":"Oslo"}' },
    };
    upstream.handler = streamPieces([
      `data: ${chunk({ role: 'assistant', content: null, tool_calls: [call] })}\n\n`,
      `data: ${usageChunk()}\n\n`,
      'data: [DONE]\n\n',
    ]);
    const calls = await client().stream({ messages: hello }).final();
    expect(calls.finishReason).toBe('tool_calls');
    expect(calls.toolCalls).toMatchObject([{ id: 'call_1', name: 'get_weather', input: { city: 'Oslo' } }]);
    expect(calls.usage.totalTokens).toBe(8);
    upstream.handler = streamPieces([...frames().slice(0, 3), 'data: [DONE]\n\n']);
    const text = await client().stream({ messages: hello }).final();
    expect(text.text).toBe('Hello ☃ 🎉');
    expect(text.finishReason).toBe('stop');
    // [DONE] with nothing before it is no answer at all.
    upstream.handler = streamPieces([`data: ${usageChunk()}\n\n`, 'data: [DONE]\n\n']);
    expect(await failure(client().stream({ messages: hello }).final())).toBeInstanceOf(UnexpectedResponseError);
  });

  it('a stream cut before any finish_reason is a typed error, never a silent end', async () => {
    upstream.handler = streamPieces(frames().slice(0, 3));
    const error = await failure(client().stream({ messages: hello }).final());
    expect(error).toBeInstanceOf(StreamTruncatedError);
    expect(error.partial?.text).toBe('Hello ☃ 🎉');
    // Cut before any content: an unexpected response, retryable.
    upstream.handler = streamPieces(frames().slice(0, 1));
    const early = await failure(client().stream({ messages: hello }).final());
    expect(early).toBeInstanceOf(UnexpectedResponseError);
    expect(early.retryable).toBe(true);
  });

  it('keep-alives a proxy re-wrapped as data (`data: : OPENROUTER PROCESSING`, bare, empty) are comments', async () => {
    const rewrapped = ['data: : OPENROUTER PROCESSING\n\n', 'data: OPENROUTER PROCESSING\n\n', 'data:\n\n'];
    const all = frames();
    upstream.handler = streamPieces([...rewrapped, all[0]!, all[1]!, ...rewrapped, ...all.slice(2)]);
    const events = await collect(client().stream({ messages: hello }));
    expect(textOf(events)).toBe('Hello ☃ 🎉');
    expect(events.at(-1)?.type).toBe('done');
    // A proxy asking for frames gets them back as the comments they were, once content has begun.
    upstream.handler = streamPieces([...rewrapped, all[0]!, all[1]!, ...rewrapped, ...all.slice(2)]);
    const framed = await collect(client().stream({ messages: hello }, { frames: true }));
    const text = framed.flatMap((e) => (e.type === 'frame' ? [e.text] : [])).join('');
    expect(text).toContain(': OPENROUTER PROCESSING\n\n');
    expect(text).not.toContain('data: : OPENROUTER');
    expect(text).not.toMatch(/^data: OPENROUTER/m);
    // Anything else that is not JSON still fails the stream: a chunk is never dropped unread.
    upstream.handler = streamPieces([all[0]!, 'data: {"choices": [\n\n', ...all.slice(1)]);
    expect(await failure(client().stream({ messages: hello }).final())).toBeInstanceOf(UnexpectedResponseError);
  });

  it('a socket destroyed mid-event is a typed error', async () => {
    upstream.handler = async (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(frames().slice(0, 2).join('') + 'data: {"id":"gen-nasty-1","choi');
      await tick(5);
      res.socket?.destroy();
    };
    const error = await failure(client().stream({ messages: hello }).final());
    expect(['stream_error', 'stream_truncated']).toContain(error.code);
    expect(error.partial?.text).toBe('Hel');
  });
});

describe('tool-call deltas', () => {
  it('assembles id and name from the first delta, arguments in many pieces, parallel calls interleaved, index gap', async () => {
    const tc = (index: number, fn: Record<string, unknown>, id?: string) =>
      `data: ${chunk({ tool_calls: [{ index, ...(id ? { id, type: 'function' } : {}), function: fn }] })}\n\n`;
    const args0 = '{"city":"Oslo","days":3}';
    const args1 = '{"q":"ünïcødé ☃"}';
    const pieces: string[] = [
      `data: ${chunk({ role: 'assistant', content: null })}\n\n`,
      tc(0, { name: 'get_weather', arguments: '' }, 'call_a'),
      tc(2, { name: 'search', arguments: '' }, 'call_b'),
    ];
    const longest = Math.max(args0.length, args1.length);
    for (let i = 0; i < longest; i++) {
      if (i < args0.length) pieces.push(tc(0, { arguments: args0[i] }));
      if (i < args1.length) pieces.push(tc(2, { arguments: args1[i] }));
    }
    pieces.push(`data: ${finish('tool_calls')}\n\n`, `data: ${usageChunk()}\n\n`, 'data: [DONE]\n\n');
    upstream.handler = streamPieces([pieces.join('')]);
    const result = await client().stream({ messages: hello }).final();
    expect(result.finishReason).toBe('tool_calls');
    expect(result.toolCalls.map((c) => [c.id, c.name, c.input])).toEqual([
      ['call_a', 'get_weather', { city: 'Oslo', days: 3 }],
      ['call_b', 'search', { q: 'ünïcødé ☃' }],
    ]);
    const message = result.message;
    expect(message.tool_calls?.map((c) => c.id)).toEqual(['call_a', 'call_b']);
  });

  it('deltas without an index continue their call; a new id or name starts the next one', async () => {
    const tc = (call: Record<string, unknown>) => `data: ${chunk({ tool_calls: [call] })}\n\n`;
    const pieces = [
      // Split like OpenAI's deltas, minus the index: the id and name first, then arguments alone.
      tc({ id: 'call_a', type: 'function', function: { name: 'get_weather', arguments: '' } }),
      tc({ function: { arguments: '{"city":' } }),
      tc({ function: { arguments: '"Oslo"}' } }),
      // A second call, again without an index, its id repeated on a later delta.
      tc({ id: 'call_b', type: 'function', function: { name: 'search', arguments: '{"q":' } }),
      tc({ id: 'call_b', function: { arguments: '"x"}' } }),
      // A third sent whole without index or id: its name starts it.
      tc({ type: 'function', function: { name: 'now', arguments: '{}' } }),
      `data: ${finish('tool_calls')}\n\n`,
      'data: [DONE]\n\n',
    ];
    upstream.handler = streamPieces(pieces);
    const result = await client().stream({ messages: hello }).final();
    expect(result.toolCalls.map((c) => [c.name, c.input])).toEqual([
      ['get_weather', { city: 'Oslo' }],
      ['search', { q: 'x' }],
      ['now', {}],
    ]);
    expect(result.toolCalls.slice(0, 2).map((c) => c.id)).toEqual(['call_a', 'call_b']);
  });

  it('a call without an index, and one sent whole with no arguments', async () => {
    const pieces = [
      `data: ${chunk({ tool_calls: [{ id: 'call_x', type: 'function', function: { name: 'now' } }] })}\n\n`,
      `data: ${finish('tool_calls')}\n\n`,
      'data: [DONE]\n\n',
    ];
    upstream.handler = streamPieces(pieces);
    const result = await client().stream({ messages: hello }).final();
    expect(result.toolCalls).toMatchObject([{ id: 'call_x', name: 'now' }]);
  });
});
