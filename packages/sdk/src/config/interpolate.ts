import { ConfigError } from '../errors/client-errors.js';

/**
 * `${VAR}` interpolation in config file strings, with shell-like forms:
 * - `${VAR}`            the variable; when it is unset (or empty) the whole setting is left unset, so
 *                       `api_key = "${OPENROUTER_API_KEY}"` is fine on a machine without a key;
 * - `${VAR:-fallback}`  the fallback when VAR is unset or empty;
 * - `${VAR:?message}`   an error with `message` when VAR is unset or empty;
 * - `$${`               a literal `${`.
 * Other `$` characters are kept as they are, so passwords with `$` need no escaping.
 */

/** Marks a value removed because a variable it needs is unset. */
const UNSET: unique symbol = Symbol('unset');

const REFERENCE = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:-|:\?)([^}]*))?\}/y;

/** Interpolates one string. Returns undefined when it references an unset variable without a fallback. */
export function interpolateString(
  text: string,
  env: Record<string, string | undefined>,
  where = 'value',
): string | undefined {
  const result = expand(text, env, where);
  return result === UNSET ? undefined : result;
}

function expand(text: string, env: Record<string, string | undefined>, where: string): string | typeof UNSET {
  if (!text.includes('$')) return text;
  let out = '';
  let unset = false;
  for (let i = 0; i < text.length; ) {
    if (text.startsWith('$${', i)) {
      out += '${';
      i += 3;
      continue;
    }
    if (!text.startsWith('${', i)) {
      out += text[i];
      i++;
      continue;
    }
    REFERENCE.lastIndex = i;
    const m = REFERENCE.exec(text);
    if (!m) {
      const snippet = text.slice(i, text.indexOf('}', i) + 1 || undefined);
      throw new ConfigError(
        `${where}: invalid variable reference "${snippet}" (use \${NAME}, \${NAME:-default} or \${NAME:?message}; write $\${ for a literal \${)`,
      );
    }
    const [whole, name, operator, argument = ''] = m as unknown as [string, string, string | undefined, string?];
    const value = env[name];
    const isSet = value !== undefined && value !== '';
    if (isSet) out += value;
    else if (operator === ':-') out += argument;
    else if (operator === ':?') throw new ConfigError(`${where}: ${name}: ${argument || 'is required but not set'}`);
    else unset = true;
    i += whole.length;
  }
  return unset ? UNSET : out;
}

/**
 * Interpolates every string in a parsed document. Settings that reference an unset variable are dropped (table keys
 * removed, array items skipped). `describe(path)` names a location for error messages.
 */
export function interpolateTree(
  value: unknown,
  env: Record<string, string | undefined>,
  describe: (path: string[]) => string,
  path: string[] = [],
): unknown {
  if (typeof value === 'string') {
    const result = expand(value, env, describe(path));
    return result === UNSET ? undefined : result;
  }
  if (Array.isArray(value)) {
    return value
      .map((item, index) => interpolateTree(item, env, describe, [...path, String(index)]))
      .filter((item) => item !== undefined);
  }
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      const result = interpolateTree(item, env, describe, [...path, key]);
      if (result !== undefined) {
        Object.defineProperty(out, key, { value: result, enumerable: true, writable: true, configurable: true });
      }
    }
    return out;
  }
  return value;
}
