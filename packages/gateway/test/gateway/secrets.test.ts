import { type SimulatorHandle, startSimulator } from '@switchyard/simulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { post, startTestGateway, type TestGateway } from '../support/gateway.js';

const UPSTREAM_KEY = 'sk-or-v1-upstream0secret0value0that0must0never0leak';
const ADMIN = 'admin-secret-token-never-logged-42';
const KEY_SECRET = 'hmac-secret-never-logged-0123456789';
const PROMPT = 'my social security number is 078-05-1120';

let sim: SimulatorHandle;
let gw: TestGateway;
let virtualKey: string;

beforeAll(async () => {
  sim = await startSimulator({ port: 0, pace: 'instant' });
  gw = await startTestGateway({
    env: {
      OPENROUTER_API_KEY: UPSTREAM_KEY,
      OPENROUTER_BASE_URL: sim.url,
      SWITCHYARD_ADMIN_TOKEN: ADMIN,
      SWITCHYARD_KEY_SECRET: KEY_SECRET,
    },
  });
  const created = await post(`${gw.url}/admin/keys`, { name: 'app' }, { authorization: `Bearer ${ADMIN}` });
  virtualKey = ((await created.json()) as { secret: string }).secret;
});
afterAll(async () => {
  await gw?.stop();
  await sim?.close();
});

const auth = () => ({ authorization: `Bearer ${virtualKey}` });

describe('secrets and prompts stay out of logs and responses', () => {
  it('uses the real upstream (not the simulator fallback) with the configured key', async () => {
    expect(gw.services.upstream.simulator).toBeUndefined();
    const response = await post(
      `${gw.baseURL}/chat/completions`,
      { model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: PROMPT }] },
      auth(),
    );
    expect(response.status).toBe(200);
  });

  it('never returns the upstream key from any endpoint', async () => {
    const bodies: string[] = [];
    const get = async (path: string, headers: Record<string, string> = auth()) =>
      bodies.push(await (await fetch(`${gw.url}${path}`, { headers })).text());
    for (const path of [
      '/',
      '/healthz',
      '/readyz',
      '/metrics',
      '/api/v1/models',
      '/api/v1/key',
      '/api/v1/models/openai/gpt-4o-mini/endpoints',
    ])
      await get(path);
    await get('/admin/keys', { authorization: `Bearer ${ADMIN}` });
    await get('/admin/usage', { authorization: `Bearer ${ADMIN}` });
    // Upstream failures are relayed without the upstream request's headers.
    bodies.push(
      await (
        await post(
          `${gw.baseURL}/chat/completions`,
          { model: 'nobody/nothing', messages: [{ role: 'user', content: 'x' }] },
          auth(),
        )
      ).text(),
    );
    bodies.push(await (await post(`${gw.baseURL}/embeddings`, { model: 'nobody/nothing', input: 'x' }, auth())).text());
    const all = bodies.join('\n');
    expect(all.length).toBeGreaterThan(1000);
    expect(all).not.toContain(UPSTREAM_KEY);
    expect(all).not.toContain(UPSTREAM_KEY.slice(9, 30));
    expect(all).not.toContain(ADMIN);
    expect(all).not.toContain(KEY_SECRET);
  });

  it('keeps keys, tokens and prompts out of the logs, whatever happened', async () => {
    // Authentication failures quoting a presented key, a stream, a WebSocket chat, an upstream error.
    await post(
      `${gw.baseURL}/chat/completions`,
      { messages: [{ role: 'user', content: PROMPT }] },
      { authorization: `Bearer ${virtualKey}x` },
    );
    await post(
      `${gw.baseURL}/chat/completions`,
      { messages: [{ role: 'user', content: PROMPT }] },
      { authorization: `Bearer ${UPSTREAM_KEY}` },
    );
    await fetch(`${gw.url}/admin/keys`, { headers: { authorization: `Bearer ${ADMIN}x` } });
    const stream = await post(
      `${gw.baseURL}/chat/completions`,
      { model: 'openai/gpt-4o-mini', stream: true, messages: [{ role: 'user', content: PROMPT }] },
      auth(),
    );
    await stream.text();
    const socket = new WebSocket(`${gw.url.replace('http', 'ws')}/ws`, { headers: auth() });
    await new Promise((resolve) => socket.once('open', resolve));
    socket.send(
      JSON.stringify({
        type: 'chat',
        id: 'a',
        model: 'openai/gpt-4o-mini',
        messages: [{ role: 'user', content: PROMPT }],
      }),
    );
    await new Promise((resolve) =>
      socket.on('message', (data) => String(data).includes('chat_done') && resolve(undefined)),
    );
    socket.close();
    sim.setRules([
      { match: { model: 'openai/gpt-4o' }, fault: { kind: 'http', status: 400, message: 'upstream refused' } },
    ]);
    const refused = await post(
      `${gw.baseURL}/chat/completions`,
      { model: 'openai/gpt-4o', messages: [{ role: 'user', content: PROMPT }] },
      auth(),
    );
    expect(refused.status).toBe(400);
    sim.setRules([]);

    const logs = gw.logs();
    expect(logs.split('\n').length).toBeGreaterThan(10);
    for (const secret of [
      UPSTREAM_KEY,
      UPSTREAM_KEY.slice(9, 30),
      virtualKey,
      virtualKey.slice(9, 30),
      ADMIN,
      KEY_SECRET,
      PROMPT,
      '078-05-1120',
    ]) {
      expect(logs, `log contains ${secret.slice(0, 12)}…`).not.toContain(secret);
    }
  });

  it('logs prompts and answers only when log_prompts is on', async () => {
    const verbose = await startTestGateway({ config: { logPrompts: true } });
    try {
      await (
        await post(`${verbose.baseURL}/chat/completions`, {
          model: 'openai/gpt-4o-mini',
          messages: [{ role: 'user', content: PROMPT }],
        })
      ).text();
      const exchange = verbose.logLines().find((l) => l.msg === 'exchange');
      expect(JSON.stringify(exchange?.messages)).toContain(PROMPT);
      expect(String(exchange?.answer).length).toBeGreaterThan(0);
    } finally {
      await verbose.stop();
    }
    expect(gw.logLines().some((l) => l.msg === 'exchange')).toBe(false);
  });
});
