import { Switchyard } from '@switchyard/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/gateway.js';

const ADMIN = 'admin-token-for-credits-tests-0123456789';
const CREDITS = 42.5;

const get = async (gw: TestGateway, token?: string) => {
  const response = await fetch(`${gw.baseURL}/credits`, {
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
  return { status: response.status, json: (await response.json()) as any };
};

describe('GET /credits: the operator’s upstream account, for the operator only', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway({ env: { SWITCHYARD_ADMIN_TOKEN: ADMIN }, simulator: { credits: CREDITS } });
  });
  afterAll(() => gw?.stop());

  it('open access (no keys yet, loopback): the upstream account’s credits, read with the gateway’s key', async () => {
    const { status, json } = await get(gw);
    expect(status).toBe(200);
    expect(json.data.total_credits).toBe(CREDITS);
    expect(typeof json.data.total_usage).toBe('number');
  });

  it('a virtual key gets OpenRouter’s 403 for ordinary keys and is pointed to GET /key; the admin token reads it', async () => {
    const created = await fetch(`${gw.url}/admin/keys`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'app', budget: { usd: 3 } }),
    });
    const secret = ((await created.json()) as any).secret as string;
    // Open access is re-checked at most once a second.
    await new Promise((resolve) => setTimeout(resolve, 1100));

    const refused = await get(gw, secret);
    expect(refused.status).toBe(403);
    expect(refused.json.error.type).toBe('permission_denied');
    expect(refused.json.error.message).toContain('GET /key');
    expect(JSON.stringify(refused.json)).not.toContain(String(CREDITS));

    expect((await get(gw)).status).toBe(401);
    expect((await get(gw, 'sk-sy-v1-not-a-real-key')).status).toBe(401);

    const operator = await get(gw, ADMIN);
    expect(operator.status).toBe(200);
    expect(operator.json.data.total_credits).toBe(CREDITS);

    // The SDK's own `credits()` through the gateway, with the admin token as its key.
    const sy = new Switchyard({ apiKey: ADMIN, baseURL: gw.baseURL, env: {} });
    try {
      expect((await sy.credits()).total_credits).toBe(CREDITS);
    } finally {
      await sy.close();
    }
  });
});
