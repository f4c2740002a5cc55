import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { CatalogData } from '../src/index.js';
import { json, useSimulator } from './helpers.js';

const data = JSON.parse(readFileSync(new URL('../data/catalog.json', import.meta.url), 'utf8')) as CatalogData;

/** Every model id the requirement documents name (shared/seeds), plus today's popular ones. */
const REQUIRED = [
  'google/gemini-flash-1.5',
  'meta-llama/llama-3.3-70b-instruct:free',
  'anthropic/claude-3.5-sonnet',
  'anthropic/claude-3-opus',
  'anthropic/claude-3-haiku',
  'openai/gpt-4',
  'openai/gpt-3.5-turbo',
  'meta-llama/llama-3.2-3b-instruct:free',
  'google/gemini-pro',
  'google/gemini-1.5-pro',
  'moonshotai/kimi-k2.5',
  'mistralai/mistral-7b-instruct',
  'microsoft/wizardlm-2-8x22b',
  'meta-llama/llama-3.1-8b-instruct',
  'meta-llama/llama-3-70b-instruct',
  'google/gemini-2.0-flash-exp:free',
  'openai/text-embedding-ada-002',
  'openai/gpt-4o-mini',
  'openai/gpt-4o',
  'openai/text-embedding-3-small',
];

describe('bundled catalog', () => {
  it('is a dated snapshot of at least 60 models from at least 10 authors', () => {
    expect(data.snapshot_date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    const rows = data.models.filter((m) => !m.alias_target);
    expect(rows.length).toBeGreaterThanOrEqual(60);
    expect(new Set(rows.map((m) => m.id.split('/')[0])).size).toBeGreaterThanOrEqual(10);
    const ids = new Set(data.models.map((m) => m.id));
    for (const id of REQUIRED) expect(ids.has(id), id).toBe(true);
  });

  it('prices free variants at zero and gives every routable model 2–4 endpoints', () => {
    for (const model of data.models) {
      if (model.id.endsWith(':free')) {
        expect(Number(model.pricing.prompt) + Number(model.pricing.completion), model.id).toBe(0);
        expect(model.endpoints.length).toBeGreaterThanOrEqual(1);
      }
      const chat = model.architecture.output_modalities.includes('text');
      if (
        chat &&
        !model.id.endsWith(':free') &&
        !model.alias_target &&
        model.id !== 'openrouter/auto' &&
        !model.id.startsWith('perplexity/')
      ) {
        expect(model.endpoints.length, model.id).toBeGreaterThanOrEqual(2);
        expect(model.endpoints.length, model.id).toBeLessThanOrEqual(4);
      }
      for (const endpoint of model.endpoints) {
        expect(endpoint.pricing.prompt, model.id).toMatch(/^\d+(\.\d+)?$/);
        expect(
          data.providers.some((p) => p.name === endpoint.provider_name),
          endpoint.provider_name,
        ).toBe(true);
      }
    }
  });
});

describe('catalog endpoints', () => {
  const sim = useSimulator();

  it('lists text models without a key, hiding embedding models by default', async () => {
    const { status, body } = await json(sim(), '/models', undefined, { key: null });
    expect(status).toBe(200);
    expect(body.total_count).toBe(body.data.length);
    expect(body.links).toEqual({ next: null });
    const ids = body.data.map((m: any) => m.id);
    expect(ids).toContain('openai/gpt-4o-mini');
    expect(ids).not.toContain('openai/text-embedding-3-small');
    const row = body.data.find((m: any) => m.id === 'openai/gpt-4o-mini');
    expect(row.links).toEqual({ details: '/api/v1/models/openai/gpt-4o-mini/endpoints' });
    expect(row).not.toHaveProperty('endpoints');
    expect(row).not.toHaveProperty('popularity');
    expect(row).toHaveProperty('per_request_limits', null);
  });

  it('filters by output_modalities and supported_parameters', async () => {
    const embeddings = await json(sim(), '/models?output_modalities=embeddings', undefined, { key: null });
    expect(embeddings.body.data.length).toBeGreaterThanOrEqual(3);
    for (const m of embeddings.body.data) expect(m.architecture.output_modalities).toContain('embeddings');
    const all = await json(sim(), '/models?output_modalities=all', undefined, { key: null });
    expect(all.body.data.length).toBe(embeddings.body.data.length + (await json(sim(), '/models')).body.data.length);
    const tools = await json(sim(), '/models?supported_parameters=tools,response_format', undefined, { key: null });
    expect(tools.body.data.length).toBeGreaterThan(10);
    for (const m of tools.body.data)
      expect(m.supported_parameters).toEqual(expect.arrayContaining(['tools', 'response_format']));
    const dedicated = await json(sim(), '/embeddings/models');
    expect(dedicated.body.data.map((m: any) => m.id)).toEqual(embeddings.body.data.map((m: any) => m.id));
  });

  it('paginates only when offset or limit is given', async () => {
    const page = await json(sim(), '/models?limit=10&offset=5');
    expect(page.body.data).toHaveLength(10);
    expect(page.body.links.next).toBe('/api/v1/models?limit=10&offset=15');
    const count = await json(sim(), '/models/count');
    expect(count.body.data.count).toBe(page.body.total_count);
    expect((await json(sim(), '/models?limit=0')).status).toBe(400);
  });

  it('sorts by price and context', async () => {
    const cheap = (await json(sim(), '/models?sort=pricing-low-to-high')).body.data;
    const price = (m: any) => Number(m.pricing.prompt) + Number(m.pricing.completion);
    for (let i = 1; i < cheap.length; i++) expect(price(cheap[i])).toBeGreaterThanOrEqual(price(cheap[i - 1]));
    const wide = (await json(sim(), '/models?sort=context-high-to-low')).body.data;
    expect(wide[0].context_length).toBeGreaterThanOrEqual(wide[wide.length - 1].context_length);
  });

  it('describes provider endpoints, with live stats only for authenticated callers', async () => {
    const authed = await json(sim(), '/models/meta-llama/llama-3.3-70b-instruct/endpoints');
    const endpoints = authed.body.data.endpoints;
    expect(endpoints.length).toBeGreaterThanOrEqual(2);
    expect(endpoints[0]).toMatchObject({ model_id: 'meta-llama/llama-3.3-70b-instruct', status: expect.any(Number) });
    expect(endpoints[0].latency_last_30m.p50).toBeGreaterThan(0);
    expect(new Set(endpoints.map((e: any) => e.pricing.prompt)).size).toBeGreaterThan(1);
    const anon = await json(sim(), '/models/meta-llama/llama-3.3-70b-instruct/endpoints', undefined, { key: null });
    expect(anon.body.data.endpoints[0].latency_last_30m).toBeNull();
    expect(anon.body.data.endpoints[0].throughput_last_30m).toBeNull();
    const free = await json(sim(), '/models/meta-llama/llama-3.3-70b-instruct:free/endpoints');
    expect(free.body.data.id).toBe('meta-llama/llama-3.3-70b-instruct:free');
    expect((await json(sim(), '/models/nobody/nothing/endpoints')).status).toBe(404);
  });

  it('answers single-model lookups with aliases resolved', async () => {
    const one = await json(sim(), '/model/openai/gpt-4o');
    expect(one.body.data.id).toBe('openai/gpt-4o');
    const alias = await json(sim(), '/model/~anthropic/claude-sonnet-latest');
    expect(alias.body.data.id).toBe('anthropic/claude-sonnet-4.6');
  });

  it('lists providers (with a key)', async () => {
    const { status, body } = await json(sim(), '/providers');
    expect(status).toBe(200);
    expect(body.data.length).toBeGreaterThanOrEqual(10);
    expect(body.data.find((p: any) => p.slug === 'openai')).toMatchObject({
      name: 'OpenAI',
      privacy_policy_url: expect.any(String),
    });
    expect(body.data[0]).not.toHaveProperty('may_train_on_data');
  });
});
