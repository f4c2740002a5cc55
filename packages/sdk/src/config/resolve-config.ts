import { ConfigError } from '../errors/client-errors.js';
import { resolveCatalog, resolveCostBackfill } from './catalog-options.js';
import { CHAT_DEFAULT_NAMES, chatDefaultRule } from './chat-defaults.js';
import { defaultEnv, readEnv } from './env.js';
import { envLayer, fileLayer, mergeLayers, optionsLayer } from './layers.js';
import type { ChatDefaults, ResolvedConfig, SwitchyardOptions } from './options.js';
import { describeOrigin, showValue } from './origin.js';
import { printRedacted } from './redact.js';
import {
  checkedURL,
  checkModelFor,
  DEFAULT_BASE_URL,
  headerMap,
  knownProvider,
  providerType,
  resolveAliases,
  resolveModels,
  resolveProviders,
  secret,
} from './resolve-providers.js';
import { resolveBreaker, resolveRouting } from './routing-options.js';
import { rank, Settings } from './settings.js';
import { didYouMean } from './suggest.js';

/** Built-in defaults (DESIGN.md §3 and the seeds' documented values). */
export const CONFIG_DEFAULTS = {
  baseURL: DEFAULT_BASE_URL,
  provider: 'openrouter',
  timeoutMs: 60_000,
  maxResponseBytes: 64 * 1024 * 1024,
  timeouts: { headersMs: 30_000, firstTokenMs: 45_000, idleMs: 30_000 },
  retry: { attempts: 3, backoffBaseMs: 1_000, backoffMaxMs: 12_000, jitter: 0.25 },
} as const;

const CATEGORY = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/**
 * Merges options > environment > file > defaults per setting, validates every value, and records where each one
 * came from. Errors name the setting, the value (masked if secret) and its origin, e.g.
 * `Invalid temperature 3 from switchyard.toml (defaults.temperature): must be between 0 and 2`.
 * The result prints with secrets masked (`console.log`, `JSON.stringify`) and is frozen.
 */
export function resolveConfig(options: SwitchyardOptions = {}): ResolvedConfig {
  const env = readEnv(options.env ?? defaultEnv());
  const s = new Settings(mergeLayers([fileLayer(options.fileConfig ?? {}), envLayer(env), optionsLayer(options)]));

  const allowInsecureHttp = s.boolean('allowInsecureHttp', 'allowInsecureHttp', false);
  const apiKey = secret(s, 'apiKey', 'API key');
  const baseText = s.string('baseURL', 'base URL');
  const baseURL = baseText === undefined ? DEFAULT_BASE_URL : checkedURL(s, 'baseURL', baseText, allowInsecureHttp);
  const devMode = s.boolean('devMode', 'dev mode', false);

  const d = CONFIG_DEFAULTS;
  const timeoutMs = s.duration('timeoutMs', 'timeout', d.timeoutMs);
  const timeouts = {
    headersMs: s.duration('timeouts.headersMs', 'headers timeout', d.timeouts.headersMs),
    firstTokenMs: s.duration('timeouts.firstTokenMs', 'first-token timeout', d.timeouts.firstTokenMs),
    idleMs: s.duration('timeouts.idleMs', 'idle timeout', d.timeouts.idleMs),
  };
  const maxResponseBytes = s.number('maxResponseBytes', 'max response bytes', d.maxResponseBytes, (n) =>
    Number.isInteger(n) && n > 0 ? undefined : 'must be a whole number of bytes, more than 0',
  );
  const retry = {
    attempts: s.number('retry.attempts', 'retry attempts', d.retry.attempts, (n) =>
      Number.isInteger(n) && n >= 0 ? undefined : 'must be a whole number, 0 or more',
    ),
    backoffBaseMs: s.duration('retry.backoffBaseMs', 'retry backoff base', d.retry.backoffBaseMs),
    backoffMaxMs: s.duration('retry.backoffMaxMs', 'retry backoff max', d.retry.backoffMaxMs),
    jitter: s.number('retry.jitter', 'retry jitter', d.retry.jitter, (n) =>
      n >= 0 && n <= 1 ? undefined : 'must be between 0 and 1',
    ),
  };
  if (retry.backoffBaseMs > retry.backoffMaxMs) {
    const base = s.layer.get('retry.backoffBaseMs');
    const max = s.layer.get('retry.backoffMaxMs');
    const show = (e: typeof base, ms: number) =>
      e ? `${showValue(ms, e.origin, 'ms')} from ${describeOrigin(e.origin)}` : `${ms / 1000}s (default)`;
    throw new ConfigError(
      `Invalid retry backoff: base ${show(base, retry.backoffBaseMs)} is larger than max ${show(max, retry.backoffMaxMs)}`,
    );
  }

  const appUrl = s.string('appUrl', 'app URL');
  if (appUrl !== undefined && !/^https?:\/\/[^\s/]+/i.test(appUrl)) {
    throw s.fail('app URL', s.layer.get('appUrl')!, `must be an http(s) URL, e.g. "https://${appUrl}"`);
  }
  const appName = s.string('appName', 'app name');
  if (appName !== undefined && /[\u0000-\u001f\u007f]/.test(appName)) {
    throw s.fail('app name', s.layer.get('appName')!, 'must not contain line breaks or control characters');
  }
  const categories = s.strings('appCategories', 'app categories');
  for (const category of categories.list) {
    if (!CATEGORY.test(category) || category.length > 30) {
      throw s.fail(
        'app category',
        { ...categories.entry!, value: category },
        'must be lowercase-hyphenated (e.g. "cli-agent") and at most 30 characters',
      );
    }
  }
  if (categories.list.length > 2) {
    throw s.fail('app categories', categories.entry!, 'OpenRouter accepts at most 2 categories per request');
  }

  const routing = resolveRouting(s);
  const breaker = resolveBreaker(s);
  const catalog = resolveCatalog(s);
  const costBackfill = resolveCostBackfill(s);
  const headers = headerMap(s, 'headers');
  const defaults = chatDefaults(s);
  const providers = resolveProviders(s, allowInsecureHttp);

  // Provider: dev mode switches to the simulator unless a more explicit layer chose a provider.
  const providerEntry = s.get('provider');
  let provider = s.string('provider', 'provider') ?? CONFIG_DEFAULTS.provider;
  if (providerEntry && provider !== CONFIG_DEFAULTS.provider) knownProvider(s, providerEntry, provider, providers);
  const devEntry = s.layer.get('devMode');
  if (devMode && devEntry && (!providerEntry || rank(providerEntry.origin.source) <= rank(devEntry.origin.source))) {
    provider = 'simulator';
    s.record('provider', devEntry);
  }
  if (provider === 'openai-compatible' && baseText === undefined) {
    throw s.fail('provider', providerEntry!, 'needs a base URL (baseURL, OPENROUTER_BASE_URL or openrouter.base_url)');
  }

  const models = resolveModels(s, providers, provider);
  const type = providerType(provider, providers);
  const aliases = resolveAliases(s, models, type);
  const names = new Set([...Object.keys(aliases), ...Object.keys(models)]);
  const defaultModel = s.string('defaultModel', 'default model');
  if (defaultModel !== undefined)
    checkModelFor(s, type, defaultModel, s.layer.get('defaultModel')!, 'default model', names);
  const fallbacks = s.strings('fallbackModels', 'fallback models');
  for (const id of fallbacks.list) checkModelFor(s, type, id, fallbacks.entry!, 'fallback model', names);

  const customFetch = options.fetch;
  if (customFetch !== undefined && typeof customFetch !== 'function') {
    throw new ConfigError('Invalid fetch from options (fetch): must be a function');
  }
  s.record('fetch', customFetch ? { value: customFetch, origin: { source: 'option', name: 'fetch' } } : undefined);
  // Looked up at call time (not bound now): tests and polyfills may replace globalThis.fetch later, and calling an
  // unbound fetch as a method of another object throws "Illegal invocation" in browsers.
  const fetchImpl: typeof fetch = customFetch ?? ((input, init) => globalThis.fetch(input, init));

  const data = clonePlain({
    apiKey,
    baseURL,
    defaultModel,
    fallbackModels: fallbacks.list,
    provider,
    devMode,
    timeoutMs,
    timeouts,
    maxResponseBytes,
    retry,
    appUrl,
    appName,
    appCategories: categories.list,
    headers,
    defaults,
    aliases,
    models,
    providers,
    allowInsecureHttp,
    routing,
    breaker,
    catalog,
    costBackfill,
    sources: s.sources,
    origins: s.origins,
  });
  // Copied before freezing, so objects the caller passed in (defaults.reasoning, …) stay theirs and mutable.
  const config: ResolvedConfig = { ...data, fetch: fetchImpl };
  return deepFreeze(printRedacted(config));
}

function chatDefaults(s: Settings): ChatDefaults {
  const out: Record<string, unknown> = {};
  for (const path of s.pathsUnder('defaults')) {
    const name = path.slice('defaults.'.length);
    const entry = s.get(path)!;
    const rule = chatDefaultRule(name);
    if (!rule) {
      throw new ConfigError(
        `Unknown chat default "${name}" from ${describeOrigin(entry.origin)}${didYouMean(name, CHAT_DEFAULT_NAMES)}`,
      );
    }
    const problem = rule.check(entry.value);
    if (problem) throw s.fail(name, entry, problem);
    out[name] = entry.value;
  }
  return out as ChatDefaults;
}

function clonePlain<T>(value: T): T {
  if (Array.isArray(value)) return value.map(clonePlain) as T;
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    Object.defineProperty(out, key, { value: clonePlain(item), enumerable: true, writable: true, configurable: true });
  }
  return out as T;
}

/** Configuration is read by many parts concurrently; freezing it turns accidental mutation into an error. */
function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const item of Object.values(value)) if (typeof item !== 'function') deepFreeze(item);
  }
  return value;
}
