// Secrets must never reach logs, error messages or printed config (DESIGN §4 "Nothing silent" — and nothing leaked).
// Masking keeps just enough to tell two keys apart (`sk-or-v1-ab…cd`), which is what people need when debugging.

/** Prefixes that identify a key's kind without revealing it; the longest match is kept visible. */
const KEY_PREFIXES = ['sk-or-v1-', 'sk-or-', 'sk-proj-', 'sk-ant-api03-', 'sk-ant-', 'sk-'];

/** Below this many characters after the prefix, showing four of them would give too much away. */
const MIN_REVEAL_LENGTH = 16;

/**
 * Masks a secret for display: `sk-or-v1-` (or another known key prefix) + the first 2 characters + `…` + the last 2
 * (`sk-or-v1-ab…cd`). Short values become `***` (keeping a known prefix: `sk-or-v1-***`). An auth scheme
 * (`Bearer …`) stays readable.
 */
export function maskSecret(value: string): string {
  // `Bearer sk-or-v1-…` (an Authorization header value): keep the scheme, mask the credential.
  const scheme = /^(Bearer|Basic|Token)\s+(\S+)$/i.exec(value);
  if (scheme) return `${scheme[1]} ${maskSecret(scheme[2]!)}`;
  const prefix = KEY_PREFIXES.find((p) => value.startsWith(p)) ?? '';
  const rest = value.slice(prefix.length);
  if (rest.length < MIN_REVEAL_LENGTH) return `${prefix}***`;
  return `${prefix}${rest.slice(0, 2)}…${rest.slice(-2)}`;
}

/**
 * Whether a setting or header of this name holds a secret: api_key / apiKey / x-api-key, *token, *secret,
 * *password, authorization, cookie, credentials. Matching the END of the normalised name avoids false hits such as
 * `max_tokens` or `firstTokenMs`.
 */
export function isSecretKey(name: string): boolean {
  const normalised = name.toLowerCase().replace(/[^a-z0-9]/g, '');
  return (
    /(apikey|token|secret|password|passwd|authorization|cookie|credentials?|privatekey)$/.test(normalised) ||
    normalised === 'key' ||
    normalised === 'auth'
  );
}

/**
 * Masks secrets embedded in free text: passwords in URLs (`redis://:pw@host`), `sk-…` keys, `Bearer …` tokens and
 * key-like query parameters. Used on every string in a printed config, whatever its setting name.
 */
export function redactString(text: string): string {
  return text
    .replace(/\b([a-z][a-z0-9+.-]*:\/\/[^\s/@:]*):([^\s/@]+)@/gi, '$1:***@')
    .replace(/\bBearer\s+([^\s,;]+)/g, (_, token: string) => `Bearer ${maskSecret(token)}`)
    .replace(/\bsk-[A-Za-z0-9][A-Za-z0-9_-]{15,}/g, (key) => maskSecret(key))
    .replace(
      /([?&](?:api[_-]?key|key|token|access[_-]?token|secret|password)=)([^&#\s]+)/gi,
      (_, name: string, value: string) => `${name}${maskSecret(value)}`,
    );
}

/**
 * Top-level maps of a resolved config that describe settings rather than hold them: their keys are setting paths
 * (`sources.apiKey` = "env"), so name-based masking would hide useful text while there is no secret to hide.
 */
const METADATA = new Set(['sources', 'origins']);

/** A deep copy of `config` with every secret masked; safe to log or serialise. */
export function redactConfig<T>(config: T): T {
  if (typeof config !== 'object' || config === null || Array.isArray(config)) {
    return copy(config, undefined, new WeakSet(), false) as T;
  }
  const seen = new WeakSet<object>([config]);
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(config)) {
    const item = copy(value, key, seen, METADATA.has(key));
    Object.defineProperty(out, key, { value: item, enumerable: true, writable: true, configurable: true });
  }
  return out as T;
}

function copy(value: unknown, key: string | undefined, seen: WeakSet<object>, metadata: boolean): unknown {
  if (typeof value === 'string') {
    return !metadata && key !== undefined && isSecretKey(key) ? maskSecret(value) : redactString(value);
  }
  if (typeof value !== 'object' || value === null) return value;
  if (seen.has(value)) return '[Circular]';
  seen.add(value);
  try {
    // Secret-named arrays (e.g. a list of keys) mask each element.
    if (Array.isArray(value)) return value.map((item) => copy(item, key, seen, metadata));
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) return value; // Dates, URLs, class instances: not config data
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      Object.defineProperty(out, k, {
        value: copy(v, k, seen, metadata),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return out;
  } finally {
    seen.delete(value);
  }
}

const INSPECT = Symbol.for('nodejs.util.inspect.custom');

/**
 * Makes `target` print redacted:
 * - `JSON.stringify` (via `toJSON`) and Node's `util.inspect`/`console.log` (via the registered
 *   `nodejs.util.inspect.custom` symbol, so no `node:util` import is needed) both see `redactConfig(target)`;
 * - `console.dir` and `inspect(x, { customInspect: false })` skip that hook, so every string holding a secret is
 *   also turned into an enumerable getter, which inspect shows as `[Getter]` without calling it.
 * Reading the properties is unchanged. The added methods are non-enumerable (invisible to `Object.keys` and spreads).
 */
export function printRedacted<T extends object>(target: T): T {
  guardSecrets(target, new WeakSet(), false, true);
  Object.defineProperty(target, 'toJSON', { value: () => redactConfig({ ...target }), enumerable: false });
  Object.defineProperty(target, INSPECT, {
    value: (_depth: number, options: unknown, inspect?: (value: unknown, options: unknown) => string) => {
      const safe = redactConfig({ ...target });
      return typeof inspect === 'function' ? inspect(safe, options) : safe;
    },
    enumerable: false,
  });
  return target;
}

function guardSecrets(value: unknown, seen: WeakSet<object>, metadata: boolean, top: boolean): void {
  if (typeof value !== 'object' || value === null || seen.has(value)) return;
  seen.add(value);
  if (Array.isArray(value)) {
    for (const item of value) guardSecrets(item, seen, metadata, false);
    return;
  }
  for (const [key, item] of Object.entries(value)) {
    if (typeof item === 'string') {
      if (!metadata && (isSecretKey(key) || redactString(item) !== item)) {
        Object.defineProperty(value, key, { get: () => item, enumerable: true, configurable: true });
      }
    } else guardSecrets(item, seen, metadata || (top && METADATA.has(key)), false);
  }
}
