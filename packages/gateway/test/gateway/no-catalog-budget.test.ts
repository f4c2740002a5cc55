import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HELLO, post, startTestGateway, type TestGateway } from '../support/gateway.js';

// The gateway in front of an upstream whose `/models` fails (503) from the start, so no request can be priced. A
// cost cap cannot be enforced on an unknown worst case: reserving $0 let any number of concurrent requests through,
// each billed after the fact. Budgeted callers are refused with a retryable 503 until prices are known; callers
// without a cost cap are served as before.

const ADMIN = 'admin-token-no-catalog-0123456789';
let upstream: Server;
let gateway: TestGateway;
let chats = 0;
let listings = 0;

beforeAll(async () => {
  upstream = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      if (req.url?.includes('/models')) {
        listings++;
        res.writeHead(503, { 'content-type': 'application/json' });
        res.end('{"error":{"code":503,"message":"catalog down"}}');
        return;
      }
      chats++;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          id: `gen-no-catalog-${chats}`,
          object: 'chat.completion',
          created: 1_759_420_128,
          model: 'openai/gpt-4o-mini',
          choices: [{ index: 0, finish_reason: 'stop', message: { role: 'assistant', content: 'served' } }],
          usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5, cost: 0.00001 },
        }),
      );
    });
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  const { port } = upstream.address() as AddressInfo;
  gateway = await startTestGateway({
    env: {
      OPENROUTER_API_KEY: 'sk-or-v1-no-catalog-test',
      OPENROUTER_BASE_URL: `http://127.0.0.1:${port}/api/v1`,
      SWITCHYARD_ADMIN_TOKEN: ADMIN,
    },
  });
});

afterAll(async () => {
  await gateway?.stop();
  upstream?.closeAllConnections();
  await new Promise((resolve) => upstream?.close(resolve));
});

async function createKey(body: Record<string, unknown>): Promise<string> {
  const response = await post(`${gateway.url}/admin/keys`, body, { authorization: `Bearer ${ADMIN}` });
  expect(response.status).toBe(201);
  return ((await response.json()) as { secret: string }).secret;
}

const chat = (secret: string, body: unknown = HELLO) =>
  post(`${gateway.baseURL}/chat/completions`, body, { authorization: `Bearer ${secret}` });

describe('budgets while the model catalog cannot be had', () => {
  it('refuses a key with a cost budget with a retryable 503 (prices_unavailable) and sends nothing upstream', async () => {
    const secret = await createKey({ name: 'budgeted', budget: { usd: 1, period: 'day' } });
    const before = chats;
    const responses = await Promise.all(Array.from({ length: 5 }, () => chat(secret)));
    for (const response of responses) {
      expect(response.status).toBe(503);
      expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
      const body = (await response.json()) as { error: { code: number; message: string; metadata?: unknown } };
      expect(JSON.stringify(body.error)).toContain('prices_unavailable');
      expect(body.error.message).toContain('the model catalog is unavailable');
    }
    expect(chats).toBe(before);
    expect(listings).toBeGreaterThan(0);
  });

  it('serves keys without a cost cap, a token-only budget included', async () => {
    const plain = await createKey({ name: 'plain' });
    expect((await chat(plain)).status).toBe(200);
    const tokensOnly = await createKey({ name: 'tokens-only' });
    await putBudget({ scope: 'key', scope_id: await keyId('tokens-only'), period: 'day', tokens: 100_000 });
    const response = await chat(tokensOnly);
    expect(response.status).toBe(200);
    expect(
      ((await response.json()) as { choices: { message: { content: string } }[] }).choices[0]?.message.content,
    ).toBe('served');
  });

  it('refuses every caller under a global cost budget', async () => {
    await putBudget({ scope: 'global', period: 'month', usd: 50 });
    const plain = await createKey({ name: 'plain-under-global' });
    const before = chats;
    const response = await chat(plain);
    expect(response.status).toBe(503);
    expect(chats).toBe(before);
  });
});

async function putBudget(body: Record<string, unknown>): Promise<void> {
  const response = await fetch(`${gateway.url}/admin/budgets`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(response.status).toBe(200);
}

async function keyId(name: string): Promise<string> {
  const response = await fetch(`${gateway.url}/admin/keys`, { headers: { authorization: `Bearer ${ADMIN}` } });
  const { data } = (await response.json()) as { data: { id: string; name: string }[] };
  const found = data.find((key) => key.name === name);
  if (!found) throw new Error(`no key named ${name}`);
  return found.id;
}
