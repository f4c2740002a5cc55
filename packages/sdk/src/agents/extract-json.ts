import { ExtractionError } from './agent-errors.js';

/**
 * JSON out of a model's text: the whole text, else the contents of ``` fences (```json first), else the longest
 * balanced `{…}` / `[…]` in the prose. Each candidate may have trailing commas and `//` or `/* *\/` comments. JSON
 * that is cut off (the text ends inside it) is not completed: a truncated answer is reported, never half-used.
 */

const MAX_SPANS = 200;

/** Drops comments and trailing commas outside strings; undefined when there were none (nothing to retry). */
function relax(src: string): string | undefined {
  let out = '';
  let changed = false;
  for (let i = 0; i < src.length; i++) {
    const c = src[i] as string;
    if (c === '"') {
      const end = stringEnd(src, i);
      out += src.slice(i, end);
      i = end - 1;
    } else if (c === '/' && src[i + 1] === '/') {
      while (i < src.length && src[i] !== '\n') i++;
      i--;
      changed = true;
    } else if (c === '/' && src[i + 1] === '*') {
      const close = src.indexOf('*/', i + 2);
      i = close < 0 ? src.length : close + 1;
      changed = true;
    } else if (c === ',' && closesNext(src, i + 1)) {
      changed = true;
    } else out += c;
  }
  return changed ? out : undefined;
}

/** Whether the next token after `from` (skipping blanks and comments) closes an object or array. */
function closesNext(src: string, from: number): boolean {
  let i = from;
  while (i < src.length) {
    const c = src[i] as string;
    if (c === ' ' || c === '\n' || c === '\r' || c === '\t') i++;
    else if (c === '/' && src[i + 1] === '/') {
      const eol = src.indexOf('\n', i);
      i = eol < 0 ? src.length : eol + 1;
    } else if (c === '/' && src[i + 1] === '*') {
      const close = src.indexOf('*/', i + 2);
      i = close < 0 ? src.length : close + 2;
    } else return c === '}' || c === ']';
  }
  return false;
}

/** Index just after the string literal starting at `start` (the text's end when it is not closed). */
function stringEnd(src: string, start: number): number {
  for (let i = start + 1; i < src.length; i++) {
    if (src[i] === '\\') i++;
    else if (src[i] === '"') return i + 1;
  }
  return src.length;
}

/** End (exclusive) of the balanced value starting at `start`; -1 when the text ends inside it, -2 on a mismatch. */
function valueEnd(src: string, start: number): number {
  const closers: string[] = [];
  for (let i = start; i < src.length; i++) {
    const c = src[i];
    if (c === '"') i = stringEnd(src, i) - 1;
    else if (c === '{') closers.push('}');
    else if (c === '[') closers.push(']');
    else if (c === '}' || c === ']') {
      if (closers.pop() !== c) return -2;
      if (closers.length === 0) return i + 1;
    }
  }
  return -1;
}

type Parsed = { ok: true; value: unknown } | { ok: false; error: string };

function parse(candidate: string): Parsed {
  try {
    return { ok: true, value: JSON.parse(candidate) };
  } catch (error) {
    const relaxed = relax(candidate);
    if (relaxed !== undefined) {
      try {
        return { ok: true, value: JSON.parse(relaxed) };
      } catch {
        // report the original problem below
      }
    }
    return { ok: false, error: (error as Error).message };
  }
}

/** Contents of ``` fences, ```json ones first; a final fence that is never closed runs to the end. */
function fences(text: string): string[] {
  const tagged: string[] = [];
  const others: string[] = [];
  for (const match of text.matchAll(/```[ \t]*([A-Za-z0-9_+-]*)[^\n]*\n([\s\S]*?)(?:```|$)/g)) {
    const body = (match[2] ?? '').trim();
    if (body) (/^json/i.test(match[1] ?? '') ? tagged : others).push(body);
  }
  return [...tagged, ...others];
}

interface Diagnosis {
  unclosedAt?: number;
  parseError?: { at: number; error: string };
}

/** The longest balanced `{…}`/`[…]` that parses; notes what went wrong otherwise. */
function fromProse(text: string, diagnosis: Diagnosis): { value: unknown } | undefined {
  let best: { value: unknown; length: number } | undefined;
  let spans = 0;
  for (let i = 0; i < text.length && spans < MAX_SPANS; i++) {
    const c = text[i];
    if (c !== '{' && c !== '[') continue;
    const end = valueEnd(text, i);
    if (end === -1) {
      // Everything after an unclosed opener is inside it: an inner complete piece would be a fragment.
      diagnosis.unclosedAt ??= i;
      break;
    }
    if (end === -2) continue;
    spans++;
    const parsed = parse(text.slice(i, end));
    if (parsed.ok) {
      if (!best || end - i > best.length) best = { value: parsed.value, length: end - i };
      i = end - 1;
    } else if (c === '{' || end - i > 2) diagnosis.parseError ??= { at: i, error: parsed.error };
  }
  return best && { value: best.value };
}

const preview = (text: string) => JSON.stringify(text.length > 120 ? `${text.slice(0, 117)}...` : text);

/**
 * The JSON value in a model's answer. Tolerates code fences, prose around the JSON, trailing commas and comments;
 * throws `ExtractionError` (code `extraction_failed`, with the text) saying why when nothing usable is there —
 * empty text, JSON cut off before its end, JSON that does not parse, or no JSON at all.
 */
export function extractJson<T = unknown>(text: string): T {
  if (typeof text !== 'string') throw new ExtractionError('extractJson expects a string', String(text));
  const trimmed = text.replace(/^\uFEFF/, '').trim();
  if (trimmed === '') throw new ExtractionError('No JSON in the text: it is empty', text);
  const whole = parse(trimmed);
  if (whole.ok) return whole.value as T;
  const diagnosis: Diagnosis = {};
  for (const body of fences(trimmed)) {
    const fenced = parse(body);
    if (fenced.ok) return fenced.value as T;
    const inner = fromProse(body, diagnosis);
    if (inner) return inner.value as T;
  }
  const found = fromProse(trimmed, diagnosis);
  if (found) return found.value as T;
  if (diagnosis.parseError) {
    throw new ExtractionError(
      `The JSON at character ${diagnosis.parseError.at} of the text does not parse: ${diagnosis.parseError.error}`,
      text,
    );
  }
  if (diagnosis.unclosedAt !== undefined) {
    throw new ExtractionError(
      `The JSON starting at character ${diagnosis.unclosedAt} is cut off: the text ends before it is closed ` +
        `(answer truncated, e.g. by max_tokens?): ${preview(trimmed.slice(diagnosis.unclosedAt))}`,
      text,
    );
  }
  throw new ExtractionError(`No JSON object or array in the text: ${preview(trimmed)}`, text);
}
