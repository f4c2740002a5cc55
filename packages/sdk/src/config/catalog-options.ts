import type { Settings } from './settings.js';

/** How the model catalog is cached (`[catalog]` in switchyard.toml; see the SDK README, "Catalog, cost and usage"). */
export interface CatalogConfig {
  /** How long the fetched `/models` list (and each model's endpoints) is served before a refresh, in ms; after it
   * the old list is still served at once while a background fetch replaces it. 0 = revalidate on every use.
   * File: `[catalog] ttl` in seconds. Default 3 600 000 (1 h). */
  ttlMs?: number;
  /** A directory for a copy of the list on disk (one JSON file per base URL, with its `fetchedAt`), so a new
   * process starts with a catalog and an offline one still has one. Node, Bun and Deno only. File:
   * `[catalog] cache_dir`. Default: none (memory only). */
  cacheDir?: string;
}

export const CATALOG_DEFAULTS = { ttlMs: 60 * 60 * 1000, cacheDir: undefined } as const;

export function resolveCatalog(s: Settings): { ttlMs: number; cacheDir: string | undefined } {
  return {
    ttlMs: s.duration('catalog.ttlMs', 'catalog TTL', CATALOG_DEFAULTS.ttlMs),
    cacheDir: s.string('catalog.cacheDir', 'catalog cache directory'),
  };
}

/** `costBackfill` (`[usage] cost_backfill`): fetch `/generation` for answers that carried no cost. */
export function resolveCostBackfill(s: Settings): boolean {
  return s.boolean('costBackfill', 'cost backfill', false);
}
