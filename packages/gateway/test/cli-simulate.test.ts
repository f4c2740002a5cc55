import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli, startSimulateProcess, stopCliChildren } from './support/cli.js';

afterEach(stopCliChildren);

describe('switchyard simulate', () => {
  it('prints its base URL first, serves the OpenRouter API and stops on SIGTERM', async () => {
    const { url, stop } = await startSimulateProcess({ args: ['--seed', '42'] });
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\/v1$/);
    const models = await (await fetch(`${url}/models`)).json();
    expect(models.data.length).toBeGreaterThan(50);
    const chat = await fetch(`${url}/chat/completions`, {
      method: 'POST',
      headers: { authorization: 'Bearer sk-or-v1-cli-test', 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'Say exactly: pong' }] }),
    });
    expect((await chat.json()).choices[0].message.content).toBe('pong');
    expect(await stop()).toBe(0);
  });

  it('loads a scenario file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sy-cli-'));
    const scenario = join(dir, 'scenario.json');
    writeFileSync(scenario, JSON.stringify({ rules: [{ fault: { kind: 'http', status: 503 } }] }));
    const { url, child } = await startSimulateProcess({ scenario });
    const res = await fetch(`${url}/chat/completions`, {
      method: 'POST',
      headers: { authorization: 'Bearer sk-or-v1-cli-test', 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(res.status).toBe(503);
    child.kill('SIGTERM');
  });

  it('explains bad flags and bad scenario files, and exits non-zero', async () => {
    const pace = await runCli(['simulate', '--pace', 'warp', '--port', '0']);
    expect(pace.code).toBe(2);
    expect(pace.stderr).toMatch(/--pace must be "demo" or "instant"/);
    const port = await runCli(['simulate', '--port', 'eighty']);
    expect(port.code).not.toBe(0);
    expect(port.stderr).toMatch(/expected an integer/);
    const dir = mkdtempSync(join(tmpdir(), 'sy-cli-'));
    const scenario = join(dir, 'bad.json');
    writeFileSync(scenario, JSON.stringify({ rules: [{ fault: { kind: 'meteor' } }] }));
    const bad = await runCli(['simulate', '--port', '0', '--scenario', scenario]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/unknown kind "meteor"/);
  });

  it('lists its commands in --help', async () => {
    const help = await runCli(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/simulate \[options\]/);
    const sub = await runCli(['simulate', '--help']);
    expect(sub.stdout).toMatch(/--scenario <file>/);
    expect(sub.stdout).toMatch(/--pace <pace>/);
  });
});
