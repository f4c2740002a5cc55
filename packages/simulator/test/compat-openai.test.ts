/**
 * Wire compatibility with the real `openai` npm client: if the simulator's shapes drift from what OpenAI-compatible
 * clients parse, these tests fail. Every request goes to a simulator on 127.0.0.1.
 */
import OpenAI from 'openai';
import type { ChatCompletionChunk, ChatCompletionCreateParamsNonStreaming } from 'openai/resources/chat/completions';
import { describe, expect, it } from 'vitest';
import { useSimulator, WEATHER_PARAMETERS } from './helpers.js';

const MODEL = 'openai/gpt-4o-mini';
const weatherTool = {
  type: 'function' as const,
  function: {
    name: 'get_weather',
    description: 'Current weather for a city',
    parameters: WEATHER_PARAMETERS,
  },
};
const timeTool = {
  type: 'function' as const,
  function: {
    name: 'get_time',
    parameters: { type: 'object', properties: { timezone: { type: 'string' } }, required: ['timezone'] },
  },
};

function fault(value: unknown): { headers: Record<string, string> } {
  return { headers: { 'x-simulator-fault': typeof value === 'string' ? value : JSON.stringify(value) } };
}

/** Tool-call deltas merged by `index`, as every OpenAI-style streaming consumer does. */
function assembleToolCalls(chunks: ChatCompletionChunk[]) {
  const calls: { id: string; type: string; name: string; arguments: string }[] = [];
  for (const chunk of chunks) {
    for (const delta of chunk.choices[0]?.delta.tool_calls ?? []) {
      const call = calls[delta.index] ?? { id: '', type: '', name: '', arguments: '' };
      calls[delta.index] = call;
      if (delta.id) call.id = delta.id;
      if (delta.type) call.type = delta.type;
      if (delta.function?.name) call.name += delta.function.name;
      if (delta.function?.arguments) call.arguments += delta.function.arguments;
    }
  }
  return calls;
}

/** Largest element-wise difference (float32 round-trips lose precision past ~1e-7 for unit vectors). */
function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs((a[i] as number) - (b[i] as number)));
  return max;
}

async function collect(stream: AsyncIterable<ChatCompletionChunk>): Promise<ChatCompletionChunk[]> {
  const chunks: ChatCompletionChunk[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return chunks;
}

describe('openai client against the simulator', () => {
  const sim = useSimulator({ seed: 'compat-openai', stream: { processingComments: 2, commentEvery: 3 } });
  const client = () => new OpenAI({ apiKey: 'sk-or-v1-compat', baseURL: sim().url, maxRetries: 0, timeout: 5_000 });

  it('parses a non-streaming chat completion', async () => {
    const completion = await client().chat.completions.create({
      model: MODEL,
      messages: [{ role: 'user', content: 'Hello there' }],
    });
    expect(completion.id).toMatch(/^gen-/);
    expect(completion.object).toBe('chat.completion');
    expect(completion.model).toBe(MODEL);
    const choice = completion.choices[0]!;
    expect(choice.finish_reason).toBe('stop');
    expect(choice.message.role).toBe('assistant');
    expect(choice.message.content?.length).toBeGreaterThan(10);
    expect(completion.usage?.total_tokens).toBe(completion.usage!.prompt_tokens + completion.usage!.completion_tokens);
  });

  it('exposes the raw response headers (x-generation-id) via withResponse()', async () => {
    const { data, response } = await client()
      .chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'Headers please' }] })
      .withResponse();
    expect(response.headers.get('x-generation-id')).toBe(data.id);
  });

  it('streams chat through keep-alive comments: text, finish_reason and the usage chunk', async () => {
    const messages = [{ role: 'user' as const, content: 'Tell me about streams' }];
    const whole = await client().chat.completions.create({ model: MODEL, messages });
    const stream = await client().chat.completions.create({ model: MODEL, messages, stream: true });
    const chunks = await collect(stream);
    expect(chunks.length).toBeGreaterThan(3);
    for (const chunk of chunks) {
      expect(chunk.object).toBe('chat.completion.chunk');
      expect(chunk.id).toBe(chunks[0]!.id);
    }
    const text = chunks.map((c) => c.choices[0]?.delta.content ?? '').join('');
    // `stream` does not change what the model says, so the streamed text is the non-streamed answer.
    expect(text).toBe(whole.choices[0]!.message.content);
    const finishes = chunks.filter((c) => c.choices[0]?.finish_reason);
    expect(finishes.map((c) => c.choices[0]!.finish_reason)).toEqual(['stop']);
    const last = chunks.at(-1)!;
    expect(last.choices).toEqual([]);
    expect(last.usage?.completion_tokens).toBe(whole.usage!.completion_tokens);
    expect(last.usage?.total_tokens).toBe(last.usage!.prompt_tokens + last.usage!.completion_tokens);
    expect(chunks.filter((c) => c.usage)).toHaveLength(1);
  });

  it('assembles streamed tool-call deltas into the non-streamed calls', async () => {
    const request: ChatCompletionCreateParamsNonStreaming = {
      model: MODEL,
      messages: [{ role: 'user', content: 'First get_weather for Oslo, then get_time there.' }],
      tools: [weatherTool, timeTool],
    };
    const whole = await client().chat.completions.create(request);
    const choice = whole.choices[0]!;
    expect(choice.finish_reason).toBe('tool_calls');
    const calls = choice.message.tool_calls ?? [];
    expect(calls.map((c) => (c.type === 'function' ? c.function.name : c.type))).toEqual(['get_weather', 'get_time']);
    for (const call of calls) {
      expect(call.id).toMatch(/^call_/);
      expect(call.type).toBe('function');
    }

    const chunks = await collect(await client().chat.completions.create({ ...request, stream: true }));
    expect(chunks.find((c) => c.choices[0]?.finish_reason)?.choices[0]?.finish_reason).toBe('tool_calls');
    const streamed = assembleToolCalls(chunks);
    expect(streamed).toHaveLength(calls.length);
    streamed.forEach((call, i) => {
      const expected = calls[i]!;
      if (expected.type !== 'function') throw new Error('expected a function call');
      expect(call).toMatchObject({ id: expected.id, type: 'function', name: expected.function.name });
      expect(JSON.parse(call.arguments)).toEqual(JSON.parse(expected.function.arguments));
    });
    const weather = JSON.parse(streamed[0]!.arguments);
    expect(typeof weather.city).toBe('string');
    expect(['celsius', 'fahrenheit']).toContain(weather.unit);
  });

  it('creates embeddings as floats and as base64, decoded by the client itself', async () => {
    const input = ['the quick brown fox', 'jumps over the lazy dog'];
    const model = 'openai/text-embedding-3-small';
    const floats = await client().embeddings.create({ model, input, encoding_format: 'float' });
    expect(floats.object).toBe('list');
    expect(floats.data.map((d) => d.index)).toEqual([0, 1]);
    expect(floats.usage.prompt_tokens).toBeGreaterThan(0);
    const first = floats.data[0]!.embedding;
    expect(first).toHaveLength(1536);
    expect(Math.hypot(...first)).toBeCloseTo(1, 5);

    // No encoding_format: the client asks for base64 on its own and decodes the float32 bytes.
    const decoded = await client().embeddings.create({ model, input });
    for (const [i, item] of decoded.data.entries()) {
      expect(item.embedding).toHaveLength(1536);
      expect(maxDiff(item.embedding, floats.data[i]!.embedding)).toBeLessThan(1e-6);
    }

    // An explicit base64 request is returned as the string the server sent.
    const raw = await client().embeddings.create({ model, input: input[0]!, encoding_format: 'base64' });
    const encoded = raw.data[0]!.embedding as unknown;
    expect(typeof encoded).toBe('string');
    const bytes = Buffer.from(encoded as string, 'base64');
    const values = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4);
    expect(values).toHaveLength(1536);
    expect(maxDiff(values, first)).toBeLessThan(1e-6);

    const sized = await client().embeddings.create({
      model,
      input: 'short',
      dimensions: 256,
      encoding_format: 'float',
    });
    expect(sized.data[0]!.embedding).toHaveLength(256);
  });

  it('lists models by iterating the page', async () => {
    const ids: string[] = [];
    for await (const model of client().models.list()) {
      expect(typeof model.id).toBe('string');
      expect(typeof model.created).toBe('number');
      ids.push(model.id);
    }
    expect(ids).toContain(MODEL);
    expect(ids).toContain('anthropic/claude-sonnet-4.5');
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("raises BadRequestError with OpenRouter's message for an unknown model", async () => {
    const error = await client()
      .chat.completions.create({ model: 'nope/not-a-model', messages: [{ role: 'user', content: 'hi' }] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    const bad = error as InstanceType<typeof OpenAI.BadRequestError>;
    expect(bad.status).toBe(400);
    expect(bad.message).toBe('400 nope/not-a-model is not a valid model ID');
    expect(bad.error).toMatchObject({ message: 'nope/not-a-model is not a valid model ID', code: 400 });
    expect(bad.code).toBe(400);
  });

  it('raises RateLimitError for a 429', async () => {
    const error = await client()
      .chat.completions.create(
        { model: MODEL, messages: [{ role: 'user', content: 'hi' }] },
        { ...fault('429'), maxRetries: 0 },
      )
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    const limited = error as InstanceType<typeof OpenAI.RateLimitError>;
    expect(limited.status).toBe(429);
    expect(limited.message).toMatch(/^429 Rate limit exceeded/);
    expect(limited.headers?.get('content-type')).toContain('application/json');
  });

  it('raises the matching error class per status', async () => {
    const cases: [number, new (...args: never[]) => Error][] = [
      [401, OpenAI.AuthenticationError],
      [402, OpenAI.APIError],
      [403, OpenAI.PermissionDeniedError],
      [502, OpenAI.InternalServerError],
      [503, OpenAI.InternalServerError],
    ];
    for (const [status, type] of cases) {
      const error = await client()
        .chat.completions.create(
          { model: MODEL, messages: [{ role: 'user', content: 'hi' }] },
          fault({ kind: 'http', status }),
        )
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(type);
      expect((error as InstanceType<typeof OpenAI.APIError>).status).toBe(status);
    }
  });

  it('throws an APIError without status for an in-band mid-stream error, after yielding the chunks before it', async () => {
    // openai's Stream throws `new APIError(undefined, data.error, …)` for any SSE data object with an `error` field.
    for (const form of ['single', 'three-chunk'] as const) {
      const stream = await client().chat.completions.create(
        { model: MODEL, messages: [{ role: 'user', content: 'Tell me a long story' }], stream: true },
        fault({ kind: 'mid-stream-error', afterChunks: 2, form }),
      );
      const chunks: ChatCompletionChunk[] = [];
      const error = await (async () => {
        for await (const chunk of stream) chunks.push(chunk);
      })().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(OpenAI.APIError);
      expect(error).not.toBeInstanceOf(OpenAI.InternalServerError);
      const apiError = error as InstanceType<typeof OpenAI.APIError>;
      expect(apiError.status).toBeUndefined();
      expect(apiError.message).toBe('Provider returned error');
      expect(apiError.code).toBe(502);
      expect(apiError.error).toMatchObject({ code: 502, metadata: { error_type: 'provider_unavailable' } });
      expect(chunks.map((c) => c.choices[0]?.delta.content ?? '').filter(Boolean)).toHaveLength(2);
      // The finish chunk with finish_reason "error" never reaches the caller: the error chunk throws first.
      expect(chunks.every((c) => c.choices[0]?.finish_reason == null)).toBe(true);
    }
  });

  it('returns a non-streamed mid-generation failure as a normal completion with choices[].error kept', async () => {
    const completion = await client().chat.completions.create(
      { model: MODEL, messages: [{ role: 'user', content: 'A long story' }] },
      fault({ kind: 'mid-stream-error', afterChunks: 2 }),
    );
    const choice = completion.choices[0]!;
    expect(choice.finish_reason).toBe('error');
    expect((choice as unknown as { error: unknown }).error).toMatchObject({
      code: 502,
      message: 'Provider returned error',
    });
  });

  it('ends iteration silently on a stream cut before the finish chunk and [DONE]', async () => {
    // Neither a finish_reason nor [DONE] arrives, yet the client reports no error: callers must check themselves.
    const chunks = await collect(
      await client().chat.completions.create(
        { model: MODEL, messages: [{ role: 'user', content: 'Cut me off' }], stream: true },
        fault({ kind: 'cut', afterChunks: 2 }),
      ),
    );
    expect(chunks).toHaveLength(2);
    expect(chunks.every((c) => c.choices[0]?.finish_reason == null)).toBe(true);
  });

  it('throws the raw fetch TypeError on a connection reset mid-stream, and SyntaxError on a malformed chunk', async () => {
    const reset = await client().chat.completions.create(
      { model: MODEL, messages: [{ role: 'user', content: 'Reset me' }], stream: true },
      fault({ kind: 'reset-mid-body', afterChunks: 2 }),
    );
    const resetError = await collect(reset).catch((e: unknown) => e);
    // Not wrapped in APIConnectionError once the body is being read.
    expect(resetError).toBeInstanceOf(TypeError);
    expect(resetError).not.toBeInstanceOf(OpenAI.APIError);
    expect((resetError as Error).message).toBe('terminated');

    // logLevel off: the client otherwise logs the unparsable line before rethrowing.
    const quiet = new OpenAI({ apiKey: 'sk-or-v1-compat', baseURL: sim().url, maxRetries: 0, logLevel: 'off' });
    const malformed = await quiet.chat.completions.create(
      { model: MODEL, messages: [{ role: 'user', content: 'Garble me' }], stream: true },
      fault({ kind: 'malformed-chunk', afterChunks: 1 }),
    );
    const parseError = await collect(malformed).catch((e: unknown) => e);
    expect(parseError).toBeInstanceOf(SyntaxError);
  });

  it('accumulates a stream with the chat.completions.stream() helper', async () => {
    const request = {
      model: 'anthropic/claude-sonnet-4.5',
      messages: [{ role: 'user' as const, content: 'Use get_weather for Lisbon.' }],
      tools: [weatherTool],
      reasoning_effort: 'low' as const,
    };
    const whole = await client().chat.completions.create(request);
    const final = await client().chat.completions.stream(request).finalChatCompletion();
    const choice = final.choices[0]!;
    expect(choice.finish_reason).toBe('tool_calls');
    expect(choice.message.tool_calls).toEqual(whole.choices[0]!.message.tool_calls);
    expect(final.usage).toEqual(whole.usage);
    // OpenRouter's extra delta fields are not concatenated by the helper: it Object.assigns them, so the message
    // keeps the last chunk's value (`reasoning: null` from the Anthropic signature delta), not the reasoning text.
    const extra = choice.message as unknown as { reasoning: string | null };
    expect((whole.choices[0]!.message as unknown as { reasoning: string }).reasoning.length).toBeGreaterThan(0);
    expect(extra.reasoning).toBeNull();
  });

  it('surfaces a 200 whose body is an error object as a plain result (the client does not inspect it)', async () => {
    const body = (await client().chat.completions.create(
      { model: MODEL, messages: [{ role: 'user', content: 'hi' }] },
      fault({ kind: 'error-200', code: 500 }),
    )) as unknown as { error?: { code: number; message: string }; choices?: unknown };
    expect(body.error).toMatchObject({ code: 500, message: 'Internal Server Error' });
    expect(body.choices).toBeUndefined();
  });
});
