/**
 * Browser bundle size of the SDK: esbuild (`platform: 'browser'`, `format: 'esm'`, bundle + minify) of
 * `src/index.ts` — every public export, which is the worst case for an app — and of `{ Switchyard }` alone (what
 * tree shaking leaves for the common `new Switchyard(…)` use). Sizes are min and min+gzip (node:zlib, level 9).
 *
 * The SDK reaches Node modules only through `import()` of a variable specifier, so a browser build must not see any
 * Node builtin: esbuild errors on a static `node:` import for the browser platform, and any builtin that still shows
 * up among the bundle's imports fails the measurement.
 *
 * The build splits code at dynamic imports, as an app's bundler does: what counts is what the page loads up front
 * (the entry and the chunks it imports statically). Code loaded on first use — the agents toolkit behind
 * `sy.runTools()` / `sy.object()` — is reported beside it as `lazyGzipBytes`.
 */
import { builtinModules } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build, type Message, type Metafile } from 'esbuild';

const PACKAGE = join(dirname(fileURLToPath(import.meta.url)), '..');
const SRC = join(PACKAGE, 'src');
const BUILTINS = new Set(builtinModules.flatMap((name) => [name, `node:${name}`]));

export interface Contributor {
  name: string;
  bytes: number;
}

export interface BundleResult {
  label: string;
  minBytes: number;
  gzipBytes: number;
  /** min+gzip of the chunks only a dynamic `import()` loads (not counted in `gzipBytes`). */
  lazyGzipBytes: number;
  /** Minified bytes per `src/` folder (top-level files under `(root)`), largest first. */
  folders: Contributor[];
  /** Minified bytes per source file, largest first, with the shortest import chain to it (see `bundle`). */
  files: (Contributor & { chain: string[] })[];
  warnings: string[];
}

function formatMessage(message: Message): string {
  const where = message.location ? `${message.location.file}:${message.location.line}: ` : '';
  const notes = message.notes.map((note) => ` (${note.text})`).join('');
  return `${where}${message.text}${notes}`;
}

/** Shortest import chain from `entry` to every input (breadth first over the metafile's import graph). */
function importChains(metafile: Metafile, entry: string): Map<string, string[]> {
  const chains = new Map<string, string[]>([[entry, [entry]]]);
  const queue = [entry];
  while (queue.length > 0) {
    const from = queue.shift()!;
    for (const imported of metafile.inputs[from]?.imports ?? []) {
      if (chains.has(imported.path) || !metafile.inputs[imported.path]) continue;
      chains.set(imported.path, [...chains.get(from)!, imported.path]);
      queue.push(imported.path);
    }
  }
  return chains;
}

/** Node builtins the bundle still imports (static or literal dynamic imports left external). */
function builtinImports(metafile: Metafile): string[] {
  const found = new Set<string>();
  for (const input of Object.values(metafile.inputs)) {
    for (const imported of input.imports) if (BUILTINS.has(imported.path)) found.add(imported.path);
  }
  for (const output of Object.values(metafile.outputs)) {
    for (const imported of output.imports) if (BUILTINS.has(imported.path)) found.add(imported.path);
  }
  for (const path of Object.keys(metafile.inputs)) if (BUILTINS.has(path)) found.add(path);
  return [...found];
}

/**
 * `chainRoot`: the input import chains start from (default: the entry). For `{ Switchyard }` it is `client.ts`, the
 * module defining the class: the re-exports of `index.ts` are shorter paths, but tree shaking drops them.
 */
async function bundle(
  label: string,
  entry: { stdin: string } | { file: string },
  chainRoot?: string,
): Promise<BundleResult> {
  let result: Awaited<ReturnType<typeof build>>;
  try {
    result = await build({
      ...('file' in entry
        ? { entryPoints: [entry.file] }
        : { stdin: { contents: entry.stdin, resolveDir: PACKAGE, sourcefile: 'entry.ts', loader: 'ts' } }),
      bundle: true,
      minify: true,
      format: 'esm',
      platform: 'browser',
      write: false,
      metafile: true,
      logLevel: 'silent',
      splitting: true,
      outdir: 'out',
    });
  } catch (error) {
    const errors = (error as { errors?: Message[] }).errors ?? [];
    const detail = errors.length > 0 ? errors.map(formatMessage).join('\n  ') : String(error);
    throw new Error(`esbuild could not bundle the SDK for the browser (${label}):\n  ${detail}`);
  }
  const metafile = result.metafile!;
  const builtins = builtinImports(metafile);
  if (builtins.length > 0) {
    throw new Error(`the browser bundle (${label}) imports Node builtins: ${builtins.join(', ')}`);
  }
  const outputs = metafile.outputs;
  const entryPath = Object.keys(outputs).find(
    (path) => outputs[path]?.entryPoint !== undefined && path.endsWith('.js'),
  );
  if (!entryPath) throw new Error(`esbuild produced no JavaScript (${label})`);
  // Up front: the entry and, transitively, the chunks it imports statically.
  const upFront = new Set([entryPath]);
  for (const path of upFront) {
    for (const imported of outputs[path]?.imports ?? []) {
      if (imported.kind === 'import-statement' && outputs[imported.path]) upFront.add(imported.path);
    }
  }
  const contents = new Map(
    (result.outputFiles ?? []).map((file) => [relative(process.cwd(), file.path), file.contents]),
  );
  const joined = (paths: string[]) => Buffer.concat(paths.map((path) => contents.get(path) ?? new Uint8Array()));
  const jsPaths = Object.keys(outputs).filter((path) => path.endsWith('.js'));
  const initial = joined(jsPaths.filter((path) => upFront.has(path)));
  const lazyPaths = jsPaths.filter((path) => !upFront.has(path));
  const lazy = joined(lazyPaths);
  const folders = new Map<string, number>();
  const files: BundleResult['files'] = [];
  const short = (path: string) => {
    const rel = relative(SRC, join(PACKAGE, path)).split('\\').join('/');
    return rel.startsWith('..') ? path : rel;
  };
  for (const [outputPath, outputMeta] of Object.entries(outputs)) {
    if (!upFront.has(outputPath)) continue;
    const chains = importChains(metafile, chainRoot ?? outputMeta.entryPoint ?? '');
    for (const [path, { bytesInOutput }] of Object.entries(outputMeta.inputs)) {
      const rel = relative(SRC, join(PACKAGE, path)).split('\\').join('/');
      const inSrc = !rel.startsWith('..');
      const name = inSrc ? rel : path;
      const folder = !inSrc ? '(outside src)' : rel.includes('/') ? `${rel.slice(0, rel.indexOf('/'))}/` : '(root)';
      folders.set(folder, (folders.get(folder) ?? 0) + bytesInOutput);
      const chain = (chains.get(path) ?? []).map(short);
      if (bytesInOutput > 0) files.push({ name, bytes: bytesInOutput, chain });
    }
  }
  return {
    label,
    minBytes: initial.length,
    gzipBytes: gzipSync(initial, { level: 9 }).length,
    lazyGzipBytes: lazyPaths.length === 0 ? 0 : gzipSync(lazy, { level: 9 }).length,
    folders: [...folders].map(([name, bytes]) => ({ name, bytes })).sort((a, b) => b.bytes - a.bytes),
    files: files.sort((a, b) => b.bytes - a.bytes),
    warnings: result.warnings.map(formatMessage),
  };
}

/** The full public API (`src/index.ts`, budgeted) and `{ Switchyard }` alone (for comparison). */
export async function measureBundles(): Promise<{ full: BundleResult; switchyardOnly: BundleResult }> {
  const full = await bundle('all exports of src/index.ts', { file: join(SRC, 'index.ts') });
  const switchyardOnly = await bundle(
    '{ Switchyard } only',
    { stdin: "export { Switchyard } from './src/index.ts';" },
    'src/client.ts',
  );
  return { full, switchyardOnly };
}
