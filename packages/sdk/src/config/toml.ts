import { Cursor, describeChar } from './toml-cursor.js';
import { parseNumberOrDate } from './toml-numbers.js';
import {
  parseBasicString,
  parseLiteralString,
  parseMultilineBasicString,
  parseMultilineLiteralString,
} from './toml-scalars.js';

export { TomlError } from './toml-cursor.js';

/** A TOML table as plain data: strings, numbers, booleans, arrays and nested tables (date-times as ISO strings). */
export type TomlTable = { [key: string]: TomlValue };
export type TomlValue = string | number | boolean | TomlValue[] | TomlTable;

export interface ParseTomlOptions {
  /** Name used in error messages (`switchyard.toml:3:7: …`). Default `input.toml`. */
  source?: string;
  /**
   * A deliberate extension for documented config shapes: when a `[table]` header names a key that already holds a
   * plain value, and this returns a key name for that path, the value moves to that key of the same parent and the
   * table is defined. Strict TOML rejects this; switchyard.toml documents `provider = "openrouter"` beside a
   * `[models.<name>.provider]` table of preferences.
   */
  valueAside?: (path: string[]) => string | undefined;
}

/**
 * How a table came to exist decides what may still be added to it (TOML 1.0 §Table):
 * - `implicit`: created as a parent by a header (`[a.b]` creates `a`); may later be defined once by `[a]`.
 * - `header`: defined by `[x]` or as an `[[x]]` element; can't be defined again, can't be entered by dotted keys.
 * - `dotted`: created by dotted keys (`a.b = 1`); can't be defined by a header, but may get sub-table headers.
 * - `inline`: `{ … }` and everything inside it is complete and immutable.
 */
type TableKind = 'implicit' | 'header' | 'dotted' | 'inline';

/** Parses a TOML 1.0 document. Throws TomlError (a ConfigError) with `source:line:column` on any violation. */
export function parseToml(text: string, options: ParseTomlOptions = {}): TomlTable {
  return new Parser(text, options.source ?? 'input.toml', options).document();
}

class Parser {
  private readonly c: Cursor;
  private readonly kinds = new WeakMap<object, TableKind>();
  /** Arrays created by `[[x]]`; every other array is static and can't be extended. */
  private readonly tableArrays = new WeakSet<object>();
  private readonly root: TomlTable;

  constructor(
    text: string,
    source: string,
    private readonly options: ParseTomlOptions = {},
  ) {
    this.c = new Cursor(text, source);
    this.root = this.table('header');
  }

  document(): TomlTable {
    const c: Cursor = this.c;
    let current = this.root;
    let currentPath: string[] = [];
    if (c.peek() === '\uFEFF') c.pos++; // editors on Windows like to write a byte-order mark
    while (!c.done) {
      c.skipWs();
      if (c.eatNewline()) continue;
      if (c.peek() === '#') {
        c.skipComment();
        c.expectLineEnd('comment');
      } else if (c.peek() === '[') {
        [current, currentPath] = this.header();
        c.expectLineEnd('table header');
      } else if (!c.done) {
        this.keyValue(current, currentPath);
        c.expectLineEnd('value');
      }
    }
    return this.root;
  }

  private table(kind: TableKind): TomlTable {
    const t: TomlTable = {};
    this.kinds.set(t, kind);
    return t;
  }

  /** `[a.b]` or `[[a.b]]`; returns the table that following key/value lines fill. */
  private header(): [TomlTable, string[]] {
    const c: Cursor = this.c;
    const at = c.pos;
    const isArray = c.startsWith('[[');
    c.pos += isArray ? 2 : 1;
    const keys = this.key();
    c.skipWs();
    if (!c.startsWith(isArray ? ']]' : ']')) {
      c.fail(`expected '${isArray ? ']]' : ']'}' after table name, found ${describeChar(c.peek())}`);
    }
    c.pos += isArray ? 2 : 1;
    let parent = this.root;
    for (let i = 0; i < keys.length - 1; i++) parent = this.descendForHeader(parent, keys, i, at);
    const last = keys[keys.length - 1]!;
    const existing = own(parent, last);
    const name = showPath(keys);
    if (isArray) {
      if (existing === undefined) {
        const list: TomlValue[] = [];
        this.tableArrays.add(list);
        setOwn(parent, last, list);
        const element = this.table('header');
        list.push(element);
        return [element, keys];
      }
      if (!Array.isArray(existing) || !this.tableArrays.has(existing)) {
        c.fail(`cannot define [[${name}]]: "${name}" is already defined as ${this.describe(existing)}`, at);
      }
      const element = this.table('header');
      existing.push(element);
      return [element, keys];
    }
    if (existing === undefined) {
      const t = this.table('header');
      setOwn(parent, last, t);
      return [t, keys];
    }
    if (isTable(existing) && this.kinds.get(existing) === 'implicit') {
      this.kinds.set(existing, 'header');
      return [existing, keys];
    }
    const aside = !isTable(existing) && !Array.isArray(existing) ? this.options.valueAside?.(keys) : undefined;
    if (aside !== undefined && own(parent, aside) === undefined) {
      setOwn(parent, aside, existing);
      const t = this.table('header');
      setOwn(parent, last, t);
      return [t, keys];
    }
    return c.fail(`cannot define [${name}]: "${name}" is already defined as ${this.describe(existing)}`, at);
  }

  private descendForHeader(parent: TomlTable, keys: string[], i: number, at: number): TomlTable {
    const key = keys[i]!;
    const existing = own(parent, key);
    if (existing === undefined) {
      const t = this.table('implicit');
      setOwn(parent, key, t);
      return t;
    }
    if (Array.isArray(existing) && this.tableArrays.has(existing)) return existing[existing.length - 1] as TomlTable;
    if (isTable(existing) && this.kinds.get(existing) !== 'inline') return existing;
    const name = showPath(keys.slice(0, i + 1));
    return this.c.fail(`cannot add tables to "${name}": it is already defined as ${this.describe(existing)}`, at);
  }

  /** `a.b.c = value` inside `table`; intermediate tables are created as `dotted`. */
  private keyValue(table: TomlTable, tablePath: string[]): void {
    const c: Cursor = this.c;
    const at = c.pos;
    const keys = this.key();
    c.skipWs();
    if (c.peek() !== '=') c.fail(`expected '=' after key, found ${describeChar(c.peek())}`);
    c.pos++;
    c.skipWs();
    const value = this.value();
    let target = table;
    for (let i = 0; i < keys.length - 1; i++) {
      const key = keys[i]!;
      const existing = own(target, key);
      if (existing === undefined) {
        const t = this.table('dotted');
        setOwn(target, key, t);
        target = t;
      } else if (isTable(existing) && this.kinds.get(existing) === 'dotted') {
        target = existing;
      } else {
        const name = showPath([...tablePath, ...keys.slice(0, i + 1)]);
        c.fail(
          `cannot add keys to "${name}" with dotted keys: it is already defined as ${this.describe(existing)}`,
          at,
        );
      }
    }
    const last = keys[keys.length - 1]!;
    if (own(target, last) !== undefined) c.fail(`duplicate key "${showPath([...tablePath, ...keys])}"`, at);
    setOwn(target, last, value);
  }

  private describe(value: TomlValue | undefined): string {
    if (Array.isArray(value)) return this.tableArrays.has(value) ? 'an array of tables' : 'an array';
    if (isTable(value)) {
      const kind = this.kinds.get(value);
      if (kind === 'inline') return 'an inline table';
      if (kind === 'dotted') return 'a table (by dotted keys)';
      return 'a table';
    }
    return 'a value';
  }

  /** A possibly dotted key: bare (`a-b_1`), "basic" or 'literal' parts joined by `.` with optional whitespace. */
  private key(): string[] {
    const c: Cursor = this.c;
    const parts: string[] = [];
    for (;;) {
      c.skipWs();
      const char = c.peek();
      if (char === '"' || char === "'") {
        if (c.startsWith(char.repeat(3))) c.fail('multi-line strings cannot be keys');
        parts.push(char === '"' ? parseBasicString(c) : parseLiteralString(c));
      } else {
        const bare = /[A-Za-z0-9_-]+/y;
        bare.lastIndex = c.pos;
        const match = bare.exec(c.src);
        if (!match) c.fail(`expected a key, found ${describeChar(char)}`);
        parts.push(match[0]);
        c.pos += match[0].length;
      }
      c.skipWs();
      if (c.peek() !== '.') return parts;
      c.pos++;
    }
  }

  private value(): TomlValue {
    const c: Cursor = this.c;
    const char = c.peek();
    if (char === '"') return c.startsWith('"""') ? parseMultilineBasicString(c) : parseBasicString(c);
    if (char === "'") return c.startsWith("'''") ? parseMultilineLiteralString(c) : parseLiteralString(c);
    if (char === '[') return this.array();
    if (char === '{') return this.inlineTable();
    for (const word of ['true', 'false'] as const) {
      if (c.startsWith(word) && !/[A-Za-z0-9_-]/.test(c.peek(word.length))) {
        c.pos += word.length;
        return word === 'true';
      }
    }
    if (c.done || c.atNewline()) c.fail('expected a value');
    return parseNumberOrDate(c);
  }

  private array(): TomlValue[] {
    const c: Cursor = this.c;
    const start = c.pos;
    c.pos++;
    const list: TomlValue[] = [];
    for (;;) {
      c.skipBlank();
      if (c.done) c.fail('unterminated array', start);
      if (c.peek() === ']') break;
      list.push(this.value());
      c.skipBlank();
      if (c.done) c.fail('unterminated array', start);
      if (c.peek() === ',') c.pos++;
      else if (c.peek() !== ']') c.fail(`expected ',' or ']' in array, found ${describeChar(c.peek())}`);
    }
    c.pos++;
    this.freeze(list);
    return list;
  }

  /** `{ a = 1, b.c = 2 }` — one line, no trailing comma (TOML 1.0). */
  private inlineTable(): TomlTable {
    const c: Cursor = this.c;
    c.pos++;
    const t = this.table('dotted');
    c.skipWs();
    if (c.peek() === '}') {
      c.pos++;
      this.freeze(t);
      return t;
    }
    for (;;) {
      this.keyValue(t, []);
      c.skipWs();
      if (c.peek() === '}') break;
      if (c.peek() !== ',') {
        if (c.atNewline()) c.fail('inline tables must stay on one line (TOML 1.0)');
        c.fail(`expected ',' or '}' in inline table, found ${describeChar(c.peek())}`);
      }
      c.pos++;
      c.skipWs();
      if (c.peek() === '}') c.fail('trailing comma is not allowed in an inline table');
    }
    c.pos++;
    this.freeze(t);
    return t;
  }

  /** Marks every table inside an inline table or static array as immutable. */
  private freeze(value: TomlValue): void {
    if (Array.isArray(value)) for (const item of value) this.freeze(item);
    else if (isTable(value)) {
      this.kinds.set(value, 'inline');
      for (const item of Object.values(value)) this.freeze(item);
    }
  }
}

function isTable(value: unknown): value is TomlTable {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function own(table: TomlTable, key: string): TomlValue | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}

/** defineProperty instead of assignment, so a key named `__proto__` is data and never reaches the prototype. */
function setOwn(table: TomlTable, key: string, value: TomlValue): void {
  Object.defineProperty(table, key, { value, enumerable: true, writable: true, configurable: true });
}

function showPath(keys: string[]): string {
  return keys.map((k) => (/^[A-Za-z0-9_-]+$/.test(k) ? k : JSON.stringify(k))).join('.');
}
