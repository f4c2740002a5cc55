import type { RetryOptions, SwitchyardOptions } from './options.js';
import { invalidSetting } from './origin.js';

/** The settings the environment can provide, in option names and units (milliseconds). */
export type EnvValues = Pick<
  SwitchyardOptions,
  'apiKey' | 'baseURL' | 'defaultModel' | 'fallbackModels' | 'provider' | 'devMode' | 'timeoutMs' | 'appUrl' | 'appName'
> & { retry?: RetryOptions };

/** The environment layer: values found, and which variable each came from (keyed by option path). */
export interface EnvLayer {
  values: EnvValues;
  vars: Record<string, string>;
}

type Kind = 'string' | 'list' | 'boolean' | 'number' | 'seconds';

/**
 * Every variable we read (DESIGN.md §3), in precedence order: where two names feed one setting (an alias kept for
 * compatibility with other OpenRouter tools), the first one that is set wins.
 */
export const ENV_VARIABLES: readonly { name: string; path: string; kind: Kind; label: string }[] = [
  { name: 'OPENROUTER_API_KEY', path: 'apiKey', kind: 'string', label: 'API key' },
  { name: 'OPENROUTER_BASE_URL', path: 'baseURL', kind: 'string', label: 'base URL' },
  { name: 'OPENROUTER_DEFAULT_MODEL', path: 'defaultModel', kind: 'string', label: 'default model' },
  { name: 'OPENROUTER_MODEL', path: 'defaultModel', kind: 'string', label: 'default model' },
  { name: 'OPENROUTER_FALLBACK_MODELS', path: 'fallbackModels', kind: 'list', label: 'fallback models' },
  { name: 'DEFAULT_PROVIDER', path: 'provider', kind: 'string', label: 'provider' },
  { name: 'DEV_MODE', path: 'devMode', kind: 'boolean', label: 'dev mode' },
  { name: 'OPENROUTER_TIMEOUT', path: 'timeoutMs', kind: 'seconds', label: 'timeout' },
  { name: 'OPENROUTER_RETRY_ATTEMPTS', path: 'retry.attempts', kind: 'number', label: 'retry attempts' },
  { name: 'OPENROUTER_RETRY_BACKOFF_BASE', path: 'retry.backoffBaseMs', kind: 'seconds', label: 'retry backoff base' },
  { name: 'OPENROUTER_RETRY_BACKOFF_MAX', path: 'retry.backoffMaxMs', kind: 'seconds', label: 'retry backoff max' },
  { name: 'OPENROUTER_RETRY_JITTER', path: 'retry.jitter', kind: 'number', label: 'retry jitter' },
  { name: 'OPENROUTER_HTTP_REFERER', path: 'appUrl', kind: 'string', label: 'app URL' },
  { name: 'OPENROUTER_APP_NAME', path: 'appName', kind: 'string', label: 'app name' },
  { name: 'OPENROUTER_X_TITLE', path: 'appName', kind: 'string', label: 'app name' },
];

/** `process.env` where the runtime has one (Node, Bun, Deno's compat layer); browsers and workers get `{}`. */
export function defaultEnv(): Record<string, string | undefined> {
  const proc = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process;
  return proc?.env ?? {};
}

const TRUE = new Set(['true', '1', 'yes']);
const FALSE = new Set(['false', '0', 'no']);

/** `true/false/1/0/yes/no` (any case) → boolean; anything else → undefined. */
export function parseBooleanText(raw: string): boolean | undefined {
  const text = raw.trim().toLowerCase();
  if (TRUE.has(text)) return true;
  if (FALSE.has(text)) return false;
  return undefined;
}

/** A plain decimal number (`3`, `0.25`, `1e3`); rejects what `Number()` would quietly accept (`''`, `0x10`, `Infinity`). */
export function parseNumberText(raw: string): number | undefined {
  const text = raw.trim();
  if (!/^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(text)) return undefined;
  return Number(text);
}

/** Seconds as written by people (`60`, `1.5`) → whole milliseconds. */
export function secondsToMs(seconds: number): number {
  return Math.round(seconds * 1000);
}

/**
 * Reads the environment layer. Empty variables count as unset (`OPENROUTER_DEFAULT_MODEL=` in a .env template means
 * "no default", not "the model named ''"). Malformed numbers and booleans are errors naming the variable; range
 * checks happen in resolveConfig, together with the other layers.
 */
export function readEnv(env: Record<string, string | undefined> = defaultEnv()): EnvLayer {
  const values: Record<string, unknown> = {};
  const vars: Record<string, string> = {};
  for (const { name, path, kind, label } of ENV_VARIABLES) {
    const raw = env[name];
    if (raw === undefined || raw.trim() === '' || path in vars) continue;
    const origin = { source: 'env' as const, name };
    let value: unknown;
    if (kind === 'string') value = raw.trim();
    else if (kind === 'list') value = splitList(raw);
    else if (kind === 'boolean') {
      value = parseBooleanText(raw);
      if (value === undefined) throw invalidSetting(label, raw, origin, 'expected true/false, 1/0 or yes/no');
    } else {
      const number = parseNumberText(raw);
      if (number === undefined) {
        throw invalidSetting(
          label,
          raw,
          origin,
          kind === 'seconds' ? 'expected a number of seconds' : 'expected a number',
        );
      }
      value = kind === 'seconds' ? secondsToMs(number) : number;
    }
    vars[path] = name;
    setPath(values, path, value);
  }
  return { values: values as EnvValues, vars };
}

/** `a, b,,c` → `['a', 'b', 'c']`: spaces around commas and empty items (a trailing comma) are forgiven. */
export function splitList(raw: string): string[] {
  return raw
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

/** Sets `a` or `a.b` (one level of nesting is all the option shape has). */
export function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const [head, tail] = path.split('.') as [string, string | undefined];
  if (tail === undefined) {
    target[head] = value;
    return;
  }
  const inner = (target[head] ?? {}) as Record<string, unknown>;
  inner[tail] = value;
  target[head] = inner;
}
