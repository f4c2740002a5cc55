import { describe, expect, it } from 'vitest';
import { InvalidModelError, InvalidRequestError, MissingApiKeyError, Switchyard } from '../src/index.js';
import { clientFor, hello, KEY, useSimulator } from './helpers.js';

describe('Switchyard client against the simulator', () => {
  const sim = useSimulator({
    seed: 3,
    keys: [{ key: 'sk-or-v1-management-key', management: true }],
    generationDelayMs: 150,
  });

  it('chats and reports text, usage, cost, model, provider, generation id and timing', async () => {
    const sy = clientFor(sim(), { defaultModel: 'openai/gpt-4o-mini' });
    const r = await sy.chat({ messages: hello });
    expect(r.text.length).toBeGreaterThan(10);
    expect(r.message).toMatchObject({ role: 'assistant', content: r.text });
    expect(r.finishReason).toBe('stop');
    expect(r.nativeFinishReason).toBe('stop');
    expect(r.model).toBe('openai/gpt-4o-mini');
    expect(r.requestedModel).toBe('openai/gpt-4o-mini');
    expect(typeof r.provider).toBe('string');
    expect(r.generationId).toMatch(/^gen-/);
    expect(r.usage.totalTokens).toBe(r.usage.promptTokens + r.usage.completionTokens);
    expect(r.cost.source).toBe('reported');
    expect(r.cost.usd).toBeGreaterThan(0);
    expect(r.timing.totalMs).toBeGreaterThanOrEqual(0);
    expect(r.raw.id).toBe(r.generationId);
    expect(r.toolCalls).toEqual([]);
  });

  it('passes any OpenRouter parameter through', async () => {
    const sy = clientFor(sim());
    const r = await sy.chat({
      model: 'meta-llama/llama-3.3-70b-instruct',
      messages: [{ role: 'user', content: 'Say exactly: routed' }],
      provider: { order: ['groq'], allow_fallbacks: false },
      some_future_parameter: { anything: true },
    });
    expect(r.text).toBe('routed');
    expect(r.provider).toBe('Groq');
  });

  it('returns tool calls with parsed arguments and a patched finish reason', async () => {
    const sy = clientFor(sim());
    const r = await sy.chat({
      model: 'openai/gpt-4o',
      messages: [{ role: 'user', content: 'call get_weather for Paris' }],
      tools: [
        {
          type: 'function',
          function: {
            name: 'get_weather',
            parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
          },
        },
      ],
    });
    expect(r.finishReason).toBe('tool_calls');
    expect(r.toolCalls).toHaveLength(1);
    expect(r.toolCalls[0]).toMatchObject({ name: 'get_weather', id: expect.stringMatching(/^call_/) });
    expect(typeof (r.toolCalls[0]!.input as { city: string }).city).toBe('string');
    expect(r.message.tool_calls?.[0]?.function.arguments).toBe(r.toolCalls[0]?.arguments);
  });

  it('keeps reasoning and reasoning_details for replay', async () => {
    const sy = clientFor(sim());
    const r = await sy.chat({ model: 'anthropic/claude-sonnet-4.5', messages: hello, reasoning: { max_tokens: 16 } });
    expect(r.reasoning?.length).toBeGreaterThan(0);
    expect(r.reasoningDetails?.[0]).toMatchObject({ type: 'reasoning.text', signature: expect.any(String) });
    expect(r.usage.reasoningTokens).toBeGreaterThan(0);
    const next = await sy.chat({
      model: 'anthropic/claude-sonnet-4.5',
      reasoning: { max_tokens: 16 },
      messages: [...hello, r.message, { role: 'user', content: 'and then?' }],
    });
    expect(next.text.length).toBeGreaterThan(0);
  });

  it('embeds, decoding base64 when asked', async () => {
    const sy = clientFor(sim());
    const floats = await sy.embed({ model: 'openai/text-embedding-3-small', input: ['a', 'b'] });
    expect(floats.embeddings).toHaveLength(2);
    expect(floats.embeddings[0]).toHaveLength(1536);
    expect(floats.promptTokens).toBe(2);
    expect(floats.cost.usd).toBeGreaterThan(0);
    const b64 = await sy.embed({
      model: 'openai/text-embedding-3-small',
      input: ['a', 'b'],
      encoding_format: 'base64',
    });
    expect(b64.embeddings[0]?.[0]).toBeCloseTo(floats.embeddings[0]?.[0] ?? 0, 6);
    expect(await sy.getEmbedding('a')).toEqual(floats.embeddings[0]);
  });

  it('lists and looks up models, and their endpoints', async () => {
    const sy = clientFor(sim());
    const models = await sy.models.list();
    expect(models.length).toBeGreaterThan(60);
    expect(models.some((m) => m.architecture.output_modalities.includes('embeddings'))).toBe(true);
    const model = await sy.models.get('openai/gpt-4o-mini');
    expect(model.pricing.prompt).toBe('0.00000015');
    expect((await sy.models.get('meta-llama/llama-3.3-70b-instruct:nitro')).id).toBe(
      'meta-llama/llama-3.3-70b-instruct',
    );
    await expect(sy.models.get('openai/nope')).rejects.toBeInstanceOf(InvalidModelError);
    const endpoints = await sy.models.endpoints('meta-llama/llama-3.3-70b-instruct');
    expect(endpoints.endpoints.length).toBeGreaterThan(1);
  });

  it('lists models without a key', async () => {
    const sy = new Switchyard({ baseURL: sim().url, env: {} });
    expect((await sy.models.list()).length).toBeGreaterThan(60);
  });

  it('reads the key, credits and a generation (waiting out the 404 window)', async () => {
    const sy = clientFor(sim());
    const key = await sy.key();
    expect(key).toMatchObject({ limit: null, is_free_tier: false });
    const r = await sy.chat({ messages: hello });
    const generation = await sy.generation(r.generationId);
    expect(generation).toMatchObject({
      id: r.generationId,
      tokens_completion: r.usage.completionTokens,
      total_cost: r.cost.usd,
    });
    const admin = clientFor(sim(), { apiKey: 'sk-or-v1-management-key' });
    expect((await admin.credits()).total_credits).toBe(1000);
  });

  it('offers the prompt conveniences', async () => {
    const sy = clientFor(sim(), { defaultModel: 'openai/gpt-4o-mini' });
    expect(await sy.generate('Say exactly: one')).toBe('one');
    expect(await sy.generate('Say exactly: two', { system: 'Be brief', temperature: 0.2 })).toBe('two');
    const history = [
      { role: 'user' as const, content: 'hi' },
      { role: 'assistant' as const, content: 'hello' },
    ];
    expect(await sy.generateWithContext('Say exactly: three', history)).toBe('three');
    let streamed = '';
    for await (const piece of sy.generateStream('Say exactly: four five six')) streamed += piece;
    expect(streamed).toBe('four five six');
  });

  it('refuses bad input before any network call', async () => {
    const before = sim().stats.requests;
    const sy = clientFor(sim());
    await expect(sy.chat({ model: 'openai/gpt-4o', messages: [] })).rejects.toThrow(
      /messages must be a non-empty array/,
    );
    await expect(sy.chat({ model: 'openai/gpt-4o', messages: hello, temperature: 3 })).rejects.toThrow(
      /temperature 3: must be between 0 and 2/,
    );
    await expect(sy.chat({ model: 'openai/gpt-4o', messages: hello, max_tokens: 0 })).rejects.toBeInstanceOf(
      InvalidRequestError,
    );
    await expect(sy.chat({ model: 'gpt-4o', messages: hello })).rejects.toThrow(
      /OpenRouter ids include the author, e.g. "openai\/gpt-4o"/,
    );
    expect(sim().stats.requests).toBe(before);
  });

  it('says which setting to fill in when the key is missing, without a request', async () => {
    const before = sim().stats.requests;
    const sy = new Switchyard({ baseURL: sim().url, env: {} });
    const error = await sy.chat({ model: 'openai/gpt-4o', messages: hello }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MissingApiKeyError);
    expect((error as Error).message).toMatch(/OPENROUTER_API_KEY/);
    expect((error as Error).message).toMatch(/DEV_MODE=true/);
    expect(sim().stats.requests).toBe(before);
  });

  it('resolves aliases and applies per-model routing from config', async () => {
    const sy = clientFor(sim(), {
      aliases: { fast: 'meta-llama/llama-3.3-70b-instruct' },
      models: {
        cheap: {
          model: 'meta-llama/llama-3.3-70b-instruct',
          routing: ['cerebras'],
          providerPreferences: { allow_fallbacks: false },
        },
      },
    });
    const viaAlias = await sy.chat({ model: 'fast', messages: [{ role: 'user', content: 'Say exactly: alias' }] });
    expect(viaAlias.model).toBe('meta-llama/llama-3.3-70b-instruct');
    const routed = await sy.chat({ model: 'cheap', messages: hello });
    expect(routed.provider).toBe('Cerebras');
  });

  it('applies configured request defaults under explicit values', async () => {
    const sy = clientFor(sim(), { defaults: { max_tokens: 3 } });
    const capped = await sy.chat({ model: 'openai/gpt-4o', messages: hello });
    expect(capped.usage.completionTokens).toBe(3);
    expect(capped.finishReason).toBe('length');
    const explicit = await sy.chat({ model: 'openai/gpt-4o', messages: hello, max_tokens: 5 });
    expect(explicit.usage.completionTokens).toBe(5);
  });

  it('sends attribution headers', async () => {
    const seen: Record<string, string> = {};
    const sy = clientFor(sim(), {
      appUrl: 'https://example.com/app',
      appName: 'My App',
      fetch: async (input, init) => {
        for (const [k, v] of Object.entries((init?.headers ?? {}) as Record<string, string>)) seen[k] = v;
        return fetch(input, init);
      },
    });
    await sy.chat({ model: 'openai/gpt-4o-mini', messages: hello });
    expect(seen['http-referer']).toBe('https://example.com/app');
    expect(seen['x-openrouter-title']).toBe('My App');
    expect(seen['x-title']).toBe('My App');
    expect(seen.authorization).toBe(`Bearer ${KEY}`);
  });
});
