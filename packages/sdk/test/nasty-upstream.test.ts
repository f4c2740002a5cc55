import type { Socket } from 'node:net';
import { beforeEach, describe, expect, it } from 'vitest';
import { type Handler, useLoopbackUpstream } from '../../../test/support/loopback-upstream.js';
import {
  ConnectionError,
  OverloadedError,
  ProviderError,
  RateLimitError,
  ResponseTooLargeError,
  type StreamEvent,
  StreamTruncatedError,
  Switchyard,
  type SwitchyardError,
  type SwitchyardOptions,
  UnexpectedResponseError,
} from '../src/index.js';
import { failure, loopbackClient } from './helpers.js';

/**
 * An upstream that looks like OpenRouter in its nastier ways (odd SSE framing, missing [DONE], JSON where a stream
 * was asked for, HTML error pages, extreme Retry-After values, sloppy completion shapes, keep-alive sockets closed
 * under the client), over real loopback HTTP. Each test installs its own handler.
 */

const upstream = useLoopbackUpstream();

beforeEach(() => {
  upstream.server.keepAliveTimeout = 5_000;
});

const MODEL = 'openai/gpt-4o-mini';
const hello = [{ role: 'user' as const, content: 'Hello' }];
const tick = (ms = 0) => new Promise((resolve) => setTimeout(resolve, ms));

const client = (options: SwitchyardOptions = {}) => loopbackClient(upstream.baseURL, MODEL, options);

function chunk(delta: Record<string, unknown>, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    id: 'gen-nasty-1',
    object: 'chat.completion.chunk',
    created: 1_759_420_128,
    model: MODEL,
    provider: 'OpenAI',
    choices: [{ index: 0, delta, finish_reason: null, native_finish_reason: null, logprobs: null }],
    ...extra,
  });
}

function finish(reason = 'stop'): string {
  return JSON.stringify({
    id: 'gen-nasty-1',
    object: 'chat.completion.chunk',
    created: 1_759_420_128,
    model: MODEL,
    provider: 'OpenAI',
    choices: [{ index: 0, delta: {}, finish_reason: reason, native_finish_reason: reason }],
  });
}

const USAGE = { prompt_tokens: 5, completion_tokens: 3, total_tokens: 8, cost: 0.00002 };

function usageChunk(): string {
  return JSON.stringify({
    id: 'gen-nasty-1',
    object: 'chat.completion.chunk',
    created: 1_759_420_128,
    model: MODEL,
    provider: 'OpenAI',
    choices: [],
    usage: USAGE,
  });
}

/** A normal stream's frames: role, "Hel", "lo ☃ 🎉", finish, usage, [DONE]. */
function frames(sep = '\n', prefix = 'data: '): string[] {
  return [
    `${prefix}${chunk({ role: 'assistant', content: '' })}${sep}${sep}`,
    `${prefix}${chunk({ content: 'Hel' })}${sep}${sep}`,
    `${prefix}${chunk({ content: 'lo ☃ 🎉' })}${sep}${sep}`,
    `${prefix}${finish()}${sep}${sep}`,
    `${prefix}${usageChunk()}${sep}${sep}`,
    `${prefix}[DONE]${sep}${sep}`,
  ];
}

/** Writes `pieces` as separate network writes (each one flushed before the next). */
function streamPieces(pieces: (string | Buffer)[], headers: Record<string, string> = {}): Handler {
  return async (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream', ...headers });
    res.flushHeaders();
    for (const piece of pieces) {
      if (res.destroyed) return;
      res.write(piece);
      await new Promise((resolve) => setImmediate(resolve));
    }
    res.end();
  };
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): Handler {
  return (_req, res) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(typeof body === 'string' ? body : JSON.stringify(body));
  };
}

function completion(message: Record<string, unknown>, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: 'gen-nasty-2',
    object: 'chat.completion',
    created: 1_759_420_128,
    model: MODEL,
    provider: 'OpenAI',
    choices: [{ index: 0, message: { role: 'assistant', ...message }, finish_reason: 'stop' }],
    usage: USAGE,
    ...extra,
  };
}

async function collect(stream: AsyncIterable<StreamEvent>): Promise<StreamEvent[]> {
  const events: StreamEvent[] = [];
  for await (const event of stream) events.push(event);
  return events;
}

const textOf = (events: StreamEvent[]) => events.map((e) => (e.type === 'text' ? e.text : '')).join('');

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

describe('a server that ignores stream: true', () => {
  it('answers application/json: the stream yields its content and finishes', async () => {
    upstream.handler = json(200, completion({ content: 'Whole answer' }));
    const events = await collect(client().stream({ messages: hello }));
    expect(textOf(events)).toBe('Whole answer');
    const done = events.at(-1);
    expect(done?.type).toBe('done');
    if (done?.type === 'done') {
      expect(done.result.text).toBe('Whole answer');
      expect(done.result.usage.totalTokens).toBe(8);
      expect(done.result.finishReason).toBe('stop');
    }
  });

  it('answers application/json with tool calls: the stream yields them', async () => {
    upstream.handler = json(
      200,
      completion({
        content: null,
        tool_calls: [
          { id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Oslo"}' } },
        ],
      }),
    );
    const events = await collect(client().stream({ messages: hello }));
    const call = events.find((e) => e.type === 'tool_call');
    expect(call).toMatchObject({ call: { id: 'call_1', name: 'get_weather', input: { city: 'Oslo' } } });
    expect(events.at(-1)?.type).toBe('done');
  });

  it('answers a JSON {error} with HTTP 200: the stream throws the error it names', async () => {
    upstream.handler = json(200, { error: { code: 502, message: 'Provider returned error' } });
    const error = await failure(client().stream({ messages: hello }).final());
    expect(error).toBeInstanceOf(ProviderError);
  });
});

describe('a server that streams although stream: false was asked', () => {
  it('answers SSE: the chat gets the completion the chunks add up to, with usage and cost', async () => {
    upstream.handler = streamPieces([': OPENROUTER PROCESSING\n\n', ...frames()]);
    const result = await client().chat({ messages: hello });
    expect(result.text).toBe('Hello ☃ 🎉');
    expect(result.finishReason).toBe('stop');
    expect(result.usage.totalTokens).toBe(8);
    expect(result.cost.usd).toBe(0.00002);
    expect(result.generationId).toBe('gen-nasty-1');
  });

  it('answers SSE with only an in-band error: the typed error it names', async () => {
    const error = JSON.stringify({
      id: 'gen-nasty-1',
      error: { code: 502, message: 'Provider returned error' },
      choices: [],
    });
    upstream.handler = streamPieces([`data: ${error}\n\n`, 'data: [DONE]\n\n']);
    expect(await failure(client().chat({ messages: hello }))).toBeInstanceOf(ProviderError);
  });

  it('answers SSE whose chunks are not JSON: unexpected_response, as before', async () => {
    upstream.handler = streamPieces(['data: not json at all\n\n']);
    const error = await failure(client().chat({ messages: hello }));
    expect(error).toBeInstanceOf(UnexpectedResponseError);
    expect(error.message).toContain('Expected JSON');
  });
});

describe('bodies that are not what they claim', () => {
  it('HTTP 200 with an HTML body (non-stream): a bounded, retryable unexpected_response', async () => {
    upstream.handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(`<!DOCTYPE html><html><body>${'<p>Just a moment…</p>'.repeat(500)}</body></html>`);
    };
    const error = await failure(client().chat({ messages: hello }));
    expect(error).toBeInstanceOf(UnexpectedResponseError);
    expect(error.code).toBe('unexpected_response');
    expect(error.retryable).toBe(true);
    expect(error.message.length).toBeLessThan(400);
  });

  it('HTTP 200 with an empty body (non-stream and stream): unexpected_response', async () => {
    upstream.handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end();
    };
    expect((await failure(client().chat({ messages: hello }))).code).toBe('unexpected_response');
    upstream.handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end();
    };
    expect((await failure(client().stream({ messages: hello }).final())).code).toBe('unexpected_response');
  });

  it('HTTP 200 with an HTML body to a stream request: unexpected_response, bounded message', async () => {
    upstream.handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(`<html><head><title>Attention Required!</title></head><body>${'x: y\n\n'.repeat(2000)}</body></html>`);
    };
    const error = await failure(client().stream({ messages: hello }).final());
    expect(error.code).toBe('unexpected_response');
    expect(error.message.length).toBeLessThan(400);
  });

  it('502/503 with a Cloudflare HTML page: typed, bounded, and retried', async () => {
    const page = `<!DOCTYPE html><html><head><title>502 Bad gateway</title></head><body>${'cloudflare '.repeat(3000)}</body></html>`;
    for (const [status, type] of [
      [502, ProviderError],
      [503, OverloadedError],
    ] as const) {
      upstream.requests = 0;
      upstream.handler = (_req, res) => {
        if (upstream.requests === 1) {
          res.writeHead(status, { 'content-type': 'text/html' });
          res.end(page);
        } else json(200, completion({ content: 'recovered' }))(_req, res, '');
      };
      const result = await client({ retry: { attempts: 2, backoffBaseMs: 1, jitter: 0 } }).chat({ messages: hello });
      expect(result.text).toBe('recovered');
      expect(result.attempts?.[0]?.code).toBe(status === 502 ? 'provider_error' : 'provider_overloaded');
      upstream.requests = 0;
      upstream.handler = (_req, res) => {
        res.writeHead(status, { 'content-type': 'text/html' });
        res.end(page);
      };
      const error = await failure(client().chat({ messages: hello }));
      expect(error).toBeInstanceOf(type);
      expect(error.status).toBe(status);
      expect(error.message.length).toBeLessThan(400);
      const streamed = await failure(client().stream({ messages: hello }).final());
      expect(streamed).toBeInstanceOf(type);
    }
  });
});

describe('answers larger than maxResponseBytes', () => {
  const LIMIT = 64 * 1024;
  const big = () => JSON.stringify(completion({ content: 'x'.repeat(LIMIT * 4) }));

  it('a chunked answer is cut at the limit: ResponseTooLargeError, not retried', async () => {
    let written = 0;
    upstream.handler = async (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      // Endless JSON whitespace (OpenRouter pads slow answers with it): only the bound stops the read.
      for (let i = 0; i < 4096 && !res.destroyed; i++) {
        written += 1024;
        if (!res.write(' '.repeat(1024))) await new Promise((resolve) => res.once('drain', resolve));
      }
      res.end('{}');
    };
    const error = await failure(client({ maxResponseBytes: LIMIT, retry: { attempts: 3 } }).chat({ messages: hello }));
    expect(error).toBeInstanceOf(ResponseTooLargeError);
    expect(error.code).toBe('response_too_large');
    expect(error.retryable).toBe(false);
    expect(error.message).toContain(`maxResponseBytes (${LIMIT} bytes)`);
    expect(upstream.requests).toBe(1);
    await tick(50);
    expect(written).toBeLessThan(4096 * 1024);
  });

  it('a runaway answer falls back to the next model, which answers within bounds', async () => {
    upstream.handler = (_req, res, body) => {
      const model = (JSON.parse(body) as { model: string }).model;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(completion({ content: model === MODEL ? 'x'.repeat(LIMIT * 2) : 'short' }, { model })));
    };
    const result = await client({ maxResponseBytes: LIMIT, fallbackModels: ['anthropic/claude-3.5-haiku'] }).chat({
      messages: hello,
    });
    expect(result.text).toBe('short');
    expect(result.attempts?.map((a) => [a.model, a.outcome])).toEqual([
      [MODEL, 'fallback'],
      ['anthropic/claude-3.5-haiku', 'success'],
    ]);
  });

  it('a declared content-length beyond the limit: the same error, after no more than the limit was read', async () => {
    upstream.handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(big())) });
      res.end(big());
    };
    const error = await failure(client({ maxResponseBytes: LIMIT }).chat({ messages: hello }));
    expect(error).toBeInstanceOf(ResponseTooLargeError);
  });

  it('an answer within the limit, declared or chunked, is read whole', async () => {
    const text = 'y'.repeat(LIMIT / 2);
    for (const declared of [true, false]) {
      upstream.handler = (_req, res) => {
        const payload = JSON.stringify(completion({ content: text }));
        res.writeHead(200, {
          'content-type': 'application/json',
          ...(declared ? { 'content-length': String(Buffer.byteLength(payload)) } : {}),
        });
        if (declared) res.end(payload);
        else {
          res.write(payload.slice(0, 100));
          res.end(payload.slice(100));
        }
      };
      const result = await client({ maxResponseBytes: LIMIT }).chat({ messages: hello });
      expect(result.text).toBe(text);
    }
  });

  it("undici's own maxResponseSize (a dispatcher with a bound) is the same typed error", async () => {
    const { Agent, fetch: undiciFetch } = await import('undici');
    const agent = new Agent({ maxResponseSize: LIMIT });
    try {
      upstream.handler = (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(big());
      };
      const fetch = ((input: string, init: RequestInit) =>
        undiciFetch(input, { ...(init as object), dispatcher: agent } as never)) as unknown as typeof globalThis.fetch;
      const error = await failure(client({ fetch }).chat({ messages: hello }));
      expect(error).toBeInstanceOf(ResponseTooLargeError);
      expect(error.retryable).toBe(false);
    } finally {
      await agent.close();
    }
  });
});

describe('429 Retry-After', () => {
  const limited =
    (retryAfter: string): Handler =>
    (req, res, body) => {
      if (upstream.requests === 1)
        json(429, { error: { code: 429, message: 'Rate limit exceeded' } }, { 'retry-after': retryAfter })(
          req,
          res,
          body,
        );
      else json(200, completion({ content: 'after the wait' }))(req, res, body);
    };

  it('Retry-After: 0 retries at once; fractional 1.5 is honoured as 1500 ms', async () => {
    upstream.handler = limited('0');
    const zero = await client({ retry: { attempts: 2 } }).chat({ messages: hello });
    expect(zero.text).toBe('after the wait');
    expect(zero.attempts?.map((a) => a.waitedMs)).toEqual([0, 0]);
    upstream.requests = 0;
    upstream.handler = limited('1.5');
    const error = await failure(client().chat({ messages: hello }));
    expect(error).toBeInstanceOf(RateLimitError);
    expect(error.retryAfterMs).toBe(1500);
  });

  it('a huge Retry-After beyond the deadline fails fast with the rate-limit error carrying it', async () => {
    upstream.handler = json(429, { error: { code: 429, message: 'Rate limit exceeded' } }, { 'retry-after': '86400' });
    const error = await failure(client({ retry: { attempts: 3 } }).chat({ messages: hello }, { timeoutMs: 5_000 }));
    expect(error).toBeInstanceOf(RateLimitError);
    expect(error.retryAfterMs).toBe(86_400_000);
    expect(upstream.requests).toBe(1);
    expect(error.attempts?.at(-1)?.reason).toMatch(/would pass the deadline/);
    const streamed = await failure(
      client({ retry: { attempts: 3 } })
        .stream({ messages: hello }, { timeoutMs: 5_000 })
        .final(),
    );
    expect(streamed).toBeInstanceOf(RateLimitError);
    expect(streamed.retryAfterMs).toBe(86_400_000);
  });
});

describe('sloppy non-stream completions', () => {
  it('choices: [] is a typed unexpected_response', async () => {
    upstream.handler = json(200, completion({}, { choices: [] }));
    const error = await failure(client().chat({ messages: hello }));
    expect(error).toBeInstanceOf(UnexpectedResponseError);
  });

  it('content: null with tool_calls gives the calls and empty text', async () => {
    upstream.handler = json(
      200,
      completion(
        { content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'f', arguments: '{"a":1}' } }] },
        {},
      ),
    );
    const result = await client().chat({ messages: hello });
    expect(result.text).toBe('');
    expect(result.toolCalls).toMatchObject([{ id: 'c1', name: 'f', input: { a: 1 } }]);
    expect(result.finishReason).toBe('tool_calls');
  });

  it('missing usage gives zero usage, not a crash', async () => {
    const body = completion({ content: 'no usage' });
    delete body.usage;
    upstream.handler = json(200, body);
    const result = await client().chat({ messages: hello });
    expect(result.text).toBe('no usage');
    expect(result.usage.totalTokens).toBe(0);
  });

  it('usage with extra nested fields and numeric strings is read', async () => {
    upstream.handler = json(
      200,
      completion(
        { content: 'odd usage' },
        {
          usage: {
            prompt_tokens: '12',
            completion_tokens: '3',
            total_tokens: '15',
            cost: '0.00042',
            server_tool_use_details: { web_search_requests: 0, nested: { deeper: [1, 2] } },
            prompt_tokens_details: null,
            completion_tokens_details: { reasoning_tokens: '2', extra: { x: 1 } },
          },
        },
      ),
    );
    const result = await client().chat({ messages: hello });
    expect(result.usage).toMatchObject({ promptTokens: 12, completionTokens: 3, totalTokens: 15, reasoningTokens: 2 });
    expect(result.cost.usd).toBeCloseTo(0.00042, 10);
  });

  it('numeric-string cost in a stream usage chunk is read', async () => {
    const usage = JSON.stringify({
      id: 'gen-nasty-1',
      object: 'chat.completion.chunk',
      model: MODEL,
      choices: [],
      usage: { prompt_tokens: '5', completion_tokens: '3', total_tokens: '8', cost: '0.00002' },
    });
    upstream.handler = streamPieces([...frames().slice(0, 4), `data: ${usage}\n\n`, 'data: [DONE]\n\n']);
    const result = await client().stream({ messages: hello }).final();
    expect(result.usage.totalTokens).toBe(8);
    expect(result.cost.usd).toBeCloseTo(0.00002, 10);
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

describe('keep-alive sockets closed by the server', () => {
  it('Connection: close on every answer: consecutive upstream.requests all succeed', async () => {
    upstream.handler = (_req, res) => {
      res.setHeader('connection', 'close');
      json(200, completion({ content: 'fresh' }))(_req, res, '');
    };
    const sy = client();
    for (let i = 0; i < 5; i++) expect((await sy.chat({ messages: hello })).text).toBe('fresh');
  });

  it('the server drops an idle keep-alive socket just as the next request arrives: retried on a fresh one', async () => {
    // The first request on each socket is answered (keep-alive advertised); the next request on that same socket
    // finds it closed: the race a client hits when a server's idle timeout fires as it reuses the socket.
    const served = new WeakSet<Socket>();
    upstream.handler = (req, res) => {
      const socket = req.socket;
      if (served.has(socket)) {
        socket.destroy();
        return;
      }
      served.add(socket);
      res.setHeader('keep-alive', 'timeout=30');
      json(200, completion({ content: 'fresh' }))(req, res, '');
    };
    const sy = client({ retry: { attempts: 3, backoffBaseMs: 1, jitter: 0 } });
    for (let i = 0; i < 4; i++) expect((await sy.chat({ messages: hello })).text).toBe('fresh');
    for (let i = 0; i < 2; i++) expect((await sy.stream({ messages: hello }).final()).text).toBe('fresh');
  });

  it('with retries off, a keep-alive socket dropped on reuse is resent at once on a fresh connection', async () => {
    const served = new WeakSet<Socket>();
    upstream.handler = (req, res) => {
      if (served.has(req.socket)) {
        req.socket.destroy();
        return;
      }
      served.add(req.socket);
      res.setHeader('keep-alive', 'timeout=30');
      json(200, completion({ content: 'fresh' }))(req, res, '');
    };
    const sy = client(); // retry: { attempts: 1 }
    for (let i = 0; i < 4; i++) expect((await sy.chat({ messages: hello })).text).toBe('fresh');
    for (let i = 0; i < 2; i++) expect((await sy.stream({ messages: hello }).final()).text).toBe('fresh');
  });

  it('a connection refused is not resent: a typed, retryable connection error', async () => {
    const sy = new Switchyard({ apiKey: 'sk-or-v1-x', baseURL: 'http://127.0.0.1:9/api/v1', retry: { attempts: 1 } });
    const error = await sy.chat({ model: 'openai/gpt-4o-mini', messages: hello }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConnectionError);
    expect((error as SwitchyardError).retryable).toBe(true);
  });
});
