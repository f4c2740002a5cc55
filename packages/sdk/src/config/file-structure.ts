import { ConfigError } from '../errors/client-errors.js';
import { CHAT_DEFAULT_NAMES, chatDefaultRule } from './chat-defaults.js';
import { parseBooleanText, parseNumberText, secondsToMs, setPath, splitList } from './env.js';
import {
  ALL_SECTIONS,
  FIXED_SECTIONS,
  type FieldKind,
  GATEWAY_SECTIONS,
  MODEL_FIELDS,
  PROVIDER_FIELDS,
  tomlKey,
} from './file-schema.js';
import type { FileConfig } from './options.js';
import { isSecretKey, maskSecret } from './redact.js';
import { didYouMean } from './suggest.js';

// Structural validation of a parsed config file: every key known, every value of the right type, names mapped to
// FileConfig. Semantic checks (ranges, model ids, URLs) are resolveConfig's, because options and env need them too.
// Strings are accepted where numbers/booleans are expected, since `${VAR:-60}` interpolation always yields a string.

type Table = Record<string, unknown>;

export function toFileConfig(doc: Table, file: string): FileConfig {
  const out: Record<string, unknown> = { path: file };
  const fail = (message: string): never => {
    throw new ConfigError(`${file}: ${message}`);
  };
  const table = (value: unknown, key: string): Table => {
    if (isTable(value)) return value;
    return fail(`${key} must be a table, got ${show(value, key)}`);
  };

  for (const [section, body] of Object.entries(doc)) {
    if (section === '$schema') continue; // an editor's JSON-schema hint in switchyard.json, not a setting
    const fixed = FIXED_SECTIONS[section];
    if (fixed && Object.hasOwn(FIXED_SECTIONS, section)) {
      for (const [key, value] of Object.entries(table(body, `[${section}]`))) {
        const spec = Object.hasOwn(fixed, key) ? fixed[key] : undefined;
        if (!spec) fail(`unknown setting "${section}.${key}"${didYouMean(key, Object.keys(fixed))}`);
        else setPath(out, spec.path, coerce(value, spec.kind, `${section}.${key}`, fail));
      }
    } else if (section === 'defaults') {
      const defaults: Table = {};
      for (const [key, value] of Object.entries(table(body, '[defaults]'))) {
        const rule = chatDefaultRule(key);
        if (!rule) fail(`unknown setting "defaults.${key}"${didYouMean(key, CHAT_DEFAULT_NAMES)}`);
        else defaults[key] = rule.kind === 'other' ? value : coerce(value, rule.kind, `defaults.${key}`, fail);
      }
      out.defaults = defaults;
    } else if (section === 'aliases') {
      const aliases: Table = {};
      for (const [name, target] of Object.entries(table(body, '[aliases]'))) {
        put(aliases, name, coerce(target, 'string', `aliases.${tomlKey(name)}`, fail));
      }
      out.aliases = aliases;
    } else if (section === 'providers') {
      const providers: Table = {};
      for (const [name, entry] of Object.entries(table(body, '[providers]'))) {
        put(providers, name, provider(table(entry, `providers.${tomlKey(name)}`), `providers.${tomlKey(name)}`, fail));
      }
      out.providers = providers;
    } else if (section === 'models') {
      const models: Table = {};
      for (const [name, entry] of Object.entries(table(body, '[models]'))) {
        put(models, name, model(table(entry, `models.${tomlKey(name)}`), `models.${tomlKey(name)}`, doc, fail));
      }
      out.models = models;
    } else if ((GATEWAY_SECTIONS as readonly string[]).includes(section)) {
      out[section] = table(body, `[${section}]`);
    } else {
      // A setting written at the top level instead of under its section is the most likely mistake.
      const home = Object.entries(FIXED_SECTIONS).find(([, fields]) => Object.hasOwn(fields, section))?.[0];
      if (home) fail(`unknown setting "${section}" (did you mean "${home}.${section}", under [${home}]?)`);
      fail(`unknown section [${section}]${didYouMean(section, ALL_SECTIONS, (s) => `[${s}]`)}`);
    }
  }
  return out as FileConfig;
}

function provider(entry: Table, key: string, fail: (m: string) => never): Table {
  const out: Table = {};
  for (const [name, value] of Object.entries(entry)) {
    const option = Object.hasOwn(PROVIDER_FIELDS, name) ? PROVIDER_FIELDS[name] : undefined;
    if (!option) fail(`unknown setting "${key}.${name}"${didYouMean(name, Object.keys(PROVIDER_FIELDS))}`);
    else if (name === 'models') out[option] = coerce(value, 'strings', `${key}.${name}`, fail);
    else if (name === 'headers') out[option] = stringTable(value, `${key}.${name}`, fail);
    else if (name === 'prices') out[option] = prices(value, `${key}.${name}`, fail);
    else out[option] = coerce(value, 'string', `${key}.${name}`, fail);
  }
  return out;
}

function prices(value: unknown, key: string, fail: (m: string) => never): Table {
  if (!isTable(value)) return fail(`${key} must be a table of model = { prompt, completion }, got ${show(value, key)}`);
  const out: Table = {};
  for (const [modelId, price] of Object.entries(value)) {
    const where = `${key}.${tomlKey(modelId)}`;
    if (!isTable(price)) fail(`${where} must be a table { prompt = …, completion = … } (USD per million tokens)`);
    const entry: Table = {};
    for (const [name, amount] of Object.entries(price as Table)) {
      if (name !== 'prompt' && name !== 'completion') {
        fail(`unknown setting "${where}.${name}"${didYouMean(name, ['prompt', 'completion'])}`);
      }
      if (typeof amount !== 'number' && typeof amount !== 'string') {
        fail(`${where}.${name} must be a number or a decimal string, got ${show(amount, name)}`);
      }
      entry[name] = amount;
    }
    put(out, modelId, entry);
  }
  return out;
}

function model(entry: Table, key: string, doc: Table, fail: (m: string) => never): Table {
  const out: Table = {};
  for (const [name, value] of Object.entries(entry)) {
    if (!Object.hasOwn(MODEL_FIELDS, name))
      fail(`unknown setting "${key}.${name}"${didYouMean(name, Object.keys(MODEL_FIELDS))}`);
    if (name === 'provider' && isTable(value))
      out.providerPreferences = value; // [models.<alias>.provider]
    else if (name === 'provider_name') out.provider = coerce(value, 'string', `${key}.provider`, fail);
    else if (name === 'routing') {
      if (
        !Array.isArray(value) ||
        value.length === 0 ||
        !value.every((s) => typeof s === 'string' && s.trim() !== '')
      ) {
        fail(
          `${key}.routing must be a non-empty list of provider slugs (e.g. ["anthropic"]), got ${show(value, name)}`,
        );
      }
      out.routing = value;
    } else out[name] = coerce(value, 'string', `${key}.${name}`, fail);
  }
  if (typeof out.model !== 'string') fail(`${key}.model is required: the model id this entry stands for`);
  const via = out.provider;
  if (out.routing !== undefined && typeof via === 'string' && via !== 'openrouter' && via !== 'simulator') {
    const configured = isTable(doc.providers) ? (doc.providers as Table)[via] : undefined;
    if (!(isTable(configured) && configured.type === 'openrouter')) {
      fail(`${key}.routing is only valid for OpenRouter models (provider = "openrouter"), but provider is "${via}"`);
    }
  }
  return out;
}

function stringTable(value: unknown, key: string, fail: (m: string) => never): Table {
  if (!isTable(value)) return fail(`${key} must be a table of strings, got ${show(value, key)}`);
  for (const [name, item] of Object.entries(value)) {
    if (typeof item !== 'string') fail(`${key}.${tomlKey(name)} must be a string, got ${show(item, name)}`);
  }
  return value;
}

const EXPECTED: Record<FieldKind, string> = {
  string: 'a string',
  strings: 'a list of strings',
  boolean: 'true or false',
  number: 'a number',
  seconds: 'a number of seconds',
};

function coerce(value: unknown, kind: FieldKind, key: string, fail: (m: string) => never): unknown {
  const bad = (): never => fail(`${key} must be ${EXPECTED[kind]}, got ${show(value, key)}`);
  switch (kind) {
    case 'string':
      return typeof value === 'string' ? value : bad();
    case 'strings':
      if (typeof value === 'string') return splitList(value); // "${OPENROUTER_FALLBACK_MODELS}" → comma list
      return Array.isArray(value) && value.every((s) => typeof s === 'string') ? value : bad();
    case 'boolean':
      if (typeof value === 'boolean') return value;
      return (typeof value === 'string' ? parseBooleanText(value) : undefined) ?? bad();
    default: {
      const number = typeof value === 'number' ? value : typeof value === 'string' ? parseNumberText(value) : undefined;
      if (number === undefined) return bad();
      return kind === 'seconds' ? secondsToMs(number) : number;
    }
  }
}

function show(value: unknown, key: string): string {
  if (typeof value === 'string')
    return isSecretKey(key.split('.').pop() ?? key) ? maskSecret(value) : JSON.stringify(value);
  if (Array.isArray(value)) return 'a list';
  if (isTable(value)) return 'a table';
  return String(value);
}

/** defineProperty, so user-chosen names such as `__proto__` stay plain data. */
function put(target: Table, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

function isTable(value: unknown): value is Table {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
