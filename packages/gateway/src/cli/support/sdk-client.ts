import { homedir } from 'node:os';
import { join } from 'node:path';
import { Switchyard, type SwitchyardOptions } from '@switchyard/sdk';
import { loadConfig } from '@switchyard/sdk/config';
import type { Output } from './output.js';

/** `$SWITCHYARD_CACHE_DIR`, else `$XDG_CACHE_HOME/switchyard`, else `~/.cache/switchyard`. */
export function cliCacheDir(env: Record<string, string | undefined> = process.env): string {
  return env.SWITCHYARD_CACHE_DIR || join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'switchyard');
}

export interface ClientFlags {
  /** switchyard.toml to read (default ./switchyard.toml when present). */
  config?: string;
}

export interface CliClient {
  sy: Switchyard;
  /** True when answers come from the offline simulator (no key, or DEV_MODE). */
  simulated: boolean;
  close(): Promise<void>;
}

/**
 * The SDK client a command works with: configured like the SDK (flags > env > switchyard.toml), on real OpenRouter
 * when a key is set and DEV_MODE is off, otherwise on the in-process simulator — said on the first line (stderr, so
 * `--json` output stays clean).
 */
export async function openCliClient(
  flags: ClientFlags,
  output: Output,
  extra: SwitchyardOptions = {},
): Promise<CliClient> {
  const fileConfig = await loadConfig(flags.config);
  // The catalog is kept on disk between runs (so `switchyard models` starts from cache) unless the file says where.
  const configured = (fileConfig as { catalog?: { cacheDir?: string } }).catalog?.cacheDir;
  if (!configured && !extra.catalog?.cacheDir)
    extra = { ...extra, catalog: { ...extra.catalog, cacheDir: cliCacheDir() } };
  let sy = new Switchyard({ fileConfig, ...extra });
  const { provider, apiKey, devMode } = sy.config;
  const simulated = provider === 'simulator' || devMode || (provider === 'openrouter' && !apiKey);
  if (simulated && provider !== 'simulator') {
    await sy.close();
    sy = new Switchyard({ fileConfig, ...extra, provider: 'simulator' });
  }
  if (simulated) {
    const why = devMode ? 'DEV_MODE is on' : 'no OPENROUTER_API_KEY is set';
    output.err(output.yellow(`Using the offline simulator (${why}): simulated models, prices and answers.`));
  }
  return { sy, simulated, close: () => sy.close() };
}
