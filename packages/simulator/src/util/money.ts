/**
 * Exact money. Prices are per-token decimal strings such as "0.00000015"; summing them as floats drifts, so they
 * are parsed to integer femto-dollars (1e-15 USD) and only turned into a number for the wire.
 */

const DECIMALS = 15;
export const FEMTO_PER_USD = 10n ** BigInt(DECIMALS);

/** Parses a price string or number (USD) to femto-dollars; negative values (router placeholders) give 0. */
export function parseUsd(value: unknown): bigint {
  if (value === undefined || value === null || value === '') return 0n;
  const text = typeof value === 'number' ? value.toFixed(DECIMALS) : String(value).trim();
  const match = /^(-?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text);
  if (!match) return 0n;
  if (match[1] === '-') return 0n;
  let digits = (match[2] ?? '') + (match[3] ?? '');
  let pointAt = (match[2] ?? '').length + Number(match[4] ?? 0);
  if (pointAt < 0) {
    digits = '0'.repeat(-pointAt) + digits;
    pointAt = 0;
  }
  const whole = digits.slice(0, pointAt).padEnd(pointAt, '0') || '0';
  const fraction = digits.slice(pointAt).padEnd(DECIMALS, '0').slice(0, DECIMALS);
  return BigInt(whole) * FEMTO_PER_USD + BigInt(fraction);
}

/** Femto-dollars to a USD number rounded to 12 significant digits (what the wire carries). */
export function toUsd(femto: bigint): number {
  const usd = Number(femto) / Number(FEMTO_PER_USD);
  return usd === 0 ? 0 : Number(usd.toPrecision(12));
}

/** `tokens × price` in femto-dollars. */
export function costOf(tokens: number, pricePerToken: bigint): bigint {
  return BigInt(Math.max(0, Math.round(tokens))) * pricePerToken;
}
