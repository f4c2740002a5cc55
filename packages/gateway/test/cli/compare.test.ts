import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type SimulatorHandle, startSimulator } from '@switchyard/simulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliRun, cliEnv, expectNoStackTrace, runCli } from '../support/cli.js';

// `switchyard compare` driven as a child process (the built CLI), on the embedded simulator and against a
// simulator with faults started here.

const dir = mkdtempSync(join(tmpdir(), 'sy-compare-'));
let sim: SimulatorHandle;

function env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return cliEnv(dir, { extra });
}

function keyed(): NodeJS.ProcessEnv {
  return cliEnv(dir, { openRouter: { url: sim.url, apiKey: 'sk-or-v1-compare-test', fastRetry: true } });
}

function compare(args: string[], environment: NodeJS.ProcessEnv = env(), input?: string): Promise<CliRun> {
  return runCli(['compare', ...args], { cwd: dir, env: environment, input });
}

const LONG =
  'Switchyard compares answers from several models at once, wrapping every answer to its own column so that nothing runs past the edge of the terminal window';

beforeAll(async () => {
  sim = await startSimulator({
    port: 0,
    rules: [
      {
        id: 'down',
        match: { model: 'anthropic/claude-3-haiku' },
        fault: { kind: 'provider-error', raw: 'upstream is down' },
      },
      { id: 'busy', match: { model: 'openai/gpt-4o' }, first: 1, fault: { kind: 'http', status: 429, retryAfter: 1 } },
    ],
  });
});

afterAll(async () => {
  await sim?.close();
});

describe('switchyard compare', () => {
  it('shows three answers side by side, wrapped to the width, with latency, TTFT, tokens and cost', async () => {
    const models = ['openai/gpt-4o-mini', 'anthropic/claude-3.5-haiku', 'meta-llama/llama-3.3-70b-instruct'];
    const run = await compare(['--models', models.join(','), `Say exactly: ${LONG}`]);
    expect(run.code, run.stderr).toBe(0);
    const lines = run.stdout.trimEnd().split('\n');
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(80);
    // Long model ids break after a separator, not mid-word.
    expect(lines[0]).toMatch(/^openai\/gpt-4o-mini\s+│ anthropic\/claude-3\.5- +│ meta-llama\/llama-3\.3-/);
    expect(lines[1]).toMatch(/^ +│ haiku +│ 70b-instruct/);
    // Every column holds the whole answer, word for word, wrapped inside its 24 characters.
    const columns = [0, 1, 2].map((c) =>
      lines
        .filter((l) => l.includes('│'))
        .map((l) => (l.split(' │ ')[c] ?? '').trim())
        .join(' '),
    );
    for (const column of columns) expect(column.replace(/\s+/g, ' ')).toContain(LONG);
    expect(run.stdout).toMatch(/latency +\d+ ms/);
    expect(run.stdout).toMatch(/ttft +\d+ ms/);
    expect(run.stdout).toMatch(/tokens +\d+ → \d+/);
    expect(run.stdout).toMatch(/cost +\$[\d.]+/);
    expect(run.stdout.replace(/\n/g, ' ')).toMatch(/fastest: \S+ \(\d+ ms\) · cheapest: \S+ \(\$[\d.]+\)/);
    expect(run.stderr.split('\n')[0]).toMatch(/^Using the offline simulator/);
  });

  it('prints JSON with --json and reads the prompt from stdin with -', async () => {
    const run = await compare(
      ['--models', 'openai/gpt-4o-mini,x-ai/grok-4-fast', '--json', '-'],
      env(),
      'Say exactly: piped in\n',
    );
    expect(run.code, run.stderr).toBe(0);
    const doc = JSON.parse(run.stdout);
    expect(doc.prompt).toBe('Say exactly: piped in');
    expect(doc.results.map((r: { model: string }) => r.model)).toEqual(['openai/gpt-4o-mini', 'x-ai/grok-4-fast']);
    for (const r of doc.results) {
      expect(r).toMatchObject({ success: true, text: 'piped in', error: null });
      expect(r.latency_ms).toEqual(expect.any(Number));
      expect(r.ttft_ms).toEqual(expect.any(Number));
      expect(r.tokens.completion).toBeGreaterThan(0);
      expect(r.cost_usd).toBeGreaterThan(0);
    }
  });

  it('stacks the answers when side-by-side columns would be too narrow', async () => {
    const models = ['openai/gpt-4o-mini', 'openai/gpt-4o', 'anthropic/claude-3.5-haiku', 'x-ai/grok-4-fast'];
    const run = await compare(['--models', models.join(','), 'Say exactly: stacked'], env({ NO_COLOR: '1' }));
    expect(run.code, run.stderr).toBe(0);
    for (const model of models)
      expect(run.stdout).toMatch(
        new RegExp(`── ${model.replace(/[./]/g, '\\$&')} ─+\\nstacked\\nlatency \\d+ ms · ttft`),
      );
  });

  it('shows a failing model’s reason in its column, waits out a 429, and exits 1', async () => {
    const run = await compare(
      ['--models', 'openai/gpt-4o,anthropic/claude-3-haiku', 'Say exactly: still here'],
      keyed(),
    );
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/still here\s+│ FAILED: provider error \(502\):/);
    expect(run.stderr).toMatch(/^switchyard: 1 of 2 models failed$/m);
    expect(run.stderr).not.toContain('simulator');
    expect(run.stdout + run.stderr).not.toContain('sk-or-v1-compare-test');
    const json = await compare(['--models', 'anthropic/claude-3-haiku', 'hi', '--json'], keyed());
    expect(json.code).toBe(1);
    const [failed] = JSON.parse(json.stdout).results;
    expect(failed).toMatchObject({ success: false, text: null, error: { code: 'provider_error', status: 502 } });
    expect(failed.reason).toContain('upstream is down');
  });

  it('refuses wrong usage with one line and exit 2', async () => {
    const runs = await Promise.all([
      compare(['--models', 'openai/gpt-4o-mini,nobody/nothing', 'hi']),
      compare(['--models', 'openai/gpt-4o-mini']),
      compare(['hi']),
      compare(['--models', 'openai/gpt-4o-mini', '--temperature', '7', 'hi']),
      compare(['--help']),
    ]);
    const [unknown, noPrompt, noModels, badTemperature, help] = runs as CliRun[];
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^switchyard: unknown model: nobody\/nothing/m);
    expect(noPrompt.code).toBe(2);
    expect(noPrompt.stderr).toMatch(/give a prompt/);
    expect(noModels.code).toBe(2);
    expect(noModels.stderr).toMatch(/required option '--models <ids>' not specified/);
    expect(badTemperature.code).toBe(2);
    expect(badTemperature.stderr).toMatch(/expected a number from 0 to 2/);
    for (const run of runs) expectNoStackTrace(run.stderr);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Examples:');
  });
});
