import { ConfigError } from '../errors/client-errors.js';
import { defaultEnv } from './env.js';
import { nameFileKeysWith } from './file-key-name.js';
import { fileKeyOf, tomlKey } from './file-schema.js';
import { toFileConfig } from './file-structure.js';
import { interpolateTree } from './interpolate.js';
import type { FileConfig } from './options.js';
import { parseToml } from './toml.js';

/** The file looked for when no path is given, relative to the current directory. */
export const DEFAULT_CONFIG_FILE = 'switchyard.toml';

export interface LoadConfigOptions {
  /** Variables for `${VAR}` interpolation. Default `process.env` where it exists. */
  env?: Record<string, string | undefined>;
}

export interface ParseConfigOptions extends LoadConfigOptions {
  /** Name used in messages. Default `switchyard.toml`. */
  path?: string;
  /** Default: JSON when `path` ends in `.json`, else TOML. */
  format?: 'toml' | 'json';
}

/**
 * Reads a config file into the lowest-precedence layer of `resolveConfig({ fileConfig })`.
 * - No `path`: `switchyard.toml` in the current directory, and `{}` when it does not exist (config files are optional).
 * - An explicit `path` that does not exist is an error naming it (a typo should not silently drop your settings).
 * - `.json` files are parsed as JSON, everything else as TOML; `${VAR}` references are then interpolated.
 * Node, Bun and Deno only (it needs `node:fs/promises`); elsewhere pass the text to `parseConfig()`.
 */
export async function loadConfig(path?: string, options: LoadConfigOptions = {}): Promise<FileConfig> {
  const file = path ?? DEFAULT_CONFIG_FILE;
  const text = await readText(file, path !== undefined);
  if (text === undefined) return {};
  return parseConfig(text, { ...options, path: file });
}

/** The synchronous core of loadConfig, for config text obtained some other way (a bundle, a KV store, a test). */
export function parseConfig(text: string, options: ParseConfigOptions = {}): FileConfig {
  const file = options.path ?? DEFAULT_CONFIG_FILE;
  // Messages about the file's settings name them as the file writes them.
  nameFileKeysWith(fileKeyOf);
  const format = options.format ?? (file.toLowerCase().endsWith('.json') ? 'json' : 'toml');
  const source = text.startsWith('\uFEFF') ? text.slice(1) : text;
  let doc: unknown;
  if (format === 'json') {
    try {
      doc = JSON.parse(source);
    } catch (cause) {
      throw new ConfigError(`${file}: invalid JSON: ${(cause as Error).message}`, { cause });
    }
    if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
      throw new ConfigError(`${file}: the top level must be an object of sections`);
    }
  } else {
    // `provider = "openrouter"` beside a `[models.<name>.provider]` preferences table (the documented shape) is
    // kept as `provider_name`.
    const valueAside = (path: string[]) =>
      path.length === 3 && path[0] === 'models' && path[2] === 'provider' ? 'provider_name' : undefined;
    doc = parseToml(source, { source: file, valueAside });
  }
  const env = options.env ?? defaultEnv();
  const where = (path: string[]) => `${file} (${path.map(tomlKey).join('.')})`;
  return toFileConfig(interpolateTree(doc, env, where) as Record<string, unknown>, file);
}

/** The one call we use from `node:fs/promises`; declared here because the SDK compiles without Node's types. */
interface FsPromises {
  readFile(path: string, encoding: 'utf8'): Promise<string>;
}

// Held in a variable so browser and edge bundlers leave the import alone instead of failing to resolve it; it only
// runs when loadConfig is called.
const NODE_FS = 'node:fs/promises';

async function readText(file: string, explicit: boolean): Promise<string | undefined> {
  let fs: FsPromises;
  try {
    fs = (await import(/* @vite-ignore */ NODE_FS)) as FsPromises;
  } catch (cause) {
    throw new ConfigError(`Cannot read ${file}: this runtime has no file system; pass the text to parseConfig()`, {
      cause,
    });
  }
  try {
    return await fs.readFile(file, 'utf8');
  } catch (cause) {
    const code = (cause as { code?: unknown } | null)?.code;
    if (code === 'ENOENT' && !explicit) return undefined;
    if (code === 'ENOENT') throw new ConfigError(`Config file not found: ${file}`, { cause });
    throw new ConfigError(`Cannot read config file ${file}: ${(cause as Error).message}`, { cause });
  }
}
