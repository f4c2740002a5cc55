import { ConfigError } from '../errors/client-errors.js';
import type { ConfigSource } from './options.js';
import { isSecretKey, maskSecret } from './redact.js';

/**
 * Where one value came from, precisely enough for an error message to send the user to the right place:
 * the option path, the environment variable, or the file and its key.
 */
export interface Origin {
  source: ConfigSource;
  /** Option path (`retry.jitter`), env var (`OPENROUTER_RETRY_JITTER`) or file key (`retry.jitter`). */
  name: string;
  /** For `file`: the file's name. */
  file?: string;
  /** The value was written in seconds (env and file durations), so messages show it that way. */
  seconds?: boolean;
}

/** `options (defaults.temperature)`, `env OPENROUTER_TIMEOUT`, `switchyard.toml (defaults.temperature)`, `default`. */
export function describeOrigin(origin: Origin): string {
  switch (origin.source) {
    case 'option':
      return `options (${origin.name})`;
    case 'env':
      return `env ${origin.name}`;
    case 'file':
      return `${origin.file ?? 'switchyard.toml'} (${origin.name})`;
    default:
      return 'default';
  }
}

/** A value as it should appear in a message: secrets masked, durations in the unit the user wrote. */
export function showValue(value: unknown, origin: Origin, setting: string): string {
  if (typeof value === 'string') return isSecretKey(setting) ? maskSecret(value) : JSON.stringify(value);
  if (typeof value === 'number' && origin.seconds) return `${value / 1000}s`;
  if (typeof value === 'function') return 'a function';
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/**
 * `Invalid temperature 3 from switchyard.toml (defaults.temperature): must be between 0 and 2` — the shape every
 * validation error takes: what, which value, from where, and what would be valid.
 */
export function invalidSetting(label: string, value: unknown, origin: Origin, reason: string, setting = label) {
  return new ConfigError(
    `Invalid ${label} ${showValue(value, origin, setting)} from ${describeOrigin(origin)}: ${reason}`,
  );
}
