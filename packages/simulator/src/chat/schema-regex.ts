/**
 * String values for the schema sampler: a tiny, bounded regex-to-string generator (for `pattern`), generators for
 * the common `format` values and plausible values for well-known argument names. Best effort by design: the
 * sampler re-checks every candidate against the schema.
 */
import type { Rng } from '../util/prng.js';

type Node =
  | { t: 'chars'; set: string }
  | { t: 'alt'; alts: Node[][] }
  | { t: 'rep'; node: Node; min: number; max: number; open: boolean };

const DIGITS = '0123456789';
const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const WORD = `${LOWER}${LOWER.toUpperCase()}${DIGITS}_`;
const PRINTABLE = Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i)).join('');
const CITIES = ['Paris', 'Tokyo', 'London', 'New York', 'Berlin', 'Sydney', 'Toronto', 'Madrid', 'Seoul', 'Lisbon'];
const FIRST = ['Ada', 'Alan', 'Grace', 'Linus', 'Margaret', 'Dennis', 'Barbara', 'Ken'];
const LAST = ['Lovelace', 'Turing', 'Hopper', 'Torvalds', 'Hamilton', 'Ritchie', 'Liskov', 'Thompson'];
const FILLER = ['sample', 'example', 'alpha', 'report', 'summary', 'draft', 'notes', 'update'];
/** Single-letter escapes; negated classes map to any safe representative outside the class. */
const ESCAPES: Record<string, string> = {
  d: DIGITS,
  w: WORD,
  s: ' ',
  D: LOWER,
  S: LOWER,
  W: '-',
  n: '\n',
  t: '\t',
  r: '\r',
};
const EMPTY: Node = { t: 'alt', alts: [[]] };
/** Unbounded quantifiers get a cap (no runaway strings) and usually repeat only a little (readable output). */
const OPEN_EXTRA = 12;
/** Hard cap on generated length, so a hostile pattern such as `.{1000000}` cannot blow up a response. */
const MAX_OUTPUT = 4096;

class Parser {
  private i = 0;
  constructor(private readonly src: string) {}

  parse(): Node {
    const seq: Node[] = [];
    // A stray ')' at top level would end parseAlt early; skip it so the rest of the pattern still contributes.
    for (;;) {
      seq.push(this.parseAlt());
      if (this.i >= this.src.length) break;
      this.i++;
    }
    return { t: 'alt', alts: [seq] };
  }

  private parseAlt(): Node {
    const alts: Node[][] = [this.parseSeq()];
    while (this.src[this.i] === '|') {
      this.i++;
      alts.push(this.parseSeq());
    }
    return { t: 'alt', alts };
  }

  private parseSeq(): Node[] {
    const seq: Node[] = [];
    while (this.i < this.src.length && this.src[this.i] !== '|' && this.src[this.i] !== ')') {
      seq.push(this.parseQuant(this.parseAtom()));
    }
    return seq;
  }

  private parseAtom(): Node {
    const c = this.src[this.i++] ?? '';
    if (c === '^' || c === '$') return EMPTY;
    if (c === '.') return { t: 'chars', set: LOWER + DIGITS };
    if (c === '[') return this.parseClass();
    if (c === '\\') {
      const set = this.escape(false);
      return set === null ? EMPTY : { t: 'chars', set };
    }
    if (c !== '(') return { t: 'chars', set: c };
    let lookaround = false;
    if (this.src[this.i] === '?') {
      const next = this.src.slice(this.i + 1, this.i + 3);
      if (next.startsWith(':')) this.i += 2;
      else if (/^[=!]|^<[=!]/.test(next)) {
        // Lookarounds constrain but consume nothing; generate nothing for them.
        lookaround = true;
        this.i += next.startsWith('<') ? 3 : 2;
      } else if (next.startsWith('<')) {
        const close = this.src.indexOf('>', this.i);
        this.i = close < 0 ? this.src.length : close + 1;
      }
    }
    const node = this.parseAlt();
    this.i++;
    return lookaround ? EMPTY : node;
  }

  private parseQuant(node: Node): Node {
    const c = this.src[this.i];
    let min = 0;
    let max: number | undefined; // undefined = unbounded
    if (c === '*' || c === '+' || c === '?') {
      this.i++;
      min = c === '+' ? 1 : 0;
      max = c === '?' ? 1 : undefined;
    } else if (c === '{') {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(this.src.slice(this.i));
      if (!m) return node;
      this.i += m[0].length;
      min = Number(m[1]);
      max = m[2] === undefined ? min : m[3] ? Number(m[3]) : undefined;
    } else {
      return node;
    }
    if (this.src[this.i] === '?') this.i++; // lazy modifier changes nothing for generation
    min = Math.min(min, MAX_OUTPUT);
    return { t: 'rep', node, min, max: Math.min(max ?? min + OPEN_EXTRA, min + 32), open: max === undefined };
  }

  private parseClass(): Node {
    const negate = this.src[this.i] === '^';
    if (negate) this.i++;
    let set = '';
    while (this.i < this.src.length && this.src[this.i] !== ']') {
      const lo = this.classChar();
      if (lo === null || lo.length !== 1) {
        set += lo ?? '';
        continue;
      }
      if (this.src[this.i] === '-' && this.i + 1 < this.src.length && this.src[this.i + 1] !== ']') {
        this.i++;
        const hi = this.classChar() ?? '';
        set += hi.length === 1 ? range(lo, hi) : `${lo}-${hi}`;
      } else {
        set += lo;
      }
    }
    this.i++;
    return { t: 'chars', set: negate ? [...PRINTABLE].filter((ch) => !set.includes(ch)).join('') : set };
  }

  private classChar(): string | null {
    const c = this.src[this.i++] ?? '';
    return c === '\\' ? this.escape(true) : c;
  }

  /** Returns the candidate characters of an escape, or null for zero-width escapes (\b, backreferences). */
  private escape(inClass: boolean): string | null {
    const c = this.src[this.i++] ?? '';
    const hex = (len: number) => {
      const code = Number.parseInt(this.src.slice(this.i, this.i + len), 16);
      this.i += len;
      return Number.isNaN(code) ? '' : String.fromCodePoint(code);
    };
    const simple = ESCAPES[c];
    if (simple !== undefined) return simple;
    switch (c) {
      case 'x':
        return hex(2);
      case 'u': {
        if (this.src[this.i] !== '{') return hex(4);
        const close = this.src.indexOf('}', this.i);
        if (close < 0) return '';
        this.i++;
        const ch = hex(close - this.i);
        this.i = close + 1;
        return ch;
      }
      case 'p':
      case 'P': {
        // Unicode property classes: letters are the safe common answer (\p{L}, \p{Alpha}).
        if (this.src[this.i] === '{') this.i = Math.max(this.i, this.src.indexOf('}', this.i) + 1);
        return c === 'p' ? LOWER : DIGITS;
      }
      case 'b':
        return inClass ? '\b' : null;
      case 'B':
        return null;
      default:
        return /[1-9]/.test(c) && !inClass ? null : c;
    }
  }
}

function range(lo: string, hi: string): string {
  const a = lo.codePointAt(0) ?? 0;
  const b = hi.codePointAt(0) ?? 0;
  // Huge ranges (e.g. \u0000-\uFFFF) are reduced to their printable-ASCII part plus the start character.
  if (b - a > 256) return lo + [...PRINTABLE].filter((ch) => ch.charCodeAt(0) >= a && ch.charCodeAt(0) <= b).join('');
  let out = '';
  for (let code = a; code <= b; code++) out += String.fromCodePoint(code);
  return out;
}

function emit(node: Node, rng: Rng, out: string[]): void {
  if (out.length >= MAX_OUTPUT) return;
  if (node.t === 'chars') {
    const chars = [...node.set];
    if (chars.length === 0) return;
    // Prefer letters and digits when the class allows them: output reads like a real value.
    const nice = chars.filter((ch) => /[A-Za-z0-9]/.test(ch));
    out.push(rng.pick(nice.length > 0 && rng.chance(0.9) ? nice : chars));
  } else if (node.t === 'alt') {
    for (const child of rng.pick(node.alts)) emit(child, rng, out);
  } else {
    const count = node.open && rng.chance(0.75) ? rng.int(node.min, node.min + 3) : rng.int(node.min, node.max);
    for (let k = 0; k < count; k++) emit(node.node, rng, out);
  }
}

/** A string shaped by `pattern`; not guaranteed to match (lookarounds, backreferences are skipped). */
export function stringFromPattern(pattern: string, rng: Rng): string {
  const out: string[] = [];
  emit(new Parser(pattern).parse(), rng, out);
  return out.join('');
}

const compiled = new Map<string, RegExp | null>();
/** Patterns come from requests: beyond this many, new ones are compiled per use rather than remembered. */
const MAX_COMPILED = 1024;

/** Tests like JSON Schema validators do (unicode flag, unanchored); an uncompilable pattern counts as a match. */
export function patternMatches(pattern: string, value: string): boolean {
  let re = compiled.get(pattern);
  if (re === undefined) {
    re = null;
    for (const flags of ['u', '']) {
      try {
        re = new RegExp(pattern, flags);
        break;
      } catch {}
    }
    if (compiled.size < MAX_COMPILED) compiled.set(pattern, re);
  }
  return re === null || re.test(value);
}

/** A value for a JSON Schema `format`, or undefined for formats we do not know. `word` flavours emails/URLs. */
export function formatString(format: string, rng: Rng, word: string): string | undefined {
  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  const date = () => `${rng.int(2020, 2026)}-${pad(rng.int(1, 12))}-${pad(rng.int(1, 28))}`;
  const time = () => `${pad(rng.int(0, 23))}:${pad(rng.int(0, 59))}:${pad(rng.int(0, 59))}Z`;
  const slug =
    word
      .normalize('NFKD')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 30) || 'example';
  const hex = (n: number) => Array.from({ length: n }, () => rng.int(0, 15).toString(16)).join('');
  switch (format) {
    case 'date-time':
      return `${date()}T${time()}`;
    case 'date':
      return date();
    case 'time':
      return time();
    case 'email':
    case 'idn-email':
      return `${slug.replace(/-/g, '.')}@example.com`;
    case 'uri':
    case 'url':
    case 'iri':
    case 'uri-reference':
    case 'iri-reference':
      return `https://example.com/${slug}`;
    case 'uuid':
      return `${hex(8)}-${hex(4)}-4${hex(3)}-${rng.pick(['8', '9', 'a', 'b'])}${hex(3)}-${hex(12)}`;
    case 'ipv4':
      return [rng.int(1, 223), rng.int(0, 255), rng.int(0, 255), rng.int(1, 254)].join('.');
    case 'ipv6':
      return `2001:db8::${rng.int(1, 0xffff).toString(16)}`;
    case 'hostname':
    case 'idn-hostname':
      return `${slug}.example.com`;
    case 'duration':
      return `P${rng.int(1, 30)}D`;
    default:
      return undefined;
  }
}

/** Words from the prompt: all content words, and capitalised ones (likely places or names). */
export interface WordPool {
  words: readonly string[];
  proper: readonly string[];
}

/**
 * A string for a flattened string schema: `format` first, then a name hint, then prompt words, then the pattern
 * generator. `valid` is the caller's full check (lengths, pattern); lengths are fixed up only for plain strings.
 */
export function stringValue(
  s: Record<string, unknown>,
  rng: Rng,
  ctx: WordPool,
  name: string,
  valid: (v: string) => boolean,
): string {
  const min = typeof s.minLength === 'number' ? s.minLength : 0;
  const max = typeof s.maxLength === 'number' ? s.maxLength : Infinity;
  const ok = (v: string | undefined): v is string => v !== undefined && valid(v);
  const word = ctx.words.length > 0 ? rng.pick(ctx.words) : rng.pick(FILLER);
  if (typeof s.format === 'string') {
    const formatted = formatString(s.format, rng, word);
    if (formatted !== undefined) return formatted;
  }
  const hint = hinted(name, rng, ctx, word);
  if (ok(hint)) return hint;
  if (typeof s.pattern === 'string') {
    const fromWords = ctx.words.filter(ok);
    if (fromWords.length > 0) return rng.pick(fromWords);
    let last = '';
    for (let t = 0; t < 24; t++) {
      last = stringFromPattern(s.pattern, rng);
      // Unanchored patterns match inside longer strings, so padding can meet a minLength the pattern alone misses.
      const pad = rng.alnum(Math.max(0, min - [...last].length));
      for (const candidate of [last, last + pad, pad + last]) if (ok(candidate)) return candidate;
    }
    return last;
  }
  let text = word;
  const chars = [...text];
  if (chars.length > max) text = chars.slice(0, max).join('');
  if (chars.length < min) text += rng.alnum(min - chars.length);
  return text;
}

/** Sensible values for well-known argument names; the caller still checks them against the schema. */
function hinted(name: string, rng: Rng, ctx: WordPool, word: string): string | undefined {
  const n = name.toLowerCase().replace(/[^a-z0-9]/g, '');
  if (n === '') return undefined;
  if (/(email|mail)$/.test(n)) return formatString('email', rng, word);
  if (/(url|uri|link|website|homepage|href)$/.test(n)) return formatString('uri', rng, word);
  if (/^ip(v4)?(address)?$/.test(n)) return formatString('ipv4', rng, word);
  if (/(location|city|place|town|destination|origin|address)$/.test(n)) {
    const lower = CITIES.map((c) => c.toLowerCase());
    return ctx.words.find((w) => lower.includes(w.toLowerCase())) ?? ctx.proper[0] ?? rng.pick(CITIES);
  }
  if (/^(q|query|search|searchterm|searchquery|keywords?|terms?|prompt|question|topic)$/.test(n)) {
    const pool = ctx.words.length > 0 ? ctx.words : FILLER;
    const count = Math.min(pool.length, rng.int(2, 4));
    const start = rng.int(0, pool.length - count);
    return pool.slice(start, start + count).join(' ');
  }
  if (/(firstname|givenname)$/.test(n)) return rng.pick(FIRST);
  if (/(lastname|surname|familyname)$/.test(n)) return rng.pick(LAST);
  if (/(username|handle|login)$/.test(n)) return `${rng.pick(FIRST).toLowerCase()}${rng.int(1, 99)}`;
  if (/^(full|display|customer|person|contact|author)?name$|^(author|customer|recipient)$/.test(n)) {
    return `${rng.pick(FIRST)} ${rng.pick(LAST)}`;
  }
  if (/(filename|filepath|file|path)$/.test(n)) return `${word.toLowerCase()}.txt`;
  if (/(datetime|timestamp)$/.test(n) || /(_at|At)$/.test(name)) return formatString('date-time', rng, word);
  if (/date$/.test(n)) return formatString('date', rng, word);
  if (/uuid$/.test(n)) return formatString('uuid', rng, word);
  if (/^(host|hostname|domain)$/.test(n)) return formatString('hostname', rng, word);
  if (/^(units?|temperatureunit)$/.test(n)) return rng.pick(['celsius', 'fahrenheit']);
  if (/(language|lang|locale)$/.test(n)) return rng.pick(['en', 'fr', 'ja', 'de', 'es']);
  if (/(country)$/.test(n)) return rng.pick(['France', 'Japan', 'Canada', 'Brazil', 'Kenya']);
  if (/currency$/.test(n)) return rng.pick(['USD', 'EUR', 'JPY', 'GBP']);
  if (/(colou?r)$/.test(n)) return rng.pick(['red', 'green', 'blue', 'teal']);
  if (/(^|[_-])(id|Id|ID)$|[a-z0-9](Id|ID)$/.test(name)) return rng.alnum(10);
  return undefined;
}
