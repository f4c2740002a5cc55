import { describe, expect, it } from 'vitest';
import { cacheSavings, computeCost, resolveCost } from '../src/usage/cost.js';
import { formatUsd, parseUsd, toUsd } from '../src/usage/money.js';
import { normalizeUsage } from '../src/usage/usage.js';

describe('money', () => {
  it('parses decimal price strings exactly', () => {
    expect(parseUsd('0.00000015')).toBe(150_000_000n);
    expect(parseUsd('0.0000000375')).toBe(37_500_000n);
    expect(parseUsd('1e-7')).toBe(100_000_000n);
    expect(parseUsd(0.1)).toBe(100_000_000_000_000n);
    expect(parseUsd('-1')).toBe(0n);
    expect(parseUsd('abc')).toBe(0n);
    expect(parseUsd(undefined)).toBe(0n);
  });

  it('gives the same answers from its cache of parsed strings, also after the cache fills up', () => {
    expect(parseUsd(' 0.00000015 ')).toBe(150_000_000n);
    expect(parseUsd('0.00000015')).toBe(150_000_000n);
    // More distinct strings than the cache holds: every one still parses right, first and second time.
    for (let round = 0; round < 2; round++) {
      for (let i = 1; i <= 3000; i++) expect(parseUsd(`0.${String(i).padStart(9, '0')}`)).toBe(BigInt(i) * 1_000_000n);
    }
    expect(parseUsd('-1')).toBe(0n);
    expect(parseUsd('-1')).toBe(0n);
  });

  it('does not drift where floats do', () => {
    let float = 0;
    let exact = 0n;
    for (let i = 0; i < 1_000_000; i++) {
      float += 0.0000001;
      exact += parseUsd('0.0000001');
    }
    expect(float).not.toBe(0.1);
    expect(toUsd(exact)).toBe(0.1);
  });

  it('rounds femto-dollars to 12 significant digits exactly, on both sides of the integer fast path', () => {
    // The decimal rounding of the exact amount, done on its digits: what toUsd must equal.
    const reference = (femto: bigint): number => {
      const negative = femto < 0n;
      const digits = (negative ? -femto : femto).toString();
      const drop = Math.max(0, digits.length - 12);
      let kept = BigInt(digits.slice(0, digits.length - drop) || '0');
      if (drop > 0 && Number(digits[digits.length - drop]) >= 5) kept += 1n;
      const usd = Number(`${kept}e${drop - 15}`);
      return negative ? -usd : usd;
    };
    const cases = [
      1n,
      999_999_999_999n,
      1_000_000_000_000n,
      1_000_000_000_004n,
      1_000_000_000_005n,
      1_234_567_890_123_456n / 10n,
      999_999_999_999_999n,
      1_000_000_000_000_000n,
      12_345_678_901_234_567n,
      -987_654_321_098_765n,
      -5n,
    ];
    // A deterministic spread of magnitudes from 1 femto-dollar to $1,000.
    let seed = 7n;
    for (let i = 0; i < 2000; i++) {
      seed = (seed * 6364136223846793005n + 1442695040888963407n) % 2n ** 64n;
      cases.push(seed % 10n ** BigInt(1 + (i % 18)));
    }
    for (const femto of cases) expect(toUsd(femto), String(femto)).toBe(reference(femto));
    expect(toUsd(0n)).toBe(0);
    expect(toUsd(6_900_000_000n)).toBe(0.0000069);
  });

  it('formats for humans', () => {
    expect(formatUsd(0)).toBe('$0');
    expect(formatUsd(1.5)).toBe('$1.5');
    expect(formatUsd(0.000123)).toBe('$0.000123');
  });
});

describe('usage', () => {
  it('normalises every observed shape, null details included', () => {
    expect(
      normalizeUsage({
        prompt_tokens: 8,
        completion_tokens: 174,
        total_tokens: 182,
        prompt_tokens_details: null,
        completion_tokens_details: null,
      }),
    ).toEqual({
      promptTokens: 8,
      completionTokens: 174,
      totalTokens: 182,
      cachedTokens: 0,
      cacheWriteTokens: 0,
      reasoningTokens: 0,
    });
    expect(
      normalizeUsage({
        prompt_tokens: 100,
        completion_tokens: 50,
        total_tokens: 150,
        prompt_tokens_details: { cached_tokens: 60, cache_write_tokens: 10 },
        completion_tokens_details: { reasoning_tokens: 20 },
      }),
    ).toMatchObject({ cachedTokens: 60, cacheWriteTokens: 10, reasoningTokens: 20 });
    expect(normalizeUsage(undefined).totalTokens).toBe(0);
  });
});

describe('cost', () => {
  const claude = {
    prompt: '0.000003',
    completion: '0.000015',
    input_cache_read: '0.0000003',
    input_cache_write: '0.00000375',
  };

  it('prices every component: uncached prompt, cache read and write, completion', () => {
    const usage = normalizeUsage({
      prompt_tokens: 2000,
      completion_tokens: 100,
      total_tokens: 2100,
      prompt_tokens_details: { cached_tokens: 1500, cache_write_tokens: 400 },
    });
    const cost = computeCost(usage, claude);
    // 100 × 3e-6 + 1500 × 3e-7 + 400 × 3.75e-6 + 100 × 1.5e-5
    expect(toUsd(cost.total)).toBe(0.00375);
    expect(toUsd(cost.cacheRead)).toBe(0.00045);
    expect(toUsd(cacheSavings(usage, claude))).toBe(1500 * (0.000003 - 0.0000003));
  });

  it('prices reasoning, per-request and images', () => {
    const usage = normalizeUsage({
      prompt_tokens: 10,
      completion_tokens: 30,
      total_tokens: 40,
      completion_tokens_details: { reasoning_tokens: 20 },
    });
    const cost = computeCost(
      usage,
      { prompt: '0.000001', completion: '0.000002', internal_reasoning: '0.000004', request: '0.005', image: '0.001' },
      2,
    );
    expect(toUsd(cost.reasoning)).toBe(0.00008);
    expect(toUsd(cost.completion)).toBe(0.00002);
    expect(toUsd(cost.total)).toBe(0.00001 + 0.00002 + 0.00008 + 0.005 + 0.002);
  });

  it('prefers the reported cost and keeps the computed one beside it', () => {
    const wire = {
      prompt_tokens: 10,
      completion_tokens: 10,
      total_tokens: 20,
      cost: 0.5,
      is_byok: false,
      cost_details: { upstream_inference_cost: null },
    };
    const usage = normalizeUsage(wire);
    expect(resolveCost(wire, usage, { prompt: '0.000001', completion: '0.000001' })).toEqual({
      usd: 0.5,
      source: 'reported',
      isByok: false,
      computedUsd: 0.00002,
    });
    const { cost, ...unreported } = wire;
    expect(resolveCost(unreported, usage, { prompt: '0.000001', completion: '0.000001' })).toEqual({
      usd: 0.00002,
      source: 'computed',
      computedUsd: 0.00002,
    });
    expect(resolveCost(unreported, usage, undefined)).toBeUndefined();
    // A router's placeholder price is unknown, not $0: no computation (the caller flags the cost unpriced).
    expect(resolveCost(unreported, usage, { prompt: '-1', completion: '-1' })).toBeUndefined();
    expect(resolveCost(wire, usage, { prompt: '-1', completion: '-1' })).toEqual({
      usd: 0.5,
      source: 'reported',
      isByok: false,
    });
  });
});

describe('parseUsd of numbers', () => {
  it('gives exactly what parsing the number written with 15 decimals gives, and 0 for what is no amount', () => {
    const samples = [0, -0, 1, 0.1, 0.0000036, 1.5e-7, 2.5e-15, 4e-16, 123.456789, 9007.199254740994, 1e20, 1e21, 5e22];
    let seed = 7;
    for (let i = 0; i < 2000; i++) {
      seed = (seed * 48271) % 2147483647;
      samples.push((seed / 2147483647) * 10 ** ((seed % 24) - 16));
    }
    for (const value of samples) expect(parseUsd(value), String(value)).toBe(parseUsd(value.toFixed(15)));
    expect(parseUsd(0.0000036)).toBe(3_600_000_000n);
    for (const value of [-1, -1e-9, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
      expect(parseUsd(value)).toBe(0n);
    }
  });
});
