import type { ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import { ProviderError, RateLimitError, UnexpectedResponseError } from '../src/index.js';
import { clientFor, failure, useSimulator } from './helpers.js';
import { collect, completion, hello, textOf, tick, useNastyUpstream } from './nasty-upstream-helpers.js';

/**
 * OpenRouter answers a slow non-streamed request with its status and headers early, then whitespace until the JSON
 * (observed by several independent clients; the simulator's `nonStreamKeepAliveMs`). The status is then committed,
 * so a failure arrives as a 200 whose body is `{error}`; and padding alone is no answer.
 */

const { upstream, client } = useNastyUpstream();

/** A 200 with `padding` newlines, `everyMs` apart, before `body`. */
function padded(body: string, padding = 4, everyMs = 15, contentType = 'application/json') {
  return async (_req: unknown, res: ServerResponse) => {
    res.writeHead(200, { 'content-type': contentType });
    for (let i = 0; i < padding && !res.destroyed; i++) {
      res.write(i % 2 ? ' \r\n' : '\n');
      await tick(everyMs);
    }
    res.end(body);
  };
}

describe('a slow non-stream answer padded with whitespace', () => {
  it('is read whole: chat text, usage and cost', async () => {
    upstream.handler = padded(JSON.stringify(completion({ content: 'Worth the wait' })));
    const result = await client().chat({ messages: hello });
    expect(result.text).toBe('Worth the wait');
    expect(result.usage.totalTokens).toBe(8);
    expect(result.cost.usd).toBeCloseTo(0.00002, 10);
    expect(result.cost.source).toBe('reported');
  });

  it('is read whole for embeddings too', async () => {
    const body = {
      object: 'list',
      model: 'openai/text-embedding-3-small',
      data: [{ object: 'embedding', index: 0, embedding: [0.25, -0.5] }],
      usage: { prompt_tokens: 1, total_tokens: 1 },
    };
    upstream.handler = padded(JSON.stringify(body));
    const result = await client().embed({ model: 'openai/text-embedding-3-small', input: 'a' });
    expect(result.embeddings).toEqual([[0.25, -0.5]]);
  });

  it('whose body turns out to be {error}: the typed error it names, not a success', async () => {
    upstream.handler = padded(JSON.stringify({ error: { code: 429, message: 'Rate limit exceeded upstream' } }));
    const limited = await failure(client().chat({ messages: hello }));
    expect(limited).toBeInstanceOf(RateLimitError);
    expect(limited.message).toContain('Rate limit exceeded upstream');

    const raw = { code: 502, message: 'Provider returned error', metadata: { provider_name: 'Lambda', raw: 'oom' } };
    upstream.handler = padded(JSON.stringify({ error: raw }));
    const provider = await failure(client().chat({ messages: hello }));
    expect(provider).toBeInstanceOf(ProviderError);
    expect(provider.message).toContain('Lambda');
  });

  it('that is padding alone: a retryable unexpected_response that says so', async () => {
    upstream.handler = padded('', 3);
    const error = await failure(client().chat({ messages: hello }));
    expect(error).toBeInstanceOf(UnexpectedResponseError);
    expect(error.retryable).toBe(true);
    expect(error.message).toContain('whitespace only');
  });

  it('padded, then garbage: the message shows the garbage, not the padding', async () => {
    upstream.handler = padded('<html>upstream error</html>', 3);
    const error = await failure(client().chat({ messages: hello }));
    expect(error.code).toBe('unexpected_response');
    expect(error.message).toContain('got: <html>upstream error');
  });

  it('sent for a stream request (a server that ignores stream: true): the stream yields it', async () => {
    upstream.handler = padded(JSON.stringify(completion({ content: 'One piece' })));
    const events = await collect(client().stream({ messages: hello }));
    expect(textOf(events)).toBe('One piece');
    expect(events.at(-1)?.type).toBe('done');
  });
});

describe("the simulator's padded answers", () => {
  const sim = useSimulator({ pace: { ttftMs: 120, tokensPerSecond: 5_000 }, nonStreamKeepAliveMs: 25 });

  it('read as plain completions, and a failure mid-generation as the 200 body it rides in', async () => {
    const result = await clientFor(sim()).chat({ model: 'openai/gpt-4o-mini', messages: hello });
    expect(result.text.length).toBeGreaterThan(0);
    expect(result.usage.completionTokens).toBeGreaterThan(0);

    const error = await failure(
      clientFor(sim()).chat(
        { model: 'openai/gpt-4o-mini', messages: hello },
        { headers: { 'x-simulator-fault': JSON.stringify({ kind: 'mid-stream-error', afterChunks: 2 }) } },
      ),
    );
    expect(error.code).toBe('provider_error');
  });
});
