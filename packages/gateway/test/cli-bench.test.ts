import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from './support/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'sy-bench-test-'));

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the CLI to completion (SIGKILL after `ms`: the bench's own children stop themselves when it dies). */
const run = (args: string[], ms: number) => runCli(args, { cwd: dir, timeoutMs: ms });

const positive = (n: unknown) => {
  expect(typeof n).toBe('number');
  expect(Number.isFinite(n)).toBe(true);
  expect(n as number).toBeGreaterThan(0);
};

function sane(summary: Record<string, number>, count: number) {
  expect(summary.count).toBe(count);
  for (const key of ['p50', 'p90', 'p99', 'mean', 'min', 'max']) positive(summary[key]);
  expect(summary.p50).toBeLessThanOrEqual(summary.p99);
  expect(summary.p99).toBeLessThanOrEqual(summary.max);
}

describe('switchyard bench', () => {
  it('measures direct vs gateway in one small run, prints the tables and writes every measurement as JSON', async () => {
    const json = join(dir, 'out', 'bench.json');
    const args = ['bench', '--requests', '200', '--warmup', '50', '--streams', '50', '--stream-warmup', '10'];
    args.push('--concurrency', '1,8', '--sweep-seconds', '0.5', '--no-profile', '--deadline', '50', '--json', json);
    const { code, stdout, stderr } = await run(args, 55_000);
    expect(stderr).not.toMatch(/switchyard bench:|Error/);
    expect(code, stdout.slice(-2000)).toBe(0);
    const headings = [
      '== Non-stream chat',
      '== Streamed chat',
      '== Concurrency sweep',
      '== Reference: a minimal proxy',
    ];
    for (const heading of [...headings, '== Gateway memory']) {
      expect(stdout).toContain(heading);
    }
    expect(stdout).toMatch(/^ {2}(PASS|FAIL) {2}added latency, non-stream, p50: /m);
    expect(stdout).toMatch(/^ {2}(PASS|FAIL) {2}throughput, share of direct: /m);
    expect(existsSync(json)).toBe(true);

    const result = JSON.parse(readFileSync(json, 'utf8'));
    expect(result.schema).toBe('switchyard-gateway-bench/1');
    expect(result.settings).toMatchObject({ requests: 200, streams: 50, concurrency: [1, 8], sweepSeconds: 0.5 });
    for (const side of ['simulator', 'gateway']) {
      expect(result.processes[side].origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      positive(result.processes[side].pid);
    }
    sane(result.nonStream.direct, 200);
    sane(result.nonStream.gateway, 200);
    for (const key of ['p50', 'p90', 'p99', 'mean']) expect(Number.isFinite(result.nonStream.added[key])).toBe(true);
    for (const side of ['direct', 'gateway']) {
      for (const metric of ['ttfb', 'ttft', 'total']) sane(result.stream[side][metric], 50);
      expect(result.stream[side].ttfb.p50).toBeLessThanOrEqual(result.stream[side].total.p50);
    }
    for (const key of ['ttfbP50', 'ttfbP99', 'ttftP50', 'ttftP99', 'totalP50']) {
      expect(Number.isFinite(result.stream.added[key])).toBe(true);
    }
    expect(result.sweep.map((p: { concurrency: number }) => p.concurrency)).toEqual([1, 8]);
    for (const point of result.sweep) {
      for (const side of ['direct', 'gateway']) {
        positive(point[side].rps);
        positive(point[side].requests);
        expect(point[side].errors).toBe(0);
      }
      positive(point.ratio);
    }
    positive(result.throughput.directRps);
    positive(result.throughput.gatewayRps);
    positive(result.throughput.ratio);
    for (const reading of ['idle', 'afterSweep']) {
      expect(result.rss[reading].bytes).toBeGreaterThan(10 * 1024 * 1024);
    }
    expect(result.budgets.map((v: { name: string }) => v.name)).toEqual([
      'added latency, non-stream, p50',
      'added latency, non-stream, p99',
      'added time to first token, p99',
      'throughput, share of direct',
    ]);
    for (const v of result.budgets) {
      expect(typeof v.pass).toBe('boolean');
      expect(Number.isFinite(v.floor)).toBe(true);
    }
    // The minimal proxy went through the same measurements.
    sane(result.floor.nonStream.proxy, 200);
    for (const metric of ['ttfb', 'ttft', 'total']) sane(result.floor.stream.proxy[metric], 50);
    expect(result.floor.sweep.map((p: { concurrency: number }) => p.concurrency)).toEqual([1, 8]);
    for (const point of result.floor.sweep) expect(point.gateway.errors).toBe(0);
    positive(result.floor.throughputRatio);
    expect(result.budgets[0].floor).toBe(result.floor.nonStream.added.p50);
    expect(stdout).toMatch(/minimal proxy: [+-]\d/);
    expect(result.profiles).toEqual([]);
  }, 60_000);

  it('refuses bad flags with exit code 2 or a usage error', async () => {
    const bad = await run(['bench', '--concurrency', '0,8'], 10_000);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/concurrencies from 1 to 1024/);
    const help = await run(['bench', '--help'], 10_000);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/--sweep-seconds <s>/);
  });
});
