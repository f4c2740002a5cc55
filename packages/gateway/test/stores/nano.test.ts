import { parseUsd } from '@switchyard/sdk';
import { describe, expect, it } from 'vitest';
import { costToNano, femtoToNano, nanoToUsdString, usdToNano } from '../../src/stores/nano.js';
import { periodKey } from '../../src/stores/periods.js';

describe('nano-dollars', () => {
  it('takes a measured cost as nano-dollars: no amount is 0, a runaway one is kept at $1,000,000 (never a throw)', () => {
    expect(costToNano(0.000_001_234)).toBe(1_234n);
    expect(costToNano(12.5)).toBe(12_500_000_000n);
    for (const none of [0, -1, Number.NaN, Number.NEGATIVE_INFINITY]) expect(costToNano(none)).toBe(0n);
    for (const runaway of [1e6, 1e21, 1e308, Number.POSITIVE_INFINITY]) expect(costToNano(runaway)).toBe(10n ** 15n);
    // usdToNano, for configured amounts, refuses what is no decimal amount (1e21 prints in exponent form).
    expect(() => usdToNano(1e308)).toThrow(/not a USD amount/);
  });

  it('converts femto to nano rounding half-up, negatives included', () => {
    expect(femtoToNano(0n)).toBe(0n);
    expect(femtoToNano(499_999n)).toBe(0n);
    expect(femtoToNano(500_000n)).toBe(1n);
    expect(femtoToNano(1_499_999n)).toBe(1n);
    expect(femtoToNano(1_500_000n)).toBe(2n);
    expect(femtoToNano(-500_000n)).toBe(0n);
    expect(femtoToNano(-500_001n)).toBe(-1n);
    expect(femtoToNano(-1_500_000n)).toBe(-1n);
    // A catalog price times tokens, exactly: 1234 tokens × $0.00000015.
    expect(femtoToNano(parseUsd('0.00000015') * 1234n)).toBe(185_100n);
    expect(femtoToNano(parseUsd('0.0000000000004'))).toBe(0n);
  });

  it('formats nano as USD with exactly 9 decimals', () => {
    expect(nanoToUsdString(0n)).toBe('0.000000000');
    expect(nanoToUsdString(1_234n)).toBe('0.000001234');
    expect(nanoToUsdString(12_345_678_901n)).toBe('12.345678901');
    expect(nanoToUsdString(-5n)).toBe('-0.000000005');
    expect(nanoToUsdString(2n ** 63n - 1n)).toBe('9223372036.854775807');
  });

  it('parses USD amounts (config budgets) to nano, rounding the 10th decimal half-up', () => {
    expect(usdToNano('0.15')).toBe(150_000_000n);
    expect(usdToNano('25')).toBe(25_000_000_000n);
    expect(usdToNano('.5')).toBe(500_000_000n);
    expect(usdToNano('0.0000000015')).toBe(2n);
    expect(usdToNano('0.00000000149')).toBe(1n);
    expect(usdToNano(2.5)).toBe(2_500_000_000n);
    expect(() => usdToNano('abc')).toThrow(RangeError);
    expect(() => usdToNano('-1')).toThrow(RangeError);
    expect(() => usdToNano('')).toThrow(RangeError);
  });

  it('converts a cost given as a number exactly as its decimal digits (the float fast path agrees with them)', () => {
    const amounts = [0, 0.0000069, 1.5e-9, 1.4999999e-9, 2.5e-9, 0.000123456789, 0.99999999995, 999.9999999994, 1234.5];
    // A deterministic spread of per-request costs from a nano-dollar to $1,000.
    let seed = 11;
    for (let i = 0; i < 5000; i++) {
      seed = (seed * 48271) % 2147483647;
      amounts.push((seed / 2147483647) * 10 ** -(i % 13) * 1000);
    }
    for (const usd of amounts) expect(usdToNano(usd), String(usd)).toBe(usdToNano(usd.toFixed(12)));
  });
});

describe('budget periods', () => {
  it('keys days and months in UTC', () => {
    const lateUtc = Date.UTC(2026, 10, 30, 23, 59, 59, 999);
    expect(periodKey('day', lateUtc)).toBe('2026-11-30');
    expect(periodKey('month', lateUtc)).toBe('2026-11');
    expect(periodKey('day', lateUtc + 1)).toBe('2026-12-01');
    expect(periodKey('month', lateUtc + 1)).toBe('2026-12');
    expect(periodKey('total', lateUtc)).toBe('total');
  });
});
