import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

const BIN = new URL('../bin/switchyard.js', import.meta.url).pathname;
const children: ChildProcess[] = [];

function run(args: string[]): ChildProcess {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  return child;
}

/** Resolves with the first stdout line (the base URL) or rejects with stderr when the process exits first. */
function firstLine(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stdout?.on('data', (chunk) => {
      out += chunk;
      const newline = out.indexOf('\n');
      if (newline >= 0) resolve(out.slice(0, newline));
    });
    child.stderr?.on('data', (chunk) => {
      err += chunk;
    });
    child.on('exit', (code) => reject(new Error(`exited ${code}: ${err}`)));
  });
}

function exited(child: ChildProcess): Promise<{ code: number | null; stderr: string; stdout: string }> {
  return new Promise((resolve) => {
    let stderr = '';
    let stdout = '';
    child.stderr?.on('data', (chunk) => {
      stderr += chunk;
    });
    child.stdout?.on('data', (chunk) => {
      stdout += chunk;
    });
    child.on('exit', (code) => resolve({ code, stderr, stdout }));
  });
}

afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

describe('switchyard simulate', () => {
  it('prints its base URL first, serves the OpenRouter API and stops on SIGTERM', async () => {
    const child = run(['simulate', '--port', '0', '--seed', '42']);
    const url = await firstLine(child);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\/v1$/);
    const models = await (await fetch(`${url}/models`)).json();
    expect(models.data.length).toBeGreaterThan(50);
    const chat = await fetch(`${url}/chat/completions`, {
      method: 'POST',
      headers: { authorization: 'Bearer sk-or-v1-cli-test', 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'Say exactly: pong' }] }),
    });
    expect((await chat.json()).choices[0].message.content).toBe('pong');
    const done = exited(child);
    child.kill('SIGTERM');
    expect((await done).code).toBe(0);
  });

  it('loads a scenario file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sy-cli-'));
    const scenario = join(dir, 'scenario.json');
    writeFileSync(scenario, JSON.stringify({ rules: [{ fault: { kind: 'http', status: 503 } }] }));
    const child = run(['simulate', '--port', '0', '--scenario', scenario]);
    const url = await firstLine(child);
    const res = await fetch(`${url}/chat/completions`, {
      method: 'POST',
      headers: { authorization: 'Bearer sk-or-v1-cli-test', 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(res.status).toBe(503);
    child.kill('SIGTERM');
  });

  it('explains bad flags and bad scenario files, and exits non-zero', async () => {
    const pace = await exited(run(['simulate', '--pace', 'warp', '--port', '0']));
    expect(pace.code).toBe(2);
    expect(pace.stderr).toMatch(/--pace must be "demo" or "instant"/);
    const port = await exited(run(['simulate', '--port', 'eighty']));
    expect(port.code).not.toBe(0);
    expect(port.stderr).toMatch(/expected an integer/);
    const dir = mkdtempSync(join(tmpdir(), 'sy-cli-'));
    const scenario = join(dir, 'bad.json');
    writeFileSync(scenario, JSON.stringify({ rules: [{ fault: { kind: 'meteor' } }] }));
    const bad = await exited(run(['simulate', '--port', '0', '--scenario', scenario]));
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/unknown kind "meteor"/);
  });

  it('lists its commands in --help', async () => {
    const help = await exited(run(['--help']));
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/simulate \[options\]/);
    const sub = await exited(run(['simulate', '--help']));
    expect(sub.stdout).toMatch(/--scenario <file>/);
    expect(sub.stdout).toMatch(/--pace <pace>/);
  });
});
