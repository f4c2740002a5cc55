/**
 * Web pages calling the gateway in a real browser (Debian's Chromium through playwright-core): a page of this
 * machine (`http://localhost:<port>`) may chat, stream and use the WebSocket; a page of another site — a name mapped
 * to 127.0.0.1 by Chromium's resolver rules — can do none of it, not even a "simple" form POST that the browser sends
 * without asking, and a rebound name cannot load the gateway itself.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../../../../test/support/chromium.js';
import { HELLO, startTestGateway, type TestGateway } from '../support/gateway.js';

const HOSTILE = 'evil.test';

let gw: TestGateway;
let site: Server;
let browser: Browser;

/** An empty page, from whatever host name the browser used. */
function serveSite(): Promise<Server> {
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end('<!doctype html><title>app</title>');
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

async function pageAt(host: string): Promise<Page> {
  const page = await browser.newPage();
  await page.goto(`http://${host}:${(site.address() as AddressInfo).port}/`);
  return page;
}

/** In the page: a JSON chat, its readable headers, and a stream read to the end. */
function chatFrom(page: Page): Promise<{ status: number; generation: string | null; text: string; stream: string }> {
  return page.evaluate(
    async ({ api, body }) => {
      const post = (payload: unknown) =>
        fetch(`${api}/chat/completions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-title': 'browser test' },
          body: JSON.stringify(payload),
        });
      const answer = await post(body);
      const json = await answer.json();
      const stream = await (await post({ ...body, stream: true })).text();
      return {
        status: answer.status,
        generation: answer.headers.get('x-generation-id'),
        text: json.choices[0].message.content,
        stream,
      };
    },
    { api: gw.baseURL, body: HELLO },
  );
}

/** In the page: opens `/ws` (offering `protocols`) and chats once; says how far it got. */
function socketFrom(page: Page, protocols: string[] = []): Promise<string> {
  return page.evaluate(
    ({ url, protocols }) =>
      new Promise<string>((resolve) => {
        const socket = new WebSocket(url, protocols);
        socket.onopen = () =>
          socket.send(JSON.stringify({ type: 'chat', id: 'w', messages: [{ role: 'user', content: 'Hi' }] }));
        socket.onmessage = (event) => {
          const message = JSON.parse(String(event.data));
          if (message.type === 'chat_done' || message.type === 'error') {
            socket.close();
            resolve(message.type);
          }
        };
        socket.onclose = () => resolve('closed');
      }),
    { url: `${gw.url.replace('http', 'ws')}/ws`, protocols },
  );
}

const chatRequests = () => gw.logLines().filter((l) => l.url === '/api/v1/chat/completions' && l.msg === 'request');

describe('web pages and the gateway, in Chromium', () => {
  beforeAll(async () => {
    gw = await startTestGateway();
    site = await serveSite();
    browser = await launchChromium([`--host-resolver-rules=MAP ${HOSTILE} 127.0.0.1`]);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => site?.close(resolve));
    await gw?.stop();
  });

  it('serves a page of this machine: chat with readable headers, stream, WebSocket', async () => {
    const page = await pageAt('localhost');
    try {
      const chat = await chatFrom(page);
      expect(chat.status).toBe(200);
      expect(chat.generation).toMatch(/^gen-/);
      expect(chat.text.length).toBeGreaterThan(0);
      expect(chat.stream).toContain('data: [DONE]');
      expect(await socketFrom(page)).toBe('chat_done');
    } finally {
      await page.close();
    }
  });

  it('gives a page of another site nothing, and the gateway does no work for it', async () => {
    const page = await pageAt(HOSTILE);
    try {
      const before = chatRequests().length;
      const blocked = await page.evaluate(async (api) => {
        try {
          await fetch(`${api}/chat/completions`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: '{}',
          });
          return 'read';
        } catch (error) {
          return (error as Error).name;
        }
      }, gw.baseURL);
      expect(blocked).toBe('TypeError');
      // A form-encoded POST is sent without a preflight (the page cannot read the answer, but it would be served).
      await page.evaluate(
        async ({ api, body }) => {
          await fetch(`${api}/chat/completions`, {
            method: 'POST',
            mode: 'no-cors',
            headers: { 'content-type': 'application/x-www-form-urlencoded' },
            body,
          });
        },
        { api: gw.baseURL, body: JSON.stringify(HELLO) },
      );
      const sent = chatRequests().slice(before);
      expect(sent.length).toBeGreaterThan(0);
      expect(sent.map((l) => l.status)).toEqual(sent.map(() => 403));
      expect(await socketFrom(page)).toBe('closed');
    } finally {
      await page.close();
    }
  });

  it('does not answer a rebound host name while access is open', async () => {
    const page = await browser.newPage();
    try {
      const response = await page.goto(`http://${HOSTILE}:${new URL(gw.url).port}/`);
      expect(response?.status()).toBe(403);
      expect(await page.content()).toContain('host_not_allowed');
    } finally {
      await page.close();
    }
  });

  // Last: it ends open access for this gateway.
  it('lets a page authenticate its WebSocket with a key offered as a subprotocol once keys exist', async () => {
    const { secret } = await gw.services.keys.create({ name: 'page' }, Date.now());
    await new Promise((r) => setTimeout(r, 1_100)); // open access is re-checked at most once a second
    const page = await pageAt('localhost');
    try {
      expect(await socketFrom(page)).toBe('closed');
      expect(await socketFrom(page, ['switchyard', 'bearer.sk-sy-v1-wrong'])).toBe('closed');
      expect(await socketFrom(page, ['switchyard', `bearer.${secret}`])).toBe('chat_done');
    } finally {
      await page.close();
    }
  });
});
