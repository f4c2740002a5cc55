import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { cases } from './schema-sample-cases.js';
import { ajv2020, FORMAT_RE, SEEDS, sample } from './schema-sample-helpers.js';

/** Each schema of the cases (schema-sample-cases.ts): its samples validate, replay per seed and vary across seeds. */

// Formats are checked by hand (checkFormats): ajv-formats is not installed.
const ajv07 = new Ajv({ strict: false, validateFormats: false, allowUnionTypes: true });

/** Walks value and schema together and checks every `format` ajv skipped. Handles the shapes the cases use. */
function checkFormats(schema: unknown, value: unknown, root: unknown): void {
  if (typeof schema !== 'object' || schema === null) return;
  const s = schema as Record<string, unknown>;
  if (typeof s.$ref === 'string') {
    const target = s.$ref
      .split('/')
      .slice(1)
      .reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], root);
    checkFormats(target, value, root);
  }
  for (const key of ['allOf', 'anyOf', 'oneOf'] as const) {
    const branches = s[key];
    if (!Array.isArray(branches)) continue;
    // For unions only the branches the value actually satisfies are meaningful; use ajv to find them.
    for (const b of branches)
      if (key === 'allOf' || ajv2020.validate({ ...(root as object), ...b }, value)) checkFormats(b, value, root);
  }
  if (typeof value === 'string' && typeof s.format === 'string') {
    expect(value, `format ${s.format}`).toMatch(FORMAT_RE[s.format] as RegExp);
  }
  if (Array.isArray(value)) {
    const prefix = Array.isArray(s.prefixItems) ? s.prefixItems : Array.isArray(s.items) ? s.items : [];
    for (const [i, item] of value.entries()) {
      checkFormats(i < prefix.length ? prefix[i] : Array.isArray(s.items) ? {} : s.items, item, root);
    }
  }
  if (typeof value === 'object' && value !== null && !Array.isArray(value) && typeof s.properties === 'object') {
    const props = s.properties as Record<string, unknown>;
    for (const [k, v] of Object.entries(value)) checkFormats(props[k], v, root);
  }
}

describe('sampleFromSchema', () => {
  describe.each(cases)('$name', ({ schema, draft, options, varied }) => {
    const validate = (draft === '07' ? ajv07 : ajv2020).compile(schema);

    it('validates against the schema for 50 seeds (ajv + format checks)', () => {
      for (const seed of SEEDS) {
        const value = sample(schema, seed, options);
        const ok = validate(value);
        expect(ok, `seed ${seed}: ${JSON.stringify(value)} ${JSON.stringify(validate.errors)}`).toBe(true);
        checkFormats(schema, value, schema);
        // Plain JSON: survives a JSON round trip unchanged (no undefined, NaN or Infinity).
        expect(JSON.parse(JSON.stringify(value))).toEqual(value);
      }
    });

    it('is deterministic per seed and varies across seeds', () => {
      const outputs = SEEDS.map((seed) => JSON.stringify(sample(schema, seed, options)));
      expect(SEEDS.map((seed) => JSON.stringify(sample(schema, seed, options)))).toEqual(outputs);
      expect(new Set(outputs).size > 1).toBe(varied !== false);
    });
  });
});
