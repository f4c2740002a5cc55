import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The house rules of DESIGN.md that a reviewer cannot see file by file: imports only go downward (the gateway may
 * import the SDK and the simulator; the SDK and the simulator import nothing of ours, except types), no file is over
 * 600 lines, and no module imports, at run time, one that imports it back (dynamic imports included: a lazy chunk
 * loaded by a module it depends on is a cycle all the same).
 */

const ROOT = new URL('..', import.meta.url).pathname;
const PACKAGES = ['sdk', 'simulator', 'gateway'] as const;

function filesUnder(dir: string, keep: (path: string) => boolean): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory())
      return entry.name === 'node_modules' || entry.name === 'dist' ? [] : filesUnder(path, keep);
    return keep(path) ? [path] : [];
  });
}

interface Import {
  specifier: string;
  typeOnly: boolean;
}

/** Static `import`/`export … from` and dynamic `import()` specifiers of a TypeScript file. */
function importsOf(source: string): Import[] {
  const found: Import[] = [];
  for (const m of source.matchAll(/^\s*(?:import|export)\s+(type\s+)?[^'";]*?\s*from\s+['"]([^'"]+)['"]/gm)) {
    found.push({ specifier: m[2] as string, typeOnly: m[1] !== undefined });
  }
  for (const m of source.matchAll(/^\s*import\s+['"]([^'"]+)['"]/gm))
    found.push({ specifier: m[1] as string, typeOnly: false });
  for (const m of source.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)) {
    found.push({ specifier: m[1] as string, typeOnly: false });
  }
  return found;
}

const sources = PACKAGES.flatMap((pkg) =>
  filesUnder(join(ROOT, 'packages', pkg, 'src'), (path) => path.endsWith('.ts')).map((path) => ({ pkg, path })),
);

describe('architecture', () => {
  it('finds the sources it checks', () => {
    expect(sources.length).toBeGreaterThan(300);
  });

  it('imports only go downward: sdk and simulator import nothing of ours at run time', () => {
    const upward: string[] = [];
    for (const { pkg, path } of sources) {
      for (const { specifier, typeOnly } of importsOf(readFileSync(path, 'utf8'))) {
        if (!specifier.startsWith('@switchyard/') || typeOnly) continue;
        const target = specifier.split('/')[1];
        const allowed = pkg === 'gateway' && (target === 'sdk' || target === 'simulator');
        if (!allowed) upward.push(`${relative(ROOT, path)} → ${specifier}`);
      }
    }
    expect(upward).toEqual([]);
  });

  it('has no import cycles among run-time imports', () => {
    const graph = new Map<string, string[]>();
    for (const { path } of sources) {
      const edges = importsOf(readFileSync(path, 'utf8'))
        .filter((i) => !i.typeOnly && i.specifier.startsWith('.'))
        .map((i) => resolve(dirname(path), i.specifier.replace(/\.js$/, '.ts')));
      graph.set(path, edges);
    }
    // Tarjan's strongly connected components: any component of two or more modules is a cycle.
    const index = new Map<string, number>();
    const low = new Map<string, number>();
    const stack: string[] = [];
    const onStack = new Set<string>();
    const cycles: string[][] = [];
    const visit = (v: string) => {
      index.set(v, index.size);
      low.set(v, index.get(v) as number);
      stack.push(v);
      onStack.add(v);
      for (const w of graph.get(v) ?? []) {
        if (!graph.has(w)) continue;
        if (!index.has(w)) {
          visit(w);
          low.set(v, Math.min(low.get(v) as number, low.get(w) as number));
        } else if (onStack.has(w)) low.set(v, Math.min(low.get(v) as number, index.get(w) as number));
      }
      if (low.get(v) !== index.get(v)) return;
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop() as string;
        onStack.delete(w);
        component.push(relative(ROOT, w));
      } while (w !== v);
      if (component.length > 1) cycles.push(component);
    };
    for (const v of graph.keys()) if (!index.has(v)) visit(v);
    expect(cycles).toEqual([]);
  });

  it('keeps every source and test file at 600 lines or fewer', () => {
    const files = PACKAGES.flatMap((pkg) =>
      filesUnder(join(ROOT, 'packages', pkg), (path) => /\.(ts|mts|mjs|js)$/.test(path)),
    ).concat(filesUnder(join(ROOT, 'test'), (path) => path.endsWith('.ts')));
    const long = files
      .map((path) => ({ path: relative(ROOT, path), lines: readFileSync(path, 'utf8').split('\n').length - 1 }))
      .filter((file) => file.lines > 600);
    expect(long).toEqual([]);
  });
});
