import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type RunningGateway, serveGateway } from '../../src/index.js';

// The package's programmatic entry: the gateway `switchyard serve` runs, started inside the caller's process.

let dir: string;
let running: RunningGateway | undefined;
let logs: string;
const capture = { write: (line: string) => (logs += line) };

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'switchyard-serve-'));
  logs = '';
});

afterEach(async () => {
  await running?.close();
  running = undefined;
  rmSync(dir, { recursive: true, force: true });
});

const chat = (baseURL: string, model: string) =>
  fetch(`${baseURL}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hello' }], max_tokens: 50 }),
  });

describe('serveGateway', () => {
  it('serves chat on the embedded simulator, and close() flushes the ledger and stops listening', async () => {
    const db = join(dir, 'ledger.db');
    running = await serveGateway({
      port: 0,
      env: {},
      config: false,
      db,
      simulator: { pace: 'instant' },
      logDestination: capture,
    });
    expect(running.baseURL).toBe(`${running.url}/api/v1`);
    expect(running.url).toBe(`http://127.0.0.1:${running.port}`);
    const res = await chat(running.baseURL, 'openai/gpt-4o-mini');
    expect(res.status).toBe(200);
    const body = (await res.json()) as { id: string; choices: { message: { content: string } }[] };
    expect(body.choices[0]?.message.content.length).toBeGreaterThan(0);
    expect(logs).toContain('SIMULATOR MODE');

    const { baseURL } = running;
    await running.close();
    running = undefined;
    await expect(chat(baseURL, 'openai/gpt-4o-mini')).rejects.toThrow();
    const ledger = new Database(db, { readonly: true });
    try {
      const row = ledger.prepare('SELECT model_served AS model FROM ledger WHERE generation_id = ?').get(body.id) as
        | { model: string }
        | undefined;
      expect(row?.model).toBe('openai/gpt-4o-mini');
    } finally {
      ledger.close();
    }
  });

  it('reads the configuration file it is given (aliases, [gateway] settings) and LOG_LEVEL of the env given', async () => {
    const file = join(dir, 'switchyard.toml');
    writeFileSync(file, '[aliases]\nquick = "openai/gpt-4o-mini"\n\n[gateway]\nhost = "127.0.0.1"\nport = 0\n');
    running = await serveGateway({
      config: file,
      db: join(dir, 'ledger.db'),
      simulator: { pace: 'instant' },
      env: { LOG_LEVEL: 'error' },
      logDestination: capture,
    });
    const res = await chat(running.baseURL, 'quick');
    expect(res.status).toBe(200);
    expect(((await res.json()) as { model: string }).model).toBe('openai/gpt-4o-mini');
    expect(logs).not.toContain('SIMULATOR MODE'); // a warning, below the level asked for
  });

  it('refuses what `switchyard serve` refuses, and a config that is no path, object or false, with typed errors', async () => {
    await expect(
      serveGateway({
        host: '0.0.0.0',
        port: 0,
        env: {},
        config: false,
        db: join(dir, 'a.db'),
        logDestination: capture,
      }),
    ).rejects.toMatchObject({ code: 'invalid_config', message: expect.stringContaining('without virtual keys') });
    await expect(serveGateway({ port: 70_000, env: {}, config: false, db: join(dir, 'b.db') })).rejects.toMatchObject({
      code: 'invalid_config',
    });
    await expect(serveGateway({ config: 42 as never, env: {} })).rejects.toMatchObject({ code: 'invalid_config' });
    await expect(serveGateway({ logLevel: 'loud' as never, env: {}, config: false })).rejects.toMatchObject({
      code: 'invalid_config',
      message: expect.stringContaining('Invalid log level "loud"'),
    });
    await expect(serveGateway({ env: { LOG_LEVEL: 'noisy' }, config: false })).rejects.toMatchObject({
      message: expect.stringContaining('"noisy"'),
    });
    await expect(serveGateway({ config: join(dir, 'missing.toml'), env: {} })).rejects.toMatchObject({
      code: 'invalid_config',
    });
  });
});
