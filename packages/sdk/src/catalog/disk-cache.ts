import type { Model } from '../protocol/catalog.js';

/** The parts of `node:fs/promises` the disk cache uses (declared here: the SDK compiles without Node's types). */
interface FsPromises {
  readFile(path: string, encoding: 'utf8'): Promise<string>;
  writeFile(path: string, data: string, encoding: 'utf8'): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  mkdir(path: string, options: { recursive: true }): Promise<unknown>;
  rm(path: string, options: { force: true }): Promise<void>;
}

// Held in a variable so browser and edge bundlers leave the import alone; it only runs when a cache dir is set.
const NODE_FS = 'node:fs/promises';

/** What a cache file holds. */
export interface DiskCatalog {
  version: 1;
  baseURL: string;
  /** When the list was fetched from the network (epoch ms). */
  fetchedAt: number;
  models: Model[];
}

async function fs(): Promise<FsPromises | undefined> {
  try {
    return (await import(/* @vite-ignore */ NODE_FS)) as FsPromises;
  } catch {
    return undefined; // no file system (browser, edge): the disk cache is off
  }
}

/** FNV-1a, 32 bits: a short stable suffix that keeps different base URLs apart after their names are simplified. */
function fnv1a(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}

/** The cache file of a base URL: `models-openrouter.ai_api_v1-<hash>.json` in `dir`. */
export function catalogFile(dir: string, baseURL: string): string {
  const name = baseURL
    .replace(/^[a-z]+:\/\//i, '')
    .replace(/[^A-Za-z0-9.-]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 80);
  const separator = dir.includes('\\') && !dir.includes('/') ? '\\' : '/';
  return `${dir.replace(/[\\/]+$/, '')}${separator}models-${name}-${fnv1a(baseURL)}.json`;
}

/** The cached list of `baseURL`, or undefined when there is none (or it is unreadable: the cache is advisory). */
export async function readDiskCatalog(dir: string, baseURL: string): Promise<DiskCatalog | undefined> {
  const files = await fs();
  if (!files) return undefined;
  try {
    const data = JSON.parse(await files.readFile(catalogFile(dir, baseURL), 'utf8')) as Partial<DiskCatalog>;
    if (data?.version !== 1 || data.baseURL !== baseURL) return undefined;
    if (typeof data.fetchedAt !== 'number' || !Number.isFinite(data.fetchedAt) || !Array.isArray(data.models)) {
      return undefined;
    }
    return data as DiskCatalog;
  } catch {
    return undefined;
  }
}

/** Writes the list atomically (a temporary file renamed over the old one); failures are ignored. */
export async function writeDiskCatalog(dir: string, entry: DiskCatalog): Promise<void> {
  const files = await fs();
  if (!files) return;
  const file = catalogFile(dir, entry.baseURL);
  const temporary = `${file}.${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}.tmp`;
  try {
    await files.mkdir(dir, { recursive: true });
    await files.writeFile(temporary, JSON.stringify(entry), 'utf8');
    await files.rename(temporary, file);
  } catch {
    await files.rm(temporary, { force: true }).catch(() => {});
  }
}
