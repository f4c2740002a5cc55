import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  ExtractionError,
  extractJson,
  extractXml,
  extractXmlAll,
  formatIssues,
  isStandardSchema,
  resolveSchema,
  standardJsonSchema,
  validateJsonSchema,
} from '../src/agents/index.js';
import { SwitchyardError } from '../src/index.js';

function extractionError(fn: () => unknown): ExtractionError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ExtractionError);
    expect(error).toBeInstanceOf(SwitchyardError);
    expect((error as ExtractionError).code).toBe('extraction_failed');
    return error as ExtractionError;
  }
  throw new Error('expected an ExtractionError');
}

describe('extractJson', () => {
  it('parses plain JSON, scalars included', () => {
    expect(extractJson('{"a":1}')).toEqual({ a: 1 });
    expect(extractJson('  [1, 2]\n')).toEqual([1, 2]);
    expect(extractJson('42')).toBe(42);
    expect(extractJson('\uFEFF{"bom":true}')).toEqual({ bom: true });
  });

  it('takes JSON out of code fences, preferring ```json, tolerating an unclosed final fence', () => {
    expect(extractJson('Here:\n```json\n{"a": 1}\n```\nDone.')).toEqual({ a: 1 });
    expect(extractJson('```\n{"b": 2}\n```')).toEqual({ b: 2 });
    expect(extractJson('```js\nconst x = 1;\n```\n```json\n{"c": 3}\n```')).toEqual({ c: 3 });
    expect(extractJson('Result:\n```json\n{"d": 4}\n')).toEqual({ d: 4 });
    expect(extractJson('```json\n{"e": 5}```')).toEqual({ e: 5 });
  });

  it('finds JSON in surrounding prose, the longest value winning over citations', () => {
    expect(extractJson('Sure! The answer is {"name": "Ada", "tags": ["x"]}. Hope it helps.')).toEqual({
      name: 'Ada',
      tags: ['x'],
    });
    expect(extractJson('As shown in [1], the data is {"rows": [1, 2, 3]} (see [2]).')).toEqual({ rows: [1, 2, 3] });
    expect(extractJson('Braces in strings: {"s": "a } b { c", "t": "\\"q\\""} ok')).toEqual({
      s: 'a } b { c',
      t: '"q"',
    });
  });

  it('accepts trailing commas and comments', () => {
    expect(extractJson('{"a": 1, "b": [1, 2,],}')).toEqual({ a: 1, b: [1, 2] });
    expect(extractJson('{\n  "a": 1, // one\n  /* two */ "b": 2,\n}')).toEqual({ a: 1, b: 2 });
    expect(extractJson('{"url": "http://x.y/z", "c": "a,]"}')).toEqual({ url: 'http://x.y/z', c: 'a,]' });
  });

  it('says why when nothing usable is there', () => {
    expect(extractionError(() => extractJson('   ')).message).toBe('No JSON in the text: it is empty');
    const cut = extractionError(() => extractJson('Here: {"answer": "unfinished'));
    expect(cut.message).toMatch(/^The JSON starting at character 6 is cut off: the text ends before it is closed/);
    expect(cut.text).toBe('Here: {"answer": "unfinished');
    // A complete inner object of a cut-off one is a fragment, not an answer.
    expect(extractionError(() => extractJson('{"outer": {"inner": 1}, "more": ')).message).toMatch(/cut off/);
    expect(extractionError(() => extractJson('{name: Ada}')).message).toMatch(
      /^The JSON at character 0 of the text does not parse: /,
    );
    expect(extractionError(() => extractJson('I cannot help with that.')).message).toBe(
      'No JSON object or array in the text: "I cannot help with that."',
    );
  });
});

describe('extractXml', () => {
  it('returns the trimmed contents of the first element, with attributes and any case', () => {
    expect(extractXml('<answer>42</answer>', 'answer')).toBe('42');
    expect(extractXml('Thinking...\n<Answer id="1">\n  Paris\n</Answer>\nBye', 'answer')).toBe('Paris');
    expect(extractXml('<answer>a</answer><answer>b</answer>', 'answer')).toBe('a');
    expect(extractXmlAll('<answer>a</answer> and <answer>b</answer>', 'answer')).toEqual(['a', 'b']);
    expect(extractXml('<answers>x</answers><answer>y</answer>', 'answer')).toBe('y');
  });

  it('handles fences, nesting, self-closing tags and CDATA', () => {
    expect(extractXml('```xml\n<result><v>1</v></result>\n```', 'result')).toBe('<v>1</v>');
    expect(extractXml('<a>outer <a>inner</a> end</a>', 'a')).toBe('outer <a>inner</a> end');
    expect(extractXml('<empty/> then', 'empty')).toBe('');
    expect(extractXml('<code><![CDATA[if (a < b) {}]]></code>', 'code')).toBe('if (a < b) {}');
  });

  it('tolerates an unclosed final tag and a prefilled opening tag', () => {
    expect(extractXml('Sure.\n<answer>\nThe capital is Paris.', 'answer')).toBe('The capital is Paris.');
    expect(extractXml('```xml\n<answer>unclosed\n```', 'answer')).toBe('unclosed');
    expect(extractXmlAll('<step>one</step><step>two', 'step')).toEqual(['one', 'two']);
    expect(extractXml('continued from the prefill</answer> trailing', 'answer')).toBe('continued from the prefill');
  });

  it('says which tags exist when the asked one is missing', () => {
    expect(extractionError(() => extractXml('<thinking>x</thinking><result>y</result>', 'answer')).message).toBe(
      'No <answer> element in the text; tags found: <thinking>, <result>',
    );
    expect(extractionError(() => extractXml('', 'answer')).message).toBe(
      'No <answer> element in the text: the text is empty',
    );
    expect(() => extractXml('<a>', 'not a tag')).toThrow(TypeError);
  });
});

describe('JSON Schema validator', () => {
  const issues = (schema: Record<string, unknown> | boolean, value: unknown) => validateJsonSchema(schema, value);

  it('checks types, enums, const and nullable', () => {
    expect(issues({ type: 'integer' }, 1.5)).toEqual([{ path: [], message: 'must be integer (got number)' }]);
    expect(issues({ type: 'number' }, 3)).toEqual([]);
    expect(issues({ type: ['string', 'null'] }, null)).toEqual([]);
    expect(issues({ type: 'string', nullable: true }, null)).toEqual([]);
    expect(issues({ type: 'object' }, [])).toEqual([{ path: [], message: 'must be object (got array)' }]);
    expect(issues({ enum: ['a', { b: 1 }] }, { b: 1 })).toEqual([]);
    expect(issues({ enum: ['a', 'b'] }, 'c')).toEqual([{ path: [], message: 'must be one of "a", "b"' }]);
    expect(issues({ const: 3 }, 4)).toEqual([{ path: [], message: 'must be 3' }]);
    expect(issues(false, 1)).toEqual([{ path: [], message: 'is not allowed here' }]);
    expect(issues(true, 1)).toEqual([]);
  });

  it('checks strings, numbers and formats', () => {
    expect(issues({ type: 'string', minLength: 2, maxLength: 3 }, '😀')).toHaveLength(1);
    expect(issues({ type: 'string', pattern: '^[a-z]+$' }, 'abc')).toEqual([]);
    expect(issues({ type: 'string', pattern: '^[a-z]+$' }, 'ABC')).toEqual([
      { path: [], message: 'must match the pattern ^[a-z]+$' },
    ]);
    expect(issues({ type: 'string', format: 'email' }, 'a@b.co')).toEqual([]);
    expect(issues({ type: 'string', format: 'date' }, '2026-13-01')).toEqual([
      { path: [], message: 'must be a valid date' },
    ]);
    expect(issues({ type: 'string', format: 'date-time' }, '2026-01-02T03:04:05Z')).toEqual([]);
    expect(issues({ type: 'string', format: 'uuid' }, '123')).toHaveLength(1);
    expect(issues({ type: 'string', format: 'made-up' }, 'anything')).toEqual([]);
    expect(issues({ minimum: 1, maximum: 5 }, 0)).toEqual([{ path: [], message: 'must be ≥ 1' }]);
    expect(issues({ exclusiveMaximum: 5 }, 5)).toEqual([{ path: [], message: 'must be < 5' }]);
    expect(issues({ maximum: 5, exclusiveMaximum: true }, 5)).toEqual([{ path: [], message: 'must be < 5' }]);
    expect(issues({ multipleOf: 0.1 }, 0.3)).toEqual([]);
    expect(issues({ multipleOf: 2 }, 3)).toEqual([{ path: [], message: 'must be a multiple of 2' }]);
  });

  it('checks objects and arrays with paths', () => {
    const schema = {
      type: 'object',
      properties: {
        items: {
          type: 'array',
          minItems: 1,
          uniqueItems: true,
          items: { type: 'object', properties: { id: { type: 'integer' } }, required: ['id'] },
        },
      },
      required: ['items', 'owner'],
      additionalProperties: false,
    };
    expect(issues(schema, { items: [{ id: 1 }, { id: 'x' }, {}], extra: true })).toEqual([
      { path: ['owner'], message: 'is required' },
      { path: ['items', 1, 'id'], message: 'must be integer (got string)' },
      { path: ['items', 2, 'id'], message: 'is required' },
      { path: ['extra'], message: 'is not an allowed property' },
    ]);
    expect(
      issues({ type: 'array', uniqueItems: true }, [
        { a: 1, b: 2 },
        { b: 2, a: 1 },
      ]),
    ).toEqual([{ path: [1], message: 'duplicates an earlier item (items must be unique)' }]);
    expect(issues({ prefixItems: [{ type: 'string' }], items: { type: 'number' } }, ['a', 1, 'b'])).toEqual([
      { path: [2], message: 'must be number (got string)' },
    ]);
    expect(issues({ items: [{ type: 'string' }], additionalItems: false }, ['a', 1])).toEqual([
      { path: [1], message: 'is not allowed here' },
    ]);
    expect(
      issues({ patternProperties: { '^x-': { type: 'string' } }, additionalProperties: false }, { 'x-a': 1 }),
    ).toEqual([{ path: ['x-a'], message: 'must be string (got number)' }]);
    expect(issues({ contains: { const: 2 } }, [1, 3])).toEqual([
      { path: [], message: 'must contain at least 1 matching item(s)' },
    ]);
  });

  it('follows local $ref and combinators', () => {
    const tree = {
      $defs: { node: { type: 'object', properties: { kids: { type: 'array', items: { $ref: '#/$defs/node' } } } } },
      $ref: '#/$defs/node',
    };
    expect(issues(tree, { kids: [{ kids: [{ kids: 'no' }] }] })).toEqual([
      { path: ['kids', 0, 'kids', 0, 'kids'], message: 'must be array (got string)' },
    ]);
    expect(
      issues({ definitions: { n: { type: 'number' } }, properties: { a: { $ref: '#/definitions/n' } } }, { a: 'x' }),
    ).toHaveLength(1);
    const shape = {
      oneOf: [
        { type: 'object', properties: { kind: { const: 'circle' }, r: { type: 'number' } }, required: ['kind', 'r'] },
        {
          type: 'object',
          properties: { kind: { const: 'square' }, side: { type: 'number' } },
          required: ['kind', 'side'],
        },
      ],
    };
    expect(issues(shape, { kind: 'circle', r: 1 })).toEqual([]);
    expect(issues(shape, { kind: 'square' })).toEqual([
      { path: [], message: 'must match one of the 2 allowed shapes; closest mismatch:' },
      { path: ['side'], message: 'is required' },
    ]);
    expect(issues({ anyOf: [{ type: 'string' }, { type: 'number' }] }, true)).toEqual([
      {
        path: [],
        message:
          'must match one of the 2 allowed shapes: must be string (got boolean); or must be number (got boolean)',
      },
    ]);
    expect(issues({ not: { type: 'string' } }, 'x')).toEqual([
      { path: [], message: 'matches a shape that is not allowed (not)' },
    ]);
    expect(issues({ allOf: [{ minimum: 1 }, { maximum: 2 }] }, 3)).toEqual([{ path: [], message: 'must be ≤ 2' }]);
    // JSON Schema's `then` keyword, built from entries so that the object is not mistaken for a thenable.
    const conditional = Object.fromEntries([
      ['if', { minimum: 10 }],
      ['then', { multipleOf: 10 }],
      ['else', { maximum: 5 }],
    ]);
    expect(issues(conditional, 15)).toEqual([{ path: [], message: 'must be a multiple of 10' }]);
    expect(issues(conditional, 7)).toEqual([{ path: [], message: 'must be ≤ 5' }]);
    expect(issues(conditional, 20)).toEqual([]);
    expect(issues({ $ref: '#' }, 1)).toEqual([{ path: [], message: 'schema nesting is too deep (recursive $ref?)' }]);
  });

  it('formats issues as one line each with JSON paths', () => {
    expect(
      formatIssues([
        { path: [], message: 'a' },
        { path: ['items', 0, 'first name'], message: 'b' },
      ]),
    ).toBe('- $: a\n- $.items[0]["first name"]: b');
  });
});

describe('Standard Schema support', () => {
  it('detects Standard Schemas and reads their JSON Schema', () => {
    const schema = z.object({ city: z.string().describe('A city') });
    expect(isStandardSchema(schema)).toBe(true);
    expect(isStandardSchema({ type: 'object' })).toBe(false);
    expect(isStandardSchema(null)).toBe(false);
    const callable = Object.assign(() => true, {
      '~standard': { version: 1, vendor: 'fn', validate: () => ({ value: 1 }) },
    });
    expect(isStandardSchema(callable)).toBe(true);
    expect(standardJsonSchema(schema)).toEqual({
      type: 'object',
      properties: { city: { type: 'string', description: 'A city' } },
      required: ['city'],
    });
  });

  it('validates with the library, async validators included, mapping issue paths', async () => {
    const schema = resolveSchema(z.object({ list: z.array(z.number()) }), undefined, 'test');
    expect(schema.kind).toBe('standard:zod');
    expect(await schema.validate({ list: [1, 'x'] })).toEqual({
      ok: false,
      issues: [{ path: ['list', 1], message: 'Invalid input: expected number, received string' }],
    });
    const asyncSchema = {
      '~standard': {
        version: 1 as const,
        vendor: 'toy',
        validate: async (value: unknown) =>
          value === 'ok' ? { value: 'OK' } : { issues: [{ message: 'nope', path: [{ key: 'a' }, 0] }] },
      },
    };
    const resolved = resolveSchema(asyncSchema, { type: 'string' }, 'toy');
    expect(resolved.jsonSchema).toEqual({ type: 'string' });
    expect(await resolved.validate('ok')).toEqual({ ok: true, value: 'OK' });
    expect(await resolved.validate('no')).toEqual({ ok: false, issues: [{ path: ['a', 0], message: 'nope' }] });
  });
});
