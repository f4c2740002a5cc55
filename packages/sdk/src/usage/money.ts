/**
 * Exact money. OpenRouter publishes per-token prices as decimal strings ("0.00000015"); multiplying and summing
 * them as floats drifts, so amounts are integer femto-dollars (1e-15 USD) in a bigint, and become a number only
 * for display or the wire.
 */

const DECIMALS = 15;
export const FEMTO_PER_USD = 10n ** BigInt(DECIMALS);

/** An exact amount of US dollars, in femto-dollars. */
export type Femto = bigint;

/**
 * Parsed price strings. A catalog has a few hundred distinct prices and every cost computation parses up to seven
 * of them (a regex and two BigInts each): on a gateway that is a visible share of each request's CPU. Bounded: when
 * full it starts over.
 */
const parsedStrings = new Map<string, Femto>();
const PARSED_STRINGS_MAX = 2048;

/** Parses a USD amount given as a decimal string or number; empty, invalid and negative values give 0. */
export function parseUsd(value: unknown): Femto {
  if (value === undefined || value === null || value === '') return 0n;
  if (typeof value === 'string') {
    const known = parsedStrings.get(value);
    if (known !== undefined) return known;
    const parsed = parseUsdText(value.trim());
    if (parsedStrings.size >= PARSED_STRINGS_MAX) parsedStrings.clear();
    parsedStrings.set(value, parsed);
    return parsed;
  }
  if (typeof value === 'number') {
    // `toFixed` writes a non-negative number below 1e21 as digits, a point and exactly DECIMALS digits: without the
    // point that is the amount in femto-dollars, the same value the text parser computes, without its regex.
    if (!Number.isFinite(value) || value < 0) return 0n;
    if (value < 1e21) return BigInt(value.toFixed(DECIMALS).replace('.', ''));
    return parseUsdText(value.toFixed(DECIMALS));
  }
  return parseUsdText(String(value).trim());
}

function parseUsdText(text: string): Femto {
  const match = /^(-?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text);
  if (!match || match[1] === '-') return 0n;
  let digits = (match[2] ?? '') + (match[3] ?? '');
  let point = (match[2] ?? '').length + Number(match[4] ?? 0);
  if (point < 0) {
    digits = '0'.repeat(-point) + digits;
    point = 0;
  }
  const whole = digits.slice(0, point).padEnd(point, '0') || '0';
  const fraction = digits.slice(point).padEnd(DECIMALS, '0').slice(0, DECIMALS);
  return BigInt(whole) * FEMTO_PER_USD + BigInt(fraction || '0');
}

/** Femto-dollars as a USD number, rounded to 12 significant digits (plenty for any bill). */
export function toUsd(femto: Femto): number {
  if (femto === 0n) return 0;
  // Below $1 (every ordinary request) the rounding is done on the exact integer, not through `toPrecision`'s string
  // (this runs for every answer): an integer of at most 12 significant digits divided by 1e15 is the double nearest
  // to its decimal value, as `Number(….toPrecision(12))` is. Halves round away from zero, as `toPrecision` does.
  const negative = femto < 0n;
  const abs = negative ? -femto : femto;
  if (abs < FEMTO_PER_USD) {
    const magnitude = Number(abs);
    const scale = magnitude < 1e12 ? 1 : magnitude < 1e13 ? 10 : magnitude < 1e14 ? 100 : 1000;
    const rounded = scale === 1 ? magnitude : Math.round(magnitude / scale) * scale;
    return (negative ? -rounded : rounded) / 1e15;
  }
  return Number((Number(femto) / Number(FEMTO_PER_USD)).toPrecision(12));
}

/** `tokens × pricePerToken`, exactly. */
export function times(tokens: number, price: Femto): Femto {
  // Most components of a bill have no tokens (cache, reasoning, images): skip the BigInt work for them.
  return tokens > 0 ? BigInt(Math.round(tokens)) * price : 0n;
}

/** Formats for humans: `$0.000123`, `$1.50`. */
export function formatUsd(usd: number): string {
  if (usd === 0) return '$0';
  if (Math.abs(usd) >= 0.01)
    return `$${usd
      .toFixed(usd >= 100 ? 2 : 4)
      .replace(/0+$/, '')
      .replace(/\.$/, '')}`;
  return `$${usd.toPrecision(3)}`;
}

/** Femto-dollars as an exact decimal string without trailing zeros (`1500000000n` → `"0.0000015"`), for ledgers
 * and CSV where a float's rounding is not wanted. */
export function formatFemto(femto: Femto): string {
  const negative = femto < 0n;
  const abs = negative ? -femto : femto;
  const whole = abs / FEMTO_PER_USD;
  const fraction = (abs % FEMTO_PER_USD).toString().padStart(DECIMALS, '0').replace(/0+$/, '');
  return `${negative ? '-' : ''}${whole}${fraction ? `.${fraction}` : ''}`;
}
