import type { CatalogData, CatalogEndpoint } from '@switchyard/simulator';
import { describe, expect, it } from 'vitest';
import { type ChatParams, type Cost, type Switchyard, UsageAggregator, type UsageRecord } from '../src/index.js';
import { toUsd } from '../src/usage/money.js';
import { clientFor, useSimulator } from './helpers.js';

// A catalog with one model priced on every component, served by two providers at different prices.
// Prices per token (per unit for request and image), and the same in femto-dollars (1e-15 USD) for the hand sums.
const ALPHA = {
  prompt: '0.000001',
  completion: '0.000002',
  input_cache_read: '0.0000001',
  input_cache_write: '0.00000125',
  internal_reasoning: '0.000003',
  request: '0.0005',
  image: '0.0002',
};
const BETA = {
  prompt: '0.000004',
  completion: '0.000008',
  input_cache_read: '0.0000004',
  input_cache_write: '0.000005',
  internal_reasoning: '0.000012',
  request: '0.001',
  image: '0.0008',
};
const A = {
  prompt: 1_000_000_000n,
  completion: 2_000_000_000n,
  read: 100_000_000n,
  write: 1_250_000_000n,
  reasoning: 3_000_000_000n,
  request: 500_000_000_000n,
  image: 200_000_000_000n,
};
const B = {
  prompt: 4_000_000_000n,
  completion: 8_000_000_000n,
  read: 400_000_000n,
  write: 5_000_000_000n,
  reasoning: 12_000_000_000n,
  request: 1_000_000_000_000n,
  image: 800_000_000_000n,
};
const PARAMS = ['max_tokens', 'temperature', 'reasoning', 'include_reasoning', 'stop'];

function endpoint(provider_name: string, tag: string, pricing: Record<string, string>): CatalogEndpoint {
  return {
    provider_name,
    tag,
    quantization: 'fp16',
    context_length: 32_768,
    max_completion_tokens: 4096,
    max_prompt_tokens: null,
    pricing: pricing as CatalogEndpoint['pricing'],
    supported_parameters: PARAMS,
    status: 0,
    uptime_last_30m: 99.5,
    uptime_last_5m: 100,
    uptime_last_1d: 99.4,
    supports_implicit_caching: false,
    supports_tool_choice: { auto: true, none: true, required: true, function: true },
    latency_last_30m: { p50: 0.5, p75: 0.6, p90: 0.8, p99: 1.2 },
    throughput_last_30m: { p50: 50, p75: 40, p90: 30, p99: 20 },
  };
}

const CATALOG: CatalogData = {
  snapshot_date: '2026-11-01',
  providers: [
    { name: 'Alpha', slug: 'alpha', privacy_policy_url: 'https://alpha.invalid/privacy' },
    { name: 'Beta', slug: 'beta', privacy_policy_url: 'https://beta.invalid/privacy' },
  ],
  models: [
    {
      id: 'test/all-prices',
      canonical_slug: 'test/all-prices-2026',
      name: 'Test: All Prices',
      created: 1_760_000_000,
      description: 'Every price component, two providers.',
      context_length: 32_768,
      architecture: {
        modality: 'text+image->text',
        input_modalities: ['text', 'image'],
        output_modalities: ['text'],
        tokenizer: 'Other',
        instruct_type: null,
      },
      pricing: ALPHA,
      top_provider: { context_length: 32_768, max_completion_tokens: 4096, is_moderated: false },
      supported_parameters: PARAMS,
      reasoning: { supported_efforts: ['low', 'medium', 'high'], default_effort: 'medium', mandatory: false },
      popularity: 1,
      endpoints: [endpoint('Alpha', 'alpha', ALPHA), endpoint('Beta', 'beta', BETA)],
    },
  ],
};

const SYSTEM = 'You are a careful assistant. Answer briefly, precisely and politely, in plain words.';
const on = (provider: string): Pick<ChatParams, 'model' | 'provider'> => ({
  model: 'test/all-prices',
  provider: { order: [provider], allow_fallbacks: false },
});
const usd = (femto: bigint) => toUsd(femto);

/** The reported cost equals our computation from the serving endpoint's prices: no drift. */
function agrees(cost: Cost, expected: bigint) {
  expect(cost.source).toBe('reported');
  expect(cost.usd).toBe(usd(expected));
  expect(cost.computedUsd).toBe(usd(expected));
  expect(cost.driftUsd).toBe(0);
}

describe('cost: every price component, hand-computed, against the simulator', () => {
  const sim = useSimulator({ catalog: CATALOG, cacheMinTokens: 1, defaultModel: 'test/all-prices' });
  let sy: Switchyard;

  it('prompt, completion and the per-request price', async () => {
    sy = clientFor(sim());
    const r = await sy.chat({ ...on('Alpha'), messages: [{ role: 'user', content: 'Say exactly: hi' }] });
    expect(r.provider).toBe('Alpha');
    const { promptTokens: p, completionTokens: c } = r.usage;
    expect([p, c, r.usage.cachedTokens, r.usage.cacheWriteTokens, r.usage.reasoningTokens]).toEqual([11, 1, 0, 0, 0]);
    // 11 × $0.000001 + 1 × $0.000002 + $0.0005
    agrees(r.cost, 11n * A.prompt + 1n * A.completion + A.request);
    expect(r.cost.usd).toBe(0.000513);
    expect(r.cost.savingsUsd).toBeUndefined();
  });

  it('cache writes, then cache reads with their savings', async () => {
    const messages: ChatParams['messages'] = [
      { role: 'system', content: SYSTEM, cache_control: { type: 'ephemeral' } },
      { role: 'user', content: 'Say exactly: cached' },
    ];
    const first = await sy.chat({ ...on('Alpha'), messages });
    const u1 = first.usage;
    expect(u1.cacheWriteTokens).toBeGreaterThan(0);
    expect(u1.cachedTokens).toBe(0);
    const uncached1 = BigInt(u1.promptTokens - u1.cacheWriteTokens);
    agrees(first.cost, uncached1 * A.prompt + BigInt(u1.cacheWriteTokens) * A.write + A.completion + A.request);

    const second = await sy.chat({ ...on('Alpha'), messages });
    const u2 = second.usage;
    expect(u2.cachedTokens).toBe(u1.cacheWriteTokens);
    const cached = BigInt(u2.cachedTokens);
    agrees(
      second.cost,
      BigInt(u2.promptTokens - u2.cachedTokens) * A.prompt + cached * A.read + A.completion + A.request,
    );
    // Savings: cached tokens × (prompt − cache-read price).
    expect(second.cost.savingsUsd).toBe(usd(cached * (A.prompt - A.read)));
    expect(second.cost.savingsUsd).toBeGreaterThan(0);
  });

  it('internal reasoning at its own price', async () => {
    const r = await sy.chat({
      ...on('Alpha'),
      messages: [{ role: 'user', content: 'Say exactly: think' }],
      reasoning: { effort: 'low' },
    });
    const u = r.usage;
    expect(u.reasoningTokens).toBe(16);
    const visible = BigInt(u.completionTokens - u.reasoningTokens);
    agrees(r.cost, BigInt(u.promptTokens) * A.prompt + visible * A.completion + 16n * A.reasoning + A.request);
  });

  it('images at the per-image price', async () => {
    const r = await sy.chat({
      ...on('Alpha'),
      messages: [
        {
          role: 'user',
          content: [
            { type: 'image_url', image_url: { url: 'https://example.invalid/a.png' } },
            { type: 'image_url', image_url: { url: 'https://example.invalid/b.png' } },
            { type: 'text', text: 'Say exactly: two images' },
          ],
        },
      ],
    });
    const u = r.usage;
    expect(u.promptTokens).toBeGreaterThan(170); // 85 per image
    agrees(
      r.cost,
      BigInt(u.promptTokens) * A.prompt + BigInt(u.completionTokens) * A.completion + A.request + 2n * A.image,
    );
  });

  it('the serving endpoint’s prices, not the model’s, when the provider is pinned', async () => {
    const r = await sy.chat({
      ...on('Beta'),
      messages: [
        { role: 'system', content: SYSTEM, cache_control: { type: 'ephemeral' } },
        { role: 'user', content: 'Say exactly: beta' },
      ],
      reasoning: { effort: 'low' },
    });
    expect(r.provider).toBe('Beta');
    const u = r.usage;
    const expected =
      BigInt(u.promptTokens - u.cacheWriteTokens) * B.prompt +
      BigInt(u.cacheWriteTokens) * B.write +
      BigInt(u.completionTokens - u.reasoningTokens) * B.completion +
      BigInt(u.reasoningTokens) * B.reasoning +
      B.request;
    agrees(r.cost, expected);
    // The model's own (Alpha) prices would have given a quarter of the bill.
    const atModelPrices =
      BigInt(u.promptTokens - u.cacheWriteTokens) * A.prompt +
      BigInt(u.cacheWriteTokens) * A.write +
      BigInt(u.completionTokens - u.reasoningTokens) * A.completion +
      BigInt(u.reasoningTokens) * A.reasoning +
      A.request;
    expect(expected).toBe(4n * atModelPrices - A.request * 2n);
    expect(r.cost.computedUsd).not.toBe(usd(atModelPrices));
  });

  it('streams are priced the same way', async () => {
    const stream = sy.stream({ ...on('Beta'), messages: [{ role: 'user', content: 'Say exactly: streamed' }] });
    const r = await stream.final();
    agrees(
      r.cost,
      BigInt(r.usage.promptTokens) * B.prompt + BigInt(r.usage.completionTokens) * B.completion + B.request,
    );
  });
});

describe('cost reconciliation on the bundled catalog', () => {
  const sim = useSimulator();

  it('pinning a provider: computed from that endpoint equals reported', async () => {
    const sy = clientFor(sim());
    for (const provider of ['Groq', 'Cerebras', 'DeepInfra']) {
      const r = await sy.chat({
        model: 'meta-llama/llama-3.3-70b-instruct',
        messages: [{ role: 'user', content: 'Tell me something' }],
        provider: { order: [provider], allow_fallbacks: false },
      });
      expect(r.provider).toBe(provider);
      expect(r.cost.source).toBe('reported');
      expect(r.cost.computedUsd).toBe(r.cost.usd);
      expect(r.cost.driftUsd).toBe(0);
    }
  });

  it('shows drift when only the model’s prices are known (the serving provider unnamed)', async () => {
    // A proxy that drops `provider` from the answer: the computation falls back to the model's (DeepInfra) prices.
    const anonymous: typeof fetch = async (input, init) => {
      const response = await globalThis.fetch(input, init);
      if (!String(input).endsWith('/chat/completions') || !response.ok) return response;
      const body = await response.json();
      delete body.provider;
      return new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } });
    };
    const sy = clientFor(sim(), { fetch: anonymous });
    const r = await sy.chat({
      model: 'meta-llama/llama-3.3-70b-instruct',
      messages: [{ role: 'user', content: 'Say exactly: groq' }],
      provider: { order: ['Groq'], allow_fallbacks: false },
    });
    const { promptTokens: p, completionTokens: c } = r.usage;
    // Reported at Groq's prices; computed at the model's list prices (DeepInfra's).
    expect(r.cost.usd).toBe(usd(BigInt(p) * 590_000_000n + BigInt(c) * 790_000_000n));
    expect(r.cost.computedUsd).toBe(usd(BigInt(p) * 100_000_000n + BigInt(c) * 320_000_000n));
    expect(r.cost.driftUsd).toBe(usd(BigInt(p) * 490_000_000n + BigInt(c) * 470_000_000n));
  });
});

/** A proxy that removes `usage.cost` from non-streaming answers, as providers without cost reporting do. */
const withoutCost: typeof fetch = async (input, init) => {
  const response = await globalThis.fetch(input, init);
  if (!String(input).endsWith('/chat/completions') || !response.ok) return response;
  const body = await response.json();
  if (body.usage) delete body.usage.cost;
  return new Response(JSON.stringify(body), {
    status: 200,
    headers: { 'content-type': 'application/json', 'x-generation-id': body.id },
  });
};

describe('cost back-fill from /generation', () => {
  const sim = useSimulator({ generationDelayMs: 300 });
  const ask: ChatParams = {
    model: 'meta-llama/llama-3.3-70b-instruct',
    messages: [{ role: 'user', content: 'Say exactly: backfill' }],
    provider: { order: ['Groq'], allow_fallbacks: false },
  };

  it('costBackfill: fetches the billed cost after the "not yet available" window and updates sinks', async () => {
    const ledger = new UsageAggregator();
    const records: UsageRecord[] = [];
    const sy = clientFor(sim(), {
      fetch: withoutCost,
      costBackfill: true,
      usageSinks: [ledger, { record: (entry) => void records.push(entry) }],
    });
    const filled = new Promise<{ generationId: string; usd: number }>((resolve) => sy.on('cost_backfilled', resolve));
    const started = Date.now();
    const r = await sy.chat(ask);
    const computed = r.cost.usd;
    expect(r.cost).toMatchObject({ source: 'computed', computedUsd: computed });
    expect(records[0]).toMatchObject({ costUsd: computed, costComputedUsd: computed, generationId: r.generationId });
    expect(records[0]!.costReportedUsd).toBeUndefined();

    const event = await filled;
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    expect(event.generationId).toBe(r.generationId);
    const generation = await sy.generation(r.generationId);
    expect(event.usd).toBe(generation.total_cost);
    // The computation used Groq's endpoint prices, so it agrees with the bill.
    expect(r.cost).toMatchObject({ source: 'reported', usd: event.usd, computedUsd: computed, driftUsd: 0 });
    expect(r.attempts!.at(-1)!.costUsd).toBe(event.usd);
    expect(ledger.totals().costUsd).toBe(event.usd);
  });

  it('sy.backfillCost(result) does it on demand and returns the updated Cost', async () => {
    const ledger = new UsageAggregator();
    const sy = clientFor(sim(), { fetch: withoutCost, usageSinks: [ledger] });
    const events: unknown[] = [];
    sy.on('cost_backfilled', (event) => events.push(event));
    const r = await sy.chat({ ...ask, provider: undefined, model: 'openai/gpt-4o-mini' });
    expect(r.cost.source).toBe('computed');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(events).toHaveLength(0); // not automatic without costBackfill

    const cost = await sy.backfillCost(r, { waitMs: 3000 });
    expect(cost).toBe(r.cost);
    expect(cost.source).toBe('reported');
    expect(cost.usd).toBe((await sy.generation(r.generationId)).total_cost);
    expect(cost.driftUsd).toBe(0);
    expect(events).toEqual([{ generationId: r.generationId, usd: cost.usd }]);
    expect(ledger.totals().costUsd).toBe(cost.usd);
  });

  it('gives up with NotFoundError when the record does not appear in time', async () => {
    const sy = clientFor(sim(), { fetch: withoutCost });
    const r = await sy.chat(ask);
    await expect(sy.backfillCost(r, { waitMs: 0 })).rejects.toMatchObject({ code: 'not_found' });
    expect(r.cost.source).toBe('computed');
  });
});
