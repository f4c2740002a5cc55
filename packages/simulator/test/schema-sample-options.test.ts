import { describe, expect, it } from 'vitest';
import { sampleFromSchema } from '../src/chat/schema-sample.js';
import { Rng } from '../src/util/prng.js';
import { cases, WORDS } from './schema-sample-cases.js';
import { ajv2020, FORMAT_RE, SEEDS, sample } from './schema-sample-helpers.js';

/**
 * How sampleFromSchema's inputs steer it: prompt words (or plausible fallbacks without them), the caller's rng,
 * optionalProbability and maxDepth.
 */

describe('sampleFromSchema', () => {
  it('uses prompt words for location and query arguments', () => {
    const weather = cases[0]?.schema;
    for (const seed of SEEDS)
      expect((sample(weather, seed, { words: WORDS }) as { location: string }).location).toBe('Lisbon');
    const query = sample({ type: 'object', properties: { query: { type: 'string' } }, required: ['query'] }, 1, {
      words: ['latest', 'rust', 'release', 'notes'],
    }) as { query: string };
    expect(query.query.split(' ').length).toBeGreaterThanOrEqual(2);
    expect(query.query.split(' ').every((w) => ['latest', 'rust', 'release', 'notes'].includes(w))).toBe(true);
  });

  it('falls back to plausible names and cities without words', () => {
    const schema = {
      type: 'object',
      properties: { city: { type: 'string' }, name: { type: 'string' }, email: { type: 'string' } },
      required: ['city', 'name', 'email'],
    };
    const value = sample(schema, 7) as Record<string, string>;
    expect(value.city).toMatch(/^[A-Z][a-z]+( [A-Z][a-z]+)?$/);
    expect(value.name).toMatch(/^[A-Z][a-z]+ [A-Z][a-z]+$/);
    expect(value.email).toMatch(FORMAT_RE.email as RegExp);
  });

  it('advances the caller rng, so consecutive calls differ but replay identically', () => {
    const schema = cases[1]?.schema;
    const run = () => {
      const rng = new Rng('conversation-1');
      return [sampleFromSchema(schema, rng), sampleFromSchema(schema, rng), sampleFromSchema(schema, rng)];
    };
    const first = run();
    expect(run()).toEqual(first);
    expect(new Set(first.map((v) => JSON.stringify(v))).size).toBeGreaterThan(1);
  });

  it('honours optionalProbability', () => {
    const schema = { type: 'object', properties: { a: { type: 'string' }, b: { type: 'string' } }, required: ['a'] };
    for (const seed of SEEDS) {
      expect(Object.keys(sample(schema, seed, { optionalProbability: 0 }) as object)).toEqual(['a']);
      expect(Object.keys(sample(schema, seed, { optionalProbability: 1 }) as object)).toEqual(['a', 'b']);
    }
  });

  it('bounds recursion by maxDepth', () => {
    const tree = cases.find((c) => c.name.startsWith('recursive tree'))?.schema;
    const depthOf = (node: unknown): number => {
      const children = (node as { children?: unknown[] }).children ?? [];
      return 1 + Math.max(0, ...children.map(depthOf));
    };
    for (const maxDepth of [0, 2, 5]) {
      for (const seed of SEEDS.slice(0, 10)) {
        const value = sample(tree, seed, { maxDepth, optionalProbability: 1 });
        expect(ajv2020.validate(tree as object, value)).toBe(true);
        // Each tree level is an object plus an array, i.e. two schema levels.
        expect(depthOf(value)).toBeLessThanOrEqual(Math.floor(maxDepth / 2) + 1);
      }
    }
  });
});
