import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type CliProcess, runCli, startCli, stopCliChildren } from './support/cli.js';

const dirs: string[] = [];

afterEach(() => {
  stopCliChildren();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-serve-'));
  dirs.push(dir);
  return dir;
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** `switchyard serve` in a temp dir with a clean environment (no upstream key: the embedded simulator, demo pacing). */
async function serve(args: string[] = []): Promise<CliProcess & { origin: string }> {
  const port = await freePort();
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME };
  const started = startCli(['serve', '--port', String(port), ...args], { cwd: tempDir(), env });
  const { child, output } = started;
  const origin = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) break;
    const ok = await fetch(`${origin}/healthz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    if (Date.now() > deadline) throw new Error(`serve did not start: ${output()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return { ...started, origin };
}

describe('switchyard serve', () => {
  it('announces the simulator, serves, and on SIGTERM lets a running stream finish before exiting 0', async () => {
    const { child, origin, output, done } = await serve();
    expect(output()).toContain('SIMULATOR MODE');
    expect(output()).toContain(`switchyard gateway listening on ${origin}`);
    // Demo pacing: the answer takes a while, so the signal arrives mid-stream.
    const response = await fetch(`${origin}/api/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        model: 'openai/gpt-4o-mini',
        stream: true,
        messages: [{ role: 'user', content: 'Tell me a story' }],
      }),
    });
    expect(response.status).toBe(200);
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const first = await reader.read();
    child.kill('SIGTERM');
    let text = new TextDecoder().decode(first.value);
    for (;;) {
      const step = await reader.read();
      if (step.done) break;
      text += new TextDecoder().decode(step.value);
    }
    expect(text.trimEnd().endsWith('data: [DONE]')).toBe(true);
    expect(text).not.toContain('"error"');
    expect((await done).code).toBe(0);
    expect(output()).toContain('shutting down');
    expect(output()).toContain('ledger flushed');
  });

  it('refuses to listen beyond loopback without keys, and says how to fix it', async () => {
    const { code, stderr } = await runCli(['serve', '--host', '0.0.0.0', '--port', '0'], {
      cwd: tempDir(),
      env: { PATH: process.env.PATH },
    });
    expect(code).not.toBe(0);
    expect(stderr).toContain('Refusing to listen on 0.0.0.0 without virtual keys');
    expect(stderr).toContain('--insecure-no-auth');
  });

  it('names a log level it does not know (flag or LOG_LEVEL) and exits 2, as for other wrong usage', async () => {
    const flag = await runCli(['serve', '--port', '0', '--log-level', 'loud'], {
      cwd: tempDir(),
      env: { PATH: process.env.PATH },
    });
    expect(flag.code).toBe(2);
    expect(flag.stderr).toContain('Invalid log level "loud"');
    const env = await runCli(['serve', '--port', '0'], {
      cwd: tempDir(),
      env: { PATH: process.env.PATH, LOG_LEVEL: 'x' },
    });
    expect(env.code).toBe(2);
    expect(env.stderr).toContain('Invalid log level "x"');
  });

  it('names the ledger it cannot open: a file that is no database, a path under a file, a PostgreSQL server down', async () => {
    const dir = tempDir();
    const junk = join(dir, 'junk.db');
    writeFileSync(junk, 'not a database at all, but long enough for SQLite to read its header and give up');
    const env = { PATH: process.env.PATH };
    const notDb = await runCli(['serve', '--port', '0', '--db', junk], { cwd: dir, env });
    expect(notDb.code).toBe(1);
    expect(notDb.stderr).toContain(`SQLite ledger ${junk}: file is not a database`);
    const usage = await runCli(['usage', '--db', junk], { cwd: dir, env });
    expect(usage.stderr.trim()).toBe(`switchyard: SQLite ledger ${junk}: file is not a database`);
    const underFile = join(junk, 'ledger.db');
    const notDir = await runCli(['serve', '--port', '0', '--db', underFile], { cwd: dir, env });
    expect(notDir.code).toBe(1);
    expect(notDir.stderr).toContain(`SQLite ledger ${underFile}:`);
    // Nothing listens on port 1: the PostgreSQL ledger is named without its credentials.
    const pgEnv = { ...env, DATABASE_URL: 'postgres://ledger:hunter2-secret@127.0.0.1:1/app' };
    for (const args of [['serve', '--port', '0'], ['usage']]) {
      const down = await runCli(args, { cwd: dir, env: pgEnv });
      expect(down.code).toBe(1);
      expect(down.stderr).toContain('PostgreSQL ledger postgres://127.0.0.1:1/app (DATABASE_URL): ');
      expect(down.stderr).not.toContain('hunter2');
    }
  });

  it('says what to do when the port is taken, for serve and simulate', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const { port } = taken.address() as { port: number };
    try {
      for (const command of ['serve', 'simulate']) {
        const { code, stderr } = await runCli([command, '--port', String(port)], {
          cwd: tempDir(),
          env: { PATH: process.env.PATH },
        });
        expect(code, command).toBe(1);
        expect(stderr).toContain(`EADDRINUSE`);
        expect(stderr).toContain(
          `another process uses port ${port}: stop it, or pass another --port (0 picks a free one)`,
        );
      }
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  });
});
