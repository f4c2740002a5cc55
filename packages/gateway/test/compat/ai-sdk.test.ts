/**
 * The Vercel AI SDK (`ai`) with the official OpenRouter provider (`@openrouter/ai-sdk-provider`), unchanged, against
 * the gateway: text, streams, a multi-step tool loop, structured output and embeddings. The provider parses
 * responses and SSE chunks with its own zod schemas, so a shape it does not expect fails the call. Every request goes
 * over loopback to 127.0.0.1.
 */
import { createOpenRouter, type OpenRouterProvider } from '@openrouter/ai-sdk-provider';
import {
  APICallError,
  embed,
  embedMany,
  generateObject,
  generateText,
  jsonSchema,
  Output,
  stepCountIs,
  streamText,
} from 'ai';
import { describe, expect, it } from 'vitest';
import { type WeatherInput, weatherTool } from './ai-sdk-checks.js';
import { EMBEDDING_MODEL, MODEL, useCompatGateway } from './compat-gateway.js';

interface City {
  name: string;
  country: string;
  population: number;
  coastal: boolean;
}

const citySchema = jsonSchema<City>({
  type: 'object',
  properties: {
    name: { type: 'string', minLength: 1 },
    country: { type: 'string', minLength: 1 },
    population: { type: 'integer', minimum: 0 },
    coastal: { type: 'boolean' },
  },
  required: ['name', 'country', 'population', 'coastal'],
  additionalProperties: false,
});

const { gateway, simulator } = useCompatGateway();

function openrouter(baseURL = gateway().baseURL): OpenRouterProvider {
  return createOpenRouter({ baseURL, apiKey: 'x' });
}

function expectCity(value: City): void {
  expect(Object.keys(value).sort()).toEqual(['coastal', 'country', 'name', 'population']);
  expect(typeof value.name).toBe('string');
  expect(value.name.length).toBeGreaterThan(0);
  expect(typeof value.country).toBe('string');
  expect(Number.isInteger(value.population)).toBe(true);
  expect(value.population).toBeGreaterThanOrEqual(0);
  expect(typeof value.coastal).toBe('boolean');
}

describe('AI SDK + @openrouter/ai-sdk-provider through the gateway', () => {
  it('generateText: text, finish reason, usage and the served model', async () => {
    const result = await generateText({
      model: openrouter().chat(MODEL),
      prompt: 'Say exactly: Hello through the gateway ✓',
      maxRetries: 0,
    });
    expect(result.text).toBe('Hello through the gateway ✓');
    expect(result.finishReason).toBe('stop');
    expect(result.response.modelId).toBe(MODEL);
    expect(result.response.id).toMatch(/^gen-/);
    expect(result.usage.inputTokens).toBeGreaterThan(0);
    expect(result.usage.outputTokens).toBeGreaterThan(0);
    expect(result.usage.totalTokens).toBe(result.usage.inputTokens! + result.usage.outputTokens!);
  });

  it('streamText: the text stream read to the end is the generated text; usage arrives on finish', async () => {
    const prompt = 'Tell me about streams';
    const whole = await generateText({ model: openrouter().chat(MODEL), prompt, maxRetries: 0 });
    const errors: unknown[] = [];
    let finished: { finishReason: string; totalUsage: { inputTokens?: number; outputTokens?: number } } | undefined;
    const result = streamText({
      model: openrouter().chat(MODEL),
      prompt,
      maxRetries: 0,
      onError: ({ error }) => {
        errors.push(error);
      },
      onFinish: (event) => {
        finished = event;
      },
    });
    const parts: string[] = [];
    for await (const part of result.textStream) parts.push(part);
    expect(errors).toEqual([]);
    expect(parts.length).toBeGreaterThan(3);
    expect(parts.join('')).toBe(whole.text);
    expect(await result.text).toBe(whole.text);
    expect(await result.finishReason).toBe('stop');
    const usage = await result.usage;
    expect(usage.inputTokens).toBe(whole.usage.inputTokens);
    expect(usage.outputTokens).toBe(whole.usage.outputTokens);
    expect(usage.totalTokens).toBe(usage.inputTokens! + usage.outputTokens!);
    expect(finished?.finishReason).toBe('stop');
    expect(finished?.totalUsage).toMatchObject({ inputTokens: usage.inputTokens, outputTokens: usage.outputTokens });
  });

  it('generateText with a tool and stopWhen: the tool executes and the final answer uses its result', async () => {
    const executed: WeatherInput[] = [];
    const result = await generateText({
      model: openrouter().chat(MODEL),
      tools: { get_weather: weatherTool(executed) },
      prompt: 'Use get_weather for Oslo.',
      stopWhen: stepCountIs(3),
      maxRetries: 0,
    });
    expect(executed).toHaveLength(1);
    expect(['celsius', 'fahrenheit']).toContain(executed[0]!.unit);
    expect(result.steps).toHaveLength(2);
    const [first, last] = result.steps;
    expect(first!.finishReason).toBe('tool-calls');
    expect(first!.toolCalls.map((c) => c.toolName)).toEqual(['get_weather']);
    expect(first!.toolCalls[0]!.toolCallId).toMatch(/^call_/);
    expect(first!.toolResults[0]!.output).toMatchObject({ conditions: 'sunny' });
    expect(last!.finishReason).toBe('stop');
    expect(result.finishReason).toBe('stop');
    // The simulated model quotes the tool result in its answer.
    expect(result.text).toContain('sunny');
    expect(result.totalUsage.inputTokens).toBe(first!.usage.inputTokens! + last!.usage.inputTokens!);
  });

  it('streamText with a tool and stopWhen: streamed tool call, execution, streamed final answer', async () => {
    const executed: WeatherInput[] = [];
    const errors: unknown[] = [];
    const result = streamText({
      model: openrouter().chat(MODEL),
      tools: { get_weather: weatherTool(executed) },
      prompt: 'Use get_weather for Lisbon.',
      stopWhen: stepCountIs(3),
      maxRetries: 0,
      onError: ({ error }) => {
        errors.push(error);
      },
    });
    let text = '';
    for await (const part of result.textStream) text += part;
    expect(errors).toEqual([]);
    expect(executed).toHaveLength(1);
    const steps = await result.steps;
    expect(steps.map((s) => s.finishReason)).toEqual(['tool-calls', 'stop']);
    expect(steps[0]!.toolCalls.map((c) => c.toolName)).toEqual(['get_weather']);
    expect(steps[0]!.toolCalls[0]!.input).toEqual(executed[0]);
    expect(text).toContain('sunny');
    expect(text).toBe(steps[1]!.text);
  });

  it('generateObject: JSON-schema structured output (response_format json_schema)', async () => {
    const result = await generateObject({
      model: openrouter().chat(MODEL),
      schema: citySchema,
      schemaName: 'city',
      prompt: 'Describe a European capital as JSON.',
      maxRetries: 0,
    });
    expectCity(result.object);
    expect(result.finishReason).toBe('stop');
    expect(result.usage.outputTokens).toBeGreaterThan(0);

    // The non-deprecated form in this `ai` major: generateText with an object output.
    const viaText = await generateText({
      model: openrouter().chat(MODEL),
      output: Output.object({ schema: citySchema, name: 'city' }),
      prompt: 'Describe a European capital as JSON.',
      maxRetries: 0,
    });
    expectCity(viaText.output);
  });

  it('embed and embedMany: vector dimensions and token usage', async () => {
    const model = openrouter().textEmbeddingModel(EMBEDDING_MODEL);
    const one = await embed({ model, value: 'the quick brown fox', maxRetries: 0 });
    expect(one.embedding).toHaveLength(1536);
    expect(Math.hypot(...one.embedding)).toBeCloseTo(1, 5);
    expect(one.usage.tokens).toBeGreaterThan(0);

    const many = await embedMany({ model, values: ['the quick brown fox', 'jumps over the lazy dog'], maxRetries: 0 });
    expect(many.embeddings).toHaveLength(2);
    for (const vector of many.embeddings) expect(vector).toHaveLength(1536);
    expect(many.embeddings[0]).toEqual(one.embedding);
    expect(many.usage.tokens).toBeGreaterThan(one.usage.tokens);
  });

  it('works the same with the /v1 base URL', async () => {
    const result = await generateText({
      model: openrouter(`${gateway().url}/v1`).chat(MODEL),
      prompt: 'Say exactly: via /v1',
      maxRetries: 0,
    });
    expect(result.text).toBe('via /v1');
  });

  it('streamText: an upstream error mid-stream reaches onError exactly once, after the text before it', async () => {
    const model = 'mistralai/mistral-7b-instruct';
    simulator().setRules([
      { match: { model, stream: true }, first: 1, fault: { kind: 'mid-stream-error', afterChunks: 2, form: 'single' } },
    ]);
    try {
      const errors: unknown[] = [];
      const result = streamText({
        model: openrouter().chat(model),
        prompt: 'A long story',
        maxRetries: 0,
        onError: ({ error }) => {
          errors.push(error);
        },
      });
      const types: string[] = [];
      let text = '';
      for await (const part of result.fullStream) {
        types.push(part.type);
        if (part.type === 'text-delta') text += part.text;
      }
      expect(types.filter((t) => t === 'text-delta')).toHaveLength(2);
      expect(text.length).toBeGreaterThan(0);
      expect(types.filter((t) => t === 'error')).toHaveLength(1);
      expect(errors).toHaveLength(1);
      expect(await result.finishReason).toBe('error');
    } finally {
      simulator().setRules([]);
    }
  });

  it('surfaces a gateway 400 as APICallError with the status, and retries a 429 by itself', async () => {
    const bad = await generateText({ model: openrouter().chat('nope/not-a-model'), prompt: 'hi', maxRetries: 0 }).catch(
      (e: unknown) => e,
    );
    expect(APICallError.isInstance(bad)).toBe(true);
    const error = bad as APICallError;
    expect(error.statusCode).toBe(400);
    expect(error.isRetryable).toBe(false);
    expect(error.message).toBe('nope/not-a-model is not a valid model ID');

    // The gateway retries the upstream 3 times, then answers 429; the AI SDK's own retry gets through.
    const model = 'mistralai/mistral-small-3.2-24b-instruct';
    simulator().setRules([{ match: { model }, first: 3, fault: { kind: 'http', status: 429 } }]);
    try {
      const result = await generateText({
        model: openrouter().chat(model),
        prompt: 'Say exactly: second time lucky',
        maxRetries: 1,
      });
      expect(result.text).toBe('second time lucky');
      expect(simulator().stats.models[model]).toMatchObject({ attempts: 4, served: 1 });
    } finally {
      simulator().setRules([]);
    }
  });
});
