/**
 * Where the SDK's time goes when a budget is missed: runs one scenario of our SDK (its built `dist/`) in a plain
 * `node --cpu-prof` child against the running upstream — no tsx, so the profile holds only the workload — then
 * summarises it: self time per function, inclusive time of SDK functions, and the hottest SDK source lines (V8's
 * per-line ticks), all mapped back to `src/` through the dist source maps.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MODEL, streamPath } from './upstream-server.js';

/** `stream-<n>`: our stream() with the upstream writing n events per write. */
export type Scenario = 'latency' | 'stream-1' | 'stream-50';

const STREAM_SCENARIOS = {
  'stream-1': { path: streamPath({ perWrite: 1, events: 20_000, gapUs: 60 }), requests: 3 },
  'stream-50': { path: streamPath({ perWrite: 50, events: 20_000, gapUs: 20 }), requests: 6 },
};

export interface ProfileLine {
  percent: number;
  name: string;
}

export interface ProfileSummary {
  scenario: Scenario;
  busyMs: number;
  /** Share of busy time in GC. */
  gcPercent: number;
  self: ProfileLine[];
  /** Inclusive time of SDK functions (own code and everything it calls). */
  sdkInclusive: ProfileLine[];
  /** Self time of SDK source lines (V8 position ticks; callees inlined by the JIT count on the calling line). */
  sdkLines: ProfileLine[];
}

// ---------------------------------------------------------------------------------------------------------------
// Child side: the workload, as an ES module for `node -e` (no timing: the profile is the output).

const WORKLOAD = `
const { Switchyard } = await import(process.env.BENCH_SDK_URL);
const origin = process.env.BENCH_ORIGIN;
const messages = [{ role: 'user', content: 'Hello, world!' }];
const model = ${JSON.stringify(MODEL)};
const until = Date.now() + 10000;
if (process.env.BENCH_SCENARIO === 'latency') {
  const sy = new Switchyard({ apiKey: 'sk-or-v1-x', baseURL: origin + '/chat', env: {} });
  for (let i = 0; i < 4000 && Date.now() < until; i++) await sy.chat({ model, messages });
} else {
  const sy = new Switchyard({ apiKey: 'sk-or-v1-x', baseURL: origin + process.env.BENCH_PATH, env: {} });
  for (let i = 0; i < Number(process.env.BENCH_REQUESTS) && Date.now() < until; i++) {
    for await (const _ of sy.stream({ model, messages })) {}
  }
}
`;

// ---------------------------------------------------------------------------------------------------------------
// Parent side

interface CpuProfile {
  nodes: {
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
    children?: number[];
    positionTicks?: { line: number; ticks: number }[];
  }[];
  samples: number[];
  timeDeltas: number[];
}

const sourceMaps = new Map<string, SourceMap | null>();
const sourceTexts = new Map<string, string[]>();

/** `src/…:line` of a (0-based) generated position in an SDK dist file, via its source map. */
function originalPosition(distFile: string, line: number, column: number, packageDir: string) {
  let map = sourceMaps.get(distFile);
  if (map === undefined) {
    try {
      map = new SourceMap(JSON.parse(readFileSync(`${distFile}.map`, 'utf8')));
    } catch {
      map = null;
    }
    sourceMaps.set(distFile, map);
  }
  const entry = map?.findEntry(line, column) as { originalSource?: string; originalLine?: number } | undefined;
  if (!entry?.originalSource) return undefined;
  const source = entry.originalSource.startsWith('file:')
    ? fileURLToPath(entry.originalSource)
    : resolve(distFile, '..', entry.originalSource);
  return { file: source, rel: source.slice(packageDir.length + 1), line: (entry.originalLine ?? 0) + 1 };
}

function sourceLine(file: string, line: number): string {
  let lines = sourceTexts.get(file);
  if (!lines) {
    try {
      lines = readFileSync(file, 'utf8').split('\n');
    } catch {
      lines = [];
    }
    sourceTexts.set(file, lines);
  }
  const text = (lines[line - 1] ?? '').trim();
  return text.length > 90 ? `${text.slice(0, 87)}...` : text;
}

function distFileOf(url: string, packageDir: string): string | undefined {
  const prefix = `file://${join(packageDir, 'dist')}/`;
  return url.startsWith(prefix) ? fileURLToPath(url) : undefined;
}

/** `fn src/chat/chat-stream.ts:123` for SDK dist frames, `fn node:internal/…:12` or `fn <package>/…:12` else. */
function frameName(frame: CpuProfile['nodes'][number]['callFrame'], packageDir: string): string {
  const fn = frame.functionName || '(anonymous)';
  if (!frame.url) return fn;
  const distFile = distFileOf(frame.url, packageDir);
  if (distFile) {
    const original = originalPosition(distFile, frame.lineNumber, frame.columnNumber, packageDir);
    return original ? `${fn} ${original.rel}:${original.line}` : `${fn} ${distFile.slice(packageDir.length + 1)}`;
  }
  const url = frame.url.replace(/^.*\/node_modules\//, '').replace(/^file:\/\//, '');
  return `${fn} ${url}:${frame.lineNumber + 1}`;
}

export function summarise(profile: CpuProfile, scenario: Scenario, packageDir: string, top = 14): ProfileSummary {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let busy = 0;
  let busySamples = 0;
  let gc = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const node = byId.get(profile.samples[i]!);
    const dt = profile.timeDeltas[i] ?? 0;
    if (!node || node.callFrame.functionName === '(idle)') continue;
    busy += dt;
    busySamples++;
    if (node.callFrame.functionName === '(garbage collector)') gc += dt;
    const name = frameName(node.callFrame, packageDir);
    self.set(name, (self.get(name) ?? 0) + dt);
    const seen = new Set<string>();
    for (let id: number | undefined = node.id; id !== undefined; id = parent.get(id)) {
      const frame = byId.get(id)!.callFrame;
      if (!distFileOf(frame.url, packageDir)) continue;
      const key = frameName(frame, packageDir);
      if (seen.has(key)) continue;
      seen.add(key);
      inclusive.set(key, (inclusive.get(key) ?? 0) + dt);
    }
  }
  // Per-line ticks of SDK functions, in samples; shown as a share of all busy samples.
  const lineTicks = new Map<string, number>();
  for (const node of profile.nodes) {
    const distFile = distFileOf(node.callFrame.url, packageDir);
    if (!distFile || !node.positionTicks) continue;
    for (const { line, ticks } of node.positionTicks) {
      // The last mapping on a generated line belongs to the statement written there.
      const original = originalPosition(distFile, line - 1, 10_000, packageDir);
      const key = original
        ? `${original.rel}:${original.line}  ${sourceLine(original.file, original.line)}`
        : `${distFile.slice(packageDir.length + 1)}:${line}`;
      lineTicks.set(key, (lineTicks.get(key) ?? 0) + ticks);
    }
  }
  const lines = (map: Map<string, number>, total: number): ProfileLine[] =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, t]) => ({ name, percent: (100 * t) / Math.max(1, total) }));
  return {
    scenario,
    busyMs: busy / 1000,
    gcPercent: (100 * gc) / Math.max(1, busy),
    self: lines(self, busy),
    sdkInclusive: lines(inclusive, busy),
    sdkLines: lines(lineTicks, busySamples),
  };
}

/** Profiles `scenario` in a plain node child (bounded to 30 s) and summarises its profile. */
export function profileScenario(
  scenario: Scenario,
  origin: string,
  sdkUrl: string,
  packageDir: string,
): ProfileSummary {
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-bench-prof-'));
  try {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      BENCH_SCENARIO: scenario,
      BENCH_ORIGIN: origin,
      BENCH_SDK_URL: sdkUrl,
      BENCH_PATH: scenario === 'latency' ? '' : STREAM_SCENARIOS[scenario].path,
      BENCH_REQUESTS: scenario === 'latency' ? '' : String(STREAM_SCENARIOS[scenario].requests),
    };
    delete env.NODE_OPTIONS;
    const args = ['--cpu-prof', '--cpu-prof-interval', '100', '--cpu-prof-dir', dir, '--input-type=module'];
    const child = spawnSync(process.execPath, [...args, '-e', WORKLOAD], {
      env,
      encoding: 'utf8',
      timeout: 30_000,
      killSignal: 'SIGKILL',
    });
    if (child.status !== 0) {
      throw new Error(`profiling ${scenario} failed (${child.status ?? child.signal}): ${child.stderr.slice(0, 800)}`);
    }
    const file = readdirSync(dir).find((name) => name.endsWith('.cpuprofile'));
    if (!file) throw new Error(`no CPU profile written to ${dir}`);
    return summarise(JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile, scenario, packageDir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
