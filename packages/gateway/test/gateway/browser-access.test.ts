/**
 * What web pages may do with the gateway (http/browser-access.ts), seen from plain HTTP clients that set `Origin`
 * and `Host` as browsers do; browser-pages.test.ts repeats the decisive cases in a real Chromium.
 */
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { resolveGatewayConfig } from '../../src/config/gateway-config.js';
import { originMatcher } from '../../src/http/browser-access.js';
import { HELLO, startTestGateway, type TestGateway } from '../support/gateway.js';

/** A request with the headers a browser would send (undici lets tests set `Host`, unlike fetch). */
async function send(
  gw: TestGateway,
  path: string,
  options: { method?: 'GET' | 'POST' | 'OPTIONS'; headers?: Record<string, string>; body?: string } = {},
) {
  const response = await request(`${gw.url}${path}`, {
    method: options.method ?? 'POST',
    headers: options.headers,
    body: options.body ?? (options.method && options.method !== 'POST' ? undefined : JSON.stringify(HELLO)),
  });
  const text = await response.body.text();
  return { status: response.statusCode, headers: response.headers, text, json: () => JSON.parse(text) };
}

/** Whether a WebSocket upgrade with these headers is accepted (its HTTP status when refused). */
function upgrade(gw: TestGateway, headers: Record<string, string>): Promise<number | 'open'> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`${gw.url.replace('http', 'ws')}/ws`, { headers });
    socket.once('open', () => {
      socket.close();
      resolve('open');
    });
    socket.once('unexpected-response', (_request, response) => {
      resolve(response.statusCode ?? 0);
      response.resume();
    });
    socket.once('error', reject);
  });
}

describe('browser access of an open gateway (defaults)', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway();
  });
  afterAll(() => gw.stop());

  const json = { 'content-type': 'application/json' };

  it('serves its own pages and pages of this machine, with CORS headers for the latter', async () => {
    const host = new URL(gw.url).host;
    const same = await send(gw, '/api/v1/chat/completions', { headers: { ...json, origin: gw.url } });
    expect(same.status).toBe(200);
    expect(same.headers['access-control-allow-origin']).toBeUndefined();

    for (const origin of ['http://localhost:3000', 'http://127.0.0.1:5173', 'http://[::1]:8080', 'http://localhost']) {
      const cross = await send(gw, '/api/v1/chat/completions', { headers: { ...json, origin, host } });
      expect({ origin, status: cross.status }).toEqual({ origin, status: 200 });
      expect(cross.headers['access-control-allow-origin']).toBe(origin);
      expect(cross.headers.vary).toBe('Origin');
      expect(String(cross.headers['access-control-expose-headers'])).toContain('x-generation-id');
    }
  });

  it('answers preflights from allowed origins with the methods and the headers asked for', async () => {
    const preflight = await send(gw, '/v1/chat/completions', {
      method: 'OPTIONS',
      headers: {
        origin: 'http://localhost:3000',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization, content-type, x-title',
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers).toMatchObject({
      'access-control-allow-origin': 'http://localhost:3000',
      'access-control-allow-headers': 'authorization, content-type, x-title',
      'access-control-max-age': '600',
    });
    expect(String(preflight.headers['access-control-allow-methods'])).toContain('POST');

    // A header list that is not a list of header names is not echoed back.
    const odd = await send(gw, '/v1/chat/completions', {
      method: 'OPTIONS',
      headers: {
        origin: 'http://localhost:3000',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'x-a\u00e9',
      },
    });
    expect(odd.status).toBe(204);
    expect(odd.headers['access-control-allow-headers']).toBeUndefined();
  });

  it('streams carry the CORS headers too', async () => {
    const stream = await send(gw, '/api/v1/chat/completions', {
      headers: { ...json, origin: 'http://localhost:3000' },
      body: JSON.stringify({ ...HELLO, stream: true }),
    });
    expect(stream.status).toBe(200);
    expect(stream.headers['content-type']).toContain('text/event-stream');
    expect(stream.headers['access-control-allow-origin']).toBe('http://localhost:3000');
    expect(stream.text).toContain('data: [DONE]');
  });

  it('refuses pages of other origins before any work: preflight, simple POST and WebSocket', async () => {
    const before = (await gw.services.accounting.report('model', {})).rows.length;
    const origin = 'https://evil.example';
    const preflight = await send(gw, '/v1/chat/completions', {
      method: 'OPTIONS',
      headers: { origin, 'access-control-request-method': 'POST' },
    });
    expect(preflight.status).toBe(403);
    expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
    // A form-encoded POST needs no preflight: the gateway itself must refuse it.
    const simple = await send(gw, '/v1/chat/completions', {
      headers: { origin, 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(simple.status).toBe(403);
    expect(simple.json()).toMatchObject({ error: { code: 403, type: 'origin_not_allowed' } });
    expect(simple.json().error.message).toContain('cors_origins');
    expect(await upgrade(gw, { origin })).toBe(403);
    expect(await upgrade(gw, { origin: 'null' })).toBe(403);
    // Nothing reached the upstream or the ledger.
    expect((await gw.services.accounting.report('model', {})).rows.length).toBe(before);
    // Non-browser clients (no Origin) and pages of this machine still get the WebSocket.
    expect(await upgrade(gw, {})).toBe('open');
    expect(await upgrade(gw, { origin: 'http://localhost:3000' })).toBe('open');
  });

  it('answers only loopback host names while access is open (DNS rebinding)', async () => {
    const port = new URL(gw.url).port;
    const rebound = await send(gw, '/api/v1/chat/completions', {
      headers: { ...json, host: `attacker.example:${port}`, origin: `http://attacker.example:${port}` },
    });
    expect(rebound.status).toBe(403);
    expect(rebound.json()).toMatchObject({ error: { type: 'host_not_allowed' } });
    expect((await send(gw, '/', { method: 'GET', headers: { host: `attacker.example:${port}` } })).status).toBe(403);
    expect(await upgrade(gw, { host: `attacker.example:${port}` })).toBe(403);
    const local = ['localhost', '127.0.0.1', '[::1]', 'app.localhost', '0.0.0.0', 'LocalHost'];
    for (const host of local.map((name) => `${name}:${port}`)) {
      const ok = await send(gw, '/api/v1/models', { method: 'GET', headers: { host } });
      expect({ host, status: ok.status }).toEqual({ host, status: 200 });
    }
  });
});

describe('browser access with settings', () => {
  let gw: TestGateway | undefined;
  afterAll(() => gw?.stop());

  it('serves the origins and host names it is given', async () => {
    gw = await startTestGateway({
      fileConfig: {
        gateway: { cors_origins: ['https://app.example.com'], allowed_hosts: ['switchyard.internal'] },
      } as never,
    });
    const port = new URL(gw.url).port;
    const listed = await send(gw, '/api/v1/chat/completions', {
      headers: { 'content-type': 'application/json', origin: 'https://app.example.com' },
    });
    expect(listed.status).toBe(200);
    expect(listed.headers['access-control-allow-origin']).toBe('https://app.example.com');
    // The list replaces the default: pages of this machine on other ports are no longer served.
    const local = await send(gw, '/api/v1/chat/completions', {
      headers: { 'content-type': 'application/json', origin: 'http://localhost:3000' },
    });
    expect(local.status).toBe(403);
    const proxied = await send(gw, '/api/v1/models', {
      method: 'GET',
      headers: { host: `switchyard.internal:${port}` },
    });
    expect(proxied.status).toBe(200);
    await gw.stop();
    gw = undefined;
  });

  it('checks no Host once virtual keys exist (a rebinding page has no key)', async () => {
    gw = await startTestGateway();
    const { secret } = await gw.services.keys.create({ name: 'web' });
    // The open-access answer is cached for a second; wait until the key has closed it.
    for (let i = 0; i < 40 && gw.services.openAccess() !== false; i++) await new Promise((r) => setTimeout(r, 50));
    const port = new URL(gw.url).port;
    const named = await send(gw, '/api/v1/chat/completions', {
      headers: {
        'content-type': 'application/json',
        host: `gateway.example:${port}`,
        authorization: `Bearer ${secret}`,
      },
    });
    expect(named.status).toBe(200);
    const keyless = await send(gw, '/api/v1/chat/completions', {
      headers: { 'content-type': 'application/json', host: `gateway.example:${port}` },
    });
    expect(keyless.status).toBe(401);
  });
});

describe('cors_origins and allowed_hosts settings', () => {
  it('default to this machine, take a TOML array or a comma-separated variable, and reject malformed origins', () => {
    expect(resolveGatewayConfig({ env: {} }).corsOrigins).toEqual([
      'http://localhost:*',
      'http://127.0.0.1:*',
      'http://[::1]:*',
    ]);
    const fromEnv = resolveGatewayConfig({
      env: { SWITCHYARD_CORS_ORIGINS: 'https://A.example.com, http://localhost:*', SWITCHYARD_ALLOWED_HOSTS: 'x.test' },
      fileConfig: { gateway: { cors_origins: ['https://file.example'] } } as never,
    });
    expect(fromEnv.corsOrigins).toEqual(['https://a.example.com', 'http://localhost:*']);
    expect(fromEnv.allowedHosts).toEqual(['x.test']);
    expect(
      resolveGatewayConfig({ env: {}, fileConfig: { gateway: { cors_origins: [] } } as never }).corsOrigins,
    ).toEqual([]);
    for (const bad of ['https://app.example.com/', 'app.example.com', 'https://a.example/path', 'ftp://x']) {
      expect(() =>
        resolveGatewayConfig({ env: {}, fileConfig: { gateway: { cors_origins: [bad] } } as never }),
      ).toThrow(/Invalid CORS origin/);
    }
    expect(() => resolveGatewayConfig({ env: {}, fileConfig: { gateway: { cors_origins: 'x' } } as never })).toThrow(
      /array of strings/,
    );
  });

  it('match exact origins, any port of a host, or everything', () => {
    const match = originMatcher(['https://app.example.com', 'http://localhost:*']);
    expect(match('https://app.example.com')).toBe(true);
    expect(match('HTTPS://APP.EXAMPLE.COM')).toBe(true);
    expect(match('https://app.example.com:8443')).toBe(false);
    expect(match('http://localhost:3000')).toBe(true);
    expect(match('http://localhost')).toBe(true);
    expect(match('http://localhost.evil.example')).toBe(false);
    expect(match('http://localhost:3000.evil.example')).toBe(false);
    expect(match('https://localhost:3000')).toBe(false);
    expect(match('null')).toBe(false);
    expect(originMatcher(['*'])('https://anything.example')).toBe(true);
    expect(originMatcher([])('http://localhost:3000')).toBe(false);
  });
});
