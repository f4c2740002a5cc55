import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pricesOf, Switchyard, type UsageRecord, type UsageSink } from '../src/index.js';
import { lacksPrice } from '../src/usage/cost.js';
import { normalizeUsage } from '../src/usage/usage.js';
import { answers, endpointAt, type FakeOpenRouter, listing, priced, startFakeOpenRouter } from './fake-openrouter.js';
import { KEY } from './helpers.js';

/**
 * A price that is not known — a router's "-1", a row without `pricing`, a row without a completion price — and an
 * answer without `usage` give a cost flagged `unpriced` (0 = unknown), never a $0 or a partial amount that reads
 * as a real bill; and a row without prices is not listed as free nor sorted as the cheapest.
 */

const hello = [{ role: 'user' as const, content: 'Hello' }];
const USAGE = { prompt_tokens: 1000, completion_tokens: 500, total_tokens: 1500 };
const PAID = { prompt: '0.000001', completion: '0.000002' };
const DYNAMIC = { prompt: '-1', completion: '-1' };
const UNKNOWN = { usd: 0, source: 'computed', unpriced: true };

let up: FakeOpenRouter;
beforeAll(async () => {
  up = await startFakeOpenRouter();
  // Every model answers with usage but no cost, except x/paid-no-usage, which answers without usage.
  up.routes.chat = (req, res, body) =>
    (body.model === 'x/paid-no-usage' ? answers() : answers({ usage: USAGE }))(req, res, body);
  // The serving endpoint charges what the list says (the list prices are not standing in for it).
  up.routes.endpoints = (req, res, body) =>
    endpointAt('DeepInfra', req.url?.includes('x/paid') ? PAID : DYNAMIC)(req, res, body);
  up.routes.models = listing(
    priced('x/dynamic', DYNAMIC),
    priced('x/no-pricing', undefined),
    priced('x/no-completion-price', { prompt: '0.000001' }),
    priced('x/paid', PAID),
    priced('x/paid-no-usage', PAID),
    priced('x/free', { prompt: '0', completion: '0' }),
  );
});
afterAll(async () => {
  await up.close();
});

function client(sinks: UsageSink[] = []): Switchyard {
  return new Switchyard({ apiKey: KEY, baseURL: up.baseURL, env: {}, retry: { attempts: 1 }, usageSinks: sinks });
}

async function streamed(sy: Switchyard, model: string) {
  const stream = sy.stream({ model, messages: hello });
  for await (const _ of stream);
  return stream.final();
}

describe('an answer whose cost cannot be known is unpriced', () => {
  it.each([
    ['a router placeholder price ("-1")', 'x/dynamic'],
    ['a catalog row without pricing', 'x/no-pricing'],
    ['a catalog row without a completion price', 'x/no-completion-price'],
  ])('%s', async (_what, model) => {
    const sy = client();
    expect((await sy.chat({ model, messages: hello })).cost).toEqual(UNKNOWN);
    expect((await streamed(sy, model)).cost).toEqual(UNKNOWN);
    await sy.close();
  });

  it('an answer without usage, whatever the prices', async () => {
    const sy = client();
    expect((await sy.chat({ model: 'x/paid-no-usage', messages: hello })).cost).toEqual(UNKNOWN);
    expect((await streamed(sy, 'x/paid-no-usage')).cost).toEqual(UNKNOWN);
    await sy.close();
  });

  it('while a paid row with usage is computed, and the ledger and trace record no $0 for the unknown one', async () => {
    const records: UsageRecord[] = [];
    const sy = client([{ record: (r) => void records.push(r) }]);
    const paid = await sy.chat({ model: 'x/paid', messages: hello });
    expect(paid.cost).toEqual({ usd: 0.002, source: 'computed', computedUsd: 0.002 });
    const unknown = await sy.chat({ model: 'x/dynamic', messages: hello });
    expect(unknown.cost).toEqual(UNKNOWN);
    expect(unknown.attempts?.[0]?.costUsd).toBeUndefined();
    expect(records.map((r) => r.costUsd)).toEqual([0.002, undefined]);
    await sy.close();
  });
});

describe('a catalog row without prices is unknown, not free', () => {
  it('is neither in free: true nor the cheapest, and its exact prices say so', async () => {
    const sy = client();
    expect((await sy.models.search({ free: true })).map((m) => m.id)).toEqual(['x/free']);
    const byPrice = (await sy.models.search({ sort: 'price' })).map((m) => m.id);
    expect(byPrice).toEqual([
      'x/free',
      'x/paid',
      'x/paid-no-usage',
      'x/dynamic',
      'x/no-pricing',
      'x/no-completion-price',
    ]);
    expect((await sy.models.search({ maxPromptPrice: 10 })).map((m) => m.id)).toEqual([
      'x/paid',
      'x/paid-no-usage',
      'x/free',
    ]);
    const row = await sy.models.get('x/no-pricing');
    expect(row.pricing).toEqual({ prompt: '-1', completion: '-1' });
    expect(await sy.models.prices('x/no-pricing')).toMatchObject({ free: false, variable: true });
    expect(pricesOf({ prompt: '0.000001' } as never)).toMatchObject({ free: false, variable: true });
    await sy.close();
  });
});

describe('lacksPrice', () => {
  const usage = (wire: Parameters<typeof normalizeUsage>[0]) => normalizeUsage(wire);

  it('asks only for the prices the usage is billed at', () => {
    const promptOnly = usage({ prompt_tokens: 10, completion_tokens: 0, total_tokens: 10 });
    expect(lacksPrice(promptOnly, { prompt: '0.000001' })).toBe(false);
    expect(lacksPrice(usage(USAGE), { prompt: '0.000001' })).toBe(true);
    expect(lacksPrice(usage(USAGE), PAID)).toBe(false);
    const cached = usage({ ...USAGE, prompt_tokens_details: { cached_tokens: 1000 } });
    expect(lacksPrice(cached, { completion: '0.000002', input_cache_read: '0.0000001' })).toBe(false);
    expect(lacksPrice(cached, { completion: '0.000002' })).toBe(true);
    expect(lacksPrice(usage(USAGE), { ...PAID, request: '-1' })).toBe(true);
    expect(lacksPrice(usage(USAGE), PAID, 1)).toBe(false);
    expect(lacksPrice(usage(USAGE), { ...PAID, image: '-1' }, 1)).toBe(true);
  });
});
