import type { ConfigError } from '../errors/client-errors.js';
import type { Entry, Layer } from './layers.js';
import type { ConfigSource } from './options.js';
import { describeOrigin, invalidSetting } from './origin.js';

/**
 * Typed reads from the merged layers. Every read records where the value came from (`sources`/`origins` of the
 * resolved config) and every failure names the setting, the value and its origin.
 */
export class Settings {
  readonly sources: Record<string, ConfigSource> = {};
  readonly origins: Record<string, string> = {};

  constructor(readonly layer: Layer) {}

  /** The winning entry for `path`; records `default` when no layer set it. */
  get(path: string): Entry | undefined {
    const entry = this.layer.get(path);
    this.sources[path] = entry?.origin.source ?? 'default';
    this.origins[path] = entry ? describeOrigin(entry.origin) : 'default';
    return entry;
  }

  /** Records a source for a derived value (e.g. `provider` forced to `simulator` by `devMode`). */
  record(path: string, entry: Entry | undefined): void {
    this.sources[path] = entry?.origin.source ?? 'default';
    this.origins[path] = entry ? describeOrigin(entry.origin) : 'default';
  }

  fail(label: string, entry: Entry, reason: string, setting = lastSegment(entry.origin.name)): ConfigError {
    return invalidSetting(label, entry.value, entry.origin, reason, setting);
  }

  /** A string setting, trimmed; empty means unset (so `OPENROUTER_DEFAULT_MODEL=` or `""` fall through to defaults). */
  string(path: string, label: string): string | undefined {
    const entry = this.get(path);
    if (entry === undefined) return undefined;
    if (typeof entry.value !== 'string') throw this.fail(label, entry, 'must be a string');
    const text = entry.value.trim();
    if (text === '') this.record(path, undefined);
    return text === '' ? undefined : text;
  }

  boolean(path: string, label: string, fallback: boolean): boolean {
    const entry = this.get(path);
    if (entry === undefined) return fallback;
    if (typeof entry.value !== 'boolean') throw this.fail(label, entry, 'must be true or false');
    return entry.value;
  }

  /** A finite number passing `check` (which returns the problem, or undefined). */
  number(path: string, label: string, fallback: number, check: (n: number) => string | undefined): number {
    const entry = this.get(path);
    if (entry === undefined) return fallback;
    const value = entry.value;
    if (typeof value !== 'number' || !Number.isFinite(value)) throw this.fail(label, entry, 'must be a finite number');
    const problem = check(value);
    if (problem) throw this.fail(label, entry, problem);
    return value;
  }

  /** Milliseconds ≥ 0 (0 disables the timeout or delay). */
  duration(path: string, label: string, fallback: number): number {
    const seconds = this.layer.get(path)?.origin.seconds === true;
    return this.number(path, label, fallback, (n) =>
      n < 0 ? `must be zero or more ${seconds ? 'seconds' : 'milliseconds'}` : undefined,
    );
  }

  /** A list of strings; items are trimmed and empty items dropped. */
  strings(path: string, label: string): { list: string[]; entry: Entry | undefined } {
    const entry = this.get(path);
    if (entry === undefined) return { list: [], entry };
    const value = entry.value;
    if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
      throw this.fail(label, entry, 'must be a list of strings');
    }
    return { list: value.map((item) => item.trim()).filter((item) => item !== ''), entry };
  }

  /** Paths present under `prefix.` in the merged layer. */
  pathsUnder(prefix: string): string[] {
    return [...this.layer.keys()].filter((path) => path.startsWith(`${prefix}.`));
  }
}

/** Precedence rank of a source; higher wins. */
export function rank(source: ConfigSource): number {
  return { default: 0, file: 1, env: 2, option: 3 }[source];
}

function lastSegment(name: string): string {
  return name.slice(name.lastIndexOf('.') + 1);
}
