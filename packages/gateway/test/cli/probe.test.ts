import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SimulatorHandle } from '@switchyard/simulator';
import { afterEach, describe, expect, it } from 'vitest';
import { RatePacer } from '../../src/cli/probe/rate-pacer.js';
import {
  type CliRun,
  cliEnv,
  expectNoStackTrace,
  runCli,
  startCli,
  stopCliChildren,
  useSimulators,
  waitUntil,
} from '../support/cli.js';

// `switchyard probe` driven as a child process (the built CLI) against simulators on loopback.

const KEY = 'sk-or-v1-probe-test-secret';
const simulator = useSimulators();

function workdir(): string {
  return mkdtempSync(join(tmpdir(), 'sy-probe-'));
}

/** A clean environment: a throwaway HOME and caches, no key unless a test simulator is given, CI (plain output). */
function env(dir: string, sim?: SimulatorHandle): NodeJS.ProcessEnv {
  return cliEnv(dir, { ci: true, openRouter: sim && { url: sim.url, apiKey: KEY, fastRetry: true } });
}

function start(args: string[], dir: string, environment: NodeJS.ProcessEnv) {
  return startCli(args, { cwd: dir, env: environment });
}

function probe(args: string[], dir: string, environment: NodeJS.ProcessEnv): Promise<CliRun> {
  return runCli(['probe', ...args], { cwd: dir, env: environment });
}

interface Result {
  model: string;
  success: boolean;
  attempts: number;
  rate_limit_waits: number;
  reason: string | null;
  error: { code: string } | null;
  tested_at: string;
  latency_ms: number | null;
  ttft_ms: number | null;
  tokens: { total: number } | null;
  cost_usd: number;
}

/** The results file (replaced atomically, so a poll never reads half of it). */
function results(path: string): { results: Result[]; summary: Record<string, unknown>; prompt: string } {
  return JSON.parse(readFileSync(path, 'utf8'));
}

afterEach(stopCliChildren);

describe('switchyard probe', () => {
  it('records successes, retried rate limits and failures with reasons, writes results and a log, exits 1', async () => {
    const sim = await simulator({
      seed: 7,
      rules: [
        // Two 429s with Retry-After: 1 — waited out, then the model answers.
        {
          id: 'rl',
          match: { model: 'openai/gpt-4o-mini' },
          first: 2,
          fault: { kind: 'http', status: 429, retryAfter: 1 },
        },
        // A provider that keeps failing: the SDK retries (OPENROUTER_RETRY_ATTEMPTS=2), then the model fails.
        {
          id: 'down',
          match: { model: 'anthropic/claude-3-haiku' },
          fault: { kind: 'provider-error', status: 502, raw: 'upstream exploded' },
        },
        { id: 'credits', match: { model: 'openai/gpt-4o' }, fault: { kind: 'http', status: 402 } },
      ],
    });
    const dir = workdir();
    const models = 'openai/gpt-4o-mini,anthropic/claude-3-haiku,openai/gpt-4o,meta-llama/llama-3.3-70b-instruct';
    const run = await probe(
      ['--models', models, '--concurrency', '2', '--out', 'out/results.json', '--log', 'out/probe.log'],
      dir,
      env(dir, sim),
    );
    expect(run.code, run.stderr).toBe(1);

    const doc = results(join(dir, 'out/results.json'));
    const by = Object.fromEntries(doc.results.map((r) => [r.model, r]));
    expect(doc.results).toHaveLength(4);
    expect(by['openai/gpt-4o-mini']).toMatchObject({ success: true, rate_limit_waits: 2, attempts: 1 });
    expect(by['openai/gpt-4o-mini']?.ttft_ms).toEqual(expect.any(Number));
    expect(by['openai/gpt-4o-mini']?.tokens?.total).toBeGreaterThan(0);
    expect(by['openai/gpt-4o-mini']?.cost_usd).toBeGreaterThan(0);
    expect(by['anthropic/claude-3-haiku']).toMatchObject({ success: false, attempts: 2 });
    expect(by['anthropic/claude-3-haiku']?.error?.code).toBe('provider_error');
    expect(by['anthropic/claude-3-haiku']?.reason).toMatch(/^provider error \(502\): .*upstream exploded/);
    expect(by['openai/gpt-4o']?.reason).toMatch(/^requires credits \(402\)/);
    expect(by['meta-llama/llama-3.3-70b-instruct']?.success).toBe(true);
    expect(sim.stats.models['openai/gpt-4o-mini']?.attempts).toBe(3);

    // The summary mirrors the requirement docs' block.
    expect(run.stdout).toContain('Total Models Tested: 4');
    expect(run.stdout).toContain('Successful Tests: 2');
    expect(run.stdout).toContain('Failed Tests: 2');
    expect(run.stdout).toContain('Success Rate: 50.0%');
    expect(run.stdout).toMatch(/Average Latency: \d+\.\d+ seconds/);
    expect(run.stdout).toMatch(/Total Duration: \d+\.\d (seconds|minutes)/);
    expect(run.stdout).toContain('FAILED MODELS:\n  - ');
    expect(run.stdout).toMatch(/ {2}- anthropic\/claude-3-haiku: provider error \(502\)/);
    expect(run.stdout).toMatch(/TOP 2 FASTEST MODELS:\n {2}1\. \S+: \d+\.\d+s\n {2}2\. /);
    expect(doc.summary).toMatchObject({ models_tested: 4, succeeded: 2, failed: 2, success_rate: 50 });

    // Plain progress (CI): one line per model; rate-limit waits are said; one error line; no stack traces.
    expect(run.stderr).toMatch(/\[\d\/4\] ok {5}openai\/gpt-4o-mini/);
    expect(run.stderr).toMatch(/\[\d\/4\] FAILED anthropic\/claude-3-haiku/);
    expect(run.stderr).toMatch(/rate limited on openai\/gpt-4o-mini .*waiting 1\.0 s \(Retry-After\)/);
    expect(run.stderr).toMatch(/switchyard: 2 of 4 models failed/);
    expectNoStackTrace(run.stderr);
    expect(run.stderr).not.toContain('\u001b[');
    const log = readFileSync(join(dir, 'out/probe.log'), 'utf8');
    expect(log).toMatch(/INFO {2}probe of 4 models/);
    expect(log).toMatch(/WARN {2}rate limited on openai\/gpt-4o-mini/);
    expect(log).toMatch(/ERROR failed anthropic\/claude-3-haiku: provider error/);
    // The key is never printed or written.
    for (const text of [run.stdout, run.stderr, log, readFileSync(join(dir, 'out/results.json'), 'utf8')])
      expect(text).not.toContain(KEY);

    // --resume --retry-failed tests only the failed models again (the provider has recovered).
    sim.setRules([]);
    const before = sim.stats.models;
    const again = await probe(
      ['--models', models, '--out', 'out/results.json', '--log', 'out/probe.log', '--resume', '--retry-failed'],
      dir,
      env(dir, sim),
    );
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toContain('2 of 4 models already tested, 2 to go');
    expect(sim.stats.models['openai/gpt-4o-mini']?.attempts).toBe(before['openai/gpt-4o-mini']?.attempts);
    const after = results(join(dir, 'out/results.json'));
    expect(after.results.map((r) => r.success)).toEqual([true, true, true, true]);
    expect(after.summary).toMatchObject({ models_tested: 4, succeeded: 4, failed: 0 });
  });

  it('does not hammer a free tier whose limit outlasts --max-wait (X-RateLimit-Reset)', async () => {
    // A pinned clock ten minutes ahead: the free-tier minute never resets while the test runs.
    const pinned = Date.now() - (Date.now() % 60_000) + 10 * 60_000 + 1000;
    const sim = await simulator({ freeTier: { perMinute: 1 }, now: () => pinned });
    const dir = workdir();
    const free = [
      'meta-llama/llama-3.3-70b-instruct:free',
      'mistralai/mistral-7b-instruct:free',
      'qwen/qwen3-coder:free',
    ];
    const run = await probe(
      ['--models', free.join(','), '--concurrency', '1', '--max-wait', '5s', '--no-log'],
      dir,
      env(dir, sim),
    );
    expect(run.code, run.stderr).toBe(1);
    expect(existsSync(join(dir, 'probe.log'))).toBe(false);
    const doc = results(join(dir, 'probe-results.json'));
    const [first, second, third] = doc.results;
    expect(first).toMatchObject({ model: free[0], success: true });
    expect(second).toMatchObject({ model: free[1], success: false, attempts: 1 });
    expect(second?.reason).toMatch(
      /^rate limited \(429\): Rate limit exceeded: free-models-per-min\. \(retry in \d+\.\d min\)/,
    );
    // The third free model is not even asked: the shared free-tier limit is known to last too long.
    expect(third).toMatchObject({ model: free[2], success: false, attempts: 0 });
    expect(third?.reason).toContain('not sent');
    expect(sim.stats.models[free[1] as string]?.attempts).toBe(1);
    expect(sim.stats.models[free[2] as string]).toBeUndefined();
  });

  it('loses nothing when killed mid-run and --resume skips what was tested', async () => {
    const sim = await simulator({ pace: { ttftMs: 150 } });
    const dir = workdir();
    const models = [
      'openai/gpt-4o-mini',
      'anthropic/claude-3.5-haiku',
      'google/gemini-2.5-flash',
      'meta-llama/llama-3.3-70b-instruct',
      'mistralai/mistral-7b-instruct',
      'x-ai/grok-4-fast',
    ];
    const args = ['--models', models.join(','), '--concurrency', '1', '--out', 'r.json'];
    const path = join(dir, 'r.json');
    const first = start(['probe', ...args], dir, env(dir, sim));
    await waitUntil(() => existsSync(path) && results(path).results.length >= 2, 'two results');
    first.child.kill('SIGKILL');
    await first.done;

    const saved = results(path).results; // a complete JSON document despite the kill
    expect(saved.length).toBeGreaterThanOrEqual(2);
    expect(saved.length).toBeLessThan(models.length);
    const attemptsBefore = sim.stats.models;

    const resumed = await probe([...args, '--resume'], dir, env(dir, sim));
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toContain(`${saved.length} of 6 models already tested, ${6 - saved.length} to go`);
    const final = results(path).results;
    expect(final.map((r) => r.model).sort()).toEqual([...models].sort());
    for (const old of saved) {
      // Not tested again: the same record, and the simulator saw no new request for it.
      expect(final.find((r) => r.model === old.model)?.tested_at).toBe(old.tested_at);
      expect(sim.stats.models[old.model]?.attempts).toBe(attemptsBefore[old.model]?.attempts);
    }
    expect(resumed.stdout).toContain('Total Models Tested: 6');
  });

  it('stops on Ctrl-C after the tests in flight (exit 130), and resumes', async () => {
    const sim = await simulator({});
    const dir = workdir();
    const args = ['--models', 'openai/gpt-4o-mini,openai/gpt-4o,anthropic/claude-3.5-haiku', '--delay', '3s'];
    const run = start(['probe', ...args], dir, env(dir, sim));
    const path = join(dir, 'probe-results.json');
    await waitUntil(() => existsSync(path) && results(path).results.length >= 1, 'the first result');
    run.child.kill('SIGINT');
    const stopped = await run.done;
    expect(stopped.code).toBe(130);
    expect(stopped.stderr).toMatch(/interrupted: 2 models not tested; run again with --resume to continue/);
    expect(stopped.stdout).toContain('Total Models Tested: 1');

    const resumed = await probe([...args, '--delay', '0', '--resume'], dir, env(dir, sim));
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(results(path).results).toHaveLength(3);
  });

  it('probes every chat model of the embedded simulator with --all --json', async () => {
    const dir = workdir();
    const run = await probe(['--all', '--concurrency', '8', '--json', '--no-log'], dir, env(dir));
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr.split('\n')[0]).toMatch(/^Using the offline simulator/);
    const doc = JSON.parse(run.stdout);
    expect(doc.backend).toBe('simulator');
    expect(doc.results.length).toBeGreaterThan(50);
    expect(doc.results.every((r: Result) => r.success)).toBe(true);
    expect(doc.results.some((r: Result) => r.model.endsWith(':free'))).toBe(true);
    expect(doc.summary.models_tested).toBe(doc.results.length);
    expect(doc.summary.fastest).toHaveLength(5);
    expect(JSON.parse(readFileSync(join(dir, 'probe-results.json'), 'utf8')).results).toHaveLength(doc.results.length);
  });

  it('refuses wrong usage with one line and exit 2', async () => {
    const dir = workdir();
    const cases: [string[], RegExp][] = [
      [[], /say which models to probe: --all, --free, --models a,b or --match REGEX/],
      [['--all', '--models', 'a/b'], /--models names the models itself/],
      [['--all', '--delay', '3x'], /argument '3x' is invalid\. expected a duration/],
      [['--all', '--concurrency', '0'], /expected a positive integer/],
      [['--match', '('], /--match: Invalid regular expression/],
      [['--all', '--retry-failed'], /--retry-failed works with --resume/],
      [['--models', 'nobody/nothing'], /unknown model: nobody\/nothing/],
    ];
    for (const [args, message] of cases) {
      const run = await probe(args, dir, env(dir));
      expect(run.code, args.join(' ')).toBe(2);
      expect(run.stderr).toMatch(message);
      expectNoStackTrace(run.stderr);
    }
    writeFileSync(
      join(dir, 'probe-results.json'),
      JSON.stringify({ tool: 'switchyard probe', prompt: 'Hello, world!', results: [{ model: 'x/y' }] }),
    );
    const existing = await probe(['--free'], dir, env(dir));
    expect(existing.code).toBe(2);
    expect(existing.stderr).toMatch(
      /probe-results\.json already holds 1 results: pass --resume to continue it or --force/,
    );
    const otherPrompt = await probe(['--free', '--resume', '--prompt', 'Hi'], dir, env(dir));
    expect(otherPrompt.code).toBe(2);
    expect(otherPrompt.stderr).toMatch(/was made with --prompt "Hello, world!"/);
    const help = await probe(['--help'], dir, env(dir));
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Examples:');
  });
});

describe('RatePacer', () => {
  /** A clock that only moves when the pacer sleeps. */
  function fakeTime() {
    let now = 1_000_000;
    return {
      now: () => now,
      sleep: async (ms: number) => {
        now += ms;
      },
      get at() {
        return now;
      },
    };
  }

  it('lets at most N free-model requests start in any minute', async () => {
    const t = fakeTime();
    const pacer = new RatePacer({ intervalMs: 0, freePerWindow: 2, now: t.now, sleep: t.sleep });
    const starts: number[] = [];
    for (let i = 0; i < 5; i++) {
      await pacer.acquire({ model: `m${i}:free`, free: true });
      starts.push(t.at - 1_000_000);
    }
    expect(starts).toEqual([0, 0, 60_000, 60_000, 120_000]);
    await pacer.acquire({ model: 'paid/model', free: false }); // paid models are not held back
    expect(t.at - 1_000_000).toBe(120_000);
  });

  it('spaces starts by the delay and waits out a 429 block for its bucket only', async () => {
    const t = fakeTime();
    const waits: string[] = [];
    const pacer = new RatePacer({
      intervalMs: 5000,
      now: t.now,
      sleep: t.sleep,
      onWait: (ms, reason) => waits.push(`${reason} ${ms}`),
    });
    await pacer.acquire({ model: 'a/a', free: false });
    await pacer.acquire({ model: 'a/a', free: false });
    expect(t.at - 1_000_000).toBe(5000);
    pacer.block({ model: 'b/b', free: false }, 30_000);
    await pacer.acquire({ model: 'a/a', free: false }); // another bucket: only the delay
    expect(t.at - 1_000_000).toBe(10_000);
    await pacer.acquire({ model: 'b/b', free: false });
    expect(t.at - 1_000_000).toBe(35_000);
    expect(waits).toEqual(['delay 5000', 'delay 5000', 'rate-limit 25000']);
  });
});
