import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SimulatorHandle } from '@switchyard/simulator';
import { afterEach, describe, expect, it } from 'vitest';
import { usd } from '../../src/cli/support/output.js';
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

// `switchyard batch` driven as a child process (the built CLI) against simulators on loopback, with faults
// injected by simulator rules (matched per model, so each input line can be given its own fault).

const KEY = 'sk-or-v1-batch-test-secret';
const simulator = useSimulators();

interface OutLine {
  line: number;
  id: string | number | null;
  model: string | null;
  text: string | null;
  finish_reason: string | null;
  usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number } | null;
  cost_usd: number;
  generation_id: string | null;
  attempts: number;
  error: { code: string; status: number | null; message: string; provider: string | null } | null;
}

function workdir(): string {
  return mkdtempSync(join(tmpdir(), 'sy-batch-'));
}

/** A clean environment: a throwaway HOME and caches, no key unless a test simulator is given, CI (plain output). */
function env(dir: string, sim?: SimulatorHandle): NodeJS.ProcessEnv {
  return cliEnv(dir, { ci: true, openRouter: sim && { url: sim.url, apiKey: KEY, fastRetry: true } });
}

function start(args: string[], dir: string, environment: NodeJS.ProcessEnv) {
  return startCli(['batch', ...args], { cwd: dir, env: environment });
}

function batch(args: string[], dir: string, environment: NodeJS.ProcessEnv, input?: string): Promise<CliRun> {
  return runCli(['batch', ...args], { cwd: dir, env: environment, input });
}

/** The complete records of a JSONL output (a file being appended to may end in half a line: left out). */
function records(path: string): OutLine[] {
  if (!existsSync(path)) return [];
  const text = readFileSync(path, 'utf8');
  return text
    .slice(0, text.lastIndexOf('\n') + 1)
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as OutLine);
}

/**
 * What a stopped run kept: the output, plus the finished lines still waiting in `<out>.pending` (that file is only
 * appended to, so it also holds lines that have since moved to the output: those are left out).
 */
function kept(out: string): OutLine[] {
  const written = records(out);
  const last = written.at(-1)?.line ?? 0;
  return [...written, ...records(`${out}.pending`).filter((r) => r.line > last)];
}

/** Writes an input file: objects become JSON lines, strings are written as they are (bad or blank lines). */
function input(dir: string, name: string, lines: (object | string)[]): string {
  writeFileSync(join(dir, name), `${lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n')}\n`);
  return name;
}

const chatRequests = (sim: SimulatorHandle) => sim.stats.byEndpoint.chat ?? 0;
const sumCost = (rs: OutLine[]) => rs.reduce((sum, r) => sum + r.cost_usd, 0);

afterEach(stopCliChildren);

describe('switchyard batch', () => {
  it('keeps input order with concurrency and varying latencies, skips bad lines by number, sums the cost', async () => {
    // Line 1 answers slowest, line 6 next: every other line finishes before line 1.
    const sim = await simulator({
      rules: [
        { id: 'slow', match: { model: 'anthropic/claude-3.5-haiku' }, fault: { kind: 'slow-headers', delayMs: 2500 } },
        { id: 'slower', match: { model: 'google/gemini-2.5-flash' }, fault: { kind: 'slow-headers', delayMs: 400 } },
      ],
    });
    const dir = workdir();
    const file = input(dir, 'in.jsonl', [
      { id: 'a', prompt: 'first', model: 'anthropic/claude-3.5-haiku' },
      { id: 'b', prompt: 'second', model: 'openai/gpt-4o-mini' },
      '{"id": "c", "prompt": "broken',
      { id: 'd', model: 'openai/gpt-4o-mini', temperature: 0 },
      '',
      { id: 'e', prompt: 'fifth', model: 'google/gemini-2.5-flash' },
      { id: 6, messages: [{ role: 'user', content: 'sixth' }], model: 'openai/gpt-4o-mini' },
      { id: 'g', system: 'Be brief', prompt: 'seventh', model: 'meta-llama/llama-3.3-70b-instruct' },
    ]);
    const out = join(dir, 'out', 'answers.jsonl');
    const run = start([file, '--out', 'out/answers.jsonl', '--concurrency', '4'], dir, env(dir, sim));

    // While line 1 is still out, the lines after it wait in the pending file, not in the output.
    await waitUntil(() => records(`${out}.pending`).length === 6, 'every line but the first to finish');
    expect(records(out)).toEqual([]);
    const ran = await run.done;

    // Bad lines count as failures (documented: exit 1 when a line failed), but never stop the batch.
    expect(ran.code, ran.stderr).toBe(1);
    const rs = records(out);
    expect(rs.map((r) => r.line)).toEqual([1, 2, 3, 4, 6, 7, 8]);
    expect(rs.map((r) => r.id)).toEqual(['a', 'b', null, 'd', 'e', 6, 'g']);
    expect(existsSync(`${out}.pending`)).toBe(false);
    const [first, second, broken, noMessages, , sixth, seventh] = rs;
    for (const ok of [first, second, sixth, seventh]) {
      expect(ok?.error).toBeNull();
      expect(ok?.text).toEqual(expect.any(String));
      expect(ok?.usage?.total_tokens).toBeGreaterThan(0);
      expect(ok?.cost_usd).toBeGreaterThan(0);
    }
    expect(first?.model).toBe('anthropic/claude-3.5-haiku');
    expect(seventh?.model).toBe('meta-llama/llama-3.3-70b-instruct');
    expect(broken).toMatchObject({ text: null, attempts: 0, cost_usd: 0, error: { code: 'bad_line' } });
    expect(broken?.error?.message).toMatch(/^not valid JSON/);
    expect(noMessages).toMatchObject({ id: 'd', attempts: 0, error: { code: 'bad_line' } });
    expect(noMessages?.error?.message).toBe('needs "prompt" (a string) or "messages" (a list of chat messages)');
    // Only the five good lines reached the server.
    expect(chatRequests(sim)).toBe(5);

    expect(ran.stderr).toMatch(/^line 3: not valid JSON .*\(skipped\)$/m);
    expect(ran.stderr).toMatch(/^line 4: needs "prompt" \(a string\) or "messages" .*\(skipped\)$/m);
    expect(ran.stderr).toContain('switchyard: 2 of 7 lines failed (their "error" is in out/answers.jsonl)');

    // The cost summary: counts, tokens, the total of the written costs, one row per model.
    const tokens = rs.reduce((sum, r) => sum + (r.usage?.total_tokens ?? 0), 0);
    expect(ran.stdout).toContain('BATCH SUMMARY');
    expect(ran.stdout).toContain('Lines written:  7 (5 ok, 0 failed, 2 bad)');
    expect(ran.stdout).toContain(`Requests sent:  5 in this run (${usd(sumCost(rs))})`);
    expect(ran.stdout).toMatch(new RegExp(`Tokens: +\\d+ prompt \\+ \\d+ completion = ${tokens}\\n`));
    expect(ran.stdout).toContain(`Total cost:     ${usd(sumCost(rs))}`);
    expect(ran.stdout).toContain('Output:         out/answers.jsonl');
    const mini = rs.filter((r) => r.model === 'openai/gpt-4o-mini' && !r.error);
    expect(ran.stdout).toMatch(new RegExp(`openai/gpt-4o-mini +2 +0 +\\d+ +\\${usd(sumCost(mini))}`));

    // Plain output without a TTY: no escape codes, no spinner frames, no stack traces.
    expect(ran.stderr).toMatch(/^progress: 7\/7 lines \(5 ok, 0 failed, 2 bad\)/m);
    expect(ran.stdout + ran.stderr).not.toContain('\u001b[');
    expectNoStackTrace(ran.stderr);
    expect(ran.stdout + ran.stderr).not.toContain(KEY);
  });

  it('waits out a 429 with Retry-After and sends the line again; records upstream errors per line', async () => {
    const sim = await simulator({
      rules: [
        {
          id: 'rl',
          match: { model: 'openai/gpt-4o-mini' },
          first: 2,
          fault: { kind: 'http', status: 429, retryAfter: 1 },
        },
        {
          id: 'down',
          match: { model: 'anthropic/claude-3-haiku' },
          fault: { kind: 'provider-error', status: 502, raw: 'upstream exploded' },
        },
        { id: 'reset', match: { model: 'mistralai/mistral-7b-instruct' }, fault: { kind: 'reset-before-headers' } },
        // A limit that lasts longer than --max-wait: recorded as rate limited, not waited for.
        { id: 'long', match: { model: 'openai/gpt-4o' }, fault: { kind: 'http', status: 429, retryAfter: 30 } },
      ],
    });
    const dir = workdir();
    const file = input(dir, 'in.jsonl', [
      { id: 'limited', prompt: 'one' },
      { id: 'down', prompt: 'two', model: 'anthropic/claude-3-haiku' },
      { id: 'fine', prompt: 'three', model: 'meta-llama/llama-3.3-70b-instruct' },
      { id: 'reset', prompt: 'four', model: 'mistralai/mistral-7b-instruct' },
      { id: 'long', prompt: 'five', model: 'openai/gpt-4o' },
    ]);
    // --model fills in the first line's model.
    const run = await batch(
      [file, '--out', 'out.jsonl', '--model', 'openai/gpt-4o-mini', '--concurrency', '2', '--max-wait', '5s'],
      dir,
      env(dir, sim),
    );
    expect(run.code, run.stderr).toBe(1);
    const rs = records(join(dir, 'out.jsonl'));
    expect(rs.map((r) => r.line)).toEqual([1, 2, 3, 4, 5]);

    // Two 429s, each waited out for the server's Retry-After, then the answer.
    expect(rs[0]).toMatchObject({ id: 'limited', model: 'openai/gpt-4o-mini', error: null });
    expect(rs[0]?.text).toEqual(expect.any(String));
    expect(sim.stats.models['openai/gpt-4o-mini']?.attempts).toBe(3);
    expect(sim.stats.faults.rl).toBe(2);
    expect(run.stderr).toMatch(
      /line 1: rate limited on openai\/gpt-4o-mini \(.+\); waiting 1\.0 s \(Retry-After\), then sending it again \(1\/5\)/,
    );
    expect(run.stderr).toMatch(/waiting 1\.0 s \(Retry-After\), then sending it again \(2\/5\)/);

    // A failing upstream: retried by the SDK (OPENROUTER_RETRY_ATTEMPTS=2), then recorded on its line.
    expect(rs[1]).toMatchObject({
      id: 'down',
      model: 'anthropic/claude-3-haiku',
      text: null,
      attempts: 2,
      error: { code: 'provider_error', status: 502 },
    });
    expect(rs[1]?.error?.message).toContain('upstream exploded');
    expect(run.stderr).toMatch(/^line 2 \(id down\): provider error \(502\): .*upstream exploded/m);
    expect(rs[2]).toMatchObject({ id: 'fine', error: null });
    // A connection reset before any header: a connection error on that line only.
    expect(rs[3]).toMatchObject({ id: 'reset', text: null, error: { code: 'connection_error' } });
    expect(run.stderr).toMatch(/^line 4 \(id reset\): connection failed/m);

    expect(rs[4]).toMatchObject({ id: 'long', text: null, attempts: 1, error: { code: 'rate_limited', status: 429 } });
    expect(rs[4]?.error?.message).toMatch(/\(retry in 30\.0 s\)$/);
    expect(sim.stats.faults.long).toBe(1);
    expect(run.stderr).toMatch(/^line 5 \(id long\): rate limited \(429\): .*\(retry in 30\.0 s\)$/m);

    expect(run.stdout).toContain('Lines written:  5 (2 ok, 3 failed, 0 bad)');
    expect(run.stdout).toContain(`Total cost:     ${usd(sumCost(rs))}`);
    expect(run.stderr.trim().split('\n').at(-1)).toBe(
      'switchyard: 3 of 5 lines failed (their "error" is in out.jsonl)',
    );
    expectNoStackTrace(run.stderr);
  });

  it('loses no finished line when killed mid-run, and --resume sends only the lines not answered', async () => {
    // Line 3 is slow: lines 1-2 reach the output, lines 4+ wait in the pending file behind it.
    const sim = await simulator({
      pace: { ttftMs: 60 },
      rules: [
        { id: 'slow', match: { model: 'anthropic/claude-3.5-haiku' }, fault: { kind: 'slow-headers', delayMs: 8000 } },
      ],
    });
    const dir = workdir();
    const lines = Array.from({ length: 10 }, (_, i) => ({
      id: `q${i + 1}`,
      prompt: `question ${i + 1}`,
      model: i === 2 ? 'anthropic/claude-3.5-haiku' : 'openai/gpt-4o-mini',
    }));
    const file = input(dir, 'in.jsonl', lines);
    const out = join(dir, 'out.jsonl');
    const args = [file, '--out', 'out.jsonl', '--concurrency', '3'];
    const first = start(args, dir, env(dir, sim));
    await waitUntil(
      () => records(out).length === 2 && kept(out).length >= 5,
      'two written lines and three pending ones',
    );
    first.child.kill('SIGKILL');
    const killed = await first.done;
    expect(killed.code).toBeNull();

    const saved = kept(out);
    expect(records(out).map((r) => r.line)).toEqual([1, 2]);
    // Line 3 was in flight: lost with the process, so it is sent again; the lines after it are kept.
    expect(saved.slice(2).every((r) => r.line > 3)).toBe(true);
    expect(saved.length).toBeGreaterThanOrEqual(5);
    expect(saved.length).toBeLessThan(lines.length);

    sim.setRules([]);
    const before = chatRequests(sim);
    const resumed = await batch([...args, '--resume'], dir, env(dir, sim));
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toContain(
      `resuming out.jsonl: ${saved.length} of 10 lines done, ${10 - saved.length} to go`,
    );
    // Only the lines with no answer were sent again.
    expect(chatRequests(sim) - before).toBe(10 - saved.length);
    expect(resumed.stdout).toContain(`Requests sent:  ${10 - saved.length} in this run`);

    const final = records(out);
    expect(final.map((r) => r.line)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(final.map((r) => r.id)).toEqual(lines.map((l) => l.id));
    expect(final.every((r) => r.error === null)).toBe(true);
    for (const old of saved) expect(final.find((r) => r.line === old.line)?.generation_id).toBe(old.generation_id);
    expect(existsSync(`${out}.pending`)).toBe(false);
    expect(resumed.stdout).toContain('Lines written:  10 (10 ok, 0 failed, 0 bad)');
    // The total covers both runs.
    expect(resumed.stdout).toContain(`Total cost:     ${usd(sumCost(final))}`);

    // Resuming a finished batch sends nothing.
    const again = await batch([...args, '--resume'], dir, env(dir, sim));
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toContain('resuming out.jsonl: 10 of 10 lines done, 0 to go');
    expect(records(out)).toEqual(final);
  });

  it('stops on Ctrl-C after the requests in flight (exit 130), and resumes', async () => {
    const sim = await simulator({ pace: { ttftMs: 300 } });
    const dir = workdir();
    const file = input(
      dir,
      'in.jsonl',
      Array.from({ length: 5 }, (_, i) => ({ prompt: `q${i}`, model: 'openai/gpt-4o-mini' })),
    );
    const out = join(dir, 'out.jsonl');
    const run = start([file, '--out', 'out.jsonl', '--concurrency', '1'], dir, env(dir, sim));
    await waitUntil(() => records(out).length >= 1, 'the first answer');
    run.child.kill('SIGINT');
    const stopped = await run.done;
    expect(stopped.code).toBe(130);
    const kept = records(out).length;
    expect(kept).toBeLessThan(5);
    expect(stopped.stderr).toContain(`interrupted: ${5 - kept} lines not run; run again with --resume to continue`);
    expect(stopped.stdout).toContain(`Lines written:  ${kept} (${kept} ok, 0 failed, 0 bad); ${5 - kept} not run yet`);

    const resumed = await batch([file, '--out', 'out.jsonl', '--resume'], dir, env(dir, sim));
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(records(out).map((r) => r.line)).toEqual([1, 2, 3, 4, 5]);
  });

  it('--budget stops starting lines once spent + reserved would pass it (exit 1); --resume continues', async () => {
    const sim = await simulator({});
    const dir = workdir();
    const lines = Array.from({ length: 8 }, (_, i) => ({ id: i + 1, prompt: `question ${i + 1}` }));
    const file = input(dir, 'in.jsonl', lines);
    const out = join(dir, 'out.jsonl');
    const budget = 0.00004;
    const args = [file, '--out', 'out.jsonl', '--model', 'openai/gpt-4o-mini', '--max-tokens', '20'];
    const run = await batch([...args, '--concurrency', '3', '--budget', String(budget)], dir, env(dir, sim));
    expect(run.code, run.stderr).toBe(1);
    const answered = kept(out);
    expect(answered.length).toBeGreaterThan(0);
    expect(answered.length).toBeLessThan(8);
    expect(answered.every((r) => r.error === null)).toBe(true);
    // Never more than the budget: each line was sent only when its worst case fitted.
    expect(sumCost(answered)).toBeLessThanOrEqual(budget);
    expect(chatRequests(sim)).toBe(answered.length);
    expect(run.stderr).toMatch(
      /stopping: budget reached: \$[\d.]+ of \$0\.0000400 spent, and line \d+ could cost up to \$[\d.]+/,
    );
    expect(run.stderr).toMatch(
      /switchyard: stopped: budget reached: .*; \d+ lines not run \(continue with --resume\)$/m,
    );
    expect(run.stdout).toContain(`; ${8 - answered.length} not run yet`);
    expect(run.stdout).toContain(`Total cost:     ${usd(sumCost(answered))}`);
    expectNoStackTrace(run.stderr);

    // The budget is per run: a new one finishes the rest, without sending the answered lines again.
    const resumed = await batch([...args, '--resume', '--budget', '1'], dir, env(dir, sim));
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(chatRequests(sim)).toBe(8);
    expect(records(out).map((r) => r.id)).toEqual(lines.map((l) => l.id));
  });

  it('--budget holds for lines whose price is not known in advance: they run one at a time', async () => {
    // No model on the lines and no default configured: the server picks one, so no worst case can be reserved.
    const sim = await simulator({});
    const dir = workdir();
    const file = input(
      dir,
      'in.jsonl',
      Array.from({ length: 6 }, (_, i) => ({ prompt: `question ${i + 1}` })),
    );
    const run = await batch(
      [file, '--out', 'out.jsonl', '--concurrency', '4', '--budget', '0.000001'],
      dir,
      env(dir, sim),
    );
    expect(run.code, run.stderr).toBe(1);
    // The first answer costs more than the whole budget: nothing else may start (all four lanes did, before).
    expect(chatRequests(sim)).toBe(1);
    const rs = records(join(dir, 'out.jsonl'));
    expect(rs.map((r) => r.line)).toEqual([1]);
    expect(rs[0]?.cost_usd).toBeGreaterThan(0.000001);
    expect(run.stderr).toMatch(/budget reached: \$[\d.]+ of \$0\.00000100 spent, and line 2 has no price known/);
    expect(run.stdout).toContain('Lines written:  1 (1 ok, 0 failed, 0 bad); 5 not run yet');
  });

  it('--budget prices a router at the dearest models it may pick: a line that could cost more than the budget is not sent', async () => {
    // openrouter/auto lists no price ("-1"). It used to run alone with the whole budget reserved, and could spend
    // far more than the cap on one line; it is now reserved at the catalog's ceiling, as the gateway reserves it.
    const sim = await simulator({});
    const dir = workdir();
    const file = input(dir, 'in.jsonl', [{ prompt: 'question 1', model: 'openrouter/auto', max_tokens: 200 }]);
    const run = await batch([file, '--out', 'out.jsonl', '--budget', '0.0000001'], dir, env(dir, sim));
    expect(run.code, run.stderr).toBe(1);
    expect(chatRequests(sim)).toBe(0);
    expect(run.stderr).toMatch(/budget reached: \$0 of \$1\.00e-7 spent, and line 1 could cost up to \$0\.0\d+/);
    // Within a budget that holds its worst case, it runs.
    const enough = await batch([file, '--out', 'out2.jsonl', '--budget', '5'], dir, env(dir, sim));
    expect(enough.code, enough.stderr).toBe(0);
    expect(chatRequests(sim)).toBe(1);
  });

  it("stops at a 402 (the key's credit limit is spent) and keeps the unsent lines for --resume", async () => {
    // A key limit that covers about two requests of max_tokens 20: the simulator then refuses with 402.
    const limited = await simulator({ openKeys: false, keys: [{ key: KEY, limit: 0.00003 }] });
    const dir = workdir();
    const lines = Array.from({ length: 6 }, (_, i) => ({ id: `k${i + 1}`, prompt: `question ${i + 1}` }));
    const file = input(dir, 'in.jsonl', lines);
    const out = join(dir, 'out.jsonl');
    const args = [file, '--out', 'out.jsonl', '--model', 'openai/gpt-4o-mini', '--max-tokens', '20'];
    const run = await batch([...args, '--concurrency', '1'], dir, env(dir, limited));
    expect(run.code, run.stderr).toBe(1);
    const answered = records(out);
    expect(answered.length).toBeGreaterThan(0);
    expect(answered.length).toBeLessThan(6);
    expect(answered.every((r) => r.error === null)).toBe(true);
    const refused = answered.length + 1;
    expect(run.stderr).toMatch(
      new RegExp(`stopping: out of credits or budget \\(402\\) at line ${refused}: This request requires more credits`),
    );
    // The refused line is not written as a failure: it is left for --resume like the lines after it.
    expect(run.stderr).toContain(`${6 - answered.length} lines not run (continue with --resume)`);
    expectNoStackTrace(run.stderr);

    const funded = await simulator({});
    const resumed = await batch([...args, '--resume'], dir, env(dir, funded));
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(chatRequests(funded)).toBe(6 - answered.length);
    expect(records(out).map((r) => r.id)).toEqual(lines.map((l) => l.id));
  });

  it('runs on the embedded simulator without a key, reading the input from stdin', async () => {
    const dir = workdir();
    const stdin = `${JSON.stringify({ id: 'x', prompt: 'Hello' })}\n${JSON.stringify({ id: 'y', prompt: 'Bye' })}\n`;
    const run = await batch(['-', '--out', 'answers.jsonl', '--model', 'openai/gpt-4o-mini'], dir, env(dir), stdin);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr.split('\n')[0]).toMatch(/^Using the offline simulator \(no OPENROUTER_API_KEY is set\)/);
    const rs = records(join(dir, 'answers.jsonl'));
    expect(rs.map((r) => [r.line, r.id, r.error])).toEqual([
      [1, 'x', null],
      [2, 'y', null],
    ]);
    expect(run.stdout).toContain('Lines written:  2 (2 ok, 0 failed, 0 bad)');
  });

  it('--resume --retry-failed sends the failed lines again and puts their new records in their places', async () => {
    // The first two Mistral requests find no endpoint (404, not retried); later ones are answered.
    const sim = await simulator({
      rules: [{ match: { model: 'mistralai/*' }, first: 2, fault: { kind: 'http', status: 404 } }],
    });
    const dir = workdir();
    const mistral = 'mistralai/mistral-small-3.2-24b-instruct';
    const file = input(dir, 'in.jsonl', [
      { id: 'a', prompt: 'one', model: 'openai/gpt-4o-mini' },
      { id: 'b', prompt: 'two', model: mistral },
      '{"id": "c", "prompt": "broken',
      { id: 'd', prompt: 'four', model: 'openai/gpt-4o-mini' },
      { id: 'e', prompt: 'five', model: mistral },
    ]);
    const out = join(dir, 'out.jsonl');
    const first = await batch([file, '--out', 'out.jsonl', '--concurrency', '1'], dir, env(dir, sim));
    expect(first.code, first.stderr).toBe(1);
    const before = records(out);
    expect(before.map((r) => r.error?.code ?? 'ok')).toEqual(['ok', 'no_endpoints', 'bad_line', 'ok', 'no_endpoints']);
    const sent = chatRequests(sim);

    // The input line is fixed meanwhile; --resume alone keeps every record as it is.
    input(dir, 'in.jsonl', [
      { id: 'a', prompt: 'one', model: 'openai/gpt-4o-mini' },
      { id: 'b', prompt: 'two', model: mistral },
      { id: 'c', prompt: 'three', model: 'openai/gpt-4o-mini' },
      { id: 'd', prompt: 'four', model: 'openai/gpt-4o-mini' },
      { id: 'e', prompt: 'five', model: mistral },
    ]);
    const kept = await batch([file, '--out', 'out.jsonl', '--resume'], dir, env(dir, sim));
    expect(kept.code).toBe(1);
    expect(chatRequests(sim)).toBe(sent);
    expect(records(out)).toEqual(before);

    const retried = await batch([file, '--out', 'out.jsonl', '--resume', '--retry-failed'], dir, env(dir, sim));
    expect(retried.code, retried.stderr).toBe(0);
    expect(retried.stderr).toContain('resuming out.jsonl: 2 of 5 lines done, 3 to go (3 failed lines sent again)');
    expect(chatRequests(sim)).toBe(sent + 3);
    const after = records(out);
    expect(after.map((r) => [r.line, r.id, r.error])).toEqual([
      [1, 'a', null],
      [2, 'b', null],
      [3, 'c', null],
      [4, 'd', null],
      [5, 'e', null],
    ]);
    // The answers that were kept are the same records, not new requests.
    expect(after[0]).toEqual(before[0]);
    expect(after[3]).toEqual(before[3]);
    expect(existsSync(`${out}.pending`)).toBe(false);

    const refused = await batch([file, '--out', 'out.jsonl', '--retry-failed'], dir, env(dir, sim));
    expect(refused.code).toBe(2);
    expect(refused.stderr.split('\n')[0]).toBe('switchyard: --retry-failed needs --resume');
  });

  it('refuses wrong usage with one line and exit 2', async () => {
    const dir = workdir();
    input(dir, 'in.jsonl', [{ prompt: 'hi' }]);
    input(dir, 'other.jsonl', [{ id: 'other', prompt: 'hi' }]);
    input(dir, 'empty.jsonl', ['', '   ']);
    mkdirSync(join(dir, 'folder'));
    writeFileSync(join(dir, 'taken.jsonl'), `${JSON.stringify({ line: 1, id: null })}\n`);
    const cases: [string[], RegExp][] = [
      [['in.jsonl'], /^error: required option '--out <file>' not specified$/],
      [['--out', 'o.jsonl'], /^error: missing required argument 'input'$/],
      [['missing.jsonl', '--out', 'o.jsonl'], /^switchyard: cannot read missing\.jsonl: no such file$/],
      [['folder', '--out', 'o.jsonl'], /^switchyard: cannot read folder: it is a directory$/],
      [['empty.jsonl', '--out', 'o.jsonl'], /^switchyard: empty\.jsonl has no lines to send$/],
      [['in.jsonl', '--out', 'o.jsonl', '--concurrency', '0'], /'--concurrency <n>' argument '0' is invalid/],
      [['in.jsonl', '--out', 'o.jsonl', '--concurrency', 'many'], /'--concurrency <n>' argument 'many' is invalid/],
      [['in.jsonl', '--out', 'o.jsonl', '--budget', 'free'], /expected an amount of USD above 0/],
      [['in.jsonl', '--out', 'in.jsonl'], /^switchyard: --out must not be the input file$/],
      [['in.jsonl', '--out', 'taken.jsonl'], /taken\.jsonl already exists: pass --resume to continue it or --force/],
      [['other.jsonl', '--out', 'taken.jsonl', '--resume'], /taken\.jsonl does not belong to other\.jsonl/],
    ];
    for (const [args, message] of cases) {
      const run = await batch(args, dir, env(dir));
      expect(run.code, args.join(' ')).toBe(2);
      expect(run.stderr.split('\n')[0], args.join(' ')).toMatch(message);
      expect(run.stdout).toBe('');
      expectNoStackTrace(run.stderr);
    }
    // Nothing was written by a refused run.
    expect(existsSync(join(dir, 'o.jsonl'))).toBe(false);
    expect(readFileSync(join(dir, 'taken.jsonl'), 'utf8')).toBe(`${JSON.stringify({ line: 1, id: null })}\n`);

    const help = await batch(['--help'], dir, env(dir));
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: switchyard batch [options] <input>');
    expect(help.stdout).toContain('Examples:');
    expect(help.stdout).toContain('switchyard batch in.jsonl --out out.jsonl --resume');
    expect(help.stdout).toMatch(/--concurrency <n> +requests at the same time/);
    expect(help.stdout).toMatch(
      /--max-wait <duration> +longest wait for a rate limit before a line fails\s+\(default: 2m\)/,
    );
    expect(help.stdout).toContain('Exit codes: 0 every line answered, 1 a line failed');
  });
});
