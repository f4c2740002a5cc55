import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { startSimulator } from '../src/index.js';
import { chat, KEY, useSimulator, WEATHER_PARAMETERS } from './helpers.js';

const weatherTool = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Current weather for a city',
    parameters: WEATHER_PARAMETERS,
  },
};
const timeTool = {
  type: 'function',
  function: {
    name: 'get_time',
    parameters: { type: 'object', properties: { timezone: { type: 'string' } }, required: ['timezone'] },
  },
};

describe('chat completions', () => {
  const sim = useSimulator({ seed: 7, cacheMinTokens: 32 });

  it('returns the full OpenRouter response shape', async () => {
    const { status, headers, body } = await chat(sim(), {});
    expect(status).toBe(200);
    expect(body.id).toMatch(/^gen-\d{10}-[A-Za-z0-9]{20}$/);
    expect(headers.get('x-generation-id')).toBe(body.id);
    expect(body.object).toBe('chat.completion');
    expect(body.model).toBe('openai/gpt-4o-mini');
    expect(typeof body.provider).toBe('string');
    expect(body.system_fingerprint).toBeNull();
    const choice = body.choices[0];
    expect(choice).toMatchObject({ index: 0, logprobs: null, finish_reason: 'stop', native_finish_reason: 'stop' });
    expect(choice.message).toMatchObject({ role: 'assistant', refusal: null, reasoning: null });
    expect(choice.message.content.length).toBeGreaterThan(10);
    const usage = body.usage;
    expect(usage.total_tokens).toBe(usage.prompt_tokens + usage.completion_tokens);
    expect(usage.is_byok).toBe(false);
    expect(usage.prompt_tokens_details).toMatchObject({ cached_tokens: 0, cache_write_tokens: 0 });
    expect(usage.completion_tokens_details).toMatchObject({ reasoning_tokens: 0 });
    expect(usage.cost_details.upstream_inference_cost).toBeNull();
  });

  it('prices usage exactly from the serving endpoint', async () => {
    const { body } = await chat(sim(), {});
    const endpoints = await (await fetch(`${sim().url}/models/openai/gpt-4o-mini/endpoints`)).json();
    const endpoint = endpoints.data.endpoints.find((e: any) => e.provider_name === body.provider);
    const expected =
      body.usage.prompt_tokens * Number(endpoint.pricing.prompt) +
      body.usage.completion_tokens * Number(endpoint.pricing.completion);
    expect(body.usage.cost).toBeCloseTo(expected, 12);
    expect(body.usage.cost).toBeCloseTo(
      body.usage.cost_details.upstream_inference_prompt_cost +
        body.usage.cost_details.upstream_inference_completions_cost,
      12,
    );
  });

  it('is deterministic for the same seed, clock and requests', async () => {
    const now = () => 1_780_000_000_000;
    const run = async (seed: number) => {
      const s = await startSimulator({ seed, now });
      try {
        const bodies = [];
        for (const content of ['one', 'two', 'three']) {
          bodies.push(await (await chat(s, { messages: [{ role: 'user', content }] })).body);
        }
        return bodies;
      } finally {
        await s.close();
      }
    };
    const [a, b, c] = [await run(3), await run(3), await run(4)];
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    expect(a.map((x) => x.choices[0].message.content)).not.toEqual(c.map((x) => x.choices[0].message.content));
  });

  it('answers the same request with the same text, and a different request differently', async () => {
    const a = await chat(sim(), { messages: [{ role: 'user', content: 'Tell me about caching' }] });
    const b = await chat(sim(), { messages: [{ role: 'user', content: 'Tell me about caching' }] });
    const c = await chat(sim(), { messages: [{ role: 'user', content: 'Tell me about retries' }] });
    expect(a.body.choices[0].message.content).toBe(b.body.choices[0].message.content);
    expect(a.body.id).not.toBe(b.body.id);
    expect(c.body.choices[0].message.content).not.toBe(a.body.choices[0].message.content);
  });

  it('echoes "Say exactly:" prompts, unicode included', async () => {
    const text = 'Grüße 👋🏽 — 你好!';
    const { body } = await chat(sim(), { messages: [{ role: 'user', content: `Say exactly: ${text}` }] });
    expect(body.choices[0].message.content).toBe(text);
  });

  it('stops at max_tokens with finish_reason length', async () => {
    const { body } = await chat(sim(), { max_tokens: 3 });
    expect(body.usage.completion_tokens).toBe(3);
    expect(body.choices[0].finish_reason).toBe('length');
    const claude = await chat(sim(), { model: 'anthropic/claude-3.5-sonnet', max_tokens: 3 });
    expect(claude.body.choices[0].native_finish_reason).toBe('max_tokens');
  });

  it('honours stop sequences', async () => {
    const { body } = await chat(sim(), {
      messages: [{ role: 'user', content: 'Say exactly: alpha beta STOP gamma' }],
      stop: ['STOP'],
    });
    expect(body.choices[0].message.content).toBe('alpha beta ');
    expect(body.choices[0].finish_reason).toBe('stop');
  });

  it('calls a tool with arguments valid against its schema', async () => {
    const ajv = new Ajv({ strict: false });
    for (const content of ['What is the weather in Paris?', 'Use get_weather please', 'anything at all']) {
      const { body } = await chat(sim(), { messages: [{ role: 'user', content }], tools: [weatherTool] });
      const message = body.choices[0].message;
      expect(body.choices[0].finish_reason).toBe('tool_calls');
      expect(message.tool_calls).toHaveLength(1);
      const call = message.tool_calls[0];
      expect(call).toMatchObject({ type: 'function', function: { name: 'get_weather' } });
      expect(call.id).toMatch(/^call_/);
      expect(ajv.validate(weatherTool.function.parameters, JSON.parse(call.function.arguments))).toBe(true);
    }
  });

  it('calls the tools the user names in parallel, or one per turn when parallel calls are off', async () => {
    const messages = [{ role: 'user', content: 'First get_weather for Oslo, then get_time there.' }];
    const parallel = await chat(sim(), { messages, tools: [weatherTool, timeTool] });
    expect(parallel.body.choices[0].message.tool_calls.map((c: any) => c.function.name)).toEqual([
      'get_weather',
      'get_time',
    ]);
    const serial = await chat(sim(), { messages, tools: [weatherTool, timeTool], parallel_tool_calls: false });
    const first = serial.body.choices[0].message;
    expect(first.tool_calls.map((c: any) => c.function.name)).toEqual(['get_weather']);
    const next = await chat(sim(), {
      messages: [...messages, first, { role: 'tool', tool_call_id: first.tool_calls[0].id, content: '{"temp": 4}' }],
      tools: [weatherTool, timeTool],
      parallel_tool_calls: false,
    });
    expect(next.body.choices[0].message.tool_calls.map((c: any) => c.function.name)).toEqual(['get_time']);
  });

  it('answers in text after tool results, mentioning them', async () => {
    const first = await chat(sim(), {
      messages: [{ role: 'user', content: 'weather in Rome?' }],
      tools: [weatherTool],
    });
    const assistant = first.body.choices[0].message;
    const { body } = await chat(sim(), {
      messages: [
        { role: 'user', content: 'weather in Rome?' },
        assistant,
        { role: 'tool', tool_call_id: assistant.tool_calls[0].id, content: 'sunny, 24C' },
      ],
      tools: [weatherTool],
    });
    expect(body.choices[0].finish_reason).toBe('stop');
    expect(body.choices[0].message.content).toContain('sunny, 24C');
    expect(body.choices[0].message.tool_calls).toBeUndefined();
  });

  it('rejects a tool result that answers no earlier tool call, as providers do', async () => {
    const res = await chat(sim(), {
      messages: [
        { role: 'user', content: 'hi' },
        { role: 'tool', tool_call_id: 'call_missing', content: 'orphan' },
      ],
      tools: [weatherTool],
    });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toBe('Provider returned error');
    expect(res.body.error.metadata.raw).toMatch(/must be a response to a preceeding message with 'tool_calls'/);
  });

  it('respects tool_choice none and a forced function', async () => {
    const none = await chat(sim(), { tools: [weatherTool, timeTool], tool_choice: 'none' });
    expect(none.body.choices[0].message.tool_calls).toBeUndefined();
    const forced = await chat(sim(), {
      tools: [weatherTool, timeTool],
      tool_choice: { type: 'function', function: { name: 'get_time' } },
    });
    expect(forced.body.choices[0].message.tool_calls[0].function.name).toBe('get_time');
  });

  it('uses Anthropic-style ids and finish reasons for Anthropic models', async () => {
    const { body } = await chat(sim(), { model: 'anthropic/claude-3.5-sonnet', tools: [weatherTool] });
    expect(body.choices[0].message.tool_calls[0].id).toMatch(/^toolu_01/);
    expect(body.choices[0].native_finish_reason).toBe('tool_use');
  });

  it('returns output valid against a json_schema response format', async () => {
    const schema = {
      type: 'object',
      properties: {
        title: { type: 'string' },
        rating: { type: 'integer', minimum: 1, maximum: 5 },
        tags: { type: 'array', items: { type: 'string' }, minItems: 1 },
      },
      required: ['title', 'rating', 'tags'],
      additionalProperties: false,
    };
    const { body } = await chat(sim(), {
      response_format: { type: 'json_schema', json_schema: { name: 'review', strict: true, schema } },
    });
    const parsed = JSON.parse(body.choices[0].message.content);
    expect(new Ajv({ strict: false }).validate(schema, parsed)).toBe(true);
    const object = await chat(sim(), { response_format: { type: 'json_object' } });
    expect(typeof JSON.parse(object.body.choices[0].message.content)).toBe('object');
  });

  it('reasons when asked, in the family format, and hides it with exclude', async () => {
    const asked = await chat(sim(), { model: 'anthropic/claude-sonnet-4.5', reasoning: { max_tokens: 20 } });
    const message = asked.body.choices[0].message;
    expect(message.reasoning.length).toBeGreaterThan(0);
    expect(message.reasoning_details[0]).toMatchObject({ type: 'reasoning.text', format: 'anthropic-claude-v1' });
    expect(message.reasoning_details[0].signature).toMatch(/^Er/);
    expect(asked.body.usage.completion_tokens_details.reasoning_tokens).toBeGreaterThan(0);
    const hidden = await chat(sim(), {
      model: 'anthropic/claude-sonnet-4.5',
      reasoning: { effort: 'high', exclude: true },
    });
    expect(hidden.body.choices[0].message.reasoning).toBeNull();
    expect(hidden.body.choices[0].message.reasoning_details).toBeUndefined();
    expect(hidden.body.usage.completion_tokens_details.reasoning_tokens).toBeGreaterThan(0);
    const plain = await chat(sim(), { model: 'anthropic/claude-3.5-sonnet', reasoning: { effort: 'high' } });
    expect(plain.body.usage.completion_tokens_details.reasoning_tokens).toBe(0);
  });

  it('refuses to switch off mandatory reasoning', async () => {
    const { status, body } = await chat(sim(), { model: 'openai/o3', reasoning: { effort: 'none' } });
    expect(status).toBe(400);
    expect(body.error.message).toMatch(/mandatory/);
  });

  it('verifies replayed Anthropic reasoning signatures', async () => {
    const first = await chat(sim(), { model: 'anthropic/claude-sonnet-4.5', reasoning: { max_tokens: 16 } });
    const assistant = first.body.choices[0].message;
    const follow = (details: unknown) =>
      chat(sim(), {
        model: 'anthropic/claude-sonnet-4.5',
        reasoning: { max_tokens: 16 },
        messages: [
          { role: 'user', content: 'Hello, world!' },
          { role: 'assistant', content: assistant.content, reasoning_details: details },
          { role: 'user', content: 'And now?' },
        ],
      });
    expect((await follow(assistant.reasoning_details)).status).toBe(200);
    const tampered = structuredClone(assistant.reasoning_details);
    tampered[0].text += ' (edited)';
    const bad = await follow(tampered);
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toBe('Provider returned error');
    expect(bad.body.error.metadata.raw).toMatch(/Invalid `signature`/);
  });

  it('refuses an Anthropic thinking budget that does not fit under max_tokens, as Anthropic does', async () => {
    const ask = (max_tokens: number, budget: number) =>
      chat(sim(), { model: 'anthropic/claude-sonnet-4.5', max_tokens, reasoning: { max_tokens: budget } });
    const bad = await ask(2000, 2000);
    expect(bad.status).toBe(400);
    expect(bad.body.error.metadata.raw).toMatch(/`max_tokens` must be greater than `thinking.budget_tokens`/);
    // The budget is at least 1024 whatever is asked.
    expect((await ask(1000, 16)).status).toBe(400);
    expect((await ask(2000, 1500)).status).toBe(200);
    // Only Anthropic holds to it.
    const other = await chat(sim(), {
      model: 'google/gemini-2.5-pro',
      max_tokens: 500,
      reasoning: { max_tokens: 800 },
    });
    expect(other.status).toBe(200);
  });

  it('requires Gemini 3 thought signatures on replayed tool calls', async () => {
    const first = await chat(sim(), { model: 'google/gemini-3-pro-preview', tools: [weatherTool] });
    const assistant = first.body.choices[0].message;
    expect(assistant.reasoning_details.some((d: any) => d.type === 'reasoning.encrypted')).toBe(true);
    const turn = (message: Record<string, unknown>) =>
      chat(sim(), {
        model: 'google/gemini-3-pro-preview',
        tools: [weatherTool],
        messages: [
          { role: 'user', content: 'Hello, world!' },
          message,
          { role: 'tool', tool_call_id: assistant.tool_calls[0].id, content: 'rainy' },
        ],
      });
    expect((await turn(assistant)).status).toBe(200);
    const { reasoning_details, ...stripped } = assistant;
    const bad = await turn(stripped);
    expect(bad.status).toBe(400);
    expect(bad.body.error.metadata.raw).toMatch(/thought_signature/);
  });

  it('reports cached tokens when an implicit-caching prompt prefix repeats', async () => {
    const system = { role: 'system', content: 'You are a careful assistant. '.repeat(20) };
    const turn1 = [system, { role: 'user', content: 'first question' }];
    const first = await chat(sim(), { model: 'openai/gpt-4o', messages: turn1 });
    expect(first.body.usage.prompt_tokens_details.cached_tokens).toBe(0);
    // Sticky routing keeps the conversation on the provider whose cache is warm.
    const turn2 = [...turn1, first.body.choices[0].message, { role: 'user', content: 'second question' }];
    const second = await chat(sim(), { model: 'openai/gpt-4o', messages: turn2 });
    expect(second.body.provider).toBe(first.body.provider);
    const cached = second.body.usage.prompt_tokens_details.cached_tokens;
    expect(cached).toBeGreaterThan(0);
    expect(cached).toBeLessThan(second.body.usage.prompt_tokens);
    // Cached tokens are billed at the cache-read price.
    const endpoints = await (await fetch(`${sim().url}/models/openai/gpt-4o/endpoints`)).json();
    const price = endpoints.data.endpoints.find((e: any) => e.provider_name === second.body.provider).pricing;
    const usage = second.body.usage;
    expect(usage.cost_details.upstream_inference_prompt_cost).toBeCloseTo(
      (usage.prompt_tokens - cached) * Number(price.prompt) + cached * Number(price.input_cache_read),
      12,
    );
  });

  it('writes then reads the cache at explicit cache_control breakpoints', async () => {
    const system = {
      role: 'system',
      content: [{ type: 'text', text: 'Long reference manual. '.repeat(30), cache_control: { type: 'ephemeral' } }],
    };
    const ask = (q: string) =>
      chat(sim(), { model: 'anthropic/claude-3.5-sonnet', messages: [system, { role: 'user', content: q }] });
    const first = await ask('question one');
    expect(first.body.usage.prompt_tokens_details.cache_write_tokens).toBeGreaterThan(0);
    expect(first.body.usage.prompt_tokens_details.cached_tokens).toBe(0);
    const second = await ask('question two');
    expect(second.body.usage.prompt_tokens_details.cached_tokens).toBe(
      first.body.usage.prompt_tokens_details.cache_write_tokens,
    );
    expect(second.body.usage.prompt_tokens_details.cache_write_tokens).toBe(0);
  });

  it('serves free variants at zero cost', async () => {
    const { body } = await chat(sim(), { model: 'meta-llama/llama-3.3-70b-instruct:free' });
    expect(body.model).toBe('meta-llama/llama-3.3-70b-instruct:free');
    expect(body.usage.cost).toBe(0);
  });

  it('uses the default model when none is given and the first of models[] otherwise', async () => {
    const none = await chat(sim(), { model: undefined });
    expect(none.body.model).toBe('openai/gpt-4o-mini');
    const list = await chat(sim(), { model: undefined, models: ['anthropic/claude-3-haiku', 'openai/gpt-4o'] });
    expect(list.body.model).toBe('anthropic/claude-3-haiku');
  });

  it('keys answers per API key owner', async () => {
    const { body } = await chat(sim(), {}, { key: KEY });
    expect(body.choices[0].message.content.length).toBeGreaterThan(0);
  });
});
