/**
 * Exact money. Prices are per-token decimal strings such as "0.00000015"; summing them as floats drifts, so they
 * are parsed to integer femto-dollars (1e-15 USD) and only turned into a number for the wire.
 */

const DECIMALS = 15;
export const FEMTO_PER_USD = 10n ** BigInt(DECIMALS);
// As a number for toUsd (a division, not a multiplication by 1e-15, so results stay bit-identical).
const FEMTO_PER_USD_NUMBER = Number(FEMTO_PER_USD);

// Every chat request parses its endpoint's price strings about ten times (usage, affordability); the catalog has a
// few hundred distinct ones, so they are parsed once. Bounded, as strings from requests and scenarios pass here too.
const parsedStrings = new Map<string, bigint>();
const MAX_PARSED_STRINGS = 4096;

/** Parses a price string or number (USD) to femto-dollars; negative values (router placeholders) give 0. */
export function parseUsd(value: unknown): bigint {
  if (typeof value !== 'string') return parse(value);
  let femto = parsedStrings.get(value);
  if (femto === undefined) {
    femto = parse(value);
    if (parsedStrings.size < MAX_PARSED_STRINGS) parsedStrings.set(value, femto);
  }
  return femto;
}

function parse(value: unknown): bigint {
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
  const usd = Number(femto) / FEMTO_PER_USD_NUMBER;
  // Below $0.001 (10^12 femto) the amount has at most 12 significant digits, and the division above already gives
  // the double nearest to it, which is what the rounding below would return; that rounding showed in profiles.
  if (Math.abs(usd) < 0.001) return usd;
  return usd === 0 ? 0 : Number(usd.toPrecision(12));
}

/** `tokens × price` in femto-dollars. */
export function costOf(tokens: number, pricePerToken: bigint): bigint {
  return BigInt(Math.max(0, Math.round(tokens))) * pricePerToken;
}
