import { describe, expect, it } from 'vitest';
import { SchemaSampleError } from '../src/chat/schema-sample.js';
import { SEEDS, sample } from './schema-sample-helpers.js';

/**
 * sampleFromSchema on keywords at their edges: oneOf branches it cannot tell apart, regex patterns, draft-04 boolean
 * bounds, unknown keywords and `not`, and schemas it can tell are unsatisfiable.
 */

describe('sampleFromSchema', () => {
  it('keeps nested oneOf retries bounded when branches cannot be told apart', () => {
    const schema = {
      $defs: {
        node: {
          oneOf: [
            { type: 'object', properties: { kids: { type: 'array', items: { $ref: '#/$defs/node' } } } },
            { type: 'object', properties: { kids: { type: 'array', items: { $ref: '#/$defs/node' } } } },
          ],
        },
      },
      $ref: '#/$defs/node',
    };
    const started = performance.now();
    for (const seed of SEEDS.slice(0, 10)) sample(schema, seed, { optionalProbability: 1 });
    expect(performance.now() - started).toBeLessThan(5000);
  });

  it('generates strings for common regex shapes', () => {
    const patterns = [
      '^[a-z]+$',
      '^\\d{3}-\\d{4}$',
      '^[A-Z]{2}$',
      '^(foo|bar|baz)-[0-9a-f]{4,8}$',
      '^\\w+@\\w+\\.(com|org)$',
      '^[^\\s]{3,5}$',
      '^(?:[01]\\d|2[0-3]):[0-5]\\d$',
      '^\\+?1?\\s?\\(\\d{3}\\)\\s?\\d{3}-\\d{4}$',
      '^[A-Z][a-z]*( [A-Z][a-z]*)*$',
      '^[\\u0041-\\u005A]{3}\\.[0-9]+$',
      'ab+c',
    ];
    for (const pattern of patterns) {
      const re = new RegExp(pattern, 'u');
      for (const seed of SEEDS) expect(sample({ type: 'string', pattern }, seed), pattern).toMatch(re);
    }
  });

  it('treats draft-04 boolean exclusive bounds as exclusive', () => {
    const schema = { type: 'integer', minimum: 1, exclusiveMinimum: true, maximum: 3, exclusiveMaximum: true };
    for (const seed of SEEDS) expect(sample(schema, seed)).toBe(2);
  });

  it('ignores unknown keywords and `not`', () => {
    const schema = {
      type: 'object',
      'x-internal': true,
      properties: { a: { type: 'string', not: { const: 'x' }, widget: 'textarea' } },
      required: ['a'],
    };
    expect(() => sample(schema, 1)).not.toThrow();
    expect(typeof (sample(schema, 1) as { a: unknown }).a).toBe('string');
  });

  it('throws SchemaSampleError for detectably unsatisfiable schemas', () => {
    const unsatisfiable: unknown[] = [
      { enum: [] },
      { type: 'integer', minimum: 5, maximum: 4 },
      { type: 'number', exclusiveMinimum: 3, maximum: 3 },
      { type: 'integer', minimum: 1.2, maximum: 1.8 },
      { type: 'string', minLength: 5, maxLength: 2 },
      { type: 'array', minItems: 3, maxItems: 1 },
      { allOf: [{ type: 'string' }, { type: 'integer' }] },
      { type: 'string', enum: [1, 2] },
      { anyOf: [] },
      false,
      {
        $defs: { n: { type: 'object', properties: { c: { $ref: '#/$defs/n' } }, required: ['c'] } },
        $ref: '#/$defs/n',
      },
    ];
    for (const schema of unsatisfiable) {
      let error: unknown;
      try {
        sample(schema, 1);
      } catch (e) {
        error = e;
      }
      expect(error, JSON.stringify(schema)).toBeInstanceOf(SchemaSampleError);
      expect((error as SchemaSampleError).code).toBe('schema_unsatisfiable');
    }
  });
});
