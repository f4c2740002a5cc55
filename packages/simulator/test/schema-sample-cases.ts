import type { SampleOptions } from '../src/chat/schema-sample.js';

/** The schemas sampleFromSchema is tested on: real tool and structured-output shapes, and every keyword it handles. */

export const WORDS = ['What', 'is', 'the', 'weather', 'like', 'in', 'Lisbon', 'this', 'weekend?'];

export interface Case {
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

export const cases: Case[] = [
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
