import type { Model } from '@switchyard/sdk';
import { describe, expect, it } from 'vitest';
import { listedPrices, priceCeiling, routerCandidates } from '../../src/routes/price-ceiling.js';

const row = (id: string, prompt: string, completion: string, request?: string) =>
  ({ id, pricing: request === undefined ? { prompt, completion } : { prompt, completion, request } }) as Model;

const LISTING = [
  row('openrouter/auto', '-1', '-1'),
  row('openai/gpt-4o-mini', '0.00000015', '0.0000006'),
  row('openai/gpt-4o', '0.0000025', '0.00001', '0.001'),
  row('anthropic/claude-opus-4.1', '0.000015', '0.000075'),
  row('meta/llama:free', '0', '0'),
];

describe('price ceiling', () => {
  it("takes a row's own prices only when both are known", () => {
    expect(listedPrices(LISTING[1] as Model)).toEqual({ prompt: 0.00000015, completion: 0.0000006, request: 0 });
    expect(listedPrices(LISTING[0] as Model)).toBeUndefined();
    expect(listedPrices(row('x/y', '', '0.1'))).toBeUndefined();
  });

  it('is the highest price of each component among the priced models, routers left out', () => {
    expect(priceCeiling(LISTING)).toEqual({ prompt: 0.000015, completion: 0.000075, request: 0.001 });
  });

  it('narrows to the models a pattern list admits (`*` wildcards, any case)', () => {
    expect(priceCeiling(LISTING, ['OpenAI/*-mini'])).toEqual({ prompt: 0.00000015, completion: 0.0000006, request: 0 });
    expect(priceCeiling(LISTING, ['openai/*'])).toEqual({ prompt: 0.0000025, completion: 0.00001, request: 0.001 });
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
