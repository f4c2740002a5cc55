/**
 * Wire compatibility with the official `@openrouter/sdk`, which validates every response with strict zod schemas
 * generated from OpenRouter's OpenAPI spec: a missing required field or a wrong type fails the call. Every request
 * goes to a simulator on 127.0.0.1.
 */
import { OpenRouter } from '@openrouter/sdk';
import type { ChatResult, ChatStreamChunk } from '@openrouter/sdk/models';
import {
  BadRequestResponseError,
  ForbiddenResponseError,
  type OpenRouterError,
  ResponseValidationError,
  TooManyRequestsResponseError,
} from '@openrouter/sdk/models/errors';
import type { SendChatCompletionRequestResponse } from '@openrouter/sdk/models/operations';
import { describe, expect, it } from 'vitest';
import type { SimulatorHandle, SimulatorOptions } from '../src/index.js';
import { KEY, useSimulator, WEATHER_PARAMETERS } from './helpers.js';

const MODEL = 'openai/gpt-4o-mini';
const REASONER = 'anthropic/claude-sonnet-4.5';
const MGMT_KEY = 'sk-or-v1-mgmt';
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

type Stream = AsyncIterable<ChatStreamChunk>;

function sdk(sim: SimulatorHandle, apiKey = KEY): OpenRouter {
  // No retries: a response the SDK rejects must fail the test at once, not after backoff.
  return new OpenRouter({ apiKey, serverURL: sim.url, retryConfig: { strategy: 'none' }, timeoutMs: 5_000 });
}

function fault(value: unknown): { headers: Record<string, string> } {
  return { headers: { 'x-simulator-fault': typeof value === 'string' ? value : JSON.stringify(value) } };
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

describe('@openrouter/sdk against the simulator', () => {
  const sim = useSimulator({
    seed: 'compat-openrouter-sdk',
    keys: [{ key: MGMT_KEY, management: true }],
    stream: { processingComments: 2, commentEvery: 4 },
  });
  const client = () => sdk(sim());

  it('validates a non-streaming chat completion', async () => {
    const result = asResult(
      await client().chat.send({ chatRequest: { model: MODEL, messages: [{ role: 'user', content: 'Hello there' }] } }),
    );
    expect(result.id).toMatch(/^gen-/);
    expect(result.object).toBe('chat.completion');
    expect(result.model).toBe(MODEL);
    expect(result.systemFingerprint).toBeNull();
    const choice = result.choices[0]!;
    expect(choice.finishReason).toBe('stop');
    expect(choice.message.role).toBe('assistant');
    expect(typeof choice.message.content).toBe('string');
    expect((choice.message.content as string).length).toBeGreaterThan(10);
    const usage = result.usage!;
    expect(usage.totalTokens).toBe(usage.promptTokens + usage.completionTokens);
    expect(usage.isByok).toBe(false);
    expect(usage.cost).toBeGreaterThan(0);
    expect(usage.costDetails?.upstreamInferenceCost).toBeNull();
    expect(usage.promptTokensDetails).toMatchObject({ cachedTokens: 0 });
    expect(usage.completionTokensDetails).toMatchObject({ reasoningTokens: 0 });
  });

  it('streams chat to completion through keep-alive comments', async () => {
    const messages = [{ role: 'user' as const, content: 'Tell me about streams' }];
    const whole = asResult(await client().chat.send({ chatRequest: { model: MODEL, messages } }));
    const chunks = await collect(await client().chat.send({ chatRequest: { model: MODEL, messages, stream: true } }));
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

  it('streams reasoning on a reasoning model, with the Anthropic signature in a later delta', async () => {
    const chatRequest = {
      model: REASONER,
      messages: [{ role: 'user' as const, content: 'Think about the number seven.' }],
      reasoning: { effort: 'medium' as const },
    };
    const whole = asResult(await client().chat.send({ chatRequest }));
    const message = whole.choices[0]!.message;
    expect(message.reasoning?.length).toBeGreaterThan(0);
    const details = message.reasoningDetails ?? [];
    expect(details[0]).toMatchObject({
      type: 'reasoning.text',
      format: 'anthropic-claude-v1',
      text: message.reasoning,
    });
    expect(whole.usage?.completionTokensDetails?.reasoningTokens).toBeGreaterThan(0);

    const chunks = await collect(await client().chat.send({ chatRequest: { ...chatRequest, stream: true } }));
    const reasoning = chunks.map((c) => c.choices[0]?.delta.reasoning ?? '').join('');
    expect(reasoning).toBe(message.reasoning);
    expect(text(chunks)).toBe(message.content);
    const streamedDetails = chunks.flatMap((c) => c.choices[0]?.delta.reasoningDetails ?? []);
    const signatures = streamedDetails.filter((d) => d.type === 'reasoning.text' && d.signature);
    expect(signatures).toHaveLength(1);
    const first = details[0];
    if (first?.type !== 'reasoning.text') throw new Error('expected a reasoning.text detail');
    expect(signatures[0]).toMatchObject({ signature: first.signature });
    expect(chunks.at(-1)!.usage?.completionTokensDetails?.reasoningTokens).toBe(
      whole.usage?.completionTokensDetails?.reasoningTokens,
    );
  });

  it('returns tool calls, and streams the same calls as deltas', async () => {
    const chatRequest = {
      model: MODEL,
      messages: [{ role: 'user' as const, content: 'First get_weather for Oslo, then get_time there.' }],
      tools: [weatherTool, timeTool],
    };
    const whole = asResult(await client().chat.send({ chatRequest }));
    const choice = whole.choices[0]!;
    expect(choice.finishReason).toBe('tool_calls');
    const calls = choice.message.toolCalls ?? [];
    expect(calls.map((c) => c.function.name)).toEqual(['get_weather', 'get_time']);

    const chunks = await collect(await client().chat.send({ chatRequest: { ...chatRequest, stream: true } }));
    expect(chunks.find((c) => c.choices[0]?.finishReason)?.choices[0]?.finishReason).toBe('tool_calls');
    const streamed = assembleToolCalls(chunks);
    expect(streamed).toHaveLength(calls.length);
    streamed.forEach((call, i) => {
      const expected = calls[i]!;
      expect(call).toMatchObject({ id: expected.id, type: 'function', name: expected.function.name });
      expect(JSON.parse(call.arguments)).toEqual(JSON.parse(expected.function.arguments));
    });
  });

  it('streams a reasoning model that calls a tool', async () => {
    const chatRequest = {
      model: REASONER,
      messages: [{ role: 'user' as const, content: 'Use get_weather for Lisbon.' }],
      tools: [weatherTool],
      reasoning: { effort: 'low' as const },
      stream: true,
    };
    const chunks = await collect(await client().chat.send({ chatRequest }));
    const calls = assembleToolCalls(chunks);
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ type: 'function', name: 'get_weather' });
    expect(calls[0]!.id).toMatch(/^toolu_/);
    expect(Object.keys(JSON.parse(calls[0]!.arguments)).sort()).toEqual(['city', 'unit']);
    expect(chunks.some((c) => c.choices[0]?.delta.reasoning)).toBe(true);
    expect(chunks.find((c) => c.choices[0]?.finishReason)?.choices[0]?.finishReason).toBe('tool_calls');
  });

  it('creates embeddings as floats and as base64', async () => {
    const model = 'openai/text-embedding-3-small';
    const floats = await client().embeddings.generate({
      requestBody: { model, input: ['the quick brown fox', 'jumps'], encodingFormat: 'float' },
    });
    if (typeof floats === 'string') throw new Error('expected a JSON embeddings body');
    expect(floats.object).toBe('list');
    expect(floats.model).toBe(model);
    expect(floats.id).toMatch(/^embd-/);
    expect(floats.data).toHaveLength(2);
    const vector = floats.data[0]!.embedding;
    if (typeof vector === 'string') throw new Error('expected a float vector');
    expect(vector).toHaveLength(1536);
    expect(floats.usage?.promptTokens).toBeGreaterThan(0);
    expect(floats.usage?.totalTokens).toBe(floats.usage?.promptTokens);

    const encoded = await client().embeddings.generate({
      requestBody: { model, input: 'the quick brown fox', encodingFormat: 'base64', dimensions: 64 },
    });
    if (typeof encoded === 'string') throw new Error('expected a JSON embeddings body');
    const b64 = encoded.data[0]!.embedding;
    if (typeof b64 !== 'string') throw new Error('expected a base64 string');
    const bytes = Buffer.from(b64, 'base64');
    expect(bytes.length).toBe(64 * 4);
  });

  it('lists models, filtered by supported parameters and output modalities', async () => {
    const all = await client().models.list();
    const ids = all.result.data.map((m) => m.id);
    expect(ids).toContain(MODEL);
    expect(ids).not.toContain('openai/text-embedding-3-small');
    const sonnet = all.result.data.find((m) => m.id === REASONER)!;
    expect(sonnet.architecture.outputModalities).toEqual(['text']);
    expect(sonnet.pricing.prompt).toMatch(/^\d/);
    expect(sonnet.links.details).toBe(`/api/v1/models/${REASONER}/endpoints`);

    const withTools = await client().models.list({ supportedParameters: 'tools' });
    expect(withTools.result.data.length).toBeGreaterThan(0);
    expect(withTools.result.data.length).toBeLessThan(all.result.data.length);
    for (const model of withTools.result.data) expect(model.supportedParameters).toContain('tools');

    const embeddings = await client().models.list({ outputModalities: 'embeddings' });
    expect(embeddings.result.data.map((m) => m.id)).toContain('openai/text-embedding-3-small');
    for (const model of embeddings.result.data) expect(model.architecture.outputModalities).toContain('embeddings');

    const paged = await client().models.list({ limit: 5 });
    expect(paged.result.data).toHaveLength(5);
    const second = await paged.next();
    expect(second?.result.data).toHaveLength(5);
    expect(second?.result.data[0]?.id).toBe(ids[5]);

    const count = await client().models.count({ outputModalities: 'embeddings' });
    expect(count.data.count).toBe(embeddings.result.data.length);
    const one = await client().models.get({ author: 'anthropic', slug: 'claude-sonnet-4.5' });
    expect(one.data.id).toBe(REASONER);
  });

  it('lists the endpoints of a model', async () => {
    const { data } = await client().endpoints.list({ author: 'anthropic', slug: 'claude-sonnet-4.5' });
    expect(data.id).toBe(REASONER);
    expect(data.endpoints.map((e) => e.providerName)).toEqual(['Anthropic', 'Amazon Bedrock', 'Google']);
    for (const endpoint of data.endpoints) {
      expect(endpoint.modelId).toBe(REASONER);
      expect(endpoint.contextLength).toBeGreaterThan(0);
      expect(endpoint.latencyLast30m).not.toBeNull();
    }
  });

  it('validates the endpoints of every catalog model, and the user and embeddings model lists', async () => {
    const chat = await client().models.list({ outputModalities: 'all' });
    const ids = chat.result.data.map((m) => m.id);
    expect(ids.length).toBeGreaterThan(50);
    for (const id of ids) {
      const [author, slug] = id.split('/') as [string, string];
      const { data } = await client().endpoints.list({ author, slug });
      expect(data.id).toBe(id);
    }
    const user = await client().models.listForUser({ bearer: KEY });
    expect(user.result.data.map((m) => m.id)).toContain(MODEL);
    const embeddings = await client().embeddings.listModels();
    expect(embeddings.result.data.length).toBeGreaterThan(0);
    for (const model of embeddings.result.data) expect(model.architecture.outputModalities).toContain('embeddings');
  });

  it('lists providers', async () => {
    const { data } = await client().providers.list();
    expect(data.length).toBeGreaterThan(10);
    expect(data.find((p) => p.slug === 'openai')).toMatchObject({ name: 'OpenAI' });
  });

  it('reads the current key', async () => {
    const { data } = await client().apiKeys.getCurrentKeyMetadata();
    expect(data.isManagementKey).toBe(false);
    expect(data.limit).toBeNull();
    expect(data.label).toMatch(/^sk-or-v1-/);
    expect(data.label).not.toBe(KEY);
    expect(typeof data.usage).toBe('number');
    const managed = await sdk(sim(), MGMT_KEY).apiKeys.getCurrentKeyMetadata();
    expect(managed.data.isManagementKey).toBe(true);
  });

  it('reads credits with a management key; a normal key gets ForbiddenResponseError', async () => {
    const { data } = await sdk(sim(), MGMT_KEY).credits.getCredits();
    expect(data.totalCredits).toBe(1000);
    expect(data.totalUsage).toBeGreaterThanOrEqual(0);
    const error = await rejection(client().credits.getCredits());
    expect(error).toBeInstanceOf(ForbiddenResponseError);
    const forbidden = error as ForbiddenResponseError;
    expect(forbidden.statusCode).toBe(403);
    expect(forbidden.error.code).toBe(403);
    expect(forbidden.message).toBe('Only management keys can perform this operation');
  });

  it('looks up the generation of a chat', async () => {
    const result = asResult(
      await client().chat.send({ chatRequest: { model: MODEL, messages: [{ role: 'user', content: 'Track me' }] } }),
    );
    const { data } = await client().generations.getGeneration({ id: result.id });
    expect(data.id).toBe(result.id);
    expect(data.model).toBe(MODEL);
    expect(data.streamed).toBe(false);
    expect(data.tokensPrompt).toBe(result.usage?.promptTokens);
    expect(data.tokensCompletion).toBe(result.usage?.completionTokens);
    expect(data.totalCost).toBe(result.usage?.cost);
    expect(data.providerResponses?.[0]?.status).toBe(200);
  });

  it('raises BadRequestResponseError for an unknown model and TooManyRequestsResponseError for a 429', async () => {
    const bad = await rejection(
      client().chat.send({ chatRequest: { model: 'nope/not-a-model', messages: [{ role: 'user', content: 'hi' }] } }),
    );
    expect(bad).toBeInstanceOf(BadRequestResponseError);
    expect((bad as BadRequestResponseError).statusCode).toBe(400);
    expect((bad as BadRequestResponseError).message).toBe('nope/not-a-model is not a valid model ID');

    const limited = await rejection(
      client().chat.send({ chatRequest: { model: MODEL, messages: [{ role: 'user', content: 'hi' }] } }, fault('429')),
    );
    expect(limited).toBeInstanceOf(TooManyRequestsResponseError);
    expect((limited as TooManyRequestsResponseError).statusCode).toBe(429);
    expect((limited as OpenRouterError).message).toMatch(/^Rate limit exceeded/);
  });

  it('rejects a 200 whose body is an error object with ResponseValidationError', async () => {
    const error = await rejection(
      client().chat.send(
        { chatRequest: { model: MODEL, messages: [{ role: 'user', content: 'hi' }] } },
        fault({ kind: 'error-200', code: 500 }),
      ),
    );
    expect(error).toBeInstanceOf(ResponseValidationError);
    const invalid = error as ResponseValidationError;
    expect(invalid.statusCode).toBe(200);
    expect(invalid.rawValue).toMatchObject({ error: { code: 500, message: 'Internal Server Error' } });
  });

  it('parses a non-streamed mid-generation failure but drops choices[].error (not in its schema)', async () => {
    const result = asResult(
      await client().chat.send(
        { chatRequest: { model: MODEL, messages: [{ role: 'user', content: 'A long story' }] } },
        fault({ kind: 'mid-stream-error', afterChunks: 2 }),
      ),
    );
    const choice = result.choices[0]!;
    expect(choice.finishReason).toBe('error');
    expect(choice.message.content).toBeTypeOf('string');
    // zod strips unknown keys: the only trace of the provider error left to an SDK user is finish_reason "error".
    expect((choice as unknown as { error?: unknown }).error).toBeUndefined();
  });

  it('ends iteration silently on a cut stream; throws on a reset or a malformed chunk', async () => {
    const request = {
      chatRequest: { model: MODEL, messages: [{ role: 'user' as const, content: 'Transport' }], stream: true },
    };
    // A stream that stops without finish chunk or [DONE] looks like a normal end to the SDK.
    const cut = await collect(await client().chat.send(request, fault({ kind: 'cut', afterChunks: 2 })));
    expect(cut).toHaveLength(2);
    expect(cut.every((c) => c.choices[0]?.finishReason == null && !c.usage)).toBe(true);

    const reset = await rejection(
      collect(await client().chat.send(request, fault({ kind: 'reset-mid-body', afterChunks: 2 }))),
    );
    expect(reset).toBeInstanceOf(TypeError);
    expect((reset as Error).message).toBe('terminated');

    // The SSE data is parsed by a zod transform, so a non-JSON line surfaces as a ZodError, not SyntaxError.
    const malformed = await rejection(
      collect(await client().chat.send(request, fault({ kind: 'malformed-chunk', afterChunks: 1 }))),
    );
    expect((malformed as Error).name).toBe('ZodError');
    expect((malformed as Error).message).toContain('malformed json');
  });

  it('yields the in-band error chunk (single form) instead of throwing', async () => {
    const chunks = await collect(
      await client().chat.send(
        { chatRequest: { model: MODEL, messages: [{ role: 'user', content: 'A long story' }], stream: true } },
        fault({ kind: 'mid-stream-error', afterChunks: 2, form: 'single' }),
      ),
    );
    expect(text(chunks).length).toBeGreaterThan(0);
    expect(chunks.filter((c) => c.choices[0]?.delta.content)).toHaveLength(2);
    const last = chunks.at(-1)!;
    expect(last.error).toEqual({
      code: 502,
      message: 'Provider returned error',
      metadata: { errorType: 'provider_unavailable' },
    });
    expect(last.choices[0]?.finishReason).toBe('error');
    expect(chunks.filter((c) => c.error)).toHaveLength(1);
  });

  it('yields the three-chunk in-band error: error, finish "error", usage', async () => {
    const chunks = await collect(
      await client().chat.send(
        { chatRequest: { model: MODEL, messages: [{ role: 'user', content: 'A long story' }], stream: true } },
        fault({ kind: 'mid-stream-error', afterChunks: 2, form: 'three-chunk', code: 429 }),
      ),
    );
    const [error, finish, usage] = chunks.slice(-3);
    expect(error?.error).toMatchObject({ code: 429, metadata: { errorType: 'rate_limit_exceeded' } });
    expect(error?.choices).toEqual([]);
    expect(finish?.error).toBeUndefined();
    expect(finish?.choices[0]?.finishReason).toBe('error');
    expect(usage?.usage?.completionTokens).toBe(2);
    expect(chunks.filter((c) => c.choices[0]?.delta.content)).toHaveLength(2);
  });
});

describe.each([
  ['no-choices', 'usage on its own chunk with choices: []'],
  ['empty-choice', 'usage on its own chunk with one empty choice'],
  ['with-finish', 'usage on the finish chunk'],
] as const)('@openrouter/sdk with usageChunk %s (%s)', (usageChunk, _shape) => {
  const options: SimulatorOptions = { seed: 'compat-shapes', stream: { usageChunk } };
  const sim = useSimulator(options);
  const chatRequest = { model: MODEL, messages: [{ role: 'user' as const, content: 'Usage shapes, please' }] };

  it('streams to completion with exactly one usage, matching the non-streamed usage', async () => {
    const whole = asResult(await sdk(sim()).chat.send({ chatRequest }));
    const chunks = await collect(await sdk(sim()).chat.send({ chatRequest: { ...chatRequest, stream: true } }));
    expect(text(chunks)).toBe(whole.choices[0]!.message.content);
    const usages = chunks.filter((c) => c.usage);
    expect(usages).toHaveLength(1);
    expect(usages[0]!.usage).toEqual(whole.usage);
    const last = chunks.at(-1)!;
    expect(last).toBe(usages[0]);
    const finishes = chunks.filter((c) => c.choices[0]?.finishReason);
    expect(finishes.map((c) => c.choices[0]!.finishReason)).toEqual(['stop']);
    if (usageChunk === 'no-choices') expect(last.choices).toEqual([]);
    if (usageChunk === 'empty-choice') {
      expect(last.choices).toHaveLength(1);
      expect(last.choices[0]).toMatchObject({ finishReason: null, delta: { content: '' } });
    }
    if (usageChunk === 'with-finish') expect(last.choices[0]?.finishReason).toBe('stop');
  });

  it('streams both in-band error forms through the SDK', async () => {
    for (const form of ['single', 'three-chunk'] as const) {
      const chunks = await collect(
        await sdk(sim()).chat.send(
          { chatRequest: { ...chatRequest, stream: true } },
          fault({ kind: 'mid-stream-error', afterChunks: 1, form }),
        ),
      );
      const errors = chunks.filter((c) => c.error);
      expect(errors).toHaveLength(1);
      expect(errors[0]!.error?.code).toBe(502);
      expect(chunks.some((c) => c.choices[0]?.finishReason === 'error')).toBe(true);
      expect(chunks.filter((c) => c.usage)).toHaveLength(form === 'three-chunk' ? 1 : 0);
    }
  });
});
