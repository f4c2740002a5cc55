import { describe, expect, it } from 'vitest';
import { OverloadedError, ProviderError, ResponseTooLargeError, UnexpectedResponseError } from '../src/index.js';
import { failure } from './helpers.js';
import {
  chunk,
  collect,
  completion,
  finish,
  frames,
  hello,
  json,
  MODEL,
  streamPieces,
  textOf,
  tick,
  useNastyUpstream,
} from './nasty-upstream-helpers.js';

/**
 * A nasty upstream (see nasty-upstream-helpers.ts) whose bodies are not the ones asked for: JSON for a stream, SSE for
 * a completion, HTML or empty bodies, answers beyond maxResponseBytes and sloppy completion shapes.
 */

const { upstream, client } = useNastyUpstream();

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
    upstream.handler = streamPieces([': OPENROUTER PROCESSING\n\n', 'data: : OPENROUTER PROCESSING\n\n', ...frames()]);
    const result = await client().chat({ messages: hello });
    expect(result.text).toBe('Hello ☃ 🎉');
    expect(result.finishReason).toBe('stop');
    expect(result.usage.totalTokens).toBe(8);
    expect(result.cost.usd).toBe(0.00002);
    expect(result.generationId).toBe('gen-nasty-1');
    // A [DONE] padded with spaces still ends it (it was read as a chunk that is not JSON: "expected JSON").
    upstream.handler = streamPieces([...frames().slice(0, -1), 'data: [DONE]   \n\n']);
    expect((await client().chat({ messages: hello })).text).toBe('Hello ☃ 🎉');
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

  it('HTTP 200 with JSON that is no object (null, a number, a string): unexpected_response, not a TypeError', async () => {
    for (const body of ['null', '5', '"ok"']) {
      upstream.handler = (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(body);
      };
      expect((await failure(client().chat({ messages: hello }))).code).toBe('unexpected_response');
      expect((await failure(client().embed({ model: 'openai/text-embedding-3-small', input: 'a' }))).code).toBe(
        'unexpected_response',
      );
      expect((await failure(client().key())).code).toBe('unexpected_response');
    }
    // An object whose `data` is no record: the account endpoints used to return it (null) as if it were one.
    for (const body of ['{"data":null}', '{}', '{"data":"x"}']) {
      upstream.handler = (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(body);
      };
      for (const call of [() => client().key(), () => client().credits(), () => client().generation('gen-1')]) {
        const error = await failure(call());
        expect(error.code).toBe('unexpected_response');
        expect(error.message).toMatch(/^\/(key|credits|generation) answered without a data object$/);
      }
    }
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

  it('tool-call arguments sent as an object, or a call without its function, are read, not a crash', async () => {
    const calls = [
      { id: 'c1', type: 'function', function: { name: 'weather', arguments: { city: 'Oslo' } } },
      { id: 'c2', type: 'function' },
    ];
    upstream.handler = json(200, completion({ content: null, tool_calls: calls }));
    const result = await client().chat({ messages: hello });
    expect(result.toolCalls[0]).toMatchObject({
      name: 'weather',
      arguments: '{"city":"Oslo"}',
      input: { city: 'Oslo' },
    });
    expect(result.toolCalls[1]).toMatchObject({ id: 'c2', name: '', arguments: '', input: {} });
    // The same in a stream: an object delta is its JSON text.
    const delta = chunk({
      tool_calls: [{ index: 0, id: 'c1', function: { name: 'weather', arguments: { city: 'Oslo' } } }],
    });
    upstream.handler = streamPieces([`data: ${delta}\n\n`, `data: ${finish('tool_calls')}\n\n`, 'data: [DONE]\n\n']);
    const streamed = await client().stream({ messages: hello }).final();
    expect(streamed.toolCalls).toMatchObject([{ name: 'weather', input: { city: 'Oslo' } }]);
  });

  it('tool_calls that is no list or holds null, and content sent as parts, are read, not a crash', async () => {
    const odd = [{ tool_calls: { index: 0 } }, { tool_calls: [null] }];
    for (const message of odd) {
      upstream.handler = json(200, completion({ content: 'text', ...message }));
      expect(await client().chat({ messages: hello })).toMatchObject({ text: 'text', toolCalls: [] });
      const deltas = [chunk(message), chunk({ content: 'text' }), finish()].map((c) => `data: ${c}\n\n`);
      upstream.handler = streamPieces([...deltas, 'data: [DONE]\n\n']);
      expect(await client().stream({ messages: hello }).final()).toMatchObject({ text: 'text', toolCalls: [] });
    }
    // Content as an array of parts (Mistral's reasoning models stream it so): the text parts are the text.
    const parts = [{ type: 'thinking', thinking: [] }, null, { type: 'text', text: 'from parts' }];
    upstream.handler = json(200, completion({ content: parts }));
    expect((await client().chat({ messages: hello })).text).toBe('from parts');
    upstream.handler = streamPieces([
      `data: ${chunk({ content: parts })}\n\n`,
      `data: ${finish()}\n\n`,
      'data: [DONE]\n\n',
    ]);
    expect((await client().stream({ messages: hello }).final()).text).toBe('from parts');
  });

  it('choices that is no list, and an id, model, provider or finish reason that is no string, are ignored, not a crash', async () => {
    // `provider: 5` broke the serving-price lookup (a TypeError reported as a retryable connection failure).
    upstream.handler = json(200, completion({ content: 'odd names' }, { provider: 5, id: 7, model: null }));
    const result = await client().chat({ messages: hello });
    expect(result).toMatchObject({ text: 'odd names', provider: undefined, generationId: undefined, model: MODEL });
    // The completion passed on (result.raw: what the gateway forwards) is fixed alike.
    expect(result.raw).toMatchObject({ model: MODEL });
    expect(result.raw).not.toHaveProperty('id');
    const oddFinish = completion({ content: 'odd finish' });
    Object.assign((oddFinish.choices as object[])[0]!, { finish_reason: 5, native_finish_reason: ['x'] });
    upstream.handler = json(200, oddFinish);
    expect(await client().chat({ messages: hello })).toMatchObject({ finishReason: null, nativeFinishReason: null });
    const odd = JSON.stringify({ id: 7, object: 'chat.completion.chunk', model: 5, provider: 5, choices: 5 });
    upstream.handler = streamPieces([`data: ${odd}\n\n`, ...frames()]);
    const streamed = await client().stream({ messages: hello }).final();
    expect(streamed).toMatchObject({
      text: 'Hello ☃ 🎉',
      model: MODEL,
      provider: 'OpenAI',
      generationId: 'gen-nasty-1',
    });
    // A finish reason that is no string is none: [DONE] finishes the answer.
    const fin = JSON.stringify({ ...JSON.parse(finish()), choices: [{ index: 0, delta: {}, finish_reason: 5 }] });
    upstream.handler = streamPieces([...frames().slice(0, 3), `data: ${fin}\n\n`, 'data: [DONE]\n\n']);
    expect(await client().stream({ messages: hello }).final()).toMatchObject({
      text: 'Hello ☃ 🎉',
      finishReason: 'stop',
    });
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
