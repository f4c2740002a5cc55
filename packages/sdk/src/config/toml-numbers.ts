import { type Cursor, describeChar } from './toml-cursor.js';

// Integers, floats, booleans-adjacent bare words (inf/nan) and date-times. Each form is matched by one anchored
// regular expression that encodes TOML 1.0's rules (no leading zeros, underscores only between digits, digits on
// both sides of a decimal point), so acceptance is easy to audit against the spec.

const DATE_TIME = /(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d+)?(?:([Zz])|([+-])(\d{2}):(\d{2}))?)?/y;
const LOCAL_TIME = /(\d{2}):(\d{2}):(\d{2})(\.\d+)?/y;
const TOKEN = /[0-9A-Za-z_.+-]+/y;

const DIGITS = '[0-9](?:_?[0-9])*';
const DEC_INT = /^[+-]?(?:0|[1-9](?:_?[0-9])*)$/;
const FLOAT = new RegExp(`^[+-]?(?:0|[1-9](?:_?[0-9])*)(?:\\.${DIGITS})?(?:[eE][+-]?${DIGITS})?$`);
const PREFIXED: Record<string, { re: RegExp; radix: number }> = {
  '0x': { re: /^0x[0-9A-Fa-f](?:_?[0-9A-Fa-f])*$/, radix: 16 },
  '0o': { re: /^0o[0-7](?:_?[0-7])*$/, radix: 8 },
  '0b': { re: /^0b[01](?:_?[01])*$/, radix: 2 },
};

/** A date-time, local date, local time, integer or float at the cursor. */
export function parseNumberOrDate(c: Cursor): string | number {
  const start = c.pos;
  DATE_TIME.lastIndex = start;
  const date = DATE_TIME.exec(c.src);
  if (date) return dateTime(c, date, start);
  LOCAL_TIME.lastIndex = start;
  const time = LOCAL_TIME.exec(c.src);
  if (time) {
    checkTime(c, time[1], time[2], time[3], start);
    c.pos = start + time[0].length;
    return time[0];
  }
  TOKEN.lastIndex = start;
  const token = TOKEN.exec(c.src)?.[0];
  if (token === undefined) return c.fail(`expected a value, found ${describeChar(c.peek())}`);
  c.pos = start + token.length;
  return number(c, token, start);
}

function number(c: Cursor, token: string, at: number): number {
  const special = /^([+-]?)(inf|nan)$/.exec(token);
  if (special) {
    if (special[2] === 'nan') return Number.NaN;
    return special[1] === '-' ? -Infinity : Infinity;
  }
  const prefixed = PREFIXED[token.slice(0, 2)];
  if (prefixed) {
    if (!prefixed.re.test(token)) c.fail(`invalid number ${token}`, at);
    return safeInteger(c, Number.parseInt(token.slice(2).replaceAll('_', ''), prefixed.radix), token, at);
  }
  if (DEC_INT.test(token)) {
    const value = Number(token.replaceAll('_', ''));
    return safeInteger(c, value === 0 ? 0 : value, token, at);
  }
  if (FLOAT.test(token)) return Number(token.replaceAll('_', ''));
  if (/^[+-]?[0-9]/.test(token) || /^[+-]?\.[0-9]/.test(token)) return c.fail(`invalid number ${token}`, at);
  return c.fail(`expected a value, found ${token.length > 20 ? `${token.slice(0, 20)}…` : token}`, at);
}

/** TOML integers are 64-bit; JavaScript numbers hold integers exactly only up to 2^53 − 1, so refuse to round. */
function safeInteger(c: Cursor, value: number, token: string, at: number): number {
  if (!Number.isSafeInteger(value)) c.fail(`integer ${token} is too large to represent exactly`, at);
  return value;
}

const DAYS = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function dateTime(c: Cursor, m: RegExpExecArray, at: number): string {
  const [whole, y, mo, d, h, mi, s, frac, z, sign, oh, om] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const maxDay = month === 2 && !leap ? 28 : (DAYS[month - 1] ?? 0);
  if (month < 1 || month > 12 || day < 1 || day > maxDay) c.fail(`invalid date ${whole.slice(0, 10)}`, at);
  c.pos = at + whole.length;
  if (h === undefined) return whole;
  checkTime(c, h, mi, s, at);
  if (sign !== undefined && (Number(oh) > 23 || Number(om) > 59)) c.fail(`invalid time offset ${sign}${oh}:${om}`, at);
  // Normalise to the ISO 8601 spelling (`T`, `Z`); keep the fraction and offset exactly as written.
  const offset = z !== undefined ? 'Z' : sign !== undefined ? `${sign}${oh}:${om}` : '';
  return `${y}-${mo}-${d}T${h}:${mi}:${s}${frac ?? ''}${offset}`;
}

function checkTime(c: Cursor, h: string | undefined, mi: string | undefined, s: string | undefined, at: number) {
  // Second 60 is allowed: TOML follows RFC 3339, which permits leap seconds.
  if (Number(h) > 23 || Number(mi) > 59 || Number(s) > 60) c.fail(`invalid time ${h}:${mi}:${s}`, at);
}
