import { Ajv } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { type SampleOptions, SchemaSampleError, sampleFromSchema } from '../src/chat/schema-sample.js';
import { Rng } from '../src/util/prng.js';

// Formats are checked by hand below: ajv-formats is not installed.
const ajv07 = new Ajv({ strict: false, validateFormats: false, allowUnionTypes: true });
const ajv2020 = new Ajv2020({ strict: false, validateFormats: false, allowUnionTypes: true });

const SEEDS = Array.from({ length: 50 }, (_, i) => i);
const WORDS = ['What', 'is', 'the', 'weather', 'like', 'in', 'Lisbon', 'this', 'weekend?'];

interface Case {
  name: string;
  schema: Record<string, unknown>;
  draft?: '07' | '2020';
  options?: SampleOptions;
  /** false for schemas with a single possible value. */
  varied?: boolean;
}

const address = {
  type: 'object',
  properties: {
    street: { type: 'string', minLength: 3 },
    city: { type: 'string' },
    zip: { type: 'string', pattern: '^\\d{5}(-\\d{4})?$' },
    country: { type: 'string', pattern: '^[A-Z]{2}$' },
  },
  required: ['street', 'city', 'zip', 'country'],
  additionalProperties: false,
};

const cases: Case[] = [
  {
    name: 'weather tool',
    schema: {
      type: 'object',
      properties: {
        location: { type: 'string', description: 'City and country, e.g. Paris, France' },
        unit: { type: 'string', enum: ['celsius', 'fahrenheit'] },
        days: { type: 'integer', minimum: 1, maximum: 7 },
      },
      required: ['location'],
    },
    options: { words: WORDS },
  },
  {
    name: 'search tool',
    schema: {
      type: 'object',
      properties: {
        query: { type: 'string', minLength: 1, maxLength: 200 },
        num_results: { type: 'integer', minimum: 1, maximum: 20, default: 5 },
        site: { type: 'string', format: 'hostname' },
        safe_search: { type: 'boolean' },
      },
      required: ['query'],
      additionalProperties: false,
    },
    options: { words: ['find', 'recent', 'papers', 'about', 'protein', 'folding'] },
  },
  { name: 'zero-argument tool', schema: { type: 'object', properties: {} }, varied: false },
  {
    name: 'zero-argument tool, closed',
    schema: { type: 'object', properties: {}, additionalProperties: false },
    varied: false,
  },
  {
    name: 'nested order',
    schema: {
      type: 'object',
      properties: {
        order_id: { type: 'string', pattern: '^ORD-[0-9]{6}$' },
        customer: {
          type: 'object',
          properties: { name: { type: 'string' }, email: { type: 'string', format: 'email' } },
          required: ['name', 'email'],
        },
        items: {
          type: 'array',
          minItems: 1,
          maxItems: 5,
          items: {
            type: 'object',
            properties: {
              sku: { type: 'string', pattern: '^[A-Z]{3}-\\d{4}$' },
              quantity: { type: 'integer', minimum: 1, maximum: 99 },
              unit_price: { type: 'number', exclusiveMinimum: 0, multipleOf: 0.01 },
              tags: { type: 'array', items: { type: 'string' }, uniqueItems: true },
            },
            required: ['sku', 'quantity', 'unit_price'],
            additionalProperties: false,
          },
        },
        shipping: { type: 'string', enum: ['standard', 'express', 'overnight'] },
        notes: { type: 'string', nullable: true },
      },
      required: ['order_id', 'customer', 'items', 'shipping'],
      additionalProperties: false,
    },
  },
  {
    name: 'numeric bounds',
    schema: {
      type: 'object',
      properties: {
        a: { type: 'integer', exclusiveMinimum: 0, exclusiveMaximum: 10, multipleOf: 3 },
        b: { type: 'number', minimum: -1.5, maximum: 1.5, multipleOf: 0.25 },
        c: { type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 0.001 },
        d: { type: 'integer', maximum: -1000 },
        e: { type: 'number', minimum: 1e6 },
        f: { type: 'integer', minimum: 7, maximum: 7 },
        g: { type: 'integer', multipleOf: 0.5, minimum: 1, maximum: 4 },
        temperature: { type: 'number', minimum: 0, maximum: 2, multipleOf: 0.1 },
      },
      required: ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'temperature'],
    },
  },
  {
    name: 'anyOf scalar union',
    schema: {
      type: 'object',
      properties: {
        value: { anyOf: [{ type: 'string', minLength: 3 }, { type: 'integer', minimum: 100 }, { type: 'null' }] },
        id: { anyOf: [{ type: 'string', format: 'uuid' }, { type: 'integer' }] },
      },
      required: ['value', 'id'],
    },
  },
  {
    name: 'oneOf discriminated union',
    schema: {
      type: 'object',
      properties: {
        shape: {
          oneOf: [
            {
              type: 'object',
              properties: { kind: { const: 'circle' }, radius: { type: 'number', exclusiveMinimum: 0 } },
              required: ['kind', 'radius'],
              additionalProperties: false,
            },
            {
              type: 'object',
              properties: { kind: { const: 'square' }, side: { type: 'number', exclusiveMinimum: 0 } },
              required: ['kind', 'side'],
              additionalProperties: false,
            },
          ],
        },
      },
      required: ['shape'],
    },
  },
  {
    name: 'oneOf with overlapping branches',
    schema: {
      type: 'object',
      properties: {
        amount: { oneOf: [{ type: 'integer' }, { type: 'number' }] },
        label: {
          oneOf: [
            { type: 'string', maxLength: 4 },
            { type: 'string', minLength: 5 },
          ],
        },
      },
      required: ['amount', 'label'],
    },
  },
  {
    name: 'allOf merge',
    schema: {
      $defs: {
        base: {
          type: 'object',
          properties: { id: { type: 'string', format: 'uuid' }, created_at: { type: 'string', format: 'date-time' } },
          required: ['id'],
        },
      },
      allOf: [
        { $ref: '#/$defs/base' },
        { properties: { title: { type: 'string', maxLength: 40 } }, required: ['title'] },
        { properties: { priority: { type: 'integer', minimum: 1, maximum: 5 } }, required: ['priority'] },
        { properties: { priority: { maximum: 3 } } },
      ],
    },
  },
  {
    name: '$ref to $defs used twice',
    schema: {
      type: 'object',
      $defs: { address },
      properties: { billing: { $ref: '#/$defs/address' }, shipping: { $ref: '#/$defs/address' } },
      required: ['billing', 'shipping'],
    },
  },
  {
    name: 'draft-07 definitions',
    draft: '07',
    schema: {
      $schema: 'http://json-schema.org/draft-07/schema#',
      definitions: {
        address,
        person: { type: 'object', properties: { name: { type: 'string' } }, required: ['name'] },
      },
      type: 'object',
      properties: { home: { $ref: '#/definitions/address' }, owner: { $ref: '#/definitions/person' } },
      required: ['home', 'owner'],
    },
  },
  {
    name: 'recursive tree, maxDepth 3',
    schema: {
      $defs: {
        node: {
          type: 'object',
          properties: {
            label: { type: 'string' },
            children: { type: 'array', items: { $ref: '#/$defs/node' } },
          },
          required: ['label'],
        },
      },
      $ref: '#/$defs/node',
    },
    options: { maxDepth: 3, optionalProbability: 1 },
  },
  {
    name: 'recursive linked list via anyOf null',
    schema: {
      $defs: {
        list: {
          type: 'object',
          properties: { value: { type: 'integer' }, next: { anyOf: [{ type: 'null' }, { $ref: '#/$defs/list' }] } },
          required: ['value', 'next'],
          additionalProperties: false,
        },
      },
      $ref: '#/$defs/list',
    },
  },
  {
    name: 'tuple prefixItems',
    schema: {
      type: 'object',
      properties: {
        point: { type: 'array', prefixItems: [{ type: 'number' }, { type: 'number' }], items: false },
        range: {
          type: 'array',
          prefixItems: [
            { type: 'string', format: 'date' },
            { type: 'string', format: 'date' },
          ],
          minItems: 2,
        },
      },
      required: ['point', 'range'],
    },
  },
  {
    name: 'draft-07 tuple items array',
    draft: '07',
    schema: {
      type: 'array',
      items: [{ type: 'string', enum: ['GET', 'POST'] }, { type: 'string', format: 'uri' }, { type: 'integer' }],
      additionalItems: false,
      minItems: 2,
    },
  },
  {
    name: 'patterns',
    schema: {
      type: 'object',
      properties: {
        slug: { type: 'string', pattern: '^[a-z0-9]+(?:-[a-z0-9]+)*$' },
        word: { type: 'string', pattern: '^[a-z]+$' },
        phone: { type: 'string', pattern: '^\\d{3}-\\d{4}$' },
        intl: { type: 'string', pattern: '^\\+?[0-9]{7,15}$' },
        state: { type: 'string', pattern: '^[A-Z]{2}$' },
        color: { type: 'string', pattern: '^#[0-9a-fA-F]{6}$' },
        version: { type: 'string', pattern: '^v\\d+\\.\\d+\\.\\d+(-(alpha|beta|rc)\\.\\d+)?$' },
        code: { type: 'string', pattern: '[A-Z]{2}\\d{2}', minLength: 6, maxLength: 10 },
        path: { type: 'string', pattern: '^/[\\w/-]*$' },
      },
      required: ['slug', 'word', 'phone', 'intl', 'state', 'color', 'version', 'code', 'path'],
    },
    options: { words: ['Hello', 'there', 'weather', 'NY'] },
  },
  {
    name: 'formats',
    schema: {
      type: 'object',
      properties: {
        when: { type: 'string', format: 'date-time' },
        day: { type: 'string', format: 'date' },
        at: { type: 'string', format: 'time' },
        email: { type: 'string', format: 'email' },
        site: { type: 'string', format: 'uri' },
        link: { type: 'string', format: 'url' },
        id: { type: 'string', format: 'uuid' },
        ip: { type: 'string', format: 'ipv4' },
        host: { type: 'string', format: 'hostname' },
      },
      required: ['when', 'day', 'at', 'email', 'site', 'link', 'id', 'ip', 'host'],
    },
    options: { words: ['Café', 'menu', 'ideas'] },
  },
  {
    name: 'nullable and null unions',
    schema: {
      type: 'object',
      properties: {
        a: { type: 'string', nullable: true },
        b: { type: 'integer', nullable: true, minimum: 3 },
        c: { type: ['string', 'null'], maxLength: 5 },
        d: { type: ['number', 'boolean'] },
      },
      required: ['a', 'b', 'c', 'd'],
    },
  },
  {
    name: 'additionalProperties false with every optional',
    schema: {
      type: 'object',
      properties: { a: { type: 'string' }, b: { type: 'number' }, c: { type: 'boolean' } },
      additionalProperties: false,
    },
    options: { optionalProbability: 1 },
  },
  {
    name: 'additionalProperties schema with minProperties',
    schema: {
      type: 'object',
      properties: { main: { type: 'string' } },
      additionalProperties: { type: 'integer', minimum: 0 },
      minProperties: 3,
      maxProperties: 4,
    },
  },
  {
    name: 'uniqueItems over a small enum',
    schema: {
      type: 'array',
      items: { type: 'string', enum: ['red', 'green', 'blue', 'yellow'] },
      minItems: 3,
      maxItems: 4,
      uniqueItems: true,
    },
  },
  {
    name: 'const, default and mixed enum',
    schema: {
      type: 'object',
      properties: {
        version: { const: 2 },
        mode: { type: 'string', enum: ['fast', 1, null, 'slow'] },
        retries: { type: 'integer', minimum: 0, maximum: 5, default: 3 },
      },
      required: ['version', 'mode', 'retries'],
    },
  },
  {
    name: 'types inferred from keywords',
    schema: {
      properties: {
        n: { minimum: 3, maximum: 9 },
        s: { minLength: 2, maxLength: 4 },
        list: { items: { type: 'integer' }, minItems: 2 },
        obj: { required: ['x'] },
        anything: {},
      },
      required: ['n', 's', 'list', 'obj', 'anything'],
    },
  },
  {
    name: 'string lengths',
    schema: {
      type: 'object',
      properties: {
        long: { type: 'string', minLength: 20, maxLength: 25 },
        short: { type: 'string', maxLength: 2 },
        name: { type: 'string', maxLength: 3 },
      },
      required: ['long', 'short', 'name'],
    },
    options: { words: ['supercalifragilisticexpialidocious', 'tiny'] },
  },
  {
    name: 'structured output (strict mode style)',
    schema: {
      type: 'object',
      properties: {
        title: { type: 'string' },
        rating: { type: 'integer', minimum: 1, maximum: 5 },
        pros: { type: 'array', items: { type: 'string' } },
        verdict: { type: 'string', enum: ['buy', 'skip', 'wait'] },
        source: { anyOf: [{ type: 'string', format: 'uri' }, { type: 'null' }] },
        scores: {
          type: 'array',
          items: {
            type: 'object',
            properties: { aspect: { type: 'string' }, score: { type: 'number', minimum: 0, maximum: 10 } },
            required: ['aspect', 'score'],
            additionalProperties: false,
          },
        },
      },
      required: ['title', 'rating', 'pros', 'verdict', 'source', 'scores'],
      additionalProperties: false,
    },
  },
  {
    name: 'calendar event tool',
    schema: {
      type: 'object',
      properties: {
        title: { type: 'string', minLength: 1 },
        start: { type: 'string', format: 'date-time' },
        duration_minutes: { type: 'integer', minimum: 15, maximum: 480, multipleOf: 15 },
        attendees: { type: 'array', items: { type: 'string', format: 'email' }, uniqueItems: true, maxItems: 10 },
        recurrence: { type: 'string', enum: ['none', 'daily', 'weekly'], default: 'none' },
      },
      required: ['title', 'start', 'duration_minutes'],
    },
  },
  {
    name: 'contains',
    schema: {
      type: 'object',
      properties: { tags: { type: 'array', items: { type: 'string' }, contains: { const: 'urgent' } } },
      required: ['tags'],
    },
  },
  {
    name: 'recursive JSON value',
    schema: {
      $defs: {
        json: {
          anyOf: [
            { type: 'string' },
            { type: 'number' },
            { type: 'boolean' },
            { type: 'null' },
            { type: 'array', items: { $ref: '#/$defs/json' } },
            { type: 'object', additionalProperties: { $ref: '#/$defs/json' }, minProperties: 1 },
          ],
        },
      },
      type: 'object',
      properties: { payload: { $ref: '#/$defs/json' } },
      required: ['payload'],
    },
    options: { maxDepth: 4 },
  },
  {
    name: 'anyOf adds required keys to the base object',
    schema: {
      type: 'object',
      properties: { email: { type: 'string', format: 'email' }, phone: { type: 'string', pattern: '^\\d{10}$' } },
      anyOf: [{ required: ['email'] }, { required: ['phone'] }],
      additionalProperties: false,
    },
    options: { optionalProbability: 0 },
  },
];

const FORMAT_RE: Record<string, RegExp> = {
  'date-time': /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/,
  date: /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/,
  time: /^([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d+)?(Z|[+-]\d{2}:\d{2})$/,
  email: /^[^\s@]+@[^\s@]+\.[^\s@]+$/,
  uri: /^[a-z][a-z0-9+.-]*:\/\/[^\s]+$/i,
  url: /^https?:\/\/[^\s]+$/,
  uuid: /^[0-9a-f]{8}-[0-9a-f]{4}-[1-5][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
  ipv4: /^((25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(25[0-5]|2[0-4]\d|1?\d?\d)$/,
  hostname: /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i,
};

/** Walks value and schema together and checks every `format` ajv skipped. Handles the shapes used above. */
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

const sample = (schema: unknown, seed: number, options?: SampleOptions) =>
  sampleFromSchema(schema, new Rng(seed), options);

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
