/**
 * Stored money is integer nano-dollars (1e-9 USD): fine enough for per-token prices times token counts, and a
 * signed 64-bit column holds ±9.2 billion USD. The SDK computes in femto-dollars (1e-15); we round once, at the
 * boundary, and never through a float.
 */
import type { Femto } from '@switchyard/sdk';

export type Nano = bigint;

const FEMTO_PER_NANO = 1_000_000n;
const NANO_PER_USD = 1_000_000_000n;

/** Femto → nano, rounding half-up (toward +∞ on exact halves, also for negative amounts). */
export function femtoToNano(femto: Femto): Nano {
  const shifted = femto + FEMTO_PER_NANO / 2n;
  // BigInt division truncates toward zero; floor it so negative halves round up too.
  const quotient = shifted / FEMTO_PER_NANO;
  return shifted < 0n && shifted % FEMTO_PER_NANO !== 0n ? quotient - 1n : quotient;
}

/** Nano-dollars as a decimal USD string with exactly 9 decimals: `1234n` → `"0.000001234"`. */
export function nanoToUsdString(nano: Nano): string {
  const sign = nano < 0n ? '-' : '';
  const abs = nano < 0n ? -nano : nano;
  return `${sign}${abs / NANO_PER_USD}.${(abs % NANO_PER_USD).toString().padStart(9, '0')}`;
}

/** A non-negative USD amount (decimal string or number, as in config files) as nano-dollars, rounded half-up. */
export function usdToNano(usd: string | number): Nano {
  if (typeof usd === 'number' && usd >= 0 && usd < 1000) {
    // Every ledger row converts two or three costs: away from a half nano-dollar, rounding the float scaled to nano
    // gives the integer the decimal digits below would (its error is far below 1e-6 nano under $1,000), without
    // building and parsing a string.
    const scaled = usd * 1e9;
    const fraction = scaled - Math.floor(scaled);
    if (Math.abs(fraction - 0.5) > 1e-3) return BigInt(Math.round(scaled));
  }
  const text = typeof usd === 'number' ? usd.toFixed(12) : usd.trim();
  const match = /^(\d*)(?:\.(\d*))?$/.exec(text);
  if (!match || (match[1] === '' && (match[2] ?? '') === '')) throw new RangeError(`not a USD amount: ${usd}`);
  // Ten fractional digits: nine kept, the tenth decides the rounding.
  const fraction = (match[2] ?? '').padEnd(10, '0').slice(0, 10);
  return (BigInt(match[1] || '0') * NANO_PER_USD * 10n + BigInt(fraction) + 5n) / 10n;
}

/**
 * The largest budget one may set: $1,000,000,000. Any budget above it is no limit in practice, and every sum a
 * budget is checked against stays far inside a signed 64-bit nano-dollar column.
 */
export const MAX_BUDGET_USD = 1_000_000_000;

/** The most a signed 64-bit nano-dollar column holds (≈ 9.2 billion USD). */
export const MAX_NANO: Nano = 2n ** 63n - 1n;

/**
 * The most one attempt is recorded or settled at: $1,000,000. No model call costs that; an upstream's runaway
 * `cost` (1e308) must make neither the row nor the settlement fail, and rows kept at this bound still leave the
 * sums of reports and budget counters (signed 64-bit) far from overflowing.
 */
export const MAX_ATTEMPT_NANO: Nano = 10n ** 15n;

/**
 * A measured or estimated cost (a float from an answer's usage, or a worst case) as nano-dollars to store or count
 * against a budget: 0 when it is no amount (negative, NaN), kept at `MAX_ATTEMPT_NANO` beyond it.
 */
export function costToNano(usd: number): Nano {
  if (!(usd > 0)) return 0n;
  return usd >= 1_000_000 ? MAX_ATTEMPT_NANO : usdToNano(usd);
}
