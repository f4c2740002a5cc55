import { describe, expect, it } from 'vitest';
import { startSimulator } from '../src/index.js';
import { chat, useSimulator } from './helpers.js';

const LLAMA = 'meta-llama/llama-3.3-70b-instruct'; // DeepInfra, Groq, Cerebras (64k context), Novita (unstable)
const fault = (value: unknown) => ({ headers: { 'x-simulator-fault': JSON.stringify(value) } });

describe('provider routing', () => {
  const sim = useSimulator({ seed: 9 });

  it('rejects unknown keys inside provider with the observed message', async () => {
    const res = await chat(sim(), { provider: { Require_Parameters: true, order: ['openai'] } });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toBe("Unrecognized key(s) in object: 'Require_Parameters'");
  });

  it('follows order, by slug or display name', async () => {
    for (const name of ['cerebras', 'Cerebras', 'groq']) {
      const { body } = await chat(sim(), { model: LLAMA, provider: { order: [name] } });
      expect(body.provider.toLowerCase()).toBe(name.toLowerCase());
    }
  });

  it('sorts by price, throughput and latency', async () => {
    expect((await chat(sim(), { model: LLAMA, provider: { sort: 'price' } })).body.provider).toBe('DeepInfra');
    expect((await chat(sim(), { model: LLAMA, provider: { sort: 'throughput' } })).body.provider).toBe('Cerebras');
    expect(
      (await chat(sim(), { model: LLAMA, provider: { sort: { by: 'latency', partition: 'model' } } })).body.provider,
    ).toBe('Groq');
  });

  it('applies the :nitro and :floor variants as sorts', async () => {
    expect((await chat(sim(), { model: `${LLAMA}:nitro` })).body.provider).toBe('Cerebras');
    const floor = await chat(sim(), { model: `${LLAMA}:floor` });
    expect(floor.body.provider).toBe('DeepInfra');
    expect(floor.body.model).toBe(LLAMA);
  });

  it('load-balances toward cheap, stable providers by default', async () => {
    const seen: Record<string, number> = {};
    for (let i = 0; i < 40; i++) {
      const { body } = await chat(sim(), { model: LLAMA, messages: [{ role: 'user', content: `question ${i}` }] });
      seen[body.provider] = (seen[body.provider] ?? 0) + 1;
    }
    // DeepInfra is the cheapest stable endpoint: inverse-square-of-price weighting makes it the usual choice;
    // Novita's 70% uptime puts it last.
    expect(seen.DeepInfra).toBeGreaterThan(20);
    expect(seen.Novita ?? 0).toBe(0);
  });

  it('filters with only, ignore and quantizations', async () => {
    expect((await chat(sim(), { model: LLAMA, provider: { only: ['groq'] } })).body.provider).toBe('Groq');
    const ignored = await chat(sim(), { model: LLAMA, provider: { ignore: ['deepinfra', 'groq', 'cerebras'] } });
    expect(ignored.body.provider).toBe('Novita');
    expect((await chat(sim(), { model: LLAMA, provider: { quantizations: ['bf16'] } })).body.provider).toBe('Novita');
    const none = await chat(sim(), { model: LLAMA, provider: { only: ['anthropic'] } });
    expect(none.status).toBe(404);
    expect(none.body.error.message).toMatch(/^No allowed providers are available for the selected model/);
  });

  it('drops providers above max_price (per million tokens), numbers or strings', async () => {
    const cheap = await chat(sim(), {
      model: LLAMA,
      provider: { max_price: { prompt: 0.12, completion: '0.5' }, sort: 'throughput' },
    });
    expect(cheap.body.provider).toBe('DeepInfra');
    const impossible = await chat(sim(), { model: LLAMA, provider: { max_price: { prompt: 0.01 } } });
    expect(impossible.status).toBe(404);
  });

  it('excludes providers that train on data when data_collection is deny', async () => {
    const allowed = await chat(sim(), {
      model: 'meta-llama/llama-3.2-3b-instruct:free',
      provider: { order: ['chutes'] },
    });
    expect(allowed.body.provider).toBe('Chutes');
    const denied = await chat(sim(), {
      model: 'meta-llama/llama-3.2-3b-instruct:free',
      provider: { data_collection: 'deny' },
    });
    expect(denied.status).toBe(404);
    expect(denied.body.error.message).toMatch(/data policy/);
  });

  it('routes tool requests only to providers that support tools', async () => {
    const tools = [{ type: 'function', function: { name: 'f', parameters: { type: 'object', properties: {} } } }];
    const res = await chat(sim(), {
      model: 'meta-llama/llama-3.1-8b-instruct',
      tools,
      provider: { order: ['novita'] },
    });
    expect(res.status).toBe(200);
    expect(res.body.provider).not.toBe('Novita');
    const only = await chat(sim(), {
      model: 'meta-llama/llama-3.1-8b-instruct',
      tools,
      provider: { only: ['novita'] },
    });
    expect(only.status).toBe(404);
    expect(only.body.error.message).toMatch(/^No endpoints found that support tool use/);
  });

  it('requires every sent parameter with require_parameters', async () => {
    const body = { model: 'anthropic/claude-3.5-sonnet', response_format: { type: 'json_object' } };
    expect((await chat(sim(), body)).status).toBe(200);
    const strict = await chat(sim(), { ...body, provider: { require_parameters: true } });
    expect(strict.status).toBe(404);
    expect(strict.body.error.message).toMatch(/^No endpoints found that can handle the requested parameters/);
  });

  it('skips endpoints whose context is too small, and errors when none fits', async () => {
    const long = 'abcd'.repeat(70_000); // ≈ 70k tokens: fits 131k endpoints, not Cerebras' 64k
    const res = await chat(sim(), {
      model: LLAMA,
      messages: [{ role: 'user', content: long }],
      provider: { order: ['cerebras'] },
    });
    expect(res.status).toBe(200);
    expect(res.body.provider).not.toBe('Cerebras');
    const tooLong = 'abcd'.repeat(140_000);
    const err = await chat(sim(), { model: LLAMA, messages: [{ role: 'user', content: tooLong }] });
    expect(err.status).toBe(400);
    expect(err.body.error.message).toMatch(/maximum context length is 131072 tokens/);
  });

  it('compresses the middle of the conversation with middle-out instead of failing', async () => {
    const turn = 'abcd'.repeat(20_000);
    const messages = [
      { role: 'system', content: 'be brief' },
      ...Array.from({ length: 9 }, (_, i) => ({ role: i % 2 ? 'assistant' : 'user', content: turn })),
    ];
    const plain = await chat(sim(), { model: LLAMA, messages });
    expect(plain.status).toBe(400);
    const compressed = await chat(sim(), { model: LLAMA, messages, transforms: ['middle-out'] });
    expect(compressed.status).toBe(200);
    expect(compressed.body.usage.prompt_tokens).toBeLessThanOrEqual(131_072);
  });

  it('falls back across providers on 5xx and 429, transparently', async () => {
    const res = await chat(
      sim(),
      { model: LLAMA, provider: { order: ['groq', 'cerebras'] } },
      fault({ kind: 'http', status: 502, provider: 'Groq' }),
    );
    expect(res.status).toBe(200);
    expect(res.body.provider).toBe('Cerebras');
  });

  it('returns the upstream error when provider fallbacks are off', async () => {
    const res = await chat(
      sim(),
      { model: LLAMA, provider: { order: ['groq', 'cerebras'], allow_fallbacks: false } },
      fault({ kind: 'http', status: 429, provider: 'groq', retryAfter: 3 }),
    );
    expect(res.status).toBe(429);
    expect(res.body.error.message).toBe('Provider returned error');
    expect(res.body.error.metadata.provider_name).toBe('Groq');
    expect(res.body.error.metadata.raw).toMatch(/temporarily rate-limited upstream/);
    expect(res.headers.get('retry-after')).toBe('3');
  });

  it('resolves aliases to the model they point at', async () => {
    const res = await chat(sim(), { model: '~anthropic/claude-sonnet-latest' });
    expect(res.status).toBe(200);
    expect(res.body.model).toBe('anthropic/claude-sonnet-4.6');
  });

  it('routes openrouter/auto to a concrete model and reports it', async () => {
    const res = await chat(sim(), { model: 'openrouter/auto' });
    expect(res.status).toBe(200);
    expect(res.body.model).not.toBe('openrouter/auto');
    expect(res.body.model).toMatch(/^[a-z0-9-]+\/[a-z0-9.-]+/);
  });
});

describe('models[] fallback', () => {
  it('rejects more than three fallback models', async () => {
    const sim = await startSimulator();
    try {
      const res = await chat(sim, {
        models: ['openai/gpt-4o', 'openai/gpt-4.1', 'openai/gpt-4o-mini', 'anthropic/claude-3-haiku'],
      });
      expect(res.status).toBe(400);
      expect(res.body.error.message).toBe("'models' array must have 3 items or fewer.");
    } finally {
      await sim.close();
    }
  });

  it('moves to the next model on any error of the previous one and reports the model that served', async () => {
    const sim = await startSimulator({
      rules: [
        { match: { model: 'openai/gpt-4o' }, fault: { kind: 'http', status: 503 } },
        { match: { model: 'anthropic/claude-3-haiku' }, fault: { kind: 'moderation' } },
      ],
    });
    try {
      const res = await chat(sim, {
        model: 'openai/gpt-4o',
        models: ['anthropic/claude-3-haiku', 'openai/gpt-4.1-mini'],
      });
      expect(res.status).toBe(200);
      expect(res.body.model).toBe('openai/gpt-4.1-mini');
      const stats = sim.stats;
      expect(stats.models['openai/gpt-4o']).toEqual({ attempts: 1, served: 0 });
      expect(stats.models['anthropic/claude-3-haiku']).toEqual({ attempts: 1, served: 0 });
      expect(stats.models['openai/gpt-4.1-mini']).toEqual({ attempts: 1, served: 1 });
      const last = await chat(sim, { model: 'openai/gpt-4o', models: ['anthropic/claude-3-haiku'] });
      expect(last.status).toBe(403);
    } finally {
      await sim.close();
    }
  });

  it('falls back past a context-length failure to a model with a larger window', async () => {
    const sim = await startSimulator();
    try {
      const long = 'abcd'.repeat(20_000); // ≈ 20k tokens: too long for gpt-4 (8k), fine for gpt-4o
      const res = await chat(sim, {
        model: 'openai/gpt-4',
        models: ['openai/gpt-4o'],
        messages: [{ role: 'user', content: long }],
      });
      expect(res.status).toBe(200);
      expect(res.body.model).toBe('openai/gpt-4o');
    } finally {
      await sim.close();
    }
  });

  it('counts attempts per provider in stats', async () => {
    const sim = await startSimulator({
      rules: [{ match: { provider: 'OpenAI' }, fault: { kind: 'http', status: 500 } }],
    });
    try {
      const res = await chat(sim, { model: 'openai/gpt-4o-mini', provider: { order: ['openai'] } });
      expect(res.body.provider).toBe('Azure');
      expect(sim.stats.providers.OpenAI).toEqual({ attempts: 1, served: 0 });
      expect(sim.stats.providers.Azure).toEqual({ attempts: 1, served: 1 });
      expect(sim.stats.faults).toEqual({ http: 1 });
    } finally {
      await sim.close();
    }
  });
});
