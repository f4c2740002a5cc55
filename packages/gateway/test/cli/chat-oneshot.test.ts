import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  BROKEN_STREAMS,
  type CliProcess,
  type CliRun,
  cliEnv,
  expectNoStackTrace,
  providerConfig,
  type SimulateProcess,
  startCli,
  startSimulateProcess,
  stopCliChildren,
} from '../support/cli.js';

// `switchyard chat PROMPT` as users run it: the built CLI in a child process with a clean environment (no key, so
// the CLI falls back to its in-process simulator), its own HOME and cache directories, and a temporary working
// directory (no switchyard.toml of the repository is read). Faults come from a `switchyard simulate` process with
// a scenario, reached over loopback through a [providers.flaky] entry.

const root = mkdtempSync(join(tmpdir(), 'sy-chat-oneshot-'));
const home = join(root, 'home');
mkdirSync(home);
const env = cliEnv(home, { lang: 'C.UTF-8' });
// The configured provider `flaky`: a `switchyard simulate` process started in beforeAll.
const configPath = join(root, 'switchyard-flaky.toml');

/** Starts the CLI (killed after 15 s); `input` is written to stdin (else stdin is /dev/null). */
function startChat(args: string[], options: { input?: string; env?: Record<string, string> } = {}): CliProcess {
  return startCli(['chat', ...args], {
    cwd: root,
    env: { ...env, ...options.env },
    input: options.input,
    timeoutMs: 15_000,
  });
}

/** Runs the CLI to its end (killed after 15 s). */
function chat(args: string[], options: { input?: string; env?: Record<string, string> } = {}): Promise<CliRun> {
  return startChat(args, options).done;
}

let simulator: SimulateProcess | undefined;

beforeAll(async () => {
  // A separate simulator whose scenario breaks streams: openai/gpt-4o fails mid-stream, openai/gpt-4o-mini stalls.
  simulator = await startSimulateProcess({ scenario: BROKEN_STREAMS, cwd: root, env, track: false });
  writeFileSync(configPath, providerConfig('flaky', simulator.url, 'sk-or-v1-chat-test'));
});

afterEach(stopCliChildren);

afterAll(async () => {
  await simulator?.stop();
  rmSync(root, { recursive: true, force: true });
});

const SIMULATOR_NOTICE = /^Using the offline simulator \(no OPENROUTER_API_KEY is set\)/;
const STATS = /^\d+ tokens \(\d+ in · \d+ out.*\) · \$[\d.]+ · [\w.-]+\/[\w.:-]+ via \w+/m;

describe('switchyard chat PROMPT (one answer)', () => {
  it('streams the answer of a prompt argument to stdout; the simulator notice and the stats go to stderr', async () => {
    const r = await chat(['Say', 'exactly:', 'Hello from the CLI!']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('Hello from the CLI!\n');
    const lines = r.stderr.trim().split('\n');
    expect(lines[0]).toMatch(SIMULATOR_NOTICE);
    expect(lines[1]).toMatch(STATS);
    expect(lines).toHaveLength(2);
  });

  it('reads the prompt from piped stdin', async () => {
    const r = await chat([], { input: 'Say exactly: piped in\n' });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('piped in\n');
    expect(r.stderr).toMatch(SIMULATOR_NOTICE);
  });

  it('uses --model and reports the served model', async () => {
    const r = await chat(['--model', 'anthropic/claude-3-haiku', 'Say exactly: ok']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('ok\n');
    expect(r.stderr).toMatch(/ · anthropic\/claude-3-haiku via /);
  });

  it('--json prints one object: text, model, provider, usage, cost, generation id', async () => {
    const r = await chat(['--json', '-m', 'openai/gpt-4o-mini', 'Say exactly: as JSON']);
    expect(r.code).toBe(0);
    const body = JSON.parse(r.stdout);
    expect(body).toMatchObject({
      text: 'as JSON',
      model: 'openai/gpt-4o-mini',
      backend: 'simulator',
      finishReason: 'stop',
      stream: true,
    });
    expect(typeof body.provider).toBe('string');
    expect(body.generationId).toMatch(/^gen-/);
    expect(body.usage.promptTokens).toBeGreaterThan(0);
    expect(body.usage.completionTokens).toBeGreaterThan(0);
    expect(body.usage.totalTokens).toBe(body.usage.promptTokens + body.usage.completionTokens);
    expect(body.cost.usd).toBeGreaterThan(0);
    expect(body.cost.source).toBe('reported');
    // stdout is only the JSON; the notice stays on stderr, and there are no stats lines in --json mode.
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(SIMULATOR_NOTICE)]);
  });

  it('--system is sent as a system message (the prompt grows by it)', async () => {
    const plain = JSON.parse((await chat(['--json', '-m', 'openai/gpt-4o-mini', 'Say exactly: sys'])).stdout);
    const r = await chat([
      '--json',
      '-m',
      'openai/gpt-4o-mini',
      '--system',
      'You are a terse assistant who answers in one line.',
      'Say exactly: sys',
    ]);
    expect(r.code).toBe(0);
    const withSystem = JSON.parse(r.stdout);
    expect(withSystem.text).toBe('sys');
    // The simulator counts ⌈bytes / 4⌉ + 4 per message: 51 bytes of system prompt add 13 + 4 tokens.
    expect(withSystem.usage.promptTokens - plain.usage.promptTokens).toBe(17);
  });

  it('--no-stream asks for the whole answer at once', async () => {
    const r = await chat(['--no-stream', 'Say exactly: all at once']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('all at once\n');
    expect(r.stderr).toMatch(STATS);
    const json = JSON.parse((await chat(['--no-stream', '--json', 'Say exactly: whole'])).stdout);
    expect(json).toMatchObject({ text: 'whole', stream: false });
  });

  it('an unknown model exits 2 with one "did you mean" line and sends nothing', async () => {
    const r = await chat(['--model', 'openai/gpt-4o-mnii', 'hello']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trim().split('\n');
    expect(lines[0]).toMatch(SIMULATOR_NOTICE);
    expect(lines[1]).toBe(
      'switchyard: Unknown model "openai/gpt-4o-mnii": not among the 110 models of simulator. ' +
        'Did you mean openai/gpt-4o-mini, openai/gpt-5-mini or openai/gpt-4.1-mini?',
    );
    expect(lines).toHaveLength(2);
    const slug = await chat(['-m', 'claude-sonet-4.5', 'hello']);
    expect(slug.code).toBe(2);
    expect(slug.stderr).toMatch(/Did you mean anthropic\/claude-sonnet-4\.5/);
    expectNoStackTrace(slug.stderr);
  });

  it('an unknown or unusable provider exits 2 with a hint', async () => {
    const r = await chat(['--provider', 'simulatr', 'hi']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe(
      'switchyard: Unknown provider "simulatr"; the providers are openrouter, simulator. Did you mean simulator?',
    );
    const openrouter = await chat(['--provider', 'openrouter', 'hi']);
    expect(openrouter.code).toBe(2);
    expect(openrouter.stderr.trim()).toBe(
      'switchyard: OpenRouter cannot be used now: set OPENROUTER_API_KEY to use it.',
    );
  });

  it('an empty prompt (blank stdin, or no prompt and no terminal) is a usage error', async () => {
    const empty = await chat([], { input: '   \n' });
    expect(empty.code).toBe(2);
    expect(empty.stderr.trim()).toBe('switchyard: The prompt is empty.');
    const none = await chat([]);
    expect(none.code).toBe(2);
    expect(none.stderr.trim()).toBe('switchyard: The prompt is empty.');
  });

  it('a configured provider is used without the simulator notice', async () => {
    const r = await chat([
      '-c',
      configPath,
      '--provider',
      'flaky',
      '-m',
      'anthropic/claude-3-haiku',
      'Say exactly: hi',
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('hi\n');
    expect(r.stderr).not.toMatch(/simulator/);
    expect(r.stderr).toMatch(STATS);
  });

  it('an answer that breaks off mid-stream keeps the partial text and exits 1 with one clear line', async () => {
    const r = await chat(['-c', configPath, '--provider', 'flaky', '-m', 'openai/gpt-4o', 'Tell me a story']);
    expect(r.code).toBe(1);
    expect(r.stdout.length).toBeGreaterThan(1);
    expect(r.stdout.endsWith('\n')).toBe(true);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^switchyard: The answer broke off: .*Provider returned error \(openai\/gpt-4o via \w+, after \d+ characters\)\.$/,
    );
  });

  it('Ctrl+C (SIGINT) stops a streaming answer: exit 1, one line', async () => {
    const { child, done } = startChat(['-c', configPath, '-p', 'flaky', '-m', 'openai/gpt-4o-mini', 'Hi']);
    // The stream stalls after two chunks: wait for text, then interrupt.
    await new Promise<void>((resolve) => child.stdout!.once('data', () => resolve()));
    child.kill('SIGINT');
    const r = await done;
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe('switchyard: Stopped by Ctrl+C before the answer was complete.');
  });

  it('honours NO_COLOR over FORCE_COLOR', async () => {
    const colored = await chat(['Say exactly: c'], { env: { FORCE_COLOR: '1' } });
    expect(colored.stderr).toContain('\u001b[');
    const plain = await chat(['Say exactly: c'], { env: { FORCE_COLOR: '1', NO_COLOR: '1' } });
    expect(plain.code).toBe(0);
    expect(plain.stderr).not.toContain('\u001b[');
  });

  it('--help explains the modes with examples', async () => {
    const r = await chat(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Usage: switchyard chat \[options\] \[prompt\.\.\.\]/);
    expect(r.stdout).toMatch(/Examples:/);
    expect(r.stdout).toMatch(/--no-stream/);
    expect(r.stdout).toMatch(/\/save FILE/);
  });
});
