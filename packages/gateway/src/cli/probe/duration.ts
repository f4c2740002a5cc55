import { InvalidArgumentError } from 'commander';

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** `3m`, `90s`, `1.5s`, `250ms`, `1h`; a bare number is seconds. Returns milliseconds. */
export function parseDuration(value: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)?$/.exec(value.trim());
  if (!match) throw new InvalidArgumentError(`expected a duration such as 500ms, 20s, 3m or 1h, got "${value}"`);
  return Math.round(Number(match[1]) * (UNITS[match[2] ?? 's'] as number));
}

/** `812 ms`, `4.2 s`, `3.5 min`, `2.1 h`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms < 3_600_000) return `${(ms / 60_000).toFixed(1)} min`;
  return `${(ms / 3_600_000).toFixed(1)} h`;
}

/** Seconds with enough digits for fast answers: `2.34`, `0.812`, `0.005`. */
export function seconds(ms: number): string {
  return (ms / 1000).toFixed(ms < 1000 ? 3 : 2);
}
