import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/gateway.js';

// Some HTTP clients compress large request bodies. They are read; an encoding the gateway cannot read, or a body
// that is not what its encoding says, is the client's error with its own code — not "invalid JSON".

let gw: TestGateway;
beforeAll(async () => {
  gw = await startTestGateway({ config: { bodyLimit: 64 * 1024 } });
});
afterAll(() => gw?.stop());

const CHAT = JSON.stringify({
  model: 'openai/gpt-4o-mini',
  messages: [{ role: 'user', content: 'hi' }],
  max_tokens: 20,
});
const send = (path: string, body: Uint8Array | string, encoding?: string) =>
  fetch(`${gw.baseURL}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(encoding ? { 'content-encoding': encoding } : {}) },
    body: typeof body === 'string' ? body : new Blob([Buffer.from(body)]),
  });

/** The error envelope of a refused request, once its status is checked. */
async function refused(res: Response, status: number): Promise<{ type: string; message: string }> {
  expect(res.status).toBe(status);
  return ((await res.json()) as { error: { type: string; message: string } }).error;
}

describe('compressed request bodies', () => {
  it('reads gzip, deflate and br bodies (and identity) on every route', async () => {
    const bodies: [string | undefined, Uint8Array | string][] = [
      ['gzip', gzipSync(CHAT)],
      ['x-gzip', gzipSync(CHAT)],
      ['deflate', deflateSync(CHAT)],
      ['br', brotliCompressSync(CHAT)],
      ['identity', CHAT],
      [' GZIP ', gzipSync(CHAT)],
    ];
    for (const [encoding, body] of bodies) {
      const res = await send('/chat/completions', body, encoding);
      expect(res.status, String(encoding)).toBe(200);
      expect(((await res.json()) as { choices: unknown[] }).choices).toHaveLength(1);
    }
    const embed = await send(
      '/embeddings',
      gzipSync(JSON.stringify({ model: 'openai/text-embedding-3-small', input: 'hi' })),
      'gzip',
    );
    expect(embed.status).toBe(200);
  });

  it('refuses an encoding it cannot read with 415, in the envelope of the route', async () => {
    const error = await refused(await send('/chat/completions', CHAT, 'zstd'), 415);
    expect(error.type).toBe('unsupported_media_type');
    expect(error.message).toContain('"zstd" is not supported');
    for (const odd of ['constructor', '__proto__', 'gzip, br'])
      expect((await send('/chat/completions', CHAT, odd)).status).toBe(415);
    const health = await fetch(`${gw.url}/healthz`, { headers: { 'content-encoding': 'zstd' } });
    expect(health.status).toBe(200); // a GET has no body to decode
    const messages = await send('/messages', CHAT, 'compress');
    expect(messages.status).toBe(415);
    expect(((await messages.json()) as { type: string }).type).toBe('error'); // Anthropic's envelope
  });

  it('answers 400 invalid_encoding for a body that is not what its encoding says', async () => {
    const error = await refused(await send('/chat/completions', CHAT, 'gzip'), 400);
    expect(error.type).toBe('invalid_encoding');
    expect(error.message).toContain('Request body is not valid gzip');
  });

  it('applies the body limit to the decompressed body: a small bomb is a 413', async () => {
    const bomb = gzipSync(Buffer.alloc(1024 * 1024, ' '));
    expect(bomb.length).toBeLessThan(64 * 1024);
    expect((await refused(await send('/chat/completions', bomb, 'gzip'), 413)).type).toBe('payload_too_large');
  });
});
