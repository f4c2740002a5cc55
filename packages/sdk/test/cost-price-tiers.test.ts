import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Switchyard } from '../src/index.js';
import { tieredPrices } from '../src/usage/price-tiers.js';
import { answers, endpointAt, type FakeOpenRouter, listing, priced, startFakeOpenRouter } from './fake-openrouter.js';
import { KEY } from './helpers.js';

/**
 * Tiered prices (`pricing.overrides`): an answer's computed cost uses the long-prompt tier its prompt reached — a
 * long-context surcharge is not billed at the base price.
 */

const hello = [{ role: 'user' as const, content: 'Hello' }];
const USAGE = { prompt_tokens: 1000, completion_tokens: 500, total_tokens: 1500 };
const tiered = (from: number) => ({
  prompt: '0.000001',
  completion: '0.000002',
  overrides: [{ min_prompt_tokens: from, prompt: '0.000002', completion: '0.000004' }],
});

let up: FakeOpenRouter;
beforeAll(async () => {
  up = await startFakeOpenRouter();
  up.routes.chat = answers({ usage: USAGE });
  up.routes.endpoints = (req, res, body) =>
    endpointAt('DeepInfra', tiered(req.url?.includes('long-prompts') ? 500 : 5000))(req, res, body);
  up.routes.models = listing(priced('x/long-prompts', tiered(500)), priced('x/short-prompts', tiered(5000)));
});
afterAll(async () => {
  await up.close();
});

describe('the computed cost of an answer', () => {
  it('uses the tier its prompt falls in, and the base prices below the tier', async () => {
    const sy = new Switchyard({ apiKey: KEY, baseURL: up.baseURL, env: {}, retry: { attempts: 1 } });
    // 1,000 prompt tokens: past the 500-token tier ($2/M in, $4/M out), short of the 5,000-token one.
    expect((await sy.chat({ model: 'x/long-prompts', messages: hello })).cost.usd).toBe(0.004);
    expect((await sy.chat({ model: 'x/short-prompts', messages: hello })).cost.usd).toBe(0.002);
    await sy.close();
  });
});

describe('tieredPrices', () => {
  const base = { prompt: '0.000001', completion: '0.000002' };

  it('leaves prices without tiers as they are', () => {
    expect(tieredPrices(base, 10 ** 6)).toBe(base);
  });

  it('lays every tier whose conditions hold over the base, in order', () => {
    const prices = {
      ...base,
      overrides: [
        { min_prompt_tokens: 100, prompt: '0.000002' },
        { min_prompt_tokens: 1000, prompt: '0.000003', completion: '0.000006' },
      ],
    };
    expect(tieredPrices(prices, 50)).toMatchObject(base);
    expect(tieredPrices(prices, 500)).toMatchObject({ prompt: '0.000002', completion: '0.000002' });
    expect(tieredPrices(prices, 5000)).toMatchObject({ prompt: '0.000003', completion: '0.000006' });
  });

  it('leaves a time window tier out (an off-peak discount: the base price is the safe side of it)', () => {
    const night = { ...base, overrides: [{ utc_start: '2200', utc_end: '0600', completion: '0.000001' }] };
    expect(tieredPrices(night, 10)).toMatchObject({ completion: '0.000002' });
  });
});
