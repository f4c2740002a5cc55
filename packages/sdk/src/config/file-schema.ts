// The layout of switchyard.toml: which sections and keys exist, their types and units, and the option each one
// feeds. One table serves both directions — file → FileConfig in loadConfig, and option path → file key in error
// messages — so the two can't drift apart.

import { GATEWAY_SECTIONS } from './file-key-name.js';

export { GATEWAY_SECTIONS };

export type FieldKind = 'string' | 'strings' | 'boolean' | 'number' | 'seconds';

export interface FieldSpec {
  /** Option path it maps to (`retry.backoffBaseMs`). */
  path: string;
  kind: FieldKind;
}

const field = (path: string, kind: FieldKind): FieldSpec => ({ path, kind });

/** Sections with a fixed set of keys. */
export const FIXED_SECTIONS: Readonly<Record<string, Readonly<Record<string, FieldSpec>>>> = {
  openrouter: {
    api_key: field('apiKey', 'string'),
    base_url: field('baseURL', 'string'),
    default_model: field('defaultModel', 'string'),
    fallback_models: field('fallbackModels', 'strings'),
    provider: field('provider', 'string'),
    dev_mode: field('devMode', 'boolean'),
    timeout: field('timeoutMs', 'seconds'),
    max_response_bytes: field('maxResponseBytes', 'number'),
    allow_insecure_http: field('allowInsecureHttp', 'boolean'),
  },
  timeouts: {
    headers: field('timeouts.headersMs', 'seconds'),
    first_token: field('timeouts.firstTokenMs', 'seconds'),
    idle: field('timeouts.idleMs', 'seconds'),
  },
  retry: {
    attempts: field('retry.attempts', 'number'),
    backoff_base: field('retry.backoffBaseMs', 'seconds'),
    backoff_max: field('retry.backoffMaxMs', 'seconds'),
    jitter: field('retry.jitter', 'number'),
  },
  routing: {
    fallback_strategy: field('routing.fallbackStrategy', 'string'),
    selection: field('routing.selection', 'string'),
    max_prompt_price: field('routing.maxPromptPrice', 'number'),
    max_completion_price: field('routing.maxCompletionPrice', 'number'),
    preflight: field('routing.preflight', 'string'),
    context_warn_at: field('routing.contextWarnAt', 'number'),
    on_context_length_error: field('routing.onContextLengthError', 'string'),
    on_insufficient_credits: field('routing.onInsufficientCredits', 'string'),
    hedge_after: field('routing.hedgeAfterMs', 'seconds'),
  },
  breaker: {
    failure_threshold: field('breaker.failureThreshold', 'number'),
    failure_rate: field('breaker.failureRate', 'number'),
    min_requests: field('breaker.minRequests', 'number'),
    window: field('breaker.windowMs', 'seconds'),
    recovery: field('breaker.recoveryMs', 'seconds'),
    probe_timeout: field('breaker.probeTimeoutMs', 'seconds'),
  },
  catalog: {
    ttl: field('catalog.ttlMs', 'seconds'),
    cache_dir: field('catalog.cacheDir', 'string'),
  },
  usage: {
    cost_backfill: field('costBackfill', 'boolean'),
  },
  app: {
    url: field('appUrl', 'string'),
    name: field('appName', 'string'),
    categories: field('appCategories', 'strings'),
  },
};

/** `[providers.<name>]` keys → ProviderConfig fields (`prices` and `headers` are tables, checked separately). */
export const PROVIDER_FIELDS: Readonly<Record<string, string>> = {
  type: 'type',
  base_url: 'baseURL',
  api_key: 'apiKey',
  models: 'models',
  prices: 'prices',
  headers: 'headers',
};

/** `[models.<alias>]` keys → ModelConfig fields; a `provider` table becomes `providerPreferences`. */
export const MODEL_FIELDS: Readonly<Record<string, string>> = {
  provider: 'provider',
  /** Where the parser puts `provider = "…"` when a `[models.<name>.provider]` table follows it. */
  provider_name: 'provider',
  model: 'model',
  routing: 'routing',
};

/** Sections of name → entry maps. */
export const MAP_SECTIONS = ['defaults', 'aliases', 'providers', 'models'] as const;

export const ALL_SECTIONS: readonly string[] = [...Object.keys(FIXED_SECTIONS), ...MAP_SECTIONS, ...GATEWAY_SECTIONS];

/** A key as TOML would need it written: bare when possible, else quoted. */
export function tomlKey(name: string): string {
  return /^[A-Za-z0-9_-]+$/.test(name) ? name : JSON.stringify(name);
}

const FILE_KEY_BY_PATH = new Map<string, string>();
for (const [section, fields] of Object.entries(FIXED_SECTIONS)) {
  for (const [key, spec] of Object.entries(fields)) FILE_KEY_BY_PATH.set(spec.path, `${section}.${key}`);
}

/** The file key an option path is written as: `retry.backoffBaseMs` → `retry.backoff_base`. */
export function fileKeyOf(path: string): string {
  const fixed = FILE_KEY_BY_PATH.get(path);
  if (fixed) return fixed;
  const [group] = path.split('.', 1) as [string];
  const rest = path.slice(group.length + 1);
  if (group === 'providers' || group === 'models') {
    // `<name>.<field>`: names may contain dots (`gpt-4.1`), fields never do.
    const cut = rest.lastIndexOf('.');
    const name = rest.slice(0, cut);
    const fieldName = rest.slice(cut + 1);
    const table = group === 'providers' ? PROVIDER_FIELDS : { ...MODEL_FIELDS, provider: 'provider' };
    let key = Object.entries(table).find(([, option]) => option === fieldName)?.[0] ?? fieldName;
    if (group === 'models' && fieldName === 'providerPreferences') key = 'provider';
    return `${group}.${tomlKey(name)}.${key}`;
  }
  if (rest) return `${group}.${tomlKey(rest)}`;
  return path;
}
