import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createBrotliCompress, createGzip, constants as zlib } from 'node:zlib';
import { type SimulatorHandle, startSimulator } from '@switchyard/simulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/gateway.js';

// An upstream behind a proxy that compresses every answer, whatever the request's accept-encoding says (some
// proxies do): the gateway must decode it — JSON bodies and SSE streams, flushed event by event — as fetch would.

let simulator: SimulatorHandle;
let proxy: Server;
let gateway: TestGateway;
let encoding = 'gzip';

beforeAll(async () => {
  simulator = await startSimulator({ port: 0, pace: 'instant' });
  const target = new URL(simulator.url);
  proxy = createServer((req, res) => {
    const upstream = request(
      { host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers },
      (answer) => {
        const headers = { ...answer.headers, 'content-encoding': encoding };
        delete headers['content-length'];
        res.writeHead(answer.statusCode ?? 502, headers);
        const compress =
          encoding === 'br'
            ? createBrotliCompress({ flush: zlib.BROTLI_OPERATION_FLUSH })
            : createGzip({ flush: zlib.Z_SYNC_FLUSH });
        answer.pipe(compress).pipe(res);
      },
    );
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const { port } = proxy.address() as AddressInfo;
  gateway = await startTestGateway({
    env: { OPENROUTER_API_KEY: 'sk-or-v1-encoding-test', OPENROUTER_BASE_URL: `http://127.0.0.1:${port}/api/v1` },
  });
});

afterAll(async () => {
  await gateway?.stop();
  await new Promise((resolve) => proxy?.close(resolve));
  await simulator?.close();
});

const chat = (body: Record<string, unknown>) =>
  fetch(`${gateway.url}/api/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      model: 'openai/gpt-4o-mini',
      messages: [{ role: 'user', content: 'Say exactly: hi' }],
      ...body,
    }),
  });

describe('a compressing upstream', () => {
  it('decodes gzip JSON answers and gzip SSE streams', async () => {
    encoding = 'gzip';
    const plain = await chat({});
    expect(plain.status).toBe(200);
    expect(((await plain.json()) as { choices: { message: { content: string } }[] }).choices[0]?.message.content).toBe(
      'hi',
    );

    const streamed = await chat({ stream: true });
    expect(streamed.status).toBe(200);
    const text = await streamed.text();
    expect(text).toContain('"content":"hi"');
    expect(text.trimEnd().endsWith('data: [DONE]')).toBe(true);
  });

  it('decodes brotli too, and lists models through it', async () => {
    encoding = 'br';
    const plain = await chat({});
    expect(plain.status).toBe(200);
    expect(((await plain.json()) as { choices: { message: { content: string } }[] }).choices[0]?.message.content).toBe(
      'hi',
    );
    const models = await fetch(`${gateway.url}/api/v1/models`);
    expect(models.status).toBe(200);
    expect(((await models.json()) as { data: unknown[] }).data.length).toBeGreaterThan(50);
  });
});
