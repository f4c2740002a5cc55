/**
 * Deterministic JSON Schema sampler: produces tool-call arguments and `json_schema` structured output that validate
 * against the caller's schema. Covers the draft-07 / 2020-12 subset real tool schemas use; unknown keywords are
 * ignored. Every choice comes from the seeded Rng, so (schema, seed, options) → the same value every time.
 */
import type { Rng } from '../util/prng.js';
import { patternMatches, stringValue } from './schema-regex.js';

export interface SampleOptions {
  /** Words to draw string values from (e.g. taken from the user's last message), so arguments look related to the prompt. */
  words?: readonly string[];
  /** Include optional (non-required) properties with this probability; default 0.5. */
  optionalProbability?: number;
  /** Maximum nesting depth before falling back to minimal values; default 8. */
  maxDepth?: number;
}

export class SchemaSampleError extends Error {
  readonly code = 'schema_unsatisfiable';
  constructor(message: string) {
    super(message);
    this.name = 'SchemaSampleError';
  }
}

type Schema = { [key: string]: unknown };
interface Ctx {
  root: unknown;
  words: string[];
  /** Capitalised words after the first: likely place or person names in the prompt. */
  proper: string[];
  optional: number;
  maxDepth: number;
  /** oneOf retries left for the whole call: nested oneOfs would otherwise multiply retries exponentially. */
  retries: number;
}
/** One sampling attempt: `others` collects, per oneOf choice, the branches not taken; `shift` rotates choices. */
interface Attempt {
  others: unknown[][];
  shift: number;
}

const STOP = new Set('a an and are at can do for how i in is it me my of on please the to what with you'.split(' '));
/** Practical size limit (minLength, minItems): a simulated reply must stay small even for hostile schemas. */
const LIMIT = 10_000;
const TYPES = ['null', 'boolean', 'integer', 'number', 'string', 'array', 'object'];

const isObj = (v: unknown): v is Schema => typeof v === 'object' && v !== null && !Array.isArray(v);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const num = (s: Schema, key: string): number | undefined => {
  const v = s[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
};
const fail = (message: string): never => {
  throw new SchemaSampleError(message);
};
/** Key-order-insensitive JSON, the equality JSON Schema uses for enum/const/uniqueItems. */
const stable = (v: unknown): string =>
  JSON.stringify(v, (_k, x: unknown) =>
    isObj(x) ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : x,
  );
const same = (a: unknown, b: unknown): boolean => stable(a) === stable(b);
const clone = (v: unknown): unknown => (v === undefined ? null : JSON.parse(JSON.stringify(v)));
const setKey = (o: Record<string, unknown>, key: string, value: unknown) =>
  Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true });

/** Returns a JSON value valid against `schema`. Throws SchemaSampleError only for detectably unsatisfiable schemas. */
export function sampleFromSchema(schema: unknown, rng: Rng, options: SampleOptions = {}): unknown {
  const cleaned = (options.words ?? [])
    .flatMap((w) => w.split(/\s+/))
    .map((w) => w.replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, ''))
    .filter((w) => w.length > 0 && w.length <= 40);
  const content = cleaned.filter((w) => !STOP.has(w.toLowerCase()));
  const ctx: Ctx = {
    root: schema,
    words: [...new Set(content.length > 0 ? content : cleaned)],
    proper: cleaned.slice(1).filter((w) => /^\p{Lu}/u.test(w) && !STOP.has(w.toLowerCase())),
    optional: Math.min(1, Math.max(0, options.optionalProbability ?? 0.5)),
    maxDepth: Math.max(0, options.maxDepth ?? 8),
    retries: 64,
  };
  const value = sample(schema, rng, ctx, 0, '');
  // Sampling only forks `rng`; advance it once so consecutive calls on the same generator give different values.
  rng.next();
  return value;
}

function sample(schema: unknown, rng: Rng, ctx: Ctx, depth: number, name: string): unknown {
  if (depth > ctx.maxDepth + 32) fail('required recursion never bottoms out');
  for (let attempt = 0; ; attempt++) {
    // Attempts 0-2 replay the same draws with rotated branch choices, so small oneOfs are tried systematically.
    const r = rng.fork(`try${Math.floor(attempt / 3)}`);
    const run: Attempt = { others: [], shift: attempt };
    const value = generate(flatten(schema, r, ctx, depth, run), r, ctx, depth, name);
    // oneOf wants exactly one match: retry when the value visibly satisfies a branch that was not taken.
    const clash = run.others.some((others) => others.some((o) => matches(o, value, ctx)));
    if (!clash || attempt >= 5 || ctx.retries-- <= 0) return value;
  }
}

/** Normalises spellings so the rest of the code sees one shape: 2020-12 bounds/tuples, nullable as a type. */
function canon(input: unknown): Schema {
  if (input === false) fail('schema `false` accepts nothing');
  if (!isObj(input)) return {};
  const s: Schema = { ...input };
  for (const [ex, bound] of [
    ['exclusiveMinimum', 'minimum'],
    ['exclusiveMaximum', 'maximum'],
  ] as const) {
    if (s[ex] === true && typeof s[bound] === 'number') {
      s[ex] = s[bound];
      delete s[bound];
    } else if (typeof s[ex] === 'boolean') delete s[ex];
  }
  if (Array.isArray(s.items)) {
    s.prefixItems = s.items;
    if ('additionalItems' in s) s.items = s.additionalItems;
    else delete s.items;
  }
  const t = s.type;
  const types = (typeof t === 'string' ? [t] : list(t)).filter((x): x is string => TYPES.includes(x as string));
  if (types.length > 0) s.type = s.nullable === true && !types.includes('null') ? [...types, 'null'] : types;
  else delete s.type;
  delete s.nullable;
  return s;
}

function resolveRef(ref: string, ctx: Ctx): unknown {
  // Only local JSON pointers; anything else (remote refs, anchors) is treated as "any value".
  if (ref !== '#' && !ref.startsWith('#/')) return {};
  let node: unknown = ctx.root;
  for (const raw of ref.split('/').slice(1)) {
    let key = raw;
    try {
      key = decodeURIComponent(raw);
    } catch {}
    key = key.replace(/~1/g, '/').replace(/~0/g, '~');
    node = isObj(node) && Object.hasOwn(node, key) ? node[key] : Array.isArray(node) ? node[Number(key)] : undefined;
    if (node === undefined) return {};
  }
  return node;
}

/** Intersects two flattened schemas (allOf, $ref siblings, chosen anyOf/oneOf branch). */
function merge(a: Schema, b: Schema): Schema {
  const out: Schema = { ...a, ...b };
  const ta = a.type as string[] | undefined;
  const tb = b.type as string[] | undefined;
  if (ta && tb) {
    const fits = (t: string, other: string[]) => other.includes(t) || (t === 'integer' && other.includes('number'));
    const types = TYPES.filter((t) => fits(t, ta) && fits(t, tb));
    out.type = types.length > 0 ? types : fail('schemas disagree on type');
  }
  const both = (key: string, f: (x: number, y: number) => number) => {
    const x = num(a, key);
    const y = num(b, key);
    if (x !== undefined && y !== undefined) out[key] = f(x, y);
  };
  for (const k of ['minimum', 'exclusiveMinimum', 'minLength', 'minItems', 'minProperties']) both(k, Math.max);
  for (const k of ['maximum', 'exclusiveMaximum', 'maxLength', 'maxItems', 'maxProperties']) both(k, Math.min);
  both('multipleOf', (x, y) => (Number.isInteger(x / y) ? x : Number.isInteger(y / x) ? y : x * y));
  if (Array.isArray(a.enum) && Array.isArray(b.enum))
    out.enum = a.enum.filter((x) => list(b.enum).some((y) => same(x, y)));
  if ('const' in a && 'const' in b && !same(a.const, b.const)) fail('schemas require different constants');
  if ('required' in a || 'required' in b) out.required = [...new Set([...list(a.required), ...list(b.required)])];
  if (a.uniqueItems === true) out.uniqueItems = true;
  const pair = (x: unknown, y: unknown) => (x === undefined ? y : y === undefined ? x : { allOf: [x, y] });
  if (isObj(a.properties) && isObj(b.properties)) {
    const props: Schema = { ...a.properties };
    for (const [k, v] of Object.entries(b.properties)) props[k] = pair(props[k], v);
    out.properties = props;
  }
  if ('items' in a && 'items' in b) out.items = pair(a.items, b.items);
  if (Array.isArray(a.prefixItems) && Array.isArray(b.prefixItems)) {
    const [pa, pb] = [a.prefixItems, b.prefixItems];
    out.prefixItems = Array.from({ length: Math.max(pa.length, pb.length) }, (_, i) => pair(pa[i], pb[i]));
  }
  if (a.additionalProperties === false || b.additionalProperties === false) out.additionalProperties = false;
  else if (isObj(a.additionalProperties) && isObj(b.additionalProperties)) {
    out.additionalProperties = pair(a.additionalProperties, b.additionalProperties);
  }
  // A branch with additionalProperties:false tolerates only its own keys, so the union has to shrink to them.
  for (const side of [a, b]) {
    if (side.additionalProperties !== false || !isObj(out.properties)) continue;
    const allowed = isObj(side.properties) ? side.properties : {};
    out.properties = Object.fromEntries(Object.entries(out.properties).filter(([k]) => Object.hasOwn(allowed, k)));
  }
  return out;
}

/** Resolves $ref, allOf, anyOf and oneOf into one schema with no combinators at the top level. */
function flatten(input: unknown, rng: Rng, ctx: Ctx, depth: number, run: Attempt, guard = 0): Schema {
  if (guard > 32) fail('schema references itself without making progress');
  const { $ref, allOf, anyOf, oneOf, ...rest } = canon(input);
  const sub = (x: unknown) => flatten(x, rng, ctx, depth, run, guard + 1);
  let out: Schema = rest;
  if (typeof $ref === 'string') out = merge(sub(resolveRef($ref, ctx)), out);
  for (const branch of list(allOf)) out = merge(out, sub(branch));
  for (const [kind, branches] of [
    ['anyOf', anyOf],
    ['oneOf', oneOf],
  ] as const) {
    if (!Array.isArray(branches)) continue;
    if (branches.length === 0) fail(`${kind} has no branches`);
    const start = rng.int(0, branches.length - 1) + run.shift;
    const order = branches.map((_, i) => (start + i) % branches.length);
    // Past maxDepth, prefer branches that cannot recurse (scalars, null) so recursive schemas terminate.
    const heavy = (b: unknown) =>
      isObj(b) && ['$ref', 'properties', 'items', 'allOf'].some((k) => k in b) ? 1 : isObj(b) && b.type ? 0 : 0.5;
    if (depth >= ctx.maxDepth) order.sort((x, y) => heavy(branches[x]) - heavy(branches[y]));
    let error: unknown;
    let chosen: Schema | undefined;
    for (const i of order) {
      try {
        chosen = merge(out, sub(branches[i]));
        if (kind === 'oneOf') run.others.push(branches.filter((_, j) => j !== i));
        break;
      } catch (e) {
        if (!(e instanceof SchemaSampleError)) throw e;
        error = e;
      }
    }
    if (!chosen) throw error;
    out = chosen;
  }
  return out;
}

function inferType(s: Schema, depth: number): string {
  const has = (...keys: string[]) => keys.some((k) => k in s);
  if (has('properties', 'required', 'additionalProperties', 'patternProperties', 'minProperties', 'maxProperties'))
    return 'object';
  if (has('items', 'prefixItems', 'minItems', 'maxItems', 'uniqueItems', 'contains')) return 'array';
  if (has('minLength', 'maxLength', 'pattern', 'format')) return 'string';
  if (has('minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf')) return 'number';
  return depth === 0 ? 'object' : 'string';
}

function generate(s: Schema, rng: Rng, ctx: Ctx, depth: number, name: string): unknown {
  if ('const' in s) return clone(s.const);
  if (Array.isArray(s.enum)) {
    const { enum: values, ...rest } = s;
    const ok = list(values).filter((v) => matches(rest, v, ctx));
    return clone(rng.pick(ok.length > 0 ? ok : fail('no enum value satisfies the schema')));
  }
  if ('default' in s && rng.chance(0.25) && matches(s, s.default, ctx)) return clone(s.default);
  const minimal = depth >= ctx.maxDepth;
  const types = (s.type as string[] | undefined) ?? [inferType(s, depth)];
  const real = types.filter((t) => t !== 'null');
  let type: string;
  if (real.length === 0 || (types.includes('null') && (minimal || rng.chance(0.15)))) type = 'null';
  else if (minimal) type = real.find((t) => t !== 'object' && t !== 'array') ?? (real[0] as string);
  else type = rng.pick(real);
  switch (type) {
    case 'null':
      return null;
    case 'boolean':
      return rng.chance(0.5);
    case 'integer':
    case 'number':
      return sampleNumber(s, rng, type === 'integer', name);
    case 'array':
      return sampleArray(s, rng, ctx, depth, name);
    case 'object':
      return sampleObject(s, rng, ctx, depth);
    default:
      return sampleString(s, rng, ctx, name);
  }
}

function sampleNumber(s: Schema, rng: Rng, integer: boolean, name: string): number {
  const exMin = num(s, 'exclusiveMinimum');
  const exMax = num(s, 'exclusiveMaximum');
  let lo = Math.max(num(s, 'minimum') ?? -Infinity, exMin ?? -Infinity);
  let hi = Math.min(num(s, 'maximum') ?? Infinity, exMax ?? Infinity);
  let openLo = exMin !== undefined && lo === exMin;
  let openHi = exMax !== undefined && hi === exMax;
  if (lo > hi || (lo === hi && (openLo || openHi))) fail(`no number fits between ${lo} and ${hi}`);
  // Unbounded sides get a plausible range; a few argument names deserve their natural one.
  const n = name.toLowerCase();
  const [dLo, dHi] = /^(n|k|limit|count|num_?results|max_?results|top_?k|page_?size|per_?page)$/.test(n)
    ? [1, 10]
    : /^lat(itude)?$/.test(n)
      ? [-90, 90]
      : /^(lon|lng|longitude)$/.test(n)
        ? [-180, 180]
        : [0, 100];
  if (lo === -Infinity) [lo, openLo] = [hi > dLo ? dLo : hi - (dHi - dLo), false];
  if (hi === Infinity) [hi, openHi] = [lo < dHi ? dHi : lo + (dHi - dLo), false];
  const inside = (v: number) => (openLo ? v > lo : v >= lo) && (openHi ? v < hi : v <= hi);
  const m = num(s, 'multipleOf');
  if (!integer && !(m && m > 0)) {
    const raw = lo + (hi - lo) * rng.next();
    for (const digits of [2, 6]) if (inside(Number(raw.toFixed(digits)))) return Number(raw.toFixed(digits));
    return inside(raw) ? raw : (lo + hi) / 2;
  }
  let step = m && m > 0 ? m : 1;
  // An integer that is also a multiple of a fractional step: use the smallest integral multiple of the step.
  if (integer && !Number.isInteger(step)) {
    const k = Array.from({ length: 1000 }, (_, i) => i + 1).find((i) =>
      Number.isInteger(Number((i * step).toFixed(9))),
    );
    step = k ? Number((k * step).toFixed(9)) : 1;
  }
  const kLo = Math.ceil(lo / step);
  const kHi = Math.floor(hi / step);
  // Floating-point division is how validators check multipleOf, so candidates are verified the same way.
  const good = (v: number) => inside(v) && (!m || Number.isInteger(v / m)) && (!integer || Number.isInteger(v));
  for (let t = 0; t < 24 && kLo <= kHi; t++) {
    const v = Number((rng.int(kLo, kHi) * step).toPrecision(12));
    if (good(v)) return v;
  }
  for (let k = kLo; k <= Math.min(kHi, kLo + 200); k++) {
    const v = Number((k * step).toPrecision(12));
    if (good(v)) return v;
  }
  return fail(`no multiple of ${step} fits between ${lo} and ${hi}`);
}

function sampleString(s: Schema, rng: Rng, ctx: Ctx, name: string): string {
  const min = num(s, 'minLength') ?? 0;
  const max = num(s, 'maxLength') ?? Infinity;
  if (min > max) fail(`minLength ${min} exceeds maxLength ${max}`);
  if (min > LIMIT) fail(`minLength ${min} is beyond what the sampler will build`);
  return stringValue(s, rng, ctx, name, (v) => matches(s, v, ctx));
}

function sampleObject(s: Schema, rng: Rng, ctx: Ctx, depth: number): Record<string, unknown> {
  const props = isObj(s.properties) ? s.properties : {};
  const required = list(s.required).filter((k): k is string => typeof k === 'string');
  const minProps = num(s, 'minProperties') ?? 0;
  const maxProps = num(s, 'maxProperties') ?? Infinity;
  if (required.length > maxProps || minProps > maxProps) fail('maxProperties is below what the schema requires');
  const extra = s.additionalProperties;
  const keys = new Set(required);
  const declared = Object.keys(props).filter((k) => props[k] !== false);
  // Past maxDepth only required keys are emitted, which is what lets recursive schemas terminate.
  const p = depth >= ctx.maxDepth ? 0 : ctx.optional;
  for (const k of declared) if (keys.size < maxProps && !keys.has(k) && rng.chance(p)) keys.add(k);
  for (const k of declared) if (keys.size < minProps) keys.add(k);
  for (let i = 1; keys.size < minProps && extra !== false && i < 1000; i++) keys.add(`key_${i}`);
  const ordered = [...declared.filter((k) => keys.has(k)), ...[...keys].filter((k) => !Object.hasOwn(props, k))];
  const out: Record<string, unknown> = {};
  for (const key of ordered) {
    const schema = Object.hasOwn(props, key) ? props[key] : isObj(extra) ? extra : {};
    setKey(out, key, sample(schema, rng.fork(`p:${key}`), ctx, depth + 1, key));
  }
  return out;
}

function sampleArray(s: Schema, rng: Rng, ctx: Ctx, depth: number, name: string): unknown[] {
  const prefix = list(s.prefixItems);
  const min = num(s, 'minItems') ?? 0;
  const max = Math.min(num(s, 'maxItems') ?? Infinity, s.items === false ? prefix.length : Infinity);
  if (min > max) fail(`minItems ${min} exceeds maxItems ${max}`);
  if (min > LIMIT) fail(`minItems ${min} is beyond what the sampler will build`);
  const contains = 'contains' in s ? s.contains : undefined;
  let count = prefix.length > 0 ? prefix.length : rng.int(1, 3);
  if (contains !== undefined && count <= prefix.length) count = prefix.length + 1;
  // Past maxDepth arrays shrink to the fewest items allowed (one more when `contains` needs a witness).
  const least = Math.max(min, contains === undefined ? 0 : Math.min(max, prefix.length + 1));
  count = depth >= ctx.maxDepth ? least : Math.max(min, Math.min(max, count));
  const unique = s.uniqueItems === true;
  const seen = new Set<string>();
  const out: unknown[] = [];
  for (let i = 0; i < count; i++) {
    let item = i < prefix.length ? prefix[i] : s.items;
    if (i === prefix.length && contains !== undefined) item = { allOf: [item ?? {}, contains] };
    let value: unknown;
    for (let t = 0; t < 12; t++) {
      value = sample(item, rng.fork(`i:${i}:${t}`), ctx, depth + 1, name);
      if (!unique || !seen.has(stable(value))) break;
    }
    // uniqueItems is best effort: stop early rather than emit a duplicate, unless minItems needs the slot.
    if (unique && seen.has(stable(value)) && out.length >= min) break;
    seen.add(stable(value));
    out.push(value);
  }
  return out;
}

/** A cheap "could this value be valid?" check, used to vet enum members, defaults, words and oneOf choices. */
function matches(schema: unknown, v: unknown, ctx: Ctx, guard = 0): boolean {
  if (schema === false) return false;
  if (!isObj(schema) || guard > 16) return true;
  const s = canon(schema);
  const sub = (x: unknown, y: unknown) => matches(x, y, ctx, guard + 1);
  const range = (x: number, lo = 'min', hi = 'max', suffix = '') =>
    x >= (num(s, `${lo}${suffix}`) ?? -Infinity) && x <= (num(s, `${hi}${suffix}`) ?? Infinity);
  if (typeof s.$ref === 'string' && !sub(resolveRef(s.$ref, ctx), v)) return false;
  if (!list(s.allOf).every((b) => sub(b, v))) return false;
  if ([s.anyOf, s.oneOf].some((b) => Array.isArray(b) && !b.some((x) => sub(x, v)))) return false;
  if (('const' in s && !same(s.const, v)) || (Array.isArray(s.enum) && !s.enum.some((e) => same(e, v)))) return false;
  const types = s.type as string[] | undefined;
  if (types && !types.some((t) => typeOk(v, t))) return false;
  if (typeof v === 'number') {
    const m = num(s, 'multipleOf');
    if (!range(v, 'minimum', 'maximum') || (m && !Number.isInteger(v / m))) return false;
    if (v <= (num(s, 'exclusiveMinimum') ?? -Infinity) || v >= (num(s, 'exclusiveMaximum') ?? Infinity)) return false;
  }
  if (typeof v === 'string') {
    if (!range([...v].length, 'min', 'max', 'Length')) return false;
    if (typeof s.pattern === 'string' && !patternMatches(s.pattern, v)) return false;
  }
  if (Array.isArray(v)) {
    const prefix = list(s.prefixItems);
    if (!range(v.length, 'min', 'max', 'Items') || !v.every((x, i) => sub(i < prefix.length ? prefix[i] : s.items, x)))
      return false;
    if (s.uniqueItems === true && new Set(v.map(stable)).size !== v.length) return false;
  }
  if (isObj(v)) {
    const props = isObj(s.properties) ? s.properties : {};
    if (!range(Object.keys(v).length, 'min', 'max', 'Properties')) return false;
    if (!list(s.required).every((k) => typeof k !== 'string' || Object.hasOwn(v, k))) return false;
    if (!Object.entries(v).every(([k, x]) => sub(Object.hasOwn(props, k) ? props[k] : s.additionalProperties, x)))
      return false;
  }
  return true;
}

function typeOk(v: unknown, type: string): boolean {
  if (type === 'integer') return Number.isInteger(v);
  if (type === 'number') return typeof v === 'number' && Number.isFinite(v);
  if (type === 'null') return v === null;
  if (type === 'array') return Array.isArray(v);
  if (type === 'object') return isObj(v);
  return typeof v === type;
}
