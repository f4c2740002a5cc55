import { describe, expect, it } from 'vitest';
import { normaliseEndpoints, normaliseModels } from '../src/catalog/normalise-model.js';
import { pricesOf } from '../src/catalog/prices.js';
import { type CatalogSource, ModelCatalog } from '../src/index.js';
import { modelRow } from './helpers.js';

describe('catalog rows from a sloppy /models', () => {
  it('keeps a well-formed row as it is', () => {
    const row = modelRow('openai/gpt-4o-mini');
    expect(normaliseModels([row])).toEqual([row]);
  });

  it('keeps the first row of an id listed twice', () => {
    const first = modelRow('openai/gpt-4o-mini', { name: 'first' });
    const rows = normaliseModels([first, modelRow('openai/gpt-4o'), modelRow('openai/gpt-4o-mini', { name: 'again' })]);
    expect(rows.map((row) => [row.id, row.name])).toEqual([
      ['openai/gpt-4o-mini', 'first'],
      ['openai/gpt-4o', 'openai/gpt-4o'],
    ]);
  });

  it('drops what is not a model and fills the missing parts of the rest', () => {
    const rows = normaliseModels([
      null,
      'a string',
      7,
      [],
      { name: 'no id' },
      { id: '' },
      { id: 'a/nulls', name: null, context_length: null, pricing: null, architecture: null, top_provider: null },
      { id: 'a/openai-style', object: 'model', created: 1_700_000_000, owned_by: 'someone' },
      {
        id: 'a/numbers',
        context_length: '8192',
        pricing: { prompt: 0.000001, completion: 1.5e-7, image: null, discount: 0.1 },
        architecture: { input_modalities: ['text', 'image', 3], tokenizer: null },
        top_provider: { max_completion_tokens: 4096.7 },
        supported_parameters: 'tools',
        reasoning: null,
      },
    ]);
    expect(rows.map((r) => r.id)).toEqual(['a/nulls', 'a/openai-style', 'a/numbers']);
    const [nulls, openai, numbers] = rows;
    expect(nulls).toMatchObject({
      name: 'a/nulls',
      created: 0,
      context_length: null,
      // Prices the row does not give are unknown (OpenRouter's "-1" placeholder), not free.
      pricing: { prompt: '-1', completion: '-1' },
      architecture: { modality: 'text->text', input_modalities: ['text'], output_modalities: ['text'] },
      top_provider: { is_moderated: false },
      supported_parameters: [],
    });
    expect(openai).toMatchObject({ name: 'a/openai-style', created: 1_700_000_000, owned_by: 'someone' });
    expect(numbers?.pricing).toEqual({ prompt: '0.000001', completion: '0.00000015', discount: 0.1 });
    expect(pricesOf(numbers!).completion).toBe(150_000_000n);
    expect(numbers?.context_length).toBe(8192);
    expect(numbers?.architecture).toEqual({
      modality: 'text+image->text',
      input_modalities: ['text', 'image'],
      output_modalities: ['text'],
    });
    expect(numbers?.top_provider.max_completion_tokens).toBe(4096);
    expect(numbers?.supported_parameters).toEqual([]);
    expect('reasoning' in numbers!).toBe(false);
  });

  it('writes a prompt or completion price it cannot read as unknown ("-1"), and drops other unreadable ones', () => {
    const [row] = normaliseModels([
      { id: 'a/odd-prices', pricing: { prompt: '', completion: 'n/a', request: null, image: '0.001', web_search: {} } },
    ]);
    expect(row?.pricing).toEqual({ prompt: '-1', completion: '-1', image: '0.001' });
    expect(pricesOf(row!)).toMatchObject({ free: false, variable: true });
  });

  it('keeps tiered prices (overrides): conditions as sent, prices written as the base ones, non-objects dropped', () => {
    const [row] = normaliseModels([
      {
        id: 'google/long-context',
        pricing: {
          prompt: '0.00000125',
          completion: 0.00001,
          overrides: [{ min_prompt_tokens: 200000, prompt: 0.0000025, completion: '0.000015' }, 'junk', null],
        },
      },
    ]);
    expect(row?.pricing).toEqual({
      prompt: '0.00000125',
      completion: '0.00001',
      overrides: [{ min_prompt_tokens: 200000, prompt: '0.0000025', completion: '0.000015' }],
    });
  });

  it('keeps only object rows of an endpoints listing, each with a provider name and prices', () => {
    const listing = normaliseEndpoints({
      id: 'a/b',
      name: 'B',
      created: 0,
      architecture: { modality: 'text->text', input_modalities: ['text'], output_modalities: ['text'] },
      endpoints: [null, { name: 'X | a/b', pricing: { prompt: 1e-6 } }, 'junk'] as never,
    });
    expect(listing.endpoints).toHaveLength(1);
    expect(listing.endpoints[0]).toMatchObject({
      provider_name: 'X | a/b',
      pricing: { prompt: '0.000001', completion: '-1' },
      supported_parameters: [],
    });
  });

  it('lets the catalog answer lookups and prices over such a listing', async () => {
    const source: CatalogSource = {
      name: 'sloppy',
      baseURL: async () => 'http://127.0.0.1:9/api/v1',
      models: async () => [null, { id: 'a/bare' }] as never,
    };
    const catalog = new ModelCatalog(source);
    expect((await catalog.get('a/bare')).architecture.output_modalities).toEqual(['text']);
    expect(await catalog.prices('a/bare')).toMatchObject({ free: false, variable: true });
    expect((await catalog.search({ text: 'bare' })).map((m) => m.id)).toEqual(['a/bare']);
    expect(await catalog.search({ text: 'nothing-like-it' })).toEqual([]);
  });
});
