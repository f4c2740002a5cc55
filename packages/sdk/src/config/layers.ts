import { ConfigError } from '../errors/client-errors.js';
import type { EnvLayer } from './env.js';
import { fileKeyName, GATEWAY_SECTIONS } from './file-key-name.js';
import type { FileConfig, SwitchyardOptions } from './options.js';
import type { Origin } from './origin.js';
import { didYouMean } from './suggest.js';

// Each layer (options, env, file) is flattened to `option path → { value, origin }`, so precedence is one map merge
// and every value carries where it came from into validation messages. Leaves are the unit of precedence: objects
// (retry, timeouts) merge per field, maps (defaults, aliases, headers) per key, providers/models per entry field.

export interface Entry {
  value: unknown;
  origin: Origin;
}
export type Layer = Map<string, Entry>;

const SCALARS = [
  'apiKey',
  'baseURL',
  'defaultModel',
  'fallbackModels',
  'provider',
  'devMode',
  'timeoutMs',
  'maxResponseBytes',
  'appUrl',
  'appName',
  'appCategories',
  'allowInsecureHttp',
  'costBackfill',
];
const NESTED: Record<string, string[]> = {
  timeouts: ['headersMs', 'firstTokenMs', 'idleMs'],
  retry: ['attempts', 'backoffBaseMs', 'backoffMaxMs', 'jitter'],
  routing: [
    'fallbackStrategy',
    'selection',
    'maxPromptPrice',
    'maxCompletionPrice',
    'preflight',
    'contextWarnAt',
    'onContextLengthError',
    'onInsufficientCredits',
    'hedgeAfterMs',
  ],
  breaker: ['failureThreshold', 'failureRate', 'minRequests', 'windowMs', 'recoveryMs', 'probeTimeoutMs'],
  catalog: ['ttlMs', 'cacheDir'],
};
const MAPS = ['defaults', 'aliases', 'headers'];
const ENTRY_MAPS: Record<string, string[]> = {
  providers: ['type', 'baseURL', 'apiKey', 'models', 'prices', 'headers'],
  models: ['provider', 'model', 'routing', 'providerPreferences'],
};

/** Durations are written in seconds in env and file; messages show them that way. */
const DURATIONS = new Set([
  'timeoutMs',
  'timeouts.headersMs',
  'timeouts.firstTokenMs',
  'timeouts.idleMs',
  'retry.backoffBaseMs',
  'retry.backoffMaxMs',
  'routing.hedgeAfterMs',
  'breaker.windowMs',
  'breaker.recoveryMs',
  'breaker.probeTimeoutMs',
  'catalog.ttlMs',
]);

export function optionsLayer(options: SwitchyardOptions): Layer {
  const origin = (path: string): Origin => ({ source: 'option', name: path });
  // Function- and object-valued options are not settings: they never come from env or files.
  const live = ['env', 'fileConfig', 'fetch', 'breakerStore', 'retryOn', 'budget', 'usageSinks'];
  return flatten(options as Record<string, unknown>, origin, live, 'option');
}

export function envLayer(env: EnvLayer): Layer {
  const origin = (path: string): Origin => ({
    source: 'env',
    name: env.vars[path] ?? path,
    seconds: DURATIONS.has(path),
  });
  return flatten(env.values as Record<string, unknown>, origin, [], 'env setting');
}

export function fileLayer(file: FileConfig): Layer {
  const name = file.path ?? 'switchyard.toml';
  const origin = (path: string): Origin => ({
    source: 'file',
    name: fileKeyName(path),
    file: name,
    seconds: DURATIONS.has(path),
  });
  return flatten(file as Record<string, unknown>, origin, ['path', ...GATEWAY_SECTIONS], `setting in ${name}`);
}

/** Later layers win: pass them lowest precedence first. */
export function mergeLayers(layers: Layer[]): Layer {
  const merged: Layer = new Map();
  for (const layer of layers) for (const [path, entry] of layer) merged.set(path, entry);
  return merged;
}

function flatten(
  source: Record<string, unknown>,
  origin: (path: string) => Origin,
  extra: string[],
  what: string,
): Layer {
  const layer: Layer = new Map();
  const add = (path: string, value: unknown) => {
    if (value !== undefined) layer.set(path, { value, origin: origin(path) });
  };
  const object = (value: unknown, path: string): Record<string, unknown> => {
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
    throw new ConfigError(`Invalid ${what} "${path}": must be an object`);
  };
  const unknown = (path: string, key: string, known: string[]) =>
    new ConfigError(`Unknown ${what} "${path}"${didYouMean(key, known)}`);
  const topLevel = [...SCALARS, ...Object.keys(NESTED), ...MAPS, ...Object.keys(ENTRY_MAPS), ...extra];

  for (const [key, value] of Object.entries(source)) {
    if (value === undefined || extra.includes(key)) continue;
    // An empty string means "not set here" in every layer (as an empty env var does), so lower layers still apply.
    if (SCALARS.includes(key)) {
      if (!(typeof value === 'string' && value.trim() === '')) add(key, value);
    } else if (Object.hasOwn(NESTED, key)) {
      const fields = NESTED[key]!;
      for (const [field, inner] of Object.entries(object(value, key))) {
        if (!fields.includes(field)) throw unknown(`${key}.${field}`, field, fields);
        add(`${key}.${field}`, inner);
      }
    } else if (MAPS.includes(key)) {
      for (const [name, inner] of Object.entries(object(value, key))) add(`${key}.${name}`, inner);
    } else if (Object.hasOwn(ENTRY_MAPS, key)) {
      const fields = ENTRY_MAPS[key]!;
      for (const [name, entry] of Object.entries(object(value, key))) {
        for (const [field, inner] of Object.entries(object(entry, `${key}.${name}`))) {
          if (!fields.includes(field)) throw unknown(`${key}.${name}.${field}`, field, fields);
          add(`${key}.${name}.${field}`, inner);
        }
      }
    } else throw unknown(key, key, topLevel);
  }
  return layer;
}

/** Names under a map (`providers` → `['local', 'vllm']`), from flattened `providers.<name>.<field>` paths. */
export function entryNames(layer: Layer, group: string, withField: boolean): string[] {
  const names = new Set<string>();
  for (const path of layer.keys()) {
    if (!path.startsWith(`${group}.`)) continue;
    const rest = path.slice(group.length + 1);
    names.add(withField ? rest.slice(0, rest.lastIndexOf('.')) : rest);
  }
  return [...names];
}
