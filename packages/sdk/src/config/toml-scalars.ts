import { type Cursor, describeChar, isForbiddenControl } from './toml-cursor.js';

// Scalar values of TOML 1.0: the four string forms, integers, floats and date-times (returned as ISO strings,
// because a config layer only needs to carry them, and strings survive JSON and structured clone unchanged).

const ESCAPES: Record<string, string> = { b: '\b', t: '\t', n: '\n', f: '\f', r: '\r', '"': '"', '\\': '\\' };

/** `"…"` — the cursor is on the opening quote. */
export function parseBasicString(c: Cursor): string {
  const start = c.pos;
  c.pos++;
  let out = '';
  for (;;) {
    if (c.done || c.atNewline()) c.fail('unterminated string', start);
    const char = c.peek();
    if (char === '"') {
      c.pos++;
      return out;
    }
    if (char === '\\') out += parseEscape(c);
    else {
      if (isForbiddenControl(char.charCodeAt(0))) c.fail(`${describeChar(char)} in string`);
      out += char;
      c.pos++;
    }
  }
}

/** `"""…"""` — a newline right after the opening delimiter is dropped; `\` at a line end trims the next whitespace. */
export function parseMultilineBasicString(c: Cursor): string {
  return parseMultiline(c, '"');
}

/** `'''…'''` — like the basic form but without escapes. */
export function parseMultilineLiteralString(c: Cursor): string {
  return parseMultiline(c, "'");
}

/** `'…'` — no escapes at all. */
export function parseLiteralString(c: Cursor): string {
  const start = c.pos;
  c.pos++;
  const from = c.pos;
  for (;;) {
    if (c.done || c.atNewline()) c.fail('unterminated literal string', start);
    const char = c.peek();
    if (char === "'") {
      c.pos++;
      return c.src.slice(from, c.pos - 1);
    }
    if (isForbiddenControl(char.charCodeAt(0))) c.fail(`${describeChar(char)} in string`);
    c.pos++;
  }
}

function parseMultiline(c: Cursor, quote: '"' | "'"): string {
  const start = c.pos;
  c.pos += 3;
  c.eatNewline();
  let out = '';
  for (;;) {
    if (c.done) c.fail('unterminated multi-line string', start);
    const char = c.peek();
    if (char === quote) {
      // A run of 1–2 quotes is content; 3–5 close the string with up to two quotes of content (`""""` = `"` +
      // delimiter); 6 or more cannot be split validly.
      let run = 0;
      while (c.peek(run) === quote) run++;
      if (run > 5) c.fail('too many quotes at the end of a multi-line string', c.pos + 5);
      c.pos += run;
      if (run >= 3) return out + quote.repeat(run - 3);
      out += quote.repeat(run);
    } else if (char === '\\' && quote === '"') {
      if (!skipLineEndingBackslash(c)) out += parseEscape(c);
    } else if (c.eatNewline()) {
      out += '\n';
    } else {
      if (isForbiddenControl(char.charCodeAt(0))) c.fail(`${describeChar(char)} in string`);
      out += char;
      c.pos++;
    }
  }
}

/** `\` followed only by whitespace up to the line end removes all whitespace and newlines up to the next content. */
function skipLineEndingBackslash(c: Cursor): boolean {
  let probe = c.pos + 1;
  while (c.src[probe] === ' ' || c.src[probe] === '\t') probe++;
  if (c.src[probe] !== '\n' && !(c.src[probe] === '\r' && c.src[probe + 1] === '\n')) return false;
  c.pos = probe;
  for (;;) {
    c.skipWs();
    if (!c.eatNewline()) return true;
  }
}

function parseEscape(c: Cursor): string {
  const at = c.pos;
  const kind = c.peek(1);
  const simple = ESCAPES[kind];
  if (simple !== undefined) {
    c.pos += 2;
    return simple;
  }
  if (kind === 'u' || kind === 'U') {
    const length = kind === 'u' ? 4 : 8;
    const hex = c.src.slice(c.pos + 2, c.pos + 2 + length);
    if (!new RegExp(`^[0-9A-Fa-f]{${length}}$`).test(hex)) c.fail(`\\${kind} needs ${length} hex digits`, at);
    const code = Number.parseInt(hex, 16);
    if (code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff))
      c.fail(`\\${kind}${hex} is not a Unicode scalar value`, at);
    c.pos += 2 + length;
    return String.fromCodePoint(code);
  }
  return c.fail(`invalid escape sequence \\${kind === '' ? '' : kind}`, at);
}
