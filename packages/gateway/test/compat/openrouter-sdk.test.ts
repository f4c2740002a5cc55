/**
 * The official `@openrouter/sdk`, unchanged, against the gateway. The SDK validates every response with strict zod
 * schemas generated from OpenRouter's OpenAPI spec, so a missing required field, a wrong type or an error envelope it
 * cannot parse fails the call. Every request goes over loopback to 127.0.0.1.
 */
import { OpenRouter } from '@openrouter/sdk';
import type { ChatMessages, ChatResult, ChatStreamChunk } from '@openrouter/sdk/models';
import { BadRequestResponseError, TooManyRequestsResponseError } from '@openrouter/sdk/models/errors';
import type { SendChatCompletionRequestResponse } from '@openrouter/sdk/models/operations';
import { describe, expect, it } from 'vitest';
import { EMBEDDING_MODEL, MODEL, useCompatGateway, WEATHER_PARAMETERS } from './compat-gateway.js';

const weatherTool = {
  type: 'function' as const,
  function: { name: 'get_weather', description: 'Current weather for a city', parameters: WEATHER_PARAMETERS },
};

type Stream = AsyncIterable<ChatStreamChunk>;

const { gateway, simulator } = useCompatGateway();

/** No client-side retries unless a test asks for them: a response the SDK rejects must fail at once. */
function client(serverURL = gateway().baseURL): OpenRouter {
  return new OpenRouter({ apiKey: 'anything', serverURL, retryConfig: { strategy: 'none' }, timeoutMs: 15_000 });
}

function isStream(result: SendChatCompletionRequestResponse): result is SendChatCompletionRequestResponse & Stream {
  return typeof (result as Partial<Stream>)[Symbol.asyncIterator] === 'function';
}

function asResult(result: SendChatCompletionRequestResponse): ChatResult {
  if (isStream(result)) throw new Error('expected a JSON chat result, got a stream');
  return result;
}

async function collect(result: SendChatCompletionRequestResponse): Promise<ChatStreamChunk[]> {
  if (!isStream(result)) throw new Error('expected a stream, got a JSON chat result');
  const chunks: ChatStreamChunk[] = [];
  for await (const chunk of result) chunks.push(chunk);
  return chunks;
}

function text(chunks: ChatStreamChunk[]): string {
  return chunks.map((c) => c.choices[0]?.delta.content ?? '').join('');
}

function assembleToolCalls(chunks: ChatStreamChunk[]) {
  const calls: { id: string; type: string; name: string; arguments: string }[] = [];
  for (const chunk of chunks) {
    for (const delta of chunk.choices[0]?.delta.toolCalls ?? []) {
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

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (error: unknown) => error,
  );
}

describe('@openrouter/sdk through the gateway', () => {
  it('validates a non-streaming chat completion: content, usage with cost, model', async () => {
    const result = asResult(
      await client().chat.send({
        chatRequest: {
          model: MODEL,
          messages: [{ role: 'user', content: 'Say exactly: Hello through the gateway ✓' }],
        },
      }),
    );
    expect(result.id).toMatch(/^gen-/);
    expect(result.object).toBe('chat.completion');
    expect(result.model).toBe(MODEL);
    const choice = result.choices[0]!;
    expect(choice.finishReason).toBe('stop');
    expect(choice.message.role).toBe('assistant');
    expect(choice.message.content).toBe('Hello through the gateway ✓');
    const usage = result.usage!;
    expect(usage.promptTokens).toBeGreaterThan(0);
    expect(usage.completionTokens).toBeGreaterThan(0);
    expect(usage.totalTokens).toBe(usage.promptTokens + usage.completionTokens);
    expect(usage.cost).toBeGreaterThan(0);
  });

  it('streams chat: deltas equal the non-streamed answer, one usage chunk last', async () => {
    const messages = [{ role: 'user' as const, content: 'Tell me about streams' }];
    const whole = asResult(await client().chat.send({ chatRequest: { model: MODEL, messages } }));
    const chunks = await collect(
      await client().chat.send({
        chatRequest: { model: MODEL, messages, stream: true, streamOptions: { includeUsage: true } },
      }),
    );
    expect(chunks.length).toBeGreaterThan(3);
    for (const chunk of chunks) {
      expect(chunk.object).toBe('chat.completion.chunk');
      expect(chunk.id).toBe(chunks[0]!.id);
      expect(chunk.error).toBeUndefined();
    }
    expect(text(chunks)).toBe(whole.choices[0]!.message.content);
    expect(chunks.filter((c) => c.choices[0]?.finishReason).map((c) => c.choices[0]!.finishReason)).toEqual(['stop']);
    const usages = chunks.filter((c) => c.usage);
    expect(usages).toHaveLength(1);
    expect(chunks.at(-1)).toBe(usages[0]);
    expect(usages[0]!.choices).toEqual([]);
    expect(usages[0]!.usage).toEqual(whole.usage);
  });

  it('runs a tool call round trip: call, tool result, final answer', async () => {
    const messages: ChatMessages[] = [{ role: 'user', content: 'Use get_weather for Oslo.' }];
    const first = asResult(await client().chat.send({ chatRequest: { model: MODEL, messages, tools: [weatherTool] } }));
    const choice = first.choices[0]!;
    expect(choice.finishReason).toBe('tool_calls');
    const calls = choice.message.toolCalls ?? [];
    expect(calls).toHaveLength(1);
    const call = calls[0]!;
    expect(call.id).toMatch(/^call_/);
    expect(call.function.name).toBe('get_weather');
    const args = JSON.parse(call.function.arguments) as { city: string; unit: string };
    expect(typeof args.city).toBe('string');
    expect(['celsius', 'fahrenheit']).toContain(args.unit);

    const result = JSON.stringify({ city: args.city, temperature: 21, conditions: 'sunny' });
    const second = asResult(
      await client().chat.send({
        chatRequest: {
          model: MODEL,
          tools: [weatherTool],
          messages: [
            ...messages,
            { role: 'assistant', content: choice.message.content ?? null, toolCalls: calls },
            { role: 'tool', toolCallId: call.id, content: result },
          ],
        },
      }),
    );
    const answer = second.choices[0]!;
    expect(answer.finishReason).toBe('stop');
    expect(answer.message.toolCalls ?? []).toHaveLength(0);
    expect(answer.message.content).toContain('sunny');

    // The same first turn streamed: the call arrives as deltas that assemble into the non-streamed call.
    const chunks = await collect(
      await client().chat.send({ chatRequest: { model: MODEL, messages, tools: [weatherTool], stream: true } }),
    );
    expect(chunks.find((c) => c.choices[0]?.finishReason)?.choices[0]?.finishReason).toBe('tool_calls');
    const streamed = assembleToolCalls(chunks);
    expect(streamed).toHaveLength(1);
    expect(streamed[0]).toMatchObject({ id: call.id, type: 'function', name: 'get_weather' });
    expect(JSON.parse(streamed[0]!.arguments)).toEqual(args);
  });

  it('creates embeddings as floats and as base64', async () => {
    const floats = await client().embeddings.generate({
      requestBody: { model: EMBEDDING_MODEL, input: ['the quick brown fox', 'jumps'], encodingFormat: 'float' },
    });
    if (typeof floats === 'string') throw new Error('expected a JSON embeddings body');
    expect(floats.object).toBe('list');
    expect(floats.model).toBe(EMBEDDING_MODEL);
    expect(floats.data).toHaveLength(2);
    for (const item of floats.data) {
      if (typeof item.embedding === 'string') throw new Error('expected a float vector');
      expect(item.embedding).toHaveLength(1536);
    }
    expect(floats.usage?.promptTokens).toBeGreaterThan(0);
    expect(floats.usage?.totalTokens).toBe(floats.usage?.promptTokens);

    const encoded = await client().embeddings.generate({
      requestBody: { model: EMBEDDING_MODEL, input: 'the quick brown fox', encodingFormat: 'base64', dimensions: 64 },
    });
    if (typeof encoded === 'string') throw new Error('expected a JSON embeddings body');
    const b64 = encoded.data[0]!.embedding;
    if (typeof b64 !== 'string') throw new Error('expected a base64 string');
    expect(Buffer.from(b64, 'base64').length).toBe(64 * 4);
  });

  it('lists models (all of them, and filtered by a supported parameter)', async () => {
    const all = await client().models.list();
    const ids = all.result.data.map((m) => m.id);
    expect(ids.length).toBeGreaterThan(50);
    expect(ids).toContain(MODEL);
    expect(new Set(ids).size).toBe(ids.length);
    const mini = all.result.data.find((m) => m.id === MODEL)!;
    expect(mini.architecture.outputModalities).toEqual(['text']);
    expect(mini.pricing.prompt).toMatch(/^\d/);

    const withTools = await client().models.list({ supportedParameters: 'tools' });
    expect(withTools.result.data.length).toBeGreaterThan(0);
    expect(withTools.result.data.length).toBeLessThan(all.result.data.length);
    for (const model of withTools.result.data) expect(model.supportedParameters).toContain('tools');
  });

  it('lists the endpoints of a model', async () => {
    const { data } = await client().endpoints.list({ author: 'anthropic', slug: 'claude-sonnet-4.5' });
    expect(data.id).toBe('anthropic/claude-sonnet-4.5');
    expect(data.endpoints.length).toBeGreaterThan(0);
    for (const endpoint of data.endpoints) expect(endpoint.contextLength).toBeGreaterThan(0);
  });

  it('reads the rest of the catalog: one model, the count, embedding models, providers', async () => {
    const model = await client().models.get({ author: 'openai', slug: 'gpt-4o-mini' });
    expect(model.data.id).toBe(MODEL);
    const count = await client().models.count();
    expect(count.data.count).toBeGreaterThan(50);
    const embeddingModels = await client().embeddings.listModels();
    expect(embeddingModels.result.data.map((m) => m.id)).toContain(EMBEDDING_MODEL);
    const providers = await client().providers.list();
    expect(providers.data.length).toBeGreaterThan(5);
  });

  it('reads GET /key and GET /generation in the shapes the SDK validates', async () => {
    const key = await client().apiKeys.getCurrentKeyMetadata();
    expect(key.data.label).toContain('open access');
    expect(typeof key.data.usageWeekly).toBe('number');
    const result = asResult(
      await client().chat.send({
        chatRequest: { model: MODEL, messages: [{ role: 'user', content: 'Say exactly: logged' }] },
      }),
    );
    const generation = await client().generations.getGeneration({ id: result.id });
    expect(generation.data.id).toBe(result.id);
    expect(generation.data.model).toBe(MODEL);
    expect(generation.data.tokensCompletion).toBe(result.usage?.completionTokens);
    expect(generation.data.totalCost).toBeGreaterThan(0);
  });

  it('works the same with the /v1 server URL', async () => {
    const v1 = client(`${gateway().url}/v1`);
    const result = asResult(
      await v1.chat.send({
        chatRequest: { model: MODEL, messages: [{ role: 'user', content: 'Say exactly: via /v1' }] },
      }),
    );
    expect(result.choices[0]!.message.content).toBe('via /v1');
    const chunks = await collect(
      await v1.chat.send({
        chatRequest: {
          model: MODEL,
          messages: [{ role: 'user', content: 'Say exactly: streamed via /v1' }],
          stream: true,
        },
      }),
    );
    expect(text(chunks)).toBe('streamed via /v1');
    const models = await v1.models.list();
    expect(models.result.data.map((m) => m.id)).toContain(MODEL);
  });

  it('raises BadRequestResponseError for a request the gateway rejects and for an unknown model', async () => {
    const empty = await rejection(client().chat.send({ chatRequest: { model: MODEL, messages: [] } }));
    expect(empty).toBeInstanceOf(BadRequestResponseError);
    expect((empty as BadRequestResponseError).statusCode).toBe(400);
    expect((empty as BadRequestResponseError).error.code).toBe(400);
    expect((empty as BadRequestResponseError).message).toBe(
      "Invalid value for 'messages': expected a non-empty array, received array",
    );

    const unknown = await rejection(
      client().chat.send({ chatRequest: { model: 'nope/not-a-model', messages: [{ role: 'user', content: 'hi' }] } }),
    );
    expect(unknown).toBeInstanceOf(BadRequestResponseError);
    expect((unknown as BadRequestResponseError).statusCode).toBe(400);
    expect((unknown as BadRequestResponseError).message).toBe('nope/not-a-model is not a valid model ID');
  });

  it('yields an upstream in-band stream error exactly once, as OpenRouter sends it, then ends', async () => {
    const model = 'mistralai/mistral-7b-instruct';
    for (const form of ['single', 'three-chunk'] as const) {
      simulator().setRules([
        { match: { model, stream: true }, first: 1, fault: { kind: 'mid-stream-error', afterChunks: 2, form } },
      ]);
      try {
        const chunks = await collect(
          await client().chat.send({
            chatRequest: { model, messages: [{ role: 'user', content: 'A long story' }], stream: true },
          }),
        );
        expect(chunks.filter((c) => c.choices[0]?.delta.content)).toHaveLength(2);
        const errors = chunks.filter((c) => c.error);
        expect(errors, `${form}: one error chunk`).toHaveLength(1);
        expect(errors[0]!.error).toMatchObject({ code: 502, message: 'Provider returned error' });
        const finishes = chunks.filter((c) => c.choices[0]?.finishReason);
        expect(
          finishes.map((c) => c.choices[0]!.finishReason),
          `${form}: one finish chunk`,
        ).toEqual(['error']);
        expect(new Set(chunks.map((c) => c.id)).size).toBe(1);
      } finally {
        simulator().setRules([]);
      }
    }
  });

  it('raises TooManyRequestsResponseError when the upstream keeps answering 429 (after the gateway retried)', async () => {
    const model = 'mistralai/mistral-nemo';
    simulator().setRules([{ match: { model }, first: 3, fault: { kind: 'http', status: 429 } }]);
    try {
      const limited = await rejection(
        client().chat.send({ chatRequest: { model, messages: [{ role: 'user', content: 'hi' }] } }),
      );
      expect(limited).toBeInstanceOf(TooManyRequestsResponseError);
      const error = limited as TooManyRequestsResponseError;
      expect(error.statusCode).toBe(429);
      expect(error.error.code).toBe(429);
      expect(error.message).toMatch(/^Rate limit exceeded/);
      expect(simulator().stats.models[model]).toMatchObject({ attempts: 3, served: 0 });
    } finally {
      simulator().setRules([]);
    }
  });

  it("recovers through the SDK's own retry when told to retry 429s", async () => {
    const model = 'mistralai/mistral-small-3.2-24b-instruct';
    simulator().setRules([{ match: { model }, first: 3, fault: { kind: 'http', status: 429 } }]);
    try {
      const result = asResult(
        await client().chat.send(
          { chatRequest: { model, messages: [{ role: 'user', content: 'Say exactly: second time lucky' }] } },
          {
            retries: {
              strategy: 'backoff',
              backoff: { initialInterval: 50, maxInterval: 200, exponent: 2, maxElapsedTime: 10_000 },
              retryConnectionErrors: false,
            },
            retryCodes: ['429'],
          },
        ),
      );
      expect(result.choices[0]!.message.content).toBe('second time lucky');
      expect(simulator().stats.models[model]).toMatchObject({ attempts: 4, served: 1 });
    } finally {
      simulator().setRules([]);
    }
  });
});
