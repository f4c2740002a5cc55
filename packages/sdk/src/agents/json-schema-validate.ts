/**
 * A small JSON Schema validator for the subset LLM tool and response schemas use (draft-07 and 2020-12 keywords):
 * `type` (also lists; `integer`; OpenAPI `nullable`), `enum`, `const`; strings: `minLength`, `maxLength`, `pattern`,
 * `format` (`date-time`, `date`, `time`, `email`, `uri`/`url`, `uuid`, `ipv4`, `ipv6`, `hostname`); numbers:
 * `minimum`, `maximum`, `exclusiveMinimum`, `exclusiveMaximum` (number and draft-04 boolean forms), `multipleOf`;
 * arrays: `items` (schema or tuple), `prefixItems`, `additionalItems`, `minItems`, `maxItems`, `uniqueItems`,
 * `contains`; objects: `properties`, `required`, `additionalProperties`, `patternProperties`, `propertyNames`,
 * `minProperties`, `maxProperties`, `dependentRequired`; `allOf`, `anyOf`, `oneOf`, `not`, `if`/`then`/`else`;
 * local `$ref` (`#`, `#/$defs/…`, `#/definitions/…`, any JSON pointer); boolean schemas. Other keywords
 * (`unevaluatedProperties`, remote refs, `$dynamicRef`, …) are ignored, so the validator never rejects what it does
 * not understand.
 */

/** One validation problem: where (`['items', 0, 'name']`) and what. */
export interface SchemaIssue {
  path: (string | number)[];
  message: string;
}

/** A JSON Schema document (an object, or `true`/`false`). */
export type JsonSchema = { [keyword: string]: unknown } | boolean;

type Obj = Record<string, unknown>;

const MAX_DEPTH = 256;

const FORMATS: Record<string, RegExp> = {
  'date-time': /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:[Zz]|[+-]\d{2}:?\d{2})$/,
  date: /^\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])$/,
  time: /^\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:[Zz]|[+-]\d{2}:?\d{2})?$/,
  email: /^[^\s@]+@[^\s@]+\.[^\s@]+$/,
  uri: /^[a-zA-Z][a-zA-Z0-9+.-]*:[^\s]*$/,
  url: /^[a-zA-Z][a-zA-Z0-9+.-]*:[^\s]*$/,
  uuid: /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/,
  ipv4: /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/,
  ipv6: /^[0-9a-fA-F:.]*:[0-9a-fA-F:.]*$/,
  hostname:
    /^(?=.{1,253}$)[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/,
};

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function hasType(value: unknown, type: string): boolean {
  const actual = typeOf(value);
  if (type === 'number') return actual === 'number' || actual === 'integer';
  return actual === type;
}

/** Key-order-insensitive equality, as `enum`, `const` and `uniqueItems` use. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => jsonEqual(x, b[i]));
  if (isObj(a) && isObj(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((k) => Object.hasOwn(b, k) && jsonEqual(a[k], b[k]));
  }
  return false;
}

const show = (value: unknown): string => {
  const text = JSON.stringify(value);
  return text === undefined ? String(value) : text.length > 60 ? `${text.slice(0, 57)}...` : text;
};

const patternCache = new Map<string, RegExp | null>();
function regex(pattern: string): RegExp | null {
  let re = patternCache.get(pattern);
  if (re === undefined) {
    try {
      re = new RegExp(pattern, 'u');
    } catch {
      re = null; // a pattern this engine cannot compile is ignored rather than failing every value
    }
    if (patternCache.size > 500) patternCache.clear();
    patternCache.set(pattern, re);
  }
  return re;
}

class Validator {
  readonly issues: SchemaIssue[] = [];
  constructor(private readonly root: JsonSchema) {}

  private add(path: (string | number)[], message: string): void {
    this.issues.push({ path, message });
  }

  private resolve(ref: string): JsonSchema | undefined {
    if (!ref.startsWith('#')) return undefined;
    let node: unknown = this.root;
    const pointer = decodeURIComponent(ref.slice(1));
    if (pointer === '') return node as JsonSchema;
    for (const raw of pointer.split('/').slice(1)) {
      const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
      if (Array.isArray(node)) node = node[Number(key)];
      else if (isObj(node)) node = node[key];
      else return undefined;
    }
    return isObj(node) || typeof node === 'boolean' ? (node as JsonSchema) : undefined;
  }

  /** Validates into a scratch validator: the issues a sub-schema would report, without recording them. */
  private probe(schema: unknown, value: unknown, path: (string | number)[], depth: number): SchemaIssue[] {
    const scratch = new Validator(this.root);
    scratch.check(schema, value, path, depth);
    return scratch.issues;
  }

  check(schema: unknown, value: unknown, path: (string | number)[], depth: number): void {
    if (schema === true || schema === undefined) return;
    if (schema === false) return this.add(path, 'is not allowed here');
    if (!isObj(schema)) return;
    if (depth > MAX_DEPTH) return this.add(path, 'schema nesting is too deep (recursive $ref?)');
    if (typeof schema.$ref === 'string') {
      const target = this.resolve(schema.$ref);
      if (target !== undefined) this.check(target, value, path, depth + 1);
    }
    if (!this.checkType(schema, value, path)) return;
    if (Array.isArray(schema.enum) && !schema.enum.some((option) => jsonEqual(option, value))) {
      this.add(path, `must be one of ${schema.enum.map(show).join(', ')}`);
    }
    if ('const' in schema && !jsonEqual(schema.const, value)) this.add(path, `must be ${show(schema.const)}`);
    if (typeof value === 'string') this.checkString(schema, value, path);
    else if (typeof value === 'number') this.checkNumber(schema, value, path);
    else if (Array.isArray(value)) this.checkArray(schema, value, path, depth);
    else if (isObj(value)) this.checkObject(schema, value, path, depth);
    this.checkCombinators(schema, value, path, depth);
  }

  private checkType(schema: Obj, value: unknown, path: (string | number)[]): boolean {
    const declared = schema.type;
    const types = typeof declared === 'string' ? [declared] : Array.isArray(declared) ? declared : undefined;
    if (!types) return true;
    if (schema.nullable === true && value === null) return true;
    if (types.some((t) => typeof t === 'string' && hasType(value, t))) return true;
    this.add(path, `must be ${types.join(' or ')} (got ${typeOf(value) === 'integer' ? 'number' : typeOf(value)})`);
    return false;
  }

  private checkString(schema: Obj, value: string, path: (string | number)[]): void {
    const length = [...value].length;
    const min = num(schema.minLength);
    const max = num(schema.maxLength);
    if (min !== undefined && length < min) this.add(path, `must have at least ${min} characters`);
    if (max !== undefined && length > max) this.add(path, `must have at most ${max} characters`);
    if (typeof schema.pattern === 'string') {
      const re = regex(schema.pattern);
      if (re && !re.test(value)) this.add(path, `must match the pattern ${schema.pattern}`);
    }
    const format = typeof schema.format === 'string' ? FORMATS[schema.format] : undefined;
    if (format && !format.test(value)) this.add(path, `must be a valid ${schema.format}`);
  }

  private checkNumber(schema: Obj, value: number, path: (string | number)[]): void {
    const min = num(schema.minimum);
    const max = num(schema.maximum);
    const exMin = schema.exclusiveMinimum === true ? min : num(schema.exclusiveMinimum);
    const exMax = schema.exclusiveMaximum === true ? max : num(schema.exclusiveMaximum);
    if (exMin !== undefined && value <= exMin) this.add(path, `must be > ${exMin}`);
    else if (min !== undefined && value < min) this.add(path, `must be ≥ ${min}`);
    if (exMax !== undefined && value >= exMax) this.add(path, `must be < ${exMax}`);
    else if (max !== undefined && value > max) this.add(path, `must be ≤ ${max}`);
    const step = num(schema.multipleOf);
    if (step !== undefined && step > 0) {
      const ratio = value / step;
      if (Math.abs(ratio - Math.round(ratio)) > 1e-9 * Math.max(1, Math.abs(ratio))) {
        this.add(path, `must be a multiple of ${step}`);
      }
    }
  }

  private checkArray(schema: Obj, value: unknown[], path: (string | number)[], depth: number): void {
    const min = num(schema.minItems);
    const max = num(schema.maxItems);
    if (min !== undefined && value.length < min) this.add(path, `must have at least ${min} items`);
    if (max !== undefined && value.length > max) this.add(path, `must have at most ${max} items`);
    // 2020-12: `prefixItems` + `items` for the rest; draft-07: `items` as a tuple + `additionalItems`.
    let tuple: unknown[] | undefined;
    let rest: unknown = schema.items;
    if (Array.isArray(schema.prefixItems)) tuple = schema.prefixItems;
    else if (Array.isArray(schema.items)) {
      tuple = schema.items;
      rest = schema.additionalItems;
    }
    value.forEach((item, i) => {
      const sub = tuple && i < tuple.length ? tuple[i] : rest;
      if (sub !== undefined) this.check(sub, item, [...path, i], depth + 1);
    });
    if (schema.uniqueItems === true) {
      for (let i = 1; i < value.length; i++) {
        if (value.slice(0, i).some((earlier) => jsonEqual(earlier, value[i]))) {
          this.add([...path, i], 'duplicates an earlier item (items must be unique)');
          break;
        }
      }
    }
    if (schema.contains !== undefined) {
      const matches = value.filter(
        (item, i) => this.probe(schema.contains, item, [...path, i], depth + 1).length === 0,
      );
      const least = num(schema.minContains) ?? 1;
      const most = num(schema.maxContains);
      if (matches.length < least) this.add(path, `must contain at least ${least} matching item(s)`);
      if (most !== undefined && matches.length > most) this.add(path, `must contain at most ${most} matching item(s)`);
    }
  }

  private checkObject(schema: Obj, value: Obj, path: (string | number)[], depth: number): void {
    const keys = Object.keys(value);
    const properties = isObj(schema.properties) ? schema.properties : {};
    if (Array.isArray(schema.required)) {
      for (const key of schema.required) {
        if (typeof key === 'string' && !Object.hasOwn(value, key)) this.add([...path, key], 'is required');
      }
    }
    if (isObj(schema.dependentRequired)) {
      for (const [key, needs] of Object.entries(schema.dependentRequired)) {
        if (!Object.hasOwn(value, key) || !Array.isArray(needs)) continue;
        for (const need of needs) {
          if (typeof need === 'string' && !Object.hasOwn(value, need))
            this.add([...path, need], `is required with ${key}`);
        }
      }
    }
    const min = num(schema.minProperties);
    const max = num(schema.maxProperties);
    if (min !== undefined && keys.length < min) this.add(path, `must have at least ${min} properties`);
    if (max !== undefined && keys.length > max) this.add(path, `must have at most ${max} properties`);
    const patterns = isObj(schema.patternProperties)
      ? Object.entries(schema.patternProperties).map(([p, s]) => [regex(p), s] as const)
      : [];
    for (const key of keys) {
      const at = [...path, key];
      if (schema.propertyNames !== undefined) {
        for (const issue of this.probe(schema.propertyNames, key, at, depth + 1)) {
          this.add(at, `has an invalid name: ${issue.message}`);
        }
      }
      let matched = false;
      if (Object.hasOwn(properties, key)) {
        matched = true;
        this.check(properties[key], value[key], at, depth + 1);
      }
      for (const [re, sub] of patterns) {
        if (re?.test(key)) {
          matched = true;
          this.check(sub, value[key], at, depth + 1);
        }
      }
      if (matched) continue;
      if (schema.additionalProperties === false) this.add(at, 'is not an allowed property');
      else if (isObj(schema.additionalProperties)) this.check(schema.additionalProperties, value[key], at, depth + 1);
    }
  }

  private checkCombinators(schema: Obj, value: unknown, path: (string | number)[], depth: number): void {
    if (Array.isArray(schema.allOf)) for (const sub of schema.allOf) this.check(sub, value, path, depth + 1);
    for (const keyword of ['anyOf', 'oneOf'] as const) {
      const branches = schema[keyword];
      if (!Array.isArray(branches) || branches.length === 0) continue;
      const results = branches.map((sub) => this.probe(sub, value, path, depth + 1));
      const passing = results.filter((issues) => issues.length === 0).length;
      if (keyword === 'oneOf' && passing > 1) {
        this.add(path, `must match exactly one of the ${branches.length} allowed shapes (matches ${passing})`);
      } else if (passing === 0) {
        const closest = results.reduce((best, issues) => (issues.length < best.length ? issues : best));
        if (results.length === 1) this.issues.push(...closest);
        else if (results.every((issues) => issues.every((issue) => issue.path.length === path.length))) {
          // Every branch fails on the value itself (e.g. `string | number`): one line naming them all.
          const reasons = results.map((issues) => issues.map((issue) => issue.message).join(', '));
          this.add(path, `must match one of the ${branches.length} allowed shapes: ${reasons.join('; or ')}`);
        } else {
          // Report the closest branch: for a discriminated union that is the branch the value meant to be.
          this.add(path, `must match one of the ${branches.length} allowed shapes; closest mismatch:`);
          this.issues.push(...closest);
        }
      }
    }
    if (schema.not !== undefined && this.probe(schema.not, value, path, depth + 1).length === 0) {
      this.add(path, 'matches a shape that is not allowed (not)');
    }
    if (schema.if !== undefined) {
      const holds = this.probe(schema.if, value, path, depth + 1).length === 0;
      const branch = holds ? schema.then : schema.else;
      if (branch !== undefined) this.check(branch, value, path, depth + 1);
    }
  }
}

/** Validates `value` against `schema`; an empty list means valid. */
export function validateJsonSchema(schema: JsonSchema, value: unknown): SchemaIssue[] {
  const validator = new Validator(schema);
  validator.check(schema, value, [], 0);
  return validator.issues;
}

/** `$.items[0].name` for `['items', 0, 'name']`. */
export function formatPath(path: readonly (string | number)[]): string {
  let out = '$';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else if (/^[A-Za-z_$][\w$]*$/.test(key)) out += `.${key}`;
    else out += `[${JSON.stringify(key)}]`;
  }
  return out;
}

/** One issue per line: `- $.stars: must be ≤ 5`. */
export function formatIssues(issues: readonly SchemaIssue[]): string {
  return issues.map((issue) => `- ${formatPath(issue.path)}: ${issue.message}`).join('\n');
}
