import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import {
  AbortError,
  ConnectionError,
  ProviderError,
  RateLimitError,
  StreamError,
  type StreamEvent,
  StreamTruncatedError,
  TimeoutError,
  UnexpectedResponseError,
} from '../src/index.js';
import { clientFor, fault, hello, useSimulator } from './helpers.js';

async function collect(stream: AsyncIterable<StreamEvent>): Promise<StreamEvent[]> {
  const events: StreamEvent[] = [];
  for await (const event of stream) events.push(event);
  return events;
}

const text = (events: StreamEvent[]) => events.map((e) => (e.type === 'text' ? e.text : '')).join('');

describe('ChatStream', () => {
  const sim = useSimulator({ seed: 5 });

  it("leaves no listener on the caller's signal once a stream has ended, however it ended", async () => {
    // A long-lived signal (an app's shutdown signal passed to every call) held one listener, and through it the
    // whole stream, for every stream it had ever been given.
    const sy = clientFor(sim(), { defaultModel: 'openai/gpt-4o-mini' });
    const signal = new AbortController().signal;
    for (let i = 0; i < 3; i++) {
      for await (const _ of sy.stream({ messages: hello }, { signal }));
      await sy.stream({ messages: hello }, { signal }).final();
      for await (const event of sy.stream({ messages: hello }, { signal })) if (event.type === 'text') break;
      await sy
        .stream({ model: 'nobody/nothing', messages: hello }, { signal })
        .final()
        .catch(() => {});
    }
    expect(getEventListeners(signal, 'abort')).toHaveLength(0);
    // Still linked while a stream runs: aborting the signal stops it.
    const controller = new AbortController();
    const running = sy.stream({ messages: hello }, { signal: controller.signal });
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);
    controller.abort();
    await expect(running.final()).rejects.toMatchObject({ code: 'aborted' });
  });

  it('hands over the first content before the rest of a read is parsed (a whole answer can come in one read)', async () => {
    // The simulator at instant pacing writes a whole stream at once. Chunks are counted as they are parsed.
    const sy = clientFor(sim(), { defaultModel: 'openai/gpt-4o-mini' });
    const parse = JSON.parse;
    let chunksParsed = 0;
    JSON.parse = ((text: string, reviver?: Parameters<typeof parse>[1]) => {
      if (typeof text === 'string' && text.startsWith('{"id":"gen-')) chunksParsed++;
      return parse(text, reviver);
    }) as typeof JSON.parse;
    let atFirstText = -1;
    try {
      for await (const event of sy.stream({ messages: hello })) {
        if (event.type === 'text' && atFirstText < 0) atFirstText = chunksParsed;
      }
    } finally {
      JSON.parse = parse;
    }
    expect(atFirstText).toBeGreaterThan(0);
    expect(atFirstText).toBeLessThanOrEqual(2); // the role chunk and the first content chunk
    expect(chunksParsed).toBeGreaterThan(atFirstText + 3);
  });

  it('yields text events, a usage event and done, matching the non-stream answer', async () => {
    const sy = clientFor(sim(), { defaultModel: 'openai/gpt-4o-mini' });
    const params = { messages: [{ role: 'user' as const, content: 'Explain retries' }] };
    const plain = await sy.chat(params);
    const events = await collect(sy.stream(params));
    expect(text(events)).toBe(plain.text);
    const usage = events.find((e) => e.type === 'usage');
    expect(usage).toMatchObject({ usage: plain.usage, cost: { usd: plain.cost.usd, source: 'reported' } });
    const done = events.at(-1);
    expect(done?.type).toBe('done');
    if (done?.type !== 'done') throw new Error('no done');
    expect(done.result.text).toBe(plain.text);
    expect(done.result.usage).toEqual(plain.usage);
    expect(done.result.finishReason).toBe('stop');
    expect(done.result.timing.ttftMs).toBeGreaterThanOrEqual(0);
    expect(done.result.provider).toBe(plain.provider);
  });

  it('gives the result through final(), with or without iterating', async () => {
    const sy = clientFor(sim(), { defaultModel: 'openai/gpt-4o-mini' });
    const alone = await sy.stream({ messages: [{ role: 'user', content: 'Say exactly: alone' }] }).final();
    expect(alone.text).toBe('alone');
    const stream = sy.stream({ messages: [{ role: 'user', content: 'Say exactly: both ways' }] });
    const events = await collect(stream);
    expect(text(events)).toBe('both ways');
    expect((await stream.final()).text).toBe('both ways');
    expect(() => stream[Symbol.asyncIterator]()).toThrow(/only once/);
  });

  it('assembles tool calls: deltas, then complete calls', async () => {
    const sy = clientFor(sim());
    const tools = [
      {
        type: 'function' as const,
        function: {
          name: 'get_weather',
          parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
        },
      },
      {
        type: 'function' as const,
        function: {
          name: 'get_time',
          parameters: { type: 'object', properties: { tz: { type: 'string' } }, required: ['tz'] },
        },
      },
    ];
    const params = {
      model: 'openai/gpt-4o',
      messages: [{ role: 'user' as const, content: 'get_weather and get_time for Oslo' }],
      tools,
    };
    const plain = await sy.chat(params);
    const events = await collect(sy.stream(params));
    expect(events.filter((e) => e.type === 'tool_call_delta').length).toBeGreaterThan(2);
    const calls = events.filter((e) => e.type === 'tool_call');
    expect(calls.map((e) => (e.type === 'tool_call' ? e.call : undefined))).toEqual(plain.toolCalls);
    const done = events.at(-1);
    if (done?.type !== 'done') throw new Error('no done');
    expect(done.result.finishReason).toBe('tool_calls');
    expect(done.result.message.tool_calls).toEqual(plain.message.tool_calls);
  });

  it('streams reasoning and merges reasoning_details into the replayable form', async () => {
    const sy = clientFor(sim());
    const params = { model: 'anthropic/claude-sonnet-4.5', messages: hello, reasoning: { max_tokens: 12 } };
    const plain = await sy.chat(params);
    const stream = sy.stream(params);
    const events = await collect(stream);
    expect(
      events
        .filter((e) => e.type === 'reasoning')
        .map((e) => (e.type === 'reasoning' ? e.text : ''))
        .join(''),
    ).toBe(plain.reasoning);
    const result = await stream.final();
    expect(result.reasoning).toBe(plain.reasoning);
    expect(result.reasoningDetails).toHaveLength(1);
    expect(result.reasoningDetails?.[0]).toEqual(plain.reasoningDetails?.[0]);
    // The merged details are accepted by the provider's signature check on the next turn.
    const next = await sy.chat({ ...params, messages: [...hello, result.message, { role: 'user', content: 'more' }] });
    expect(next.text.length).toBeGreaterThan(0);
  });

  it('handles every usage chunk shape', async () => {
    for (const usageChunk of ['no-choices', 'empty-choice', 'with-finish'] as const) {
      const { startSimulator } = await import('@switchyard/simulator');
      const own = await startSimulator({ seed: 5, stream: { usageChunk } });
      try {
        const result = await clientFor(own).stream({ model: 'openai/gpt-4o-mini', messages: hello }).final();
        expect(result.usage.completionTokens, usageChunk).toBeGreaterThan(0);
        expect(result.cost.source, usageChunk).toBe('reported');
        expect(result.finishReason, usageChunk).toBe('stop');
      } finally {
        await own.close();
      }
    }
  });

  it('exposes the text as a web ReadableStream', async () => {
    const sy = clientFor(sim());
    const stream = sy.stream({
      model: 'openai/gpt-4o-mini',
      messages: [{ role: 'user', content: 'Say exactly: web stream ✓' }],
    });
    const body = await new Response(stream.toReadableStream()).text();
    expect(body).toBe('web stream ✓');
  });

  it('aborts on request, ending iteration and final() with AbortError', async () => {
    const sy = clientFor(sim());
    const stream = sy.stream(
      { model: 'openai/gpt-4o-mini', messages: hello },
      { headers: { 'x-simulator-fault': 'stall' } },
    );
    const final = stream.final();
    setTimeout(() => stream.abort(), 50);
    await expect(final).rejects.toBeInstanceOf(AbortError);
    const controller = new AbortController();
    const second = sy.stream(
      { model: 'openai/gpt-4o-mini', messages: hello },
      { signal: controller.signal, headers: { 'x-simulator-fault': 'stall' } },
    );
    setTimeout(() => controller.abort(), 50);
    await expect(second.final()).rejects.toBeInstanceOf(AbortError);
  });
});

describe('stream failures never end silently', () => {
  const sim = useSimulator({ seed: 6 });
  const open = (header: unknown, timeouts = {}) =>
    clientFor(sim(), { timeouts }).stream(
      { model: 'openai/gpt-4o-mini', messages: hello },
      { headers: { 'x-simulator-fault': fault(header) } },
    );

  it('throws the typed error of an HTTP error before the stream starts', async () => {
    await expect(open({ kind: 'http', status: 429, retryAfter: 2 }).final()).rejects.toMatchObject({
      code: 'rate_limited',
      retryAfterMs: 2000,
    });
  });

  it('maps an in-band error before content to its class (retryable), after content to StreamError', async () => {
    const early = await open({ kind: 'mid-stream-error', afterChunks: 0, code: 429 })
      .final()
      .catch((e: unknown) => e);
    expect(early).toBeInstanceOf(RateLimitError);
    expect((early as RateLimitError).retryable).toBe(true);
    for (const form of ['single', 'three-chunk']) {
      const stream = open({ kind: 'mid-stream-error', afterChunks: 3, form });
      const seen: string[] = [];
      const error = await (async () => {
        for await (const event of stream) if (event.type === 'text') seen.push(event.text);
      })().catch((e: unknown) => e);
      expect(error, form).toBeInstanceOf(StreamError);
      const streamError = error as StreamError;
      expect(streamError.cause).toBeInstanceOf(ProviderError);
      expect(streamError.partial.text).toBe(seen.join(''));
      expect(streamError.partial.generationId).toMatch(/^gen-/);
      expect(streamError.retryable).toBe(false);
      // The three-chunk form ends with a usage chunk: what the failed attempt was billed for rides on the error.
      if (form === 'three-chunk') {
        expect(streamError.partial.usage?.completionTokens).toBeGreaterThan(0);
        expect(streamError.partial.costUsd).toBeGreaterThan(0);
      } else expect(streamError.partial.costUsd).toBeUndefined();
      await expect(stream.final()).rejects.toBe(error);
    }
  });

  it('types an in-band error whose code is the docs\' word ("server_error") by its error_type', async () => {
    for (const [code, cls] of [
      [429, RateLimitError],
      [502, ProviderError],
    ] as const) {
      const error = await open({ kind: 'mid-stream-error', afterChunks: 0, code, codeForm: 'word' })
        .final()
        .catch((e: unknown) => e);
      expect(error, String(code)).toBeInstanceOf(cls);
      expect((error as RateLimitError).status).toBe(code);
    }
  });

  it('reports a cut stream as truncated, with the partial text', async () => {
    const error = await open({ kind: 'cut', afterChunks: 2 })
      .final()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StreamTruncatedError);
    expect((error as StreamTruncatedError).partial.text.length).toBeGreaterThan(0);
    const before = await open({ kind: 'cut', afterChunks: 0 })
      .final()
      .catch((e: unknown) => e);
    expect(before).toBeInstanceOf(UnexpectedResponseError);
    expect((before as UnexpectedResponseError).retryable).toBe(true);
  });

  it('reports a dropped connection, before content as ConnectionError and after as StreamError', async () => {
    const after = await open({ kind: 'reset-mid-body', afterChunks: 2 })
      .final()
      .catch((e: unknown) => e);
    expect(after).toBeInstanceOf(StreamError);
    expect((after as StreamError).cause).toBeInstanceOf(ConnectionError);
    const before = await open({ kind: 'reset-before-headers' })
      .final()
      .catch((e: unknown) => e);
    expect(before).toBeInstanceOf(ConnectionError);
    expect((before as ConnectionError).retryable).toBe(true);
  });

  it('refuses a malformed chunk instead of skipping content', async () => {
    const error = await open({ kind: 'malformed-chunk', afterChunks: 2 })
      .final()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StreamError);
    expect((error as StreamError).cause).toBeInstanceOf(UnexpectedResponseError);
  });

  it('times out waiting for the first token, even while keep-alive comments arrive', async () => {
    const error = await open({ kind: 'stall', mode: 'keepalive', intervalMs: 20 }, { firstTokenMs: 250 })
      .final()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as TimeoutError).phase).toBe('first_token');
    expect((error as TimeoutError).retryable).toBe(true);
  });

  it('times out when content stops flowing (idle), keeping the partial output', async () => {
    const error = await open({ kind: 'stall', mode: 'keepalive', afterChunks: 2, intervalMs: 20 }, { idleMs: 200 })
      .final()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StreamError);
    const cause = (error as StreamError).cause as TimeoutError;
    expect(cause).toBeInstanceOf(TimeoutError);
    expect(cause.phase).toBe('idle');
    expect((error as StreamError).partial.text.length).toBeGreaterThan(0);
  });

  it('times out on slow headers', async () => {
    const error = await open({ kind: 'slow-headers', delayMs: 500 }, { headersMs: 100 })
      .final()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as TimeoutError).phase).toBe('headers');
  });

  it('survives a slow stream that keeps producing within the idle limit', async () => {
    const result = await open(
      { kind: 'stall', afterChunks: 2, durationMs: 100 },
      { idleMs: 1000, firstTokenMs: 1000 },
    ).final();
    expect(result.finishReason).toBe('stop');
  });
});
