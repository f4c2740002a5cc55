/**
 * The real `openai` npm client, unchanged, against the gateway (which routes to its embedded simulator): if the
 * gateway's shapes, status codes or SSE framing drift from what OpenAI-compatible clients parse, these tests fail.
 * Every request goes over loopback to 127.0.0.1.
 */
import OpenAI from 'openai';
import type {
  ChatCompletionChunk,
  ChatCompletionCreateParamsNonStreaming,
  ChatCompletionMessageParam,
} from 'openai/resources/chat/completions';
import { describe, expect, it } from 'vitest';
import { EMBEDDING_MODEL, MODEL, useCompatGateway, WEATHER_PARAMETERS } from './compat-gateway.js';

const weatherTool = {
  type: 'function' as const,
  function: { name: 'get_weather', description: 'Current weather for a city', parameters: WEATHER_PARAMETERS },
};

const { gateway, simulator } = useCompatGateway();

/** No client-side retries unless a test asks for them: a rejected response must fail at once. */
function client(options: ConstructorParameters<typeof OpenAI>[0] = {}): OpenAI {
  return new OpenAI({ baseURL: gateway().baseURL, apiKey: 'anything', maxRetries: 0, timeout: 15_000, ...options });
}

async function collect(stream: AsyncIterable<ChatCompletionChunk>): Promise<ChatCompletionChunk[]> {
  const chunks: ChatCompletionChunk[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return chunks;
}

function streamedText(chunks: ChatCompletionChunk[]): string {
  return chunks.map((c) => c.choices[0]?.delta.content ?? '').join('');
}

describe('openai client through the gateway', () => {
  it('parses a non-streaming chat completion: content, usage, model, generation id', async () => {
    const { data: completion, response } = await client()
      .chat.completions.create({
        model: MODEL,
        messages: [{ role: 'user', content: 'Say exactly: Hello through the gateway ✓' }],
      })
      .withResponse();
    expect(response.status).toBe(200);
    expect(completion.id).toMatch(/^gen-/);
    expect(response.headers.get('x-generation-id')).toBe(completion.id);
    expect(completion.object).toBe('chat.completion');
    expect(completion.model).toBe(MODEL);
    const choice = completion.choices[0]!;
    expect(choice.finish_reason).toBe('stop');
    expect(choice.message.role).toBe('assistant');
    expect(choice.message.content).toBe('Hello through the gateway ✓');
    const usage = completion.usage!;
    expect(usage.prompt_tokens).toBeGreaterThan(0);
    expect(usage.completion_tokens).toBeGreaterThan(0);
    expect(usage.total_tokens).toBe(usage.prompt_tokens + usage.completion_tokens);
  });

  it('streams deltas whose concatenation is the non-streamed answer, ending with one usage chunk', async () => {
    const messages: ChatCompletionMessageParam[] = [{ role: 'user', content: 'Tell me about streams' }];
    const whole = await client().chat.completions.create({ model: MODEL, messages });
    const stream = await client().chat.completions.create({
      model: MODEL,
      messages,
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks = await collect(stream);
    expect(chunks.length).toBeGreaterThan(3);
    for (const chunk of chunks) {
      expect(chunk.object).toBe('chat.completion.chunk');
      expect(chunk.id).toBe(chunks[0]!.id);
      expect(chunk.model).toBe(MODEL);
    }
    const text = streamedText(chunks);
    expect(text.length).toBeGreaterThan(10);
    // The simulated model's answer does not depend on `stream`: the gateway passed every delta through.
    expect(text).toBe(whole.choices[0]!.message.content);
    const finishes = chunks.filter((c) => c.choices[0]?.finish_reason);
    expect(finishes.map((c) => c.choices[0]!.finish_reason)).toEqual(['stop']);
    const usages = chunks.filter((c) => c.usage);
    expect(usages).toHaveLength(1);
    const last = chunks.at(-1)!;
    expect(last).toBe(usages[0]);
    expect(last.choices).toEqual([]);
    expect(last.usage!.completion_tokens).toBe(whole.usage!.completion_tokens);
    expect(last.usage!.prompt_tokens).toBe(whole.usage!.prompt_tokens);
    expect(last.usage!.total_tokens).toBe(last.usage!.prompt_tokens + last.usage!.completion_tokens);
  });

  it('runs a tool call round trip: the model calls the tool, gets the result, answers', async () => {
    const messages: ChatCompletionMessageParam[] = [{ role: 'user', content: 'Use get_weather for Oslo.' }];
    const request: ChatCompletionCreateParamsNonStreaming = { model: MODEL, messages, tools: [weatherTool] };
    const first = await client().chat.completions.create(request);
    const choice = first.choices[0]!;
    expect(choice.finish_reason).toBe('tool_calls');
    const calls = choice.message.tool_calls ?? [];
    expect(calls).toHaveLength(1);
    const call = calls[0]!;
    if (call.type !== 'function') throw new Error(`expected a function call, got ${call.type}`);
    expect(call.id).toMatch(/^call_/);
    expect(call.function.name).toBe('get_weather');
    const args = JSON.parse(call.function.arguments) as { city: string; unit: string };
    expect(typeof args.city).toBe('string');
    expect(['celsius', 'fahrenheit']).toContain(args.unit);

    const result = JSON.stringify({ city: args.city, temperature: 21, conditions: 'sunny' });
    const second = await client().chat.completions.create({
      ...request,
      messages: [...messages, choice.message, { role: 'tool', tool_call_id: call.id, content: result }],
    });
    const answer = second.choices[0]!;
    expect(answer.finish_reason).toBe('stop');
    expect(answer.message.tool_calls ?? []).toHaveLength(0);
    // The simulated model quotes the tool results in its final answer.
    expect(answer.message.content).toContain('sunny');
  });

  it("assembles streamed tool-call deltas with the client's stream helper", async () => {
    const messages: ChatCompletionMessageParam[] = [{ role: 'user', content: 'Use get_weather for Lisbon.' }];
    const request = { model: MODEL, messages, tools: [weatherTool] };
    const whole = await client().chat.completions.create(request);
    const expected = whole.choices[0]!.message.tool_calls![0]!;
    if (expected.type !== 'function') throw new Error('expected a function call');

    const runner = client().chat.completions.stream(request);
    const final = await runner.finalChatCompletion();
    const choice = final.choices[0]!;
    expect(choice.finish_reason).toBe('tool_calls');
    const call = choice.message.tool_calls?.[0];
    if (call?.type !== 'function') throw new Error('expected a function call');
    expect(call.id).toBe(expected.id);
    expect(call.function.name).toBe('get_weather');
    expect(JSON.parse(call.function.arguments)).toEqual(JSON.parse(expected.function.arguments));
  });

  it('creates embeddings as floats and as base64 (decoded by the client itself)', async () => {
    const input = ['the quick brown fox', 'jumps over the lazy dog'];
    const floats = await client().embeddings.create({ model: EMBEDDING_MODEL, input, encoding_format: 'float' });
    expect(floats.object).toBe('list');
    expect(floats.model).toBe(EMBEDDING_MODEL);
    expect(floats.data.map((d) => d.index)).toEqual([0, 1]);
    expect(floats.usage.prompt_tokens).toBeGreaterThan(0);
    expect(floats.usage.total_tokens).toBe(floats.usage.prompt_tokens);
    for (const item of floats.data) {
      expect(item.object).toBe('embedding');
      expect(item.embedding).toHaveLength(1536);
      expect(Math.hypot(...item.embedding)).toBeCloseTo(1, 5);
    }

    // Without encoding_format the client asks for base64 and decodes the float32 bytes itself.
    const decoded = await client().embeddings.create({ model: EMBEDDING_MODEL, input });
    decoded.data.forEach((item, i) => {
      expect(item.embedding).toHaveLength(1536);
      const reference = floats.data[i]!.embedding;
      const maxDiff = Math.max(...item.embedding.map((v, j) => Math.abs(v - reference[j]!)));
      expect(maxDiff).toBeLessThan(1e-6);
    });

    const sized = await client().embeddings.create({
      model: EMBEDDING_MODEL,
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
      // OpenAI's Model fields, which strict clients require and OpenRouter leaves out.
      expect(model.object).toBe('model');
      expect(model.owned_by).toBe(model.id.replace(/^~/, '').split('/')[0]);
      ids.push(model.id);
    }
    expect(ids.length).toBeGreaterThan(50);
    expect(ids).toContain(MODEL);
    expect(ids).toContain('anthropic/claude-sonnet-4.5');
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('retrieves one model (models.retrieve), the id encoded or not; an unknown one is NotFoundError', async () => {
    const model = await client().models.retrieve(MODEL);
    expect(model).toMatchObject({ id: MODEL, object: 'model', owned_by: 'openai' });
    expect(typeof model.created).toBe('number');
    const plain = await fetch(`${gateway().baseURL}/models/${MODEL}`);
    expect(((await plain.json()) as { id: string }).id).toBe(MODEL);
    const missing = await client()
      .models.retrieve('nobody/no-such-model')
      .catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(OpenAI.NotFoundError);
  });

  it('works the same with the /v1 base URL', async () => {
    const v1 = client({ baseURL: `${gateway().url}/v1` });
    const completion = await v1.chat.completions.create({
      model: MODEL,
      messages: [{ role: 'user', content: 'Say exactly: via /v1' }],
    });
    expect(completion.choices[0]!.message.content).toBe('via /v1');
    const chunks = await collect(
      await v1.chat.completions.create({
        model: MODEL,
        messages: [{ role: 'user', content: 'Say exactly: streamed via /v1' }],
        stream: true,
      }),
    );
    expect(streamedText(chunks)).toBe('streamed via /v1');
    const embedding = await v1.embeddings.create({ model: EMBEDDING_MODEL, input: 'v1', encoding_format: 'float' });
    expect(embedding.data[0]!.embedding).toHaveLength(1536);
    const ids: string[] = [];
    for await (const model of v1.models.list()) ids.push(model.id);
    expect(ids).toContain(MODEL);
  });

  it('raises BadRequestError (400) for a request the gateway rejects and for an unknown model', async () => {
    const empty = await client()
      .chat.completions.create({ model: MODEL, messages: [] })
      .catch((e: unknown) => e);
    expect(empty).toBeInstanceOf(OpenAI.BadRequestError);
    const invalid = empty as InstanceType<typeof OpenAI.BadRequestError>;
    expect(invalid.status).toBe(400);
    expect(invalid.type).toBe('invalid_request');
    expect(invalid.code).toBe(400);
    expect(invalid.message).toBe("400 Invalid value for 'messages': expected a non-empty array, received array");
    expect(invalid.error).toMatchObject({ metadata: { field: 'messages' } });

    const unknown = await client()
      .chat.completions.create({ model: 'nope/not-a-model', messages: [{ role: 'user', content: 'hi' }] })
      .catch((e: unknown) => e);
    expect(unknown).toBeInstanceOf(OpenAI.BadRequestError);
    const bad = unknown as InstanceType<typeof OpenAI.BadRequestError>;
    expect(bad.status).toBe(400);
    expect(bad.message).toBe('400 nope/not-a-model is not a valid model ID');
    expect(bad.type).toBe('invalid_model');
    expect(bad.error).toMatchObject({ message: 'nope/not-a-model is not a valid model ID', code: 400 });

    // An id the catalog knows in another spelling: OpenRouter's answer, plus the model it most likely meant.
    const misspelled = (await client()
      .chat.completions.create({ model: 'anthropic/claude-sonnet-4-6', messages: [{ role: 'user', content: 'hi' }] })
      .catch((e: unknown) => e)) as InstanceType<typeof OpenAI.BadRequestError>;
    expect(misspelled.status).toBe(400);
    expect(misspelled.message).toBe(
      '400 anthropic/claude-sonnet-4-6 is not a valid model ID (did you mean "anthropic/claude-sonnet-4.6"?)',
    );
    expect(misspelled.error).toMatchObject({ metadata: { suggestion: 'anthropic/claude-sonnet-4.6' } });

    const badEmbedding = await client()
      .embeddings.create({ model: 'nope/not-an-embedder', input: 'x', encoding_format: 'float' })
      .catch((e: unknown) => e);
    expect(badEmbedding).toBeInstanceOf(OpenAI.BadRequestError);
    expect((badEmbedding as InstanceType<typeof OpenAI.APIError>).status).toBe(400);
    // OpenAI's name for it, without OpenRouter's author prefix: the error names the id to use.
    const bareEmbedding = (await client()
      .embeddings.create({ model: 'text-embedding-3-small', input: 'x', encoding_format: 'float' })
      .catch((e: unknown) => e)) as InstanceType<typeof OpenAI.BadRequestError>;
    expect(bareEmbedding.status).toBe(400);
    expect(bareEmbedding.message).toContain('(did you mean "openai/text-embedding-3-small"?)');
  });

  it('throws a typed APIError for an upstream error in the middle of a stream, after the chunks before it', async () => {
    const model = 'mistralai/mistral-7b-instruct';
    simulator().setRules([
      { match: { model, stream: true }, first: 1, fault: { kind: 'mid-stream-error', afterChunks: 2 } },
    ]);
    try {
      const stream = await client().chat.completions.create({
        model,
        messages: [{ role: 'user', content: 'Tell me a long story' }],
        stream: true,
      });
      const chunks: ChatCompletionChunk[] = [];
      const error = await (async () => {
        for await (const chunk of stream) chunks.push(chunk);
      })().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(OpenAI.APIError);
      const apiError = error as InstanceType<typeof OpenAI.APIError>;
      // The error arrived in-band inside a 200 stream, so there is no HTTP status; OpenRouter's code is kept.
      expect(apiError.status).toBeUndefined();
      expect(apiError.code).toBe(502);
      expect(streamedText(chunks).length).toBeGreaterThan(0);
      expect(chunks.filter((c) => c.choices[0]?.delta.content)).toHaveLength(2);
    } finally {
      simulator().setRules([]);
    }
  });

  it('passes a client x-simulator-fault header on to the embedded simulator (simulator mode only)', async () => {
    // Fault injection from the client side works through the gateway when it runs on its embedded simulator;
    // a real upstream never sees the header.
    const faulty = client({
      maxRetries: 0,
      defaultHeaders: { 'x-simulator-fault': '{"kind":"http","status":403,"message":"blocked by test"}' },
    });
    const error = await faulty.chat.completions
      .create({ model: MODEL, messages: [{ role: 'user', content: 'hi' }] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.PermissionDeniedError);
    expect((error as InstanceType<typeof OpenAI.PermissionDeniedError>).status).toBe(403);
  });

  it('raises a typed RateLimitError when the upstream keeps answering 429 (after the gateway retried)', async () => {
    const model = 'mistralai/mistral-nemo';
    // The gateway's router makes 3 attempts; all of them are rate limited.
    simulator().setRules([{ match: { model }, first: 3, fault: { kind: 'http', status: 429 } }]);
    try {
      const error = await client()
        .chat.completions.create({ model, messages: [{ role: 'user', content: 'hi' }] })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(OpenAI.RateLimitError);
      const limited = error as InstanceType<typeof OpenAI.RateLimitError>;
      expect(limited.status).toBe(429);
      expect(limited.code).toBe(429);
      expect(limited.type).toBe('rate_limited');
      expect(limited.message).toMatch(/^429 Rate limit exceeded/);
      expect(limited.headers?.get('content-type')).toContain('application/json');
      const attempts = (limited.error as { metadata?: { attempts?: { status?: number }[] } }).metadata?.attempts;
      expect(attempts?.map((a) => a.status)).toEqual([429, 429, 429]);
      expect(simulator().stats.models[model]).toMatchObject({ attempts: 3, served: 0 });
    } finally {
      simulator().setRules([]);
    }
  });

  it("recovers through the client's own retry when a 429 reached it", async () => {
    const model = 'mistralai/mistral-small-3.2-24b-instruct';
    simulator().setRules([{ match: { model }, first: 3, fault: { kind: 'http', status: 429 } }]);
    try {
      const { data, response } = await client({ maxRetries: 1 })
        .chat.completions.create({ model, messages: [{ role: 'user', content: 'Say exactly: second time lucky' }] })
        .withResponse();
      expect(response.status).toBe(200);
      expect(data.choices[0]!.message.content).toBe('second time lucky');
      // 3 rate-limited attempts behind the client's first request, 1 served attempt behind its retry.
      expect(simulator().stats.models[model]).toMatchObject({ attempts: 4, served: 1 });
    } finally {
      simulator().setRules([]);
    }
  });
});
