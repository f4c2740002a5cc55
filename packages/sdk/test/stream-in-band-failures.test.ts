import { describe, expect, it } from 'vitest';
import { type Handler, useLoopbackUpstream } from '../../../test/support/loopback-upstream.js';
import {
  AbortError,
  ProviderError,
  RateLimitError,
  StreamError,
  type StreamEvent,
  type SwitchyardError,
  type SwitchyardOptions,
  type UsageRecord,
} from '../src/index.js';
import { SseDecoder } from '../src/sse/index.js';
import { failure, loopbackClient } from './helpers.js';

/**
 * Streams that fail in band, or in forms a line-by-line reader gets wrong, over real loopback HTTP: multi-line
 * `data:` events forwarded as frames, OpenRouter's three-chunk failure spread over several reads (its usage carries
 * the billed cost), `finish_reason: "error"` without an error object, and a JSON error envelope sent as
 * `text/event-stream`. Each test installs its own handler.
 */

const upstream = useLoopbackUpstream();

const MODEL = 'openai/gpt-4o-mini';
const hello = [{ role: 'user' as const, content: 'Hello' }];
const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const BILLED = { prompt_tokens: 10, completion_tokens: 3, total_tokens: 13, cost: 0.00002 };

const client = (options: SwitchyardOptions = {}) => loopbackClient(upstream.baseURL, MODEL, options);

const base = { id: 'gen-inband-1', object: 'chat.completion.chunk', created: 1_759_420_128, model: MODEL };
const sse = (value: unknown) => `data: ${typeof value === 'string' ? value : JSON.stringify(value)}\n\n`;
const content = (text: string) =>
  sse({ ...base, provider: 'OpenAI', choices: [{ index: 0, delta: { role: 'assistant', content: text } }] });
const finish = (reason: string) =>
  sse({ ...base, choices: [{ index: 0, delta: {}, finish_reason: reason, native_finish_reason: reason }] });
const usage = (value: Record<string, unknown> = BILLED) => sse({ ...base, choices: [], usage: value });
const errorChunk = sse({
  ...base,
  provider: 'OpenAI',
  error: { code: 502, message: 'Provider returned error', metadata: { error_type: 'provider_unavailable' } },
  choices: [],
});

/** Writes each group of pieces, waiting `gapMs` between groups (so they reach the client in separate reads). */
function streamGroups(groups: string[][], gapMs = 0, end = true): Handler {
  return async (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.flushHeaders();
    for (const [i, group] of groups.entries()) {
      if (i > 0) await tick(gapMs);
      if (res.destroyed) return;
      res.write(group.join(''));
    }
    if (end) res.end();
  };
}

describe('frames (what the gateway forwards verbatim)', () => {
  it('an event whose data spans several `data:` lines is forwarded with a `data:` prefix on every line', async () => {
    const pretty = JSON.stringify(
      { ...base, choices: [{ index: 0, delta: { role: 'assistant', content: 'Hello world' } }] },
      null,
      1,
    );
    const multiLine = `${pretty
      .split('\n')
      .map((line) => `data: ${line}`)
      .join('\n')}\n\n`;
    upstream.handler = streamGroups([[multiLine, finish('stop'), usage(), 'data: [DONE]\n\n']]);
    const frames: string[] = [];
    let text = '';
    for await (const event of client().stream({ messages: hello }, { frames: true })) {
      if (event.type === 'frame') frames.push(event.text);
      if (event.type === 'text') text += event.text;
    }
    expect(text).toBe('Hello world');
    const lines = frames.join('').split('\n');
    expect(lines.filter((line) => line !== '' && !line.startsWith('data: '))).toEqual([]);
    // Decoded again, the frames give the upstream's events back, each one JSON (or [DONE]).
    const data = new SseDecoder()
      .push(frames.join(''))
      .flatMap((item) => (item.type === 'event' ? [item.event.data] : []));
    expect(data).toHaveLength(4);
    expect(JSON.parse(data[0]!)).toEqual(JSON.parse(pretty));
    expect(data.at(-1)).toBe('[DONE]');
  });
});

describe("OpenRouter's three-chunk failure with the usage in a later read", () => {
  const split = (before: string[]) =>
    streamGroups([[...before, errorChunk], [finish('error')], [usage(), 'data: [DONE]\n\n']], 50);

  it('after content: a StreamError whose partial and usage record carry the reported cost', async () => {
    upstream.handler = split([content('Hello')]);
    const records: UsageRecord[] = [];
    const sy = client({ usageSinks: [{ record: (entry) => void records.push(entry) }] });
    const seen: StreamEvent[] = [];
    const error = await failure(
      (async () => {
        for await (const event of sy.stream({ messages: hello })) seen.push(event);
      })(),
    );
    expect(error).toBeInstanceOf(StreamError);
    expect(error.cause).toBeInstanceOf(ProviderError);
    expect(error.partial).toMatchObject({
      text: 'Hello',
      costUsd: 0.00002,
      usage: { promptTokens: 10, completionTokens: 3, totalTokens: 13 },
    });
    // The trailing chunks were folded in, not shown: the consumer saw the text and then the error.
    expect(seen.map((e) => e.type)).toEqual(['text']);
    await sy.close();
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ outcome: 'failed', costUsd: 0.00002, promptTokens: 10, completionTokens: 3 });
  });

  it('before content: the typed, retryable provider error, with the cost on its partial', async () => {
    upstream.handler = split([]);
    const error = await failure(client().stream({ messages: hello }).final());
    expect(error).toBeInstanceOf(ProviderError);
    expect(error.retryable).toBe(true);
    expect(error.partial?.costUsd).toBe(0.00002);
  });

  it('an upstream that goes quiet after its error: the wait is bounded and the error still thrown', async () => {
    upstream.handler = streamGroups([[content('Hello'), errorChunk]], 0, false);
    const error = await failure(client().stream({ messages: hello }).final());
    expect(error).toBeInstanceOf(StreamError);
    expect(error.cause).toBeInstanceOf(ProviderError);
    expect(error.partial?.text).toBe('Hello');
    expect(error.partial?.costUsd).toBeUndefined();
  });

  it("the caller's abort during that wait ends it with an AbortError carrying the partial text", async () => {
    let written!: () => void;
    const errorSent = new Promise<void>((resolve) => {
      written = resolve;
    });
    upstream.handler = async (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(content('Hello'));
      await tick(20);
      res.write(errorChunk, () => written());
      // Nothing more, and the body stays open: only the abort (or the bound) ends the wait.
    };
    const controller = new AbortController();
    const stream = client().stream({ messages: hello }, { signal: controller.signal });
    const run = (async () => {
      for await (const _ of stream) {
        // drain
      }
    })();
    await errorSent;
    await tick(20); // let the client read the error chunk and start waiting
    controller.abort();
    const error = await failure(run);
    expect(error).toBeInstanceOf(AbortError);
    expect(error.partial?.text).toBe('Hello');
  });
});

describe('finish_reason "error" without an error object', () => {
  it('streamed after content: a StreamError (provider_error cause) keeping text, usage and cost', async () => {
    upstream.handler = streamGroups([[content('Hello'), finish('error'), usage(), 'data: [DONE]\n\n']]);
    const error = await failure(client().stream({ messages: hello }).final());
    expect(error).toBeInstanceOf(StreamError);
    expect((error.cause as SwitchyardError).code).toBe('provider_error');
    expect(error.retryable).toBe(false);
    expect(error.partial).toMatchObject({ text: 'Hello', costUsd: 0.00002, usage: { totalTokens: 13 } });
  });

  it('streamed before content: a retryable ProviderError, retried', async () => {
    upstream.handler = streamGroups([[finish('error'), usage(), 'data: [DONE]\n\n']]);
    const error = await failure(
      client({ retry: { attempts: 2, backoffBaseMs: 1, jitter: 0 } })
        .stream({ messages: hello })
        .final(),
    );
    expect(error).toBeInstanceOf(ProviderError);
    expect(error.code).toBe('provider_error');
    expect(upstream.requests).toBe(2);
    expect(error.partial?.costUsd).toBe(0.00002);
  });

  it('non-streamed: a retryable ProviderError with the partial text, usage and cost', async () => {
    upstream.handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          ...base,
          object: 'chat.completion',
          choices: [{ index: 0, message: { role: 'assistant', content: 'partial' }, finish_reason: 'error' }],
          usage: BILLED,
        }),
      );
    };
    const error = await failure(
      client({ retry: { attempts: 2, backoffBaseMs: 1, jitter: 0 } }).chat({ messages: hello }),
    );
    expect(error).toBeInstanceOf(ProviderError);
    expect(error.retryable).toBe(true);
    expect(upstream.requests).toBe(2);
    expect(error.partial).toMatchObject({ text: 'partial', costUsd: 0.00002, usage: { totalTokens: 13 } });
  });
});

describe('a JSON error envelope sent as text/event-stream', () => {
  it('is the typed error a JSON error response gives: 429 is a RateLimitError with its Retry-After', async () => {
    upstream.handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'retry-after': '7' });
      res.end('{"error":{"code":429,"message":"Rate limit exceeded: limit_rpm/x"}}');
    };
    const error = await failure(client().stream({ messages: hello }).final());
    expect(error).toBeInstanceOf(RateLimitError);
    expect(error.message).toBe('Rate limit exceeded: limit_rpm/x');
    expect(error.retryAfterMs).toBe(7000);
  });

  it('a JSON body that is not an error envelope stays an unexpected response', async () => {
    upstream.handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end('{"status":"ok"}');
    };
    expect((await failure(client().stream({ messages: hello }).final())).code).toBe('unexpected_response');
  });
});
