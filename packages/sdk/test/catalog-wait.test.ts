import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CATALOG_WAIT_MS, PreflightError, Switchyard, type SwitchyardOptions, type UsageRecord } from '../src/index.js';
import {
  answers,
  endpointAt,
  type FakeOpenRouter,
  held,
  json,
  listing,
  priced,
  startFakeOpenRouter,
  until,
} from './fake-openrouter.js';
import { KEY } from './helpers.js';

/**
 * The catalog is advisory for a chat (preflight, price guard, the prices of its cost): a chat waits for a listing
 * at most the catalog's `waitMs`, then goes on without it, while the fetch carries on and is cached for later calls.
 * Listings here never answer until the test releases them, and the network's own headers timeout is off, so a
 * chat that waited for them would never complete (the test would time out).
 */

const hello = [{ role: 'user' as const, content: 'Hello' }];
const USAGE = { prompt_tokens: 1000, completion_tokens: 500, total_tokens: 1500 };
const LIST = { prompt: '0.000001', completion: '0.000002' };
const ENDPOINT = { prompt: '0.00001', completion: '0.00002' };

let up: FakeOpenRouter;
beforeEach(async () => {
  up = await startFakeOpenRouter();
});
afterEach(async () => {
  await up.close();
});

function client(options: SwitchyardOptions = {}): Switchyard {
  const sy = new Switchyard({
    apiKey: KEY,
    baseURL: up.baseURL,
    env: {},
    retry: { attempts: 1 },
    timeouts: { headersMs: 0 },
    ...options,
  });
  sy.models.configure({ waitMs: 50 });
  return sy;
}

async function streamed(sy: Switchyard, model: string) {
  const stream = sy.stream({ model, messages: hello });
  for await (const _ of stream);
  return stream.final();
}

describe('a chat and the model list it only consults', () => {
  it('answers while /models has not answered, then uses the list that arrives later, fetched once', async () => {
    const models = held();
    up.routes.models = models.route;
    up.routes.chat = answers();
    const sy = client();

    expect((await sy.chat({ model: 'a/plain', messages: hello })).text).toBe('Hello world');
    expect((await streamed(sy, 'a/plain')).text).toBe('Hello world');
    expect(up.hits.models).toBe(1);
    expect(sy.models.status().fetchedAt).toBeUndefined();

    models.release(listing(priced('a/plain', LIST, { supported_parameters: ['temperature'] })));
    await until(() => sy.models.status().fetchedAt !== undefined);
    // The late list is the one now consulted: preflight refuses what the model does not support, unsent.
    const sent = up.hits.chat;
    const refused = sy.chat({ model: 'a/plain', messages: hello, response_format: { type: 'json_object' } });
    await expect(refused).rejects.toBeInstanceOf(PreflightError);
    expect(up.hits.chat).toBe(sent);
    expect(up.hits.models).toBe(1);
    await sy.close();
  }, 20_000);

  it('does not wait again for a fetch that already outlasted a wait, to route or to price the answer', async () => {
    up.routes.models = held().route;
    up.routes.endpoints = held().route;
    up.routes.chat = answers({ usage: USAGE });
    const sy = client();
    expect((await sy.chat({ model: 'a/plain', messages: hello })).cost).toMatchObject({ unpriced: true });

    // A wait far beyond this test's timeout: only a call that does not wait for those fetches again completes.
    sy.models.configure({ waitMs: 60_000 });
    expect((await sy.chat({ model: 'a/plain', messages: hello })).cost).toMatchObject({ unpriced: true });
    expect((await streamed(sy, 'a/plain')).cost).toMatchObject({ unpriced: true });
    expect(up.hits).toMatchObject({ models: 1, endpoints: 1 });
    await sy.close();
  }, 20_000);

  it('remembers a /models failure that came after the chat stopped waiting, and does not ask again', async () => {
    const models = held();
    up.routes.models = models.route;
    up.routes.chat = answers();
    const sy = client();

    expect((await sy.chat({ model: 'a/plain', messages: hello })).text).toBe('Hello world');
    models.release((_req, res) => json(res, 500, { error: { code: 500, message: 'catalog down' } }));
    await until(() => sy.models.status().lastError !== undefined);

    expect((await streamed(sy, 'a/plain')).text).toBe('Hello world');
    expect((await sy.chat({ model: 'a/plain', messages: hello })).text).toBe('Hello world');
    expect(up.hits.models).toBe(1);
    await sy.close();
  }, 20_000);

  it('waits 2 s by default', () => {
    expect(CATALOG_WAIT_MS).toBe(2000);
  });
});

describe("an answer's cost and the endpoint prices it looks up", () => {
  it('is priced at list prices (flagged) while the endpoints do not answer, at the endpoint prices once they do', async () => {
    up.routes.models = listing(priced('a/priced', LIST));
    const endpoints = held();
    up.routes.endpoints = endpoints.route;
    up.routes.chat = answers({ usage: USAGE, provider: 'DeepInfra' });
    const records: UsageRecord[] = [];
    const sy = client({ usageSinks: [{ record: (entry) => void records.push(entry) }] });

    const atList = { usd: 0.002, source: 'computed', computedUsd: 0.002, listPrices: true };
    expect((await sy.chat({ model: 'a/priced', messages: hello })).cost).toEqual(atList);
    // Usage sinks (and through them ledgers) learn that the cost is a list-price estimate.
    expect(records).toMatchObject([{ costUsd: 0.002, costComputedUsd: 0.002, listPrices: true }]);
    expect((await streamed(sy, 'a/priced')).cost).toEqual(atList);
    expect(up.hits.endpoints).toBe(1);

    endpoints.release(endpointAt('DeepInfra', ENDPOINT));
    await until(() => sy.models.servingPricesNow('a/priced', 'DeepInfra')?.pricing?.prompt === ENDPOINT.prompt);

    const atEndpoint = { usd: 0.02, source: 'computed', computedUsd: 0.02 };
    expect((await sy.chat({ model: 'a/priced', messages: hello })).cost).toEqual(atEndpoint);
    expect(records.at(-1)).not.toHaveProperty('listPrices');
    expect((await streamed(sy, 'a/priced')).cost).toEqual(atEndpoint);
    expect(up.hits.endpoints).toBe(1);
    await sy.close();
  }, 20_000);

  it('is unpriced when neither the endpoints nor the list answer in time', async () => {
    up.routes.models = held().route;
    up.routes.endpoints = held().route;
    up.routes.chat = answers({ usage: USAGE, provider: 'DeepInfra' });
    const sy = client();

    const unknown = { usd: 0, source: 'computed', unpriced: true };
    expect((await sy.chat({ model: 'a/priced', messages: hello })).cost).toEqual(unknown);
    expect((await streamed(sy, 'a/priced')).cost).toEqual(unknown);
    await sy.close();
  }, 20_000);
});
