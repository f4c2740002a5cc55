import { InvalidArgumentError } from 'commander';

/** Commander value parsers with messages that name what was wrong. */
export function parseInteger(value: string): number {
  if (!/^-?\d+$/.test(value.trim())) throw new InvalidArgumentError(`expected an integer, got "${value}"`);
  return Number(value);
}

export function parsePort(value: string): number {
  const port = parseInteger(value);
  if (port < 0 || port > 65_535) throw new InvalidArgumentError(`expected a port between 0 and 65535, got ${port}`);
  return port;
}
