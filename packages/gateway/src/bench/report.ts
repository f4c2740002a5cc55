import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { BenchResult, Verdict } from './bench-result.js';
import type { CpuUse } from './process-cpu.js';
import type { GatewayProfile } from './profile-gateway.js';
import type { RssReading } from './rss.js';

type Write = (line: string) => void;

const ms = (n: number, digits = 3) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');
const signed = (n: number, digits = 3) => (Number.isFinite(n) ? `${n >= 0 ? '+' : ''}${n.toFixed(digits)}` : 'n/a');
const mib = (bytes: number | undefined) => (bytes === undefined ? 'n/a' : `${(bytes / 1024 / 1024).toFixed(1)} MiB`);
const int = (n: number) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : 'n/a');

export function table(write: Write, head: string[], rows: string[][], align: ('l' | 'r')[]): void {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (align[i] === 'r' ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  write(`  ${line(head)}`);
  write(`  ${widths.map((w) => '-'.repeat(w)).join('  ')}`);
  for (const row of rows) write(`  ${line(row)}`);
}

function nonStreamSection(write: Write, r: BenchResult): void {
  const s = r.settings;
  write('');
  write(
    `== Non-stream chat, c=1: ${s.requests} requests per side after ${s.warmup} warm-up, ` +
      `direct and gateway interleaved in blocks of ${s.block}`,
  );
  const { direct, gateway, added } = r.nonStream;
  table(
    write,
    ['side', 'p50 ms', 'p90 ms', 'p99 ms', 'mean ms', 'max ms', 'requests'],
    [
      ['direct', ms(direct.p50), ms(direct.p90), ms(direct.p99), ms(direct.mean), ms(direct.max), int(direct.count)],
      [
        'gateway',
        ms(gateway.p50),
        ms(gateway.p90),
        ms(gateway.p99),
        ms(gateway.mean),
        ms(gateway.max),
        int(gateway.count),
      ],
      ['added', signed(added.p50), signed(added.p90), signed(added.p99), signed(added.mean), '', ''],
    ],
    ['l', 'r', 'r', 'r', 'r', 'r', 'r'],
  );
}

function streamSection(write: Write, r: BenchResult): void {
  const s = r.settings;
  write('');
  write(
    `== Streamed chat, c=1: ${s.streams} streams per side after ${s.streamWarmup} warm-up ` +
      '(TTFB = response headers, TTFT = first SSE event with content)',
  );
  const row = (name: string, x: BenchResult['stream']['direct']) => [
    name,
    ms(x.ttfb.p50),
    ms(x.ttfb.p99),
    ms(x.ttft.p50),
    ms(x.ttft.p99),
    ms(x.total.p50),
    int(x.ttft.count),
  ];
  const a = r.stream.added;
  table(
    write,
    ['side', 'TTFB p50', 'TTFB p99', 'TTFT p50', 'TTFT p99', 'total p50', 'streams'],
    [
      row('direct', r.stream.direct),
      row('gateway', r.stream.gateway),
      ['added', signed(a.ttfbP50), signed(a.ttfbP99), signed(a.ttftP50), signed(a.ttftP99), signed(a.totalP50), ''],
    ],
    ['l', 'r', 'r', 'r', 'r', 'r', 'r'],
  );
}

function sweepSection(write: Write, r: BenchResult): void {
  write('');
  write(
    `== Concurrency sweep, non-stream, closed loop: ${r.settings.sweepSeconds} s per level and side ` +
      '(sides alternate which goes first)',
  );
  table(
    write,
    [
      'concurrency',
      'direct req/s',
      'gateway req/s',
      'gateway/direct',
      'direct p50/p99 ms',
      'gateway p50/p99 ms',
      'gateway CPU',
      'errors',
    ],
    r.sweep.map((p) => [
      String(p.concurrency),
      int(p.direct.rps),
      int(p.gateway.rps),
      `${ms(100 * p.ratio, 1)} %`,
      `${ms(p.direct.latency.p50, 2)} / ${ms(p.direct.latency.p99, 2)}`,
      `${ms(p.gateway.latency.p50, 2)} / ${ms(p.gateway.latency.p99, 2)}`,
      p.gateway.cpu.gateway ? `${ms(p.gateway.cpu.gateway.corePercent, 0)} % core` : 'n/a',
      `${p.direct.errors} / ${p.gateway.errors}`,
    ]),
    ['r', 'r', 'r', 'r', 'r', 'r', 'r', 'r'],
  );
  const t = r.throughput;
  write(
    `  best: direct ${int(t.directRps)} req/s (c=${t.directConcurrency}), gateway ${int(t.gatewayRps)} req/s ` +
      `(c=${t.gatewayConcurrency}) = ${ms(100 * t.ratio, 1)} % of direct`,
  );
  for (const p of r.sweep) {
    for (const side of ['direct', 'gateway'] as const) {
      if (p[side].firstError) write(`  c=${p.concurrency} ${side}: first error: ${p[side].firstError}`);
    }
  }
}

const us = (use: CpuUse | undefined, key: 'cpuUsPerRequest' | 'waitUsPerRequest') => {
  const value = use?.[key];
  return value === undefined ? 'n/a' : value.toFixed(0);
};

function cpuSection(write: Write, r: BenchResult): void {
  write('');
  write('== CPU per request at c=1, warm-up included (/proc/<pid>/schedstat; wait = runnable but not on a CPU)');
  const row = (name: string, phase: BenchResult['cpu']['nonStream']) => [
    name,
    us(phase.gateway, 'cpuUsPerRequest'),
    us(phase.gateway, 'waitUsPerRequest'),
    us(phase.simulator, 'cpuUsPerRequest'),
    us(phase.simulator, 'waitUsPerRequest'),
  ];
  table(
    write,
    ['phase', 'gateway CPU µs', 'gateway wait µs', 'simulator CPU µs', 'simulator wait µs'],
    [row('non-stream', r.cpu.nonStream), row('stream', r.cpu.stream)],
    ['l', 'r', 'r', 'r', 'r'],
  );
}

function floorSection(write: Write, r: BenchResult): void {
  const f = r.floor;
  write('');
  write('== Reference: a minimal proxy (node:http in, undici pool out, no logic), measured the same way in this run');
  table(
    write,
    ['measure', 'direct', 'minimal proxy', 'added', 'gateway added'],
    [
      [
        'non-stream p50 ms',
        ms(f.nonStream.direct.p50),
        ms(f.nonStream.proxy.p50),
        signed(f.nonStream.added.p50),
        signed(r.nonStream.added.p50),
      ],
      [
        'non-stream p99 ms',
        ms(f.nonStream.direct.p99),
        ms(f.nonStream.proxy.p99),
        signed(f.nonStream.added.p99),
        signed(r.nonStream.added.p99),
      ],
      [
        'stream TTFT p99 ms',
        ms(f.stream.direct.ttft.p99),
        ms(f.stream.proxy.ttft.p99),
        signed(f.stream.added.ttftP99),
        signed(r.stream.added.ttftP99),
      ],
    ],
    ['l', 'r', 'r', 'r', 'r'],
  );
  write(
    `  throughput: the minimal proxy reaches ${ms(100 * f.throughputRatio, 1)} % of direct ` +
      `(${f.sweep.map((p) => `c=${p.concurrency}: ${int(p.gateway.rps)} req/s`).join(', ')}); ` +
      `the gateway ${ms(100 * r.throughput.ratio, 1)} %`,
  );
  write(
    `  CPU per non-stream request at c=1: minimal proxy ${us(f.cpu, 'cpuUsPerRequest')} µs, ` +
      `gateway ${us(r.cpu.nonStream.gateway, 'cpuUsPerRequest')} µs`,
  );
}

function rssText(reading: RssReading | undefined): string {
  if (!reading) return 'n/a';
  const peak = reading.peakBytes === undefined ? '' : `, peak so far ${mib(reading.peakBytes)}`;
  return `${mib(reading.bytes)}${peak} (${reading.source === 'proc' ? '/proc VmRSS' : '/metrics'})`;
}

function rssSection(write: Write, r: BenchResult): void {
  write('');
  write(`== Gateway memory (resident set of pid ${r.processes.gateway.pid})`);
  write(`  idle, right after start: ${rssText(r.rss.idle)}`);
  write(`  after the sweep:         ${rssText(r.rss.afterSweep)}`);
}

export function verdictLine(v: Verdict): string {
  const unit = v.unit === 'ms' ? ' ms' : ' %';
  const value = v.unit === 'ms' ? signed(v.measured) : ms(v.measured, 1);
  const floor =
    v.floor === undefined ? '' : `; minimal proxy: ${v.unit === 'ms' ? signed(v.floor) : ms(v.floor, 1)}${unit}`;
  return `${v.pass ? 'PASS' : 'FAIL'}  ${v.name}: ${value}${unit} (budget ${v.kind === 'max' ? '≤' : '≥'} ${v.budget}${unit}${floor})`;
}

export function printProfile(write: Write, p: GatewayProfile): void {
  write('');
  const cpu = p.cpu
    ? `; gateway CPU ${ms(p.cpu.cpuUsPerRequest, 0)} µs per request (with the profiler's overhead)`
    : '';
  write(
    `  profile of the gateway, ${p.workload} at c=1, ${p.requests} requests after start-up and warm-up: ` +
      `${ms(p.busyMs, 0)} ms busy${cpu}, GC ${ms(p.gcPercent, 1)} %`,
  );
  write(
    '  (busy = not idle, so time spent descheduled counts too: on a busy machine it lands on `writev`, the call that',
  );
  write('  woke the peer process over loopback; the CPU table above has the on-CPU time from /proc)');
  write('  self time (share of busy time):');
  for (const line of p.self) write(`    ${ms(line.percent, 1).padStart(5)} %  ${line.name}`);
  write('  inclusive time of switchyard functions (gateway and SDK):');
  for (const line of p.inclusive) write(`    ${ms(line.percent, 1).padStart(5)} %  ${line.name}`);
  write('  hottest switchyard source lines (self, whole run; JIT-inlined callees count on the calling line):');
  for (const line of p.lines.slice(0, 12)) write(`    ${ms(line.percent, 1).padStart(5)} %  ${line.name}`);
}

/** The human-readable report: one table per measurement, memory, then PASS/FAIL per budget. */
export function printReport(write: Write, r: BenchResult): void {
  nonStreamSection(write, r);
  streamSection(write, r);
  sweepSection(write, r);
  floorSection(write, r);
  cpuSection(write, r);
  rssSection(write, r);
  if (r.profiles.length > 0) {
    write('');
    write('== Where the gateway spends its time (node --cpu-prof on a second gateway child)');
    for (const profile of r.profiles) printProfile(write, profile);
  }
  write('');
  write(`== Budgets (load average ${r.environment.loadavgEnd.map((l) => l.toFixed(2)).join(' ')})`);
  for (const v of r.budgets) write(`  ${verdictLine(v)}`);
  const missed = r.budgets.filter((v) => !v.pass).length;
  write('');
  write(missed === 0 ? 'all budgets met' : `${missed} of ${r.budgets.length} budgets missed`);
}

export function writeJson(path: string, result: BenchResult): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(result, null, 2)}\n`);
}
