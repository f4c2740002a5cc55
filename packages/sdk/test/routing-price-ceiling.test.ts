import { describe, expect, it } from 'vitest';
import type { Model } from '../src/protocol/catalog.js';
import { perMillion, usdPerToken } from '../src/routing/catalog-lookup.js';
import { listedPrices, priceCeiling, routerCandidates } from '../src/routing/price-ceiling.js';

const row = (id: string, prompt: string, completion: string, request?: string, output?: number) =>
  ({
    id,
    pricing: request === undefined ? { prompt, completion } : { prompt, completion, request },
    top_provider: { max_completion_tokens: output ?? null },
  }) as Model;

const LISTING = [
  row('openrouter/auto', '-1', '-1'),
  row('openai/gpt-4o-mini', '0.00000015', '0.0000006', undefined, 16384),
  row('openai/gpt-4o', '0.0000025', '0.00001', '0.001', 4096),
  row('anthropic/claude-opus-4.1', '0.000015', '0.000075'),
  { ...row('acme/painter', '0', '0', '0.5'), architecture: { output_modalities: ['image'] } } as unknown as Model,
  row('meta/llama:free', '0', '0'),
];

describe('catalog prices as numbers', () => {
  it('reads a price as USD per token (and per million), and no price as none, never as free', () => {
    expect(usdPerToken('0.000002')).toBe(0.000002);
    expect(perMillion('0.000002')).toBeCloseTo(2, 10);
    expect(perMillion(0)).toBe(0);
    // A missing, empty or null price, a router's "-1" and text are unknown: `perMillion` read null and '' as $0,
    // so model selection by price ranked an unpriced model as the cheapest.
    for (const none of [undefined, null, '', '-1', 'free', Number.NaN]) {
      expect(usdPerToken(none)).toBeUndefined();
      expect(perMillion(none)).toBeUndefined();
    }
  });
});

describe('price ceiling', () => {
  it("takes a row's own prices only when both are known", () => {
    expect(listedPrices(LISTING[1] as Model)).toEqual({ prompt: 0.00000015, completion: 0.0000006, request: 0 });
    expect(listedPrices(LISTING[0] as Model)).toBeUndefined();
    expect(listedPrices(row('x/y', '', '0.1'))).toBeUndefined();
  });

  it('counts the tiers (pricing.overrides) a prompt this long may be billed at, and time windows always', () => {
    const tiered = {
      ...row('google/long-context', '0.00000125', '0.00001'),
      pricing: {
        prompt: '0.00000125',
        completion: '0.00001',
        overrides: [
          { min_prompt_tokens: 200000, prompt: '0.0000025', completion: '0.000015' },
          { utc_start: '0100', utc_end: '0500', request: '0.002' },
        ],
      },
    } as unknown as Model;
    expect(listedPrices(tiered, 1_000)).toEqual({ prompt: 0.00000125, completion: 0.00001, request: 0.002 });
    expect(listedPrices(tiered, 250_000)).toEqual({ prompt: 0.0000025, completion: 0.000015, request: 0.002 });
    // Without a prompt size every tier may apply.
    expect(listedPrices(tiered)).toEqual({ prompt: 0.0000025, completion: 0.000015, request: 0.002 });
  });

  it('is the highest price of each component and output limit among the priced text models, routers left out', () => {
    expect(priceCeiling(LISTING)).toEqual({
      prompt: 0.000015,
      completion: 0.000075,
      request: 0.001,
      maxCompletionTokens: 16384,
    });
  });

  it('narrows to the models a pattern list admits (`*` wildcards, any case)', () => {
    expect(priceCeiling(LISTING, ['OpenAI/*-mini'])).toMatchObject({ prompt: 0.00000015, completion: 0.0000006 });
    expect(priceCeiling(LISTING, ['openai/gpt-4o'])).toEqual({
      prompt: 0.0000025,
      completion: 0.00001,
      request: 0.001,
      maxCompletionTokens: 4096,
    });
    expect(priceCeiling(LISTING, ['openai/*'])).toMatchObject({ completion: 0.00001, maxCompletionTokens: 16384 });
    // A dot is a dot, not any character.
    expect(priceCeiling(LISTING, ['openai/gpt-4o.mini'])).toEqual(priceCeiling(LISTING));
  });

  it('falls back to the whole listing when the patterns admit no priced model', () => {
    expect(priceCeiling(LISTING, ['acme/*'])).toEqual(priceCeiling(LISTING));
  });

  it("reads the Auto Router's allowed_models from a request's plugins", () => {
    expect(
      routerCandidates({ plugins: [{ id: 'web' }, { id: 'auto-router', allowed_models: ['a/*', 3, ''] }] }),
    ).toEqual(['a/*']);
    expect(routerCandidates({ plugins: 'nope' })).toEqual([]);
    expect(routerCandidates({})).toEqual([]);
  });
});
