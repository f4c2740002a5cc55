import { InvalidArgumentError } from 'commander';

// Commander value parsers with messages that name what was wrong. Only commander here: the command definitions use
// these, and they are loaded by every `switchyard` run.

export function parseInteger(value: string): number {
  if (!/^-?\d+$/.test(value.trim())) throw new InvalidArgumentError(`expected an integer, got "${value}"`);
  return Number(value);
}

/** An integer ≥ 1 (counts, concurrency, --top). */
export function parsePositive(value: string): number {
  const n = parseInteger(value);
  if (n < 1) throw new InvalidArgumentError(`expected a positive integer, got ${n}`);
  return n;
}

/** An integer ≥ 0 (limits where 0 means "none"). */
export function parseNonNegative(value: string): number {
  const n = parseInteger(value);
  if (n < 0) throw new InvalidArgumentError(`expected an integer ≥ 0, got ${n}`);
  return n;
}

export function parsePort(value: string): number {
  const port = parseInteger(value);
  if (port < 0 || port > 65_535) throw new InvalidArgumentError(`expected a port between 0 and 65535, got ${port}`);
  return port;
}

/** `a, b,c` → `['a', 'b', 'c']`, without duplicates. */
export function modelList(value: string): string[] {
  return [
    ...new Set(
      value
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    ),
  ];
}
