import { readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (this file lives in packages/gateway/{src,dist}/bench/). */
const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

export interface ProfileLine {
  percent: number;
  name: string;
}

export interface ProfileSummary {
  busyMs: number;
  /** Share of busy time spent in garbage collection. */
  gcPercent: number;
  /** Self time per function (all code). */
  self: ProfileLine[];
  /** Inclusive time of switchyard functions (gateway and SDK, mapped to their `src/`). */
  inclusive: ProfileLine[];
  /** Self time of switchyard source lines (V8 position ticks; callees inlined by the JIT count on the calling line). */
  lines: ProfileLine[];
}

export interface CpuProfile {
  nodes: {
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
    children?: number[];
    positionTicks?: { line: number; ticks: number }[];
  }[];
  samples: number[];
  timeDeltas: number[];
}

const maps = new Map<string, SourceMap | null>();
const texts = new Map<string, string[]>();

/** A compiled file of this repository (`packages/<pkg>/dist/…`), which has a source map beside it. */
function ownDistFile(url: string): string | undefined {
  if (!url.startsWith('file://')) return undefined;
  const file = fileURLToPath(url);
  const rel = relative(ROOT, file);
  return rel.startsWith(`packages${sep}`) && rel.split(sep)[2] === 'dist' ? file : undefined;
}

/** `packages/<pkg>/src/….ts` and 1-based line of a 0-based generated position, via the file's source map. */
function original(distFile: string, line: number, column: number): { file: string; line: number } | undefined {
  let map = maps.get(distFile);
  if (map === undefined) {
    try {
      map = new SourceMap(JSON.parse(readFileSync(`${distFile}.map`, 'utf8')));
    } catch {
      map = null;
    }
    maps.set(distFile, map);
  }
  const entry = map?.findEntry(line, column) as { originalSource?: string; originalLine?: number } | undefined;
  if (!entry?.originalSource) return undefined;
  const source = entry.originalSource.startsWith('file:')
    ? fileURLToPath(entry.originalSource)
    : resolve(distFile, '..', entry.originalSource);
  return { file: source, line: (entry.originalLine ?? 0) + 1 };
}

function sourceText(file: string, line: number): string {
  let lines = texts.get(file);
  if (!lines) {
    try {
      lines = readFileSync(file, 'utf8').split('\n');
    } catch {
      lines = [];
    }
    texts.set(file, lines);
  }
  const text = (lines[line - 1] ?? '').trim();
  return text.length > 90 ? `${text.slice(0, 87)}...` : text;
}

/** `fn packages/gateway/src/routes/chat.ts:17`, `fn fastify/lib/reply.js:120` or `fn node:internal/…:12`. */
function frameName(frame: CpuProfile['nodes'][number]['callFrame']): string {
  const fn = frame.functionName || '(anonymous)';
  if (!frame.url) return fn;
  const dist = ownDistFile(frame.url);
  if (dist) {
    const at = original(dist, frame.lineNumber, frame.columnNumber);
    return at ? `${fn} ${relative(ROOT, at.file)}:${at.line}` : `${fn} ${relative(ROOT, dist)}`;
  }
  const url = frame.url.replace(/^.*\/node_modules\//, '').replace(/^file:\/\//, '');
  return `${fn} ${url}:${frame.lineNumber + 1}`;
}

/**
 * Where a CPU profile's busy time went: top functions by self time, switchyard functions and source lines. Samples
 * of the first `skipMs` (start-up, warm-up) are left out. "Busy" is every sample that is not idle, so it includes
 * time the process was runnable but descheduled: on a loaded machine that shows up on the function that woke
 * another process (typically `writev` to a loopback socket), not as CPU.
 */
export function summariseProfile(profile: CpuProfile, options: { skipMs?: number; top?: number } = {}): ProfileSummary {
  const top = options.top ?? 15;
  const skipUs = (options.skipMs ?? 0) * 1000;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let busy = 0;
  let gc = 0;
  let clock = 0;
  let allBusySamples = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const node = byId.get(profile.samples[i]!);
    const dt = profile.timeDeltas[i] ?? 0;
    clock += dt;
    if (!node || node.callFrame.functionName === '(idle)') continue;
    allBusySamples++;
    if (clock < skipUs) continue;
    busy += dt;
    if (node.callFrame.functionName === '(garbage collector)') gc += dt;
    const name = frameName(node.callFrame);
    self.set(name, (self.get(name) ?? 0) + dt);
    const seen = new Set<string>();
    for (let id: number | undefined = node.id; id !== undefined; id = parent.get(id)) {
      const frame = byId.get(id)!.callFrame;
      if (!ownDistFile(frame.url)) continue;
      const key = frameName(frame);
      if (seen.has(key)) continue;
      seen.add(key);
      inclusive.set(key, (inclusive.get(key) ?? 0) + dt);
    }
  }
  const lineTicks = new Map<string, number>();
  for (const node of profile.nodes) {
    const dist = ownDistFile(node.callFrame.url);
    if (!dist || !node.positionTicks) continue;
    for (const { line, ticks } of node.positionTicks) {
      // The last mapping on a generated line belongs to the statement written there.
      const at = original(dist, line - 1, 10_000);
      const key = at
        ? `${relative(ROOT, at.file)}:${at.line}  ${sourceText(at.file, at.line)}`
        : `${relative(ROOT, dist)}:${line}`;
      lineTicks.set(key, (lineTicks.get(key) ?? 0) + ticks);
    }
  }
  const ranked = (map: Map<string, number>, total: number): ProfileLine[] =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, value]) => ({ name, percent: (100 * value) / Math.max(1, total) }));
  return {
    busyMs: busy / 1000,
    gcPercent: (100 * gc) / Math.max(1, busy),
    self: ranked(self, busy),
    inclusive: ranked(inclusive, busy),
    // V8's line ticks cover the whole run (start-up included), so they are shares of all busy samples.
    lines: ranked(lineTicks, allBusySamples),
  };
}
