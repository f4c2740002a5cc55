import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/gateway.js';

// The gateway in front of an upstream whose `/models` never answers (held until the test ends). Admission consults
// the catalog for a request's worst-case cost, and settlement for estimates: neither may wait for it longer than the
// catalog's consulting wait, or every request would hang until the upstream's headers timeout (30 s).

let upstream: Server;
let gateway: TestGateway;
const held: ServerResponse[] = [];

function answer(req: IncomingMessage, res: ServerResponse, body: string): void {
  if (req.url?.includes('/models')) {
    held.push(res);
    return;
  }
  const { model } = JSON.parse(body) as { model: string };
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(
    JSON.stringify({
      id: `gen-hung-catalog-${held.length}`,
      object: 'chat.completion',
      created: 1_759_420_128,
      model,
      choices: [{ index: 0, finish_reason: 'stop', message: { role: 'assistant', content: 'still here' } }],
      usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5, cost: 0.00001 },
    }),
  );
}

beforeAll(async () => {
  upstream = createServer((req, res) => {
    let body = '';
    req.on('data', (piece) => {
      body += piece;
    });
    req.on('end', () => answer(req, res, body));
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  const { port } = upstream.address() as AddressInfo;
  gateway = await startTestGateway({
    env: { OPENROUTER_API_KEY: 'sk-or-v1-hung-catalog', OPENROUTER_BASE_URL: `http://127.0.0.1:${port}/api/v1` },
  });
});

afterAll(async () => {
  await gateway?.stop();
  for (const res of held) res.destroy();
  upstream?.closeAllConnections();
  await new Promise((resolve) => upstream?.close(resolve));
});

describe('an upstream whose /models never answers', () => {
  it('still serves chats (without the catalog), and records them', async () => {
    for (let i = 0; i < 2; i++) {
      const response = await fetch(`${gateway.baseURL}/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'some/model', messages: [{ role: 'user', content: 'Hi' }] }),
      });
      expect(response.status).toBe(200);
      const body = (await response.json()) as { id: string; choices: { message: { content: string } }[] };
      expect(body.choices[0]?.message.content).toBe('still here');
    }
    // The listing was asked for and is still pending: what was served was served without it.
    expect(held.length).toBeGreaterThan(0);
    expect(held.every((res) => !res.writableEnded)).toBe(true);
  }, 20_000);

  it('does not hold a shutdown for the listing still in flight (cut after a short wait, not its 30 s timeout)', async () => {
    const stopping = gateway.stop();
    await expect(stopping).resolves.toBeUndefined();
    expect(held.every((res) => !res.writableEnded)).toBe(true);
  }, 20_000);
});
