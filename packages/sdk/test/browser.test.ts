/**
 * The SDK in a real browser (Debian's Chromium through playwright-core): an app bundled the way a web app's bundler
 * does it (esbuild, platform browser, split at dynamic imports) talks to the simulator across origins. It checks
 * what no Node test can: no Node-only code runs in the page, CORS requests carry the SDK's headers, and the lazily
 * loaded chunks (routing engine, streaming) are fetched from the app's server when they are needed and not before.
 */

import { mkdtempSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../../../test/support/chromium.js';
import { clientFor, useSimulator } from './helpers.js';

const PACKAGE = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The page's app: one chat, one stream, one embedding and one failure, reported back as plain data. */
const APP = `
import { RateLimitError, Switchyard, SwitchyardError } from '@switchyard/sdk';

window.construct = (baseURL) => {
  window.sy = new Switchyard({ apiKey: 'sk-or-v1-browser-test', baseURL, env: {}, retry: { attempts: 1 } });
};

window.chatOnce = async () => {
  const r = await window.sy.chat({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'Say exactly: from the browser' }] });
  return { text: r.text, cost: r.cost.usd, tokens: r.usage.totalTokens, attempts: r.attempts.length };
};

window.streamOnce = async () => {
  const s = window.sy.stream({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'Say exactly: one two three' }] });
  let text = '';
  let events = 0;
  for await (const event of s) {
    events++;
    if (event.type === 'text') text += event.text;
  }
  return { text, events, final: (await s.final()).text };
};

window.embedOnce = async () => {
  const e = await window.sy.embed({ model: 'openai/text-embedding-3-small', input: 'hello' });
  return e.embeddings[0].length;
};

window.failOnce = async () => {
  try {
    await window.sy.chat(
      { model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] },
      { headers: { 'x-simulator-fault': JSON.stringify({ kind: 'http', status: 429, retryAfter: 7 }) } },
    );
    return { thrown: false };
  } catch (error) {
    return {
      thrown: true,
      rateLimit: error instanceof RateLimitError,
      typed: error instanceof SwitchyardError,
      code: error.code,
      status: error.status,
      // Readable only when the server exposes Retry-After to the page (CORS hides it otherwise).
      retryAfterMs: error.retryAfterMs,
    };
  }
};

window.tryChat = async () => {
  try {
    const r = await window.sy.chat({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'Say exactly: again' }] });
    return { ok: true, text: r.text };
  } catch (error) {
    return { ok: false, code: error.code, retryable: error.retryable, typed: error instanceof SwitchyardError };
  }
};

window.bareKey = async () => {
  try {
    await new Switchyard({ env: {} }).chat({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
    return 'answered';
  } catch (error) {
    return error.code;
  }
};
`;

interface Built {
  dir: string;
  /** The page's entry file (name in `dir`). */
  entry: string;
  /** Output file (name in `dir`) of each dynamically imported module, by source path relative to src/. */
  chunkOf: Map<string, string>;
}

async function buildApp(): Promise<Built> {
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-browser-'));
  const result = await build({
    stdin: { contents: APP, resolveDir: PACKAGE, sourcefile: 'app.js', loader: 'js' },
    bundle: true,
    format: 'esm',
    platform: 'browser',
    splitting: true,
    // The sources, as the workspace resolves them (the same code `npm run build` publishes).
    conditions: ['@switchyard/source'],
    entryNames: '[name]-[hash]',
    outdir: dir,
    metafile: true,
    logLevel: 'silent',
  });
  const chunkOf = new Map<string, string>();
  let entry = '';
  for (const [path, output] of Object.entries(result.metafile.outputs)) {
    const file = path.split('/').pop()!;
    // Relative to the working directory: `src/…` when run from the package, `packages/sdk/src/…` from the root.
    const source = output.entryPoint?.match(/(?:^|\/)src\/(.+)$/)?.[1];
    if (source) chunkOf.set(source, file);
    else if (output.entryPoint && file.endsWith('.js')) entry = file; // the app itself (stdin)
  }
  return { dir, entry, chunkOf };
}

/** Serves the built app from its own origin and records which files the page asked for. */
/** `refused`: files answered 503 for as long as they are in the set (the app's server unreachable for them). */
function serveApp({ dir, entry }: Built, requested: string[], refused: Set<string>): Promise<Server> {
  const server = createServer(async (req, res) => {
    const name = (req.url ?? '/').split('?')[0]!.slice(1) || 'index.html';
    requested.push(name);
    if (refused.has(name)) {
      res.writeHead(503);
      res.end();
      return;
    }
    if (name === 'index.html') {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(`<!doctype html><title>switchyard</title><script type="module" src="/${entry}"></script>`);
      return;
    }
    try {
      const body = await readFile(join(dir, name.replace(/[^\w.-]/g, '')));
      // No caching: every page (and every test) fetches the chunks itself, so what it asks for is what it loads.
      res.writeHead(200, { 'content-type': 'text/javascript', 'cache-control': 'no-store' });
      res.end(body);
    } catch {
      res.writeHead(404);
      res.end();
    }
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

describe('the SDK in Chromium', () => {
  const sim = useSimulator();
  let built: Built;
  let app: Server;
  let browser: Browser;
  const requested: string[] = [];
  const refused = new Set<string>();

  beforeAll(async () => {
    built = await buildApp();
    app = await serveApp(built, requested, refused);
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    app?.closeAllConnections();
    await new Promise((resolve) => app?.close(resolve));
    await rm(built.dir, { recursive: true, force: true });
  });

  it('chats, streams, embeds and fails with typed errors across origins, loading chunks when needed', async () => {
    const page = await browser.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    const engineChunk = built.chunkOf.get('routing/engine.ts');
    const streamChunk = built.chunkOf.get('chat/stream-attempt.ts');
    expect(engineChunk).toBeDefined();
    expect(streamChunk).toBeDefined();
    try {
      await page.goto(`http://127.0.0.1:${(app.address() as AddressInfo).port}/`);
      await page.waitForFunction(() => typeof (window as { construct?: unknown }).construct === 'function');
      // Loaded with the page: the app and its static chunks, neither the engine nor the streaming code.
      expect(requested).toContain(built.entry);
      expect(requested).not.toContain(engineChunk);
      expect(requested).not.toContain(streamChunk);

      await page.evaluate((url) => (window as unknown as { construct: (u: string) => void }).construct(url), sim().url);
      const chat = await page.evaluate(() => (window as unknown as { chatOnce: () => Promise<unknown> }).chatOnce());
      expect(chat).toMatchObject({ text: 'from the browser', attempts: 1 });
      expect((chat as { cost: number }).cost).toBeGreaterThan(0);
      expect((chat as { tokens: number }).tokens).toBeGreaterThan(0);
      expect(requested).toContain(engineChunk);
      expect(requested).not.toContain(streamChunk);

      const stream = await page.evaluate(() =>
        (window as unknown as { streamOnce: () => Promise<unknown> }).streamOnce(),
      );
      expect(stream).toMatchObject({ text: 'one two three', final: 'one two three' });
      expect((stream as { events: number }).events).toBeGreaterThan(3);
      expect(requested).toContain(streamChunk);

      const fromNode = await clientFor(sim()).embed({ model: 'openai/text-embedding-3-small', input: 'hello' });
      expect(await page.evaluate(() => (window as unknown as { embedOnce: () => Promise<number> }).embedOnce())).toBe(
        fromNode.embeddings[0]?.length,
      );
      expect(await page.evaluate(() => (window as unknown as { failOnce: () => Promise<unknown> }).failOnce())).toEqual(
        {
          thrown: true,
          rateLimit: true,
          typed: true,
          code: 'rate_limited',
          status: 429,
          retryAfterMs: 7000,
        },
      );
      // No key: refused before any request, with the stable code (the page has no process.env to read).
      expect(await page.evaluate(() => (window as unknown as { bareKey: () => Promise<string> }).bareKey())).toBe(
        'missing_api_key',
      );
      expect(pageErrors).toEqual([]);
    } finally {
      await page.close();
    }
  }, 60_000);

  it('fails a call whose chunk did not load with a retryable ConnectionError, and loads it on the next call', async () => {
    // A context of its own: nothing cached from the first test's page.
    const context = await browser.newContext();
    const page = await context.newPage();
    const engineChunk = built.chunkOf.get('routing/engine.ts')!;
    refused.add(engineChunk);
    try {
      await page.goto(`http://127.0.0.1:${(app.address() as AddressInfo).port}/`);
      await page.waitForFunction(() => typeof (window as { construct?: unknown }).construct === 'function');
      // The constructor's early load fails quietly; the call loads again, fails too, and says so with a typed error.
      await page.evaluate((url) => (window as unknown as { construct: (u: string) => void }).construct(url), sim().url);
      const tryChat = () => page.evaluate(() => (window as unknown as { tryChat: () => Promise<unknown> }).tryChat());
      expect(await tryChat()).toEqual({ ok: false, code: 'connection_error', retryable: true, typed: true });
      const refusals = requested.filter((name) => name === engineChunk).length;
      expect(refusals).toBeGreaterThanOrEqual(1);
      refused.clear();
      expect(await tryChat()).toEqual({ ok: true, text: 'again' });
      expect(requested.filter((name) => name === engineChunk).length).toBe(refusals + 1);
    } finally {
      refused.clear();
      await context.close();
    }
  }, 60_000);
});
