import { describe, expect, it } from 'vitest';
import { type Model, pricesOf, type Switchyard } from '../src/index.js';
import { parseUsd, toUsd } from '../src/usage/money.js';
import { clientFor, useSimulator } from './helpers.js';

const sum = (m: Model) => parseUsd(m.pricing.prompt) + parseUsd(m.pricing.completion);
const isRouter = (m: Model) => Number(m.pricing.prompt) < 0;

describe('catalog search and top', () => {
  const sim = useSimulator();
  let sy: Switchyard;
  let all: Model[];
  const text = () => all.filter((m) => m.architecture.output_modalities.includes('text'));

  it('lists every modality; search defaults to text models in popularity order', async () => {
    sy = clientFor(sim());
    all = await sy.models.list();
    expect(all).toHaveLength(110);
    const found = await sy.models.search();
    expect(found.map((m) => m.id)).toEqual(text().map((m) => m.id));
    expect(found.some((m) => m.architecture.output_modalities.includes('embeddings'))).toBe(false);
    // `popular` = the catalog's own order, which is OpenRouter's popularity ranking.
    expect(found[0]!.id).toBe('anthropic/claude-sonnet-4.5');
    expect((await sy.models.search({ sort: 'popular' })).map((m) => m.id)).toEqual(found.map((m) => m.id));
  });

  it('top(n) is the n most popular text models, or the first n of a query', async () => {
    expect((await sy.models.top(3)).map((m) => m.id)).toEqual([
      'anthropic/claude-sonnet-4.5',
      'google/gemini-2.5-flash',
      'x-ai/grok-code-fast-1',
    ]);
    const cheapest = await sy.models.top(2, { sort: 'price', free: false });
    expect(cheapest).toHaveLength(2);
    expect(cheapest.every((m) => sum(m) > 0n)).toBe(true);
    expect(sum(cheapest[0]!) <= sum(cheapest[1]!)).toBe(true);
  });

  it('text: every word in the id, name or description, case-insensitive', async () => {
    const found = await sy.models.search({ text: 'Claude  SONNET' });
    expect(found.length).toBeGreaterThan(3);
    for (const m of found) {
      const hay = `${m.id} ${m.name} ${m.description}`.toLowerCase();
      expect(hay).toContain('claude');
      expect(hay).toContain('sonnet');
    }
    expect(await sy.models.search({ text: 'no-such-model-anywhere' })).toEqual([]);
    // The description counts too.
    const described = await sy.models.search({ text: 'agentic' });
    expect(described.some((m) => !`${m.id} ${m.name}`.toLowerCase().includes('agentic'))).toBe(true);
  });

  it('free: true gives the zero-priced rows, false the paid ones; routers are neither free', async () => {
    const free = await sy.models.search({ free: true });
    expect(free.length).toBe(text().filter((m) => m.id.endsWith(':free')).length);
    expect(free.every((m) => m.id.endsWith(':free'))).toBe(true);
    const paid = await sy.models.search({ free: false });
    expect(paid.length + free.length).toBe(text().length);
    expect(paid.some((m) => m.id === 'openrouter/auto')).toBe(true);
  });

  it('maxPromptPrice / maxCompletionPrice compare exactly, per million tokens', async () => {
    // 0.0000001 × 1e6 is 0.09999999999999999 in floats; exactly it is 0.1, so a 0.1 limit keeps the row.
    const cheap = await sy.models.search({ maxPromptPrice: 0.1 });
    expect(cheap.some((m) => m.id === 'meta-llama/llama-3.3-70b-instruct')).toBe(true);
    expect(cheap.every((m) => parseUsd(m.pricing.prompt) * 1_000_000n <= parseUsd('0.1'))).toBe(true);
    expect(cheap.some(isRouter)).toBe(false);
    expect(
      (await sy.models.search({ maxPromptPrice: 0.0999 })).some((m) =>
        m.id.startsWith('meta-llama/llama-3.3-70b-instruct'),
      ),
    ).toBe(
      true, // the :free row
    );
    expect(
      (await sy.models.search({ maxPromptPrice: 0.0999 })).some((m) => m.id === 'meta-llama/llama-3.3-70b-instruct'),
    ).toBe(false);
    const completion = await sy.models.search({ maxCompletionPrice: 0.32 });
    expect(completion.some((m) => m.id === 'meta-llama/llama-3.3-70b-instruct')).toBe(true);
    expect(completion.every((m) => parseUsd(m.pricing.completion) * 1_000_000n <= parseUsd('0.32'))).toBe(true);
    expect(await sy.models.search({ maxPromptPrice: 0, free: false })).toEqual([]);
  });

  it('minContext, inputModalities, outputModalities, supports, author', async () => {
    const long = await sy.models.search({ minContext: 1_000_000 });
    expect(long.length).toBeGreaterThan(5);
    expect(long.every((m) => (m.context_length ?? 0) >= 1_000_000)).toBe(true);

    const vision = await sy.models.search({ inputModalities: ['image', 'file'] });
    expect(vision.length).toBeGreaterThan(5);
    expect(vision.every((m) => ['image', 'file'].every((x) => m.architecture.input_modalities.includes(x)))).toBe(true);

    const embeddings = await sy.models.search({ outputModalities: ['embeddings'] });
    expect(embeddings.map((m) => m.id).sort()).toEqual(
      all
        .filter((m) => m.architecture.output_modalities.includes('embeddings'))
        .map((m) => m.id)
        .sort(),
    );
    expect(await sy.models.search({ outputModalities: ['all'] })).toHaveLength(all.length);

    const tools = await sy.models.search({ supports: ['tools', 'response_format'] });
    expect(tools.length).toBeGreaterThan(3);
    expect(tools.every((m) => m.supported_parameters.includes('tools'))).toBe(true);
    expect(tools.every((m) => m.supported_parameters.includes('response_format'))).toBe(true);

    const anthropic = await sy.models.search({ author: 'Anthropic' });
    expect(anthropic.length).toBeGreaterThan(5);
    expect(anthropic.every((m) => m.id.replace(/^~/, '').startsWith('anthropic/'))).toBe(true);
    expect(anthropic.some((m) => m.id === '~anthropic/claude-sonnet-latest')).toBe(true);
  });

  it('sort: price (cheapest first, routers last), context, newest, name', async () => {
    const byPrice = await sy.models.search({ sort: 'price' });
    expect(byPrice.at(-1)!.id).toBe('openrouter/auto');
    const priced = byPrice.slice(0, -1);
    for (let i = 1; i < priced.length; i++) expect(sum(priced[i - 1]!) <= sum(priced[i]!)).toBe(true);
    expect(priced[0]!.id).toMatch(/:free$/);

    const byContext = await sy.models.search({ sort: 'context' });
    for (let i = 1; i < byContext.length; i++) {
      expect(byContext[i - 1]!.context_length! >= byContext[i]!.context_length!).toBe(true);
    }
    const newest = await sy.models.search({ sort: 'newest' });
    for (let i = 1; i < newest.length; i++) expect(newest[i - 1]!.created >= newest[i]!.created).toBe(true);
    expect(newest[0]!.id).toBe('anthropic/claude-sonnet-4.6');

    const byName = (await sy.models.search({ sort: 'name' })).map((m) => m.name);
    expect(byName).toEqual([...byName].sort((a, b) => a.localeCompare(b, 'en', { sensitivity: 'base' })));
    await expect(sy.models.search({ sort: 'cheapest' as never })).rejects.toThrow(/Unknown catalog sort/);
  });

  it('combines filters with a sort and a limit', async () => {
    const found = await sy.models.search({
      author: 'meta-llama',
      free: false,
      minContext: 100_000,
      sort: 'price',
      limit: 3,
    });
    expect(found.map((m) => m.id)).toEqual([
      'meta-llama/llama-3.2-3b-instruct',
      'meta-llama/llama-3.1-8b-instruct',
      'meta-llama/llama-4-scout',
    ]);
  });

  it('endpoints: per-provider prices, uptime, latency and throughput', async () => {
    const { endpoints } = await sy.models.endpoints('meta-llama/llama-3.3-70b-instruct');
    expect(endpoints).toHaveLength(4);
    const groq = endpoints.find((e) => e.provider_name === 'Groq')!;
    expect(groq.pricing).toMatchObject({ prompt: '0.00000059', completion: '0.00000079' });
    expect(groq.uptime_last_30m).toBe(98.5);
    expect(groq.latency_last_30m?.p50).toBe(0.2);
    expect(groq.throughput_last_30m?.p50).toBeGreaterThan(0);
    expect(pricesOf(groq).prompt).toBe(590_000_000n);
    await expect(sy.models.endpoints('openai/nope')).rejects.toMatchObject({ code: 'not_found' });
  });
});

describe('exact prices (pricesOf)', () => {
  it('parses every component to femto-dollar bigints', () => {
    const prices = pricesOf({
      prompt: '0.00000015',
      completion: '0.0000006',
      input_cache_read: '0.000000075',
      input_cache_write: '0.0000001833',
      internal_reasoning: '0.0000025',
      request: '0.005',
      image: '0.003613',
      web_search: '0.01',
      audio: '0.0000007',
    });
    expect(prices).toEqual({
      prompt: 150_000_000n,
      completion: 600_000_000n,
      inputCacheRead: 75_000_000n,
      inputCacheWrite: 183_300_000n,
      internalReasoning: 2_500_000_000n,
      audio: 700_000_000n,
      request: 5_000_000_000_000n,
      image: 3_613_000_000_000n,
      webSearch: 10_000_000_000_000n,
      free: false,
      variable: false,
    });
  });

  it('flags free rows and router placeholders, and leaves absent components absent', () => {
    expect(pricesOf({ pricing: { prompt: '0', completion: '0' } })).toEqual({
      prompt: 0n,
      completion: 0n,
      request: 0n,
      image: 0n,
      webSearch: 0n,
      free: true,
      variable: false,
    });
    const router = pricesOf({ pricing: { prompt: '-1', completion: '-1' } });
    expect(router).toMatchObject({ prompt: 0n, completion: 0n, free: false, variable: true });
    expect(pricesOf({ prompt: '0', completion: '0', request: '0.005' }).free).toBe(false);
  });

  it('sums exactly where floats drift', () => {
    const price = pricesOf({ prompt: '0.1', completion: '0.2' });
    expect(toUsd(price.prompt + price.completion)).toBe(0.3);
    expect(0.1 + 0.2).not.toBe(0.3);
  });

  it('sy.models.prices(id) gives the catalog row’s exact prices', async () => {
    const { startSimulator } = await import('@switchyard/simulator');
    const own = await startSimulator();
    try {
      const sy = clientFor(own);
      expect(await sy.models.prices('openai/gpt-4o-mini')).toMatchObject({
        prompt: 150_000_000n,
        completion: 600_000_000n,
        inputCacheRead: 75_000_000n,
      });
      expect((await sy.models.prices('openrouter/auto')).variable).toBe(true);
    } finally {
      await own.close();
    }
  });
});
