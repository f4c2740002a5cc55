import { ConfigError } from '../errors/client-errors.js';
import { checkBaseURL } from './base-url.js';
import { parseNumberText } from './env.js';
import type { Entry } from './layers.js';
import { isLooseModelId, modelIdProblem, resolveAlias } from './model-id.js';
import type { ModelConfig, ResolvedProviderConfig } from './options.js';
import { describeOrigin } from './origin.js';
import { providerPreferencesProblem } from './provider-preferences.js';
import type { Settings } from './settings.js';
import { didYouMean } from './suggest.js';

// Named providers, [models.<alias>] entries, aliases, and the model ids that refer to them. Validated together
// because each depends on the others: a model id is checked by the grammar of the provider that will receive it.

export const BUILTIN_PROVIDERS = ['openrouter', 'openai-compatible', 'simulator'] as const;
export const DEFAULT_BASE_URL = 'https://openrouter.ai/api/v1';

type ProviderType = 'openai-compatible' | 'openrouter';

/** The wire protocol behind a provider name; the simulator speaks OpenRouter's. */
export function providerType(name: string, providers: Record<string, ResolvedProviderConfig>): ProviderType {
  if (name === 'openrouter' || name === 'simulator') return 'openrouter';
  if (name === 'openai-compatible') return 'openai-compatible';
  return providers[name]?.type ?? 'openrouter';
}

export function resolveProviders(s: Settings, allowInsecureHttp: boolean): Record<string, ResolvedProviderConfig> {
  const out: Record<string, ResolvedProviderConfig> = {};
  const names = new Set(s.pathsUnder('providers').map((p) => p.slice(10, p.lastIndexOf('.'))));
  for (const name of names) {
    const at = (field: string) => `providers.${name}.${field}`;
    if ((BUILTIN_PROVIDERS as readonly string[]).includes(name) || !/^[A-Za-z0-9][A-Za-z0-9_-]*$/.test(name)) {
      const entry = s.layer.get(s.pathsUnder('providers').find((p) => p.startsWith(`providers.${name}.`))!)!;
      throw new ConfigError(
        `Invalid provider name "${name}" from ${describeOrigin(entry.origin)}: ` +
          ((BUILTIN_PROVIDERS as readonly string[]).includes(name)
            ? 'it is a built-in provider; choose another name'
            : 'use letters, digits, "-" and "_"'),
      );
    }
    const typeEntry = s.get(at('type'));
    const type = (typeEntry?.value ?? 'openai-compatible') as ProviderType;
    if (typeEntry && type !== 'openai-compatible' && type !== 'openrouter') {
      throw s.fail('provider type', typeEntry, 'must be "openai-compatible" or "openrouter"');
    }
    const urlText = s.string(at('baseURL'), `base URL of provider "${name}"`);
    if (urlText === undefined && type === 'openai-compatible') {
      throw new ConfigError(`Provider "${name}" needs a base URL (providers.${name}.baseURL / base_url)`);
    }
    const baseURL = urlText === undefined ? DEFAULT_BASE_URL : checkedURL(s, at('baseURL'), urlText, allowInsecureHttp);
    const apiKey = secret(s, at('apiKey'), `API key of provider "${name}"`);
    const models = s.strings(at('models'), `models of provider "${name}"`);
    for (const id of models.list)
      checkModelFor(s, type, id, models.entry!, `model id in provider "${name}"`, new Set());
    out[name] = {
      type,
      baseURL,
      apiKey,
      models: models.list,
      prices: prices(s, at('prices')),
      headers: headerMap(s, at('headers')),
    };
  }
  return out;
}

export function resolveModels(
  s: Settings,
  providers: Record<string, ResolvedProviderConfig>,
  defaultProvider: string,
): Record<string, ModelConfig> {
  const out: Record<string, ModelConfig> = {};
  const names = new Set(s.pathsUnder('models').map((p) => p.slice(7, p.lastIndexOf('.'))));
  for (const name of names) {
    const at = (field: string) => `models.${name}.${field}`;
    const via = s.string(at('provider'), `provider of model "${name}"`);
    if (via !== undefined) knownProvider(s, s.layer.get(at('provider'))!, via, providers);
    const type = providerType(via ?? defaultProvider, providers);
    const modelEntry = s.get(at('model'));
    if (!modelEntry || typeof modelEntry.value !== 'string' || modelEntry.value.trim() === '') {
      throw new ConfigError(`Model entry "${name}" needs a model id (models.${name}.model)`);
    }
    const model = modelEntry.value.trim();
    checkModelFor(s, type, model, modelEntry, `model of "${name}"`, new Set());
    const entry: ModelConfig = { model };
    if (via !== undefined) entry.provider = via;
    const routing = s.get(at('routing'));
    if (routing) {
      const list = routing.value;
      if (!Array.isArray(list) || list.length === 0 || !list.every((p) => typeof p === 'string' && p.trim() !== '')) {
        throw s.fail(`routing of "${name}"`, routing, 'must be a non-empty list of provider slugs');
      }
      if (type !== 'openrouter') {
        throw s.fail(
          `routing of "${name}"`,
          routing,
          `only OpenRouter models can be routed, but provider is "${via ?? defaultProvider}"`,
        );
      }
      entry.routing = list.map((p: string) => p.trim());
    }
    const prefs = s.get(at('providerPreferences'));
    if (prefs) {
      if (typeof prefs.value !== 'object' || prefs.value === null || Array.isArray(prefs.value)) {
        throw s.fail(`provider preferences of "${name}"`, prefs, 'must be a table/object');
      }
      if (type !== 'openrouter') throw s.fail(`provider preferences of "${name}"`, prefs, 'only apply to OpenRouter');
      const problem = providerPreferencesProblem(prefs.value as Record<string, unknown>);
      if (problem) {
        throw s.fail(
          `provider preference "${problem.key}" of "${name}"`,
          { ...prefs, value: (prefs.value as Record<string, unknown>)[problem.key] },
          problem.reason,
        );
      }
      entry.providerPreferences = prefs.value as Record<string, unknown>;
    }
    put(out, name, entry);
  }
  return out;
}

/** Alias names and targets; targets may be other aliases or model entries, cycles are errors. */
export function resolveAliases(s: Settings, models: Record<string, ModelConfig>, type: ProviderType) {
  const out: Record<string, string> = {};
  const paths = s.pathsUnder('aliases');
  for (const path of paths) {
    const name = path.slice(8);
    const entry = s.get(path)!;
    if (name.trim() === '' || name.includes('/') || /\s/.test(name)) {
      throw s.fail(`alias name "${name}"`, entry, 'alias names must not be empty or contain "/" or spaces');
    }
    if (Object.hasOwn(models, name)) {
      throw s.fail(`alias "${name}"`, entry, `"${name}" is also defined as a model entry ([models.${name}])`);
    }
    if (typeof entry.value !== 'string' || entry.value.trim() === '')
      throw s.fail(`alias "${name}"`, entry, 'must be a model id');
    put(out, name, entry.value.trim());
  }
  const names = new Set([...Object.keys(out), ...Object.keys(models)]);
  for (const [name, target] of Object.entries(out)) {
    const entry = s.layer.get(`aliases.${name}`)!;
    try {
      resolveAlias(name, out);
    } catch (error) {
      throw s.fail(`alias "${name}"`, entry, (error as Error).message);
    }
    checkModelFor(s, type, target, entry, `alias "${name}"`, names);
  }
  return out;
}

/** `provider` must be a built-in or configured name. */
export function knownProvider(
  s: Settings,
  entry: Entry,
  name: string,
  providers: Record<string, ResolvedProviderConfig>,
): void {
  const known = [...BUILTIN_PROVIDERS, ...Object.keys(providers)];
  if (!known.includes(name)) {
    throw s.fail('provider', entry, `must be one of ${known.join(', ')}${didYouMean(name, known)}`);
  }
}

/** OpenRouter-type providers get the strict id grammar; OpenAI-compatible servers name models freely. */
export function checkModelFor(
  s: Settings,
  type: ProviderType,
  id: string,
  entry: Entry,
  label: string,
  names: Set<string>,
): void {
  if (names.has(id)) return;
  if (type === 'openai-compatible') {
    if (!isLooseModelId(id)) throw s.fail(label, { ...entry, value: id }, 'must be a model name without spaces');
    return;
  }
  const problem = modelIdProblem(id);
  if (problem) throw s.fail(label, { ...entry, value: id }, problem);
}

export function checkedURL(s: Settings, path: string, value: string, allowInsecureHttp: boolean): string {
  const result = checkBaseURL(value, allowInsecureHttp);
  if (result.ok) return result.normalised;
  throw s.fail('base URL', s.layer.get(path)!, result.reason);
}

/** A secret string: trimmed (a pasted key often carries a newline); inner whitespace means a broken paste. */
export function secret(s: Settings, path: string, label: string): string | undefined {
  const value = s.string(path, label);
  if (value !== undefined && /[\s\u0000-\u001f\u007f]/.test(value)) {
    throw s.fail(label, s.layer.get(path)!, 'contains whitespace or control characters (a broken copy/paste?)');
  }
  return value;
}

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

export function headerMap(s: Settings, prefix: string): Record<string, string> {
  const out: Record<string, string> = {};
  const paths = s.pathsUnder(prefix);
  const whole = s.layer.get(prefix); // providers.<name>.headers is one leaf holding a table
  const entries: [string, Entry][] = whole
    ? Object.entries(asObject(s, whole, 'headers')).map(([k, v]) => [k, { ...whole, value: v }])
    : paths.map((p) => [p.slice(prefix.length + 1), s.get(p)!]);
  if (whole) s.get(prefix);
  for (const [name, entry] of entries) {
    if (!HEADER_NAME.test(name)) throw s.fail('header name', { ...entry, value: name }, 'not a valid HTTP header name');
    if (typeof entry.value !== 'string' || /[\r\n\0]/.test(entry.value)) {
      throw s.fail(`header ${name}`, entry, 'must be a string without line breaks', name);
    }
    put(out, name, entry.value);
  }
  return out;
}

function prices(s: Settings, path: string): ResolvedProviderConfig['prices'] {
  const entry = s.get(path);
  if (!entry) return {};
  const out: ResolvedProviderConfig['prices'] = {};
  for (const [model, price] of Object.entries(asObject(s, entry, 'prices'))) {
    const p = asObject(s, { ...entry, value: price }, `prices of ${model}`);
    const amount = (side: 'prompt' | 'completion') => {
      const raw = p[side];
      const value = typeof raw === 'string' ? parseNumberText(raw) : raw;
      if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
        throw s.fail(
          `${side} price of ${model}`,
          { ...entry, value: raw },
          'must be a non-negative number (USD per million tokens)',
        );
      }
      return value;
    };
    put(out, model, { prompt: amount('prompt'), completion: amount('completion') });
  }
  return out;
}

function asObject(s: Settings, entry: Entry, label: string): Record<string, unknown> {
  if (typeof entry.value === 'object' && entry.value !== null && !Array.isArray(entry.value)) {
    return entry.value as Record<string, unknown>;
  }
  throw s.fail(label, entry, 'must be a table/object');
}

/** defineProperty, so user-chosen names such as `__proto__` stay plain data. */
function put<T>(target: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}
