import { describe, expect, it } from 'vitest';
import { type CatalogSource, ConnectionError, type Model, ModelCatalog } from '../src/index.js';
import { findModel, modelById } from '../src/routing/catalog-lookup.js';
import { modelRow } from './helpers.js';

describe('catalog lookups by id', () => {
  const first = modelRow('openai/gpt-4o-mini', { name: 'first' });
  const listing: readonly Model[] = [
    modelRow('anthropic/claude-sonnet-4'),
    first,
    modelRow('openai/gpt-4o-mini', { name: 'duplicate' }),
    modelRow('anthropic/claude-sonnet-latest', {
      alias_target: { slug: 'anthropic/claude-sonnet-4' },
    } as Partial<Model>),
  ];

  it('finds exact ids, ids with a routing variant, and the first row of a repeated id', () => {
    expect(modelById(listing, 'openai/gpt-4o-mini')).toBe(first);
    expect(modelById(listing, 'openai/gpt-4o-mini:nitro')).toBe(first);
    expect(modelById(listing, 'openai/gpt-4o-mini:bogus')).toBeUndefined();
    expect(modelById(listing, 'nope/nothing')).toBeUndefined();
  });

  it('follows aliases in findModel (not in modelById), and a new listing is indexed afresh', () => {
    expect(findModel(listing, 'anthropic/claude-sonnet-latest')?.id).toBe('anthropic/claude-sonnet-4');
    expect(modelById(listing, 'anthropic/claude-sonnet-latest')?.id).toBe('anthropic/claude-sonnet-latest');
    const refreshed = [modelRow('openai/gpt-4o-mini', { name: 'refreshed' })];
    expect(modelById(refreshed, 'openai/gpt-4o-mini')?.name).toBe('refreshed');
    expect(modelById(listing, 'openai/gpt-4o-mini')?.name).toBe('first');
  });
});

describe('ModelCatalog.getNow', () => {
  it('answers from memory once the listing is known, and says when get() must be awaited instead', async () => {
    const source: CatalogSource = {
      name: 'scripted',
      baseURL: async () => 'http://scripted.invalid/api/v1',
      models: async () => [modelRow('openai/gpt-4o-mini')],
    };
    const now = 0;
    const catalog = new ModelCatalog(source, { ttlMs: 1000, now: () => now });
    expect(catalog.getNow('openai/gpt-4o-mini')).toBeUndefined();
    await catalog.list();
    expect(catalog.getNow('openai/gpt-4o-mini')?.model?.id).toBe('openai/gpt-4o-mini');
    expect(catalog.getNow('openai/gpt-4o-mini:floor')?.model?.id).toBe('openai/gpt-4o-mini');
    expect(catalog.getNow('nope/nothing')).toEqual({ model: undefined });
    await expect(catalog.get('nope/nothing')).rejects.toMatchObject({ code: 'invalid_model' });

    const failing = new ModelCatalog(
      { ...source, models: async () => Promise.reject(new ConnectionError('Connection failed: offline')) },
      { now: () => now },
    );
    await expect(failing.list()).rejects.toBeInstanceOf(ConnectionError);
    expect(failing.getNow('openai/gpt-4o-mini')).toBeUndefined();
  });
});
