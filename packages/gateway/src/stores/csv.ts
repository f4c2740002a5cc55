/**
 * RFC 4180 CSV: CRLF line ends; a field with a comma, quote or line break is quoted with inner quotes doubled.
 * Text fields come from users (key and user ids, model names), so ones starting with `=`, `+`, `-`, `@`, tab or CR
 * get a leading `'`: spreadsheets would otherwise run them as formulas (CSV injection). Numbers are never altered.
 */

export type CsvCell = string | number | bigint | boolean | null | undefined;

const FORMULA_START = /^[=+\-@\t\r]/;

function quote(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** A text cell: neutralised against formulas, then quoted as needed. */
export function textCell(value: string | null | undefined): string {
  if (value === null || value === undefined) return '';
  return quote(FORMULA_START.test(value) ? `'${value}` : value);
}

/** A numeric or boolean cell (already-safe text such as decimal USD strings goes here too). */
export function rawCell(value: CsvCell): string {
  return value === null || value === undefined ? '' : quote(String(value));
}

export function csvDocument(header: readonly string[], lines: string[][]): string {
  return [header.join(','), ...lines.map((cells) => cells.join(','))].map((line) => `${line}\r\n`).join('');
}
