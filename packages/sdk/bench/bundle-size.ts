/**
 * Browser bundle size of the SDK as an app's bundler sees the published package: esbuild (`platform: 'browser'`,
 * so the `browser` export condition and `sideEffects` apply; ESM, minified, split at dynamic imports) of
 * `export { Switchyard } from '@switchyard/sdk'` (what an app that uses the client ships) and of
 * `export * from '@switchyard/sdk'` (every export: the worst case). Sizes are min+gzip (node:zlib, level 9).
 *
 * What counts against the budget is what the page loads up front: the entry and the chunks it imports statically.
 * The rest is reported beside it, by the dynamic import that loads it: the routing engine (started by
 * `new Switchyard()`, awaited by the first call; see `routing/engine.ts`), the streaming code (first `stream()`),
 * and what loads on first use (agents toolkit, catalog search, disk cache, embeddings, cost back-fill, hedging,
 * context-length recovery). `totalGzipBytes` is everything, compressed together.
 *
 * The SDK reaches Node modules only through `import()` of a variable specifier, so a browser build must not see any
 * Node builtin: any builtin among the bundle's imports fails the measurement.
 */
import { builtinModules } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build, type Message, type Metafile } from 'esbuild';

const PACKAGE = join(dirname(fileURLToPath(import.meta.url)), '..');
const BUILTINS = new Set(builtinModules.flatMap((name) => [name, `node:${name}`]));

export interface Contributor {
  name: string;
  bytes: number;
}

export interface LazyGroup {
  /** The module the dynamic import loads (its path inside the package). */
  module: string;
  gzipBytes: number;
}

export interface BundleResult {
  label: string;
  minBytes: number;
  gzipBytes: number;
  /** What dynamic imports load, by module, each counted once (the first group to reach a shared chunk has it). */
  lazy: LazyGroup[];
  /** All output, compressed together. */
  totalGzipBytes: number;
  /** Minified bytes per package file of the up-front output, largest first. */
  files: Contributor[];
  warnings: string[];
}

/** Dynamic imports in the order their chunks are attributed (shared chunks go to the first that reaches them). */
const LAZY_ORDER = ['routing/engine.js', 'chat/stream-attempt.js'];

function formatMessage(message: Message): string {
  const where = message.location ? `${message.location.file}:${message.location.line}: ` : '';
  return `${where}${message.text}${message.notes.map((note) => ` (${note.text})`).join('')}`;
}

/** Node builtins the bundle still imports (static or literal dynamic imports left external). */
function builtinImports(metafile: Metafile): string[] {
  const found = new Set<string>();
  for (const node of [...Object.values(metafile.inputs), ...Object.values(metafile.outputs)]) {
    for (const imported of node.imports) if (BUILTINS.has(imported.path)) found.add(imported.path);
  }
  return [...found];
}

/** `path` and every output it imports statically, transitively. */
function staticClosure(outputs: Metafile['outputs'], path: string): Set<string> {
  const closure = new Set([path]);
  for (const at of closure) {
    for (const imported of outputs[at]?.imports ?? []) {
      if (imported.kind === 'import-statement' && outputs[imported.path]) closure.add(imported.path);
    }
  }
  return closure;
}

/** A package file's name for the report: `dist/routing/engine.js` → `routing/engine.js`. */
function shortName(input: string): string {
  const at = input.lastIndexOf('/dist/');
  if (at >= 0) return input.slice(at + 6);
  return input.startsWith('dist/') ? input.slice(5) : input;
}

async function bundle(label: string, contents: string): Promise<BundleResult> {
  let result: Awaited<ReturnType<typeof build>>;
  try {
    result = await build({
      stdin: { contents, resolveDir: PACKAGE, sourcefile: 'app.js', loader: 'js' },
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
  if (builtins.length > 0)
    throw new Error(`the browser bundle (${label}) imports Node builtins: ${builtins.join(', ')}`);
  const outputs = metafile.outputs;
  const js = Object.keys(outputs).filter((path) => path.endsWith('.js'));
  const isApp = (path: string) => ['<stdin>', 'app.js'].includes(outputs[path]?.entryPoint ?? '');
  const entry = js.find(isApp);
  if (!entry) throw new Error(`esbuild produced no entry chunk (${label})`);
  const bytes = new Map(
    (result.outputFiles ?? []).map((file) => [`out/${file.path.split('/out/')[1]}`, file.contents]),
  );
  const gzip = (paths: Iterable<string>) =>
    gzipSync(Buffer.concat([...paths].map((path) => bytes.get(path) ?? new Uint8Array())), { level: 9 }).length;

  const upFront = staticClosure(outputs, entry);
  const counted = new Set(upFront);
  const dynamicEntries = js
    .filter((path) => !isApp(path) && outputs[path]?.entryPoint)
    .map((path) => ({ path, module: shortName(outputs[path]!.entryPoint!) }))
    .sort((a, b) => rank(a.module) - rank(b.module) || a.module.localeCompare(b.module));
  const lazy: LazyGroup[] = [];
  for (const { path, module } of dynamicEntries) {
    const fresh = [...staticClosure(outputs, path)].filter((p) => !counted.has(p));
    for (const p of fresh) counted.add(p);
    if (fresh.length > 0) lazy.push({ module, gzipBytes: gzip(fresh) });
  }
  const files: Contributor[] = [];
  for (const path of upFront) {
    for (const [input, { bytesInOutput }] of Object.entries(outputs[path]?.inputs ?? {})) {
      if (bytesInOutput > 0) files.push({ name: shortName(input), bytes: bytesInOutput });
    }
  }
  return {
    label,
    minBytes: [...upFront].reduce((sum, path) => sum + (bytes.get(path)?.length ?? 0), 0),
    gzipBytes: gzip(upFront),
    lazy,
    totalGzipBytes: gzip(js),
    files: files.sort((a, b) => b.bytes - a.bytes),
    warnings: result.warnings.map(formatMessage),
  };
}

function rank(module: string): number {
  const at = LAZY_ORDER.indexOf(module);
  return at < 0 ? LAZY_ORDER.length : at;
}

/** `{ Switchyard }` (budgeted) and every export (reported), as an app's bundler resolves the published package. */
export async function measureBundles(): Promise<{ switchyardOnly: BundleResult; full: BundleResult }> {
  const switchyardOnly = await bundle('{ Switchyard }', "export { Switchyard } from '@switchyard/sdk';");
  const full = await bundle('every export', "export * from '@switchyard/sdk';");
  return { switchyardOnly, full };
}
