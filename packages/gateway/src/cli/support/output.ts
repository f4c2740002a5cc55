/**
 * How commands print. Interactive (a TTY and no `CI`): spinners, progress bars and colour are allowed; otherwise
 * plain lines only. Colour follows `NO_COLOR` / `FORCE_COLOR`. Everything for humans goes through here, so the
 * rules hold in every command.
 */
export interface Output {
  /** stdout is a terminal and `CI` is not set: prompts, spinners and progress bars may be used. */
  readonly interactive: boolean;
  readonly color: boolean;
  /** Terminal width (80 when unknown). */
  readonly columns: number;
  out(text: string): void;
  err(text: string): void;
  json(value: unknown): void;
  bold(text: string): string;
  dim(text: string): string;
  green(text: string): string;
  red(text: string): string;
  yellow(text: string): string;
  cyan(text: string): string;
}

export interface OutputOptions {
  stdout?: NodeJS.WriteStream;
  stderr?: NodeJS.WriteStream;
  env?: Record<string, string | undefined>;
}

const ansi = (open: number, close: number, on: boolean) => (text: string) =>
  on ? `\u001b[${open}m${text}\u001b[${close}m` : text;

export function createOutput(options: OutputOptions = {}): Output {
  const stdout = options.stdout ?? process.stdout;
  const stderr = options.stderr ?? process.stderr;
  const env = options.env ?? process.env;
  const ci = env.CI !== undefined && env.CI !== '' && env.CI !== 'false' && env.CI !== '0';
  const interactive = Boolean(stdout.isTTY) && !ci;
  const color =
    env.NO_COLOR !== undefined && env.NO_COLOR !== '' ? false : env.FORCE_COLOR ? env.FORCE_COLOR !== '0' : interactive;
  return {
    interactive,
    color,
    columns: stdout.columns || 80,
    out: (text) => void stdout.write(text.endsWith('\n') ? text : `${text}\n`),
    err: (text) => void stderr.write(text.endsWith('\n') ? text : `${text}\n`),
    json: (value) => void stdout.write(`${JSON.stringify(value, null, 2)}\n`),
    bold: ansi(1, 22, color),
    dim: ansi(2, 22, color),
    green: ansi(32, 39, color),
    red: ansi(31, 39, color),
    yellow: ansi(33, 39, color),
    cyan: ansi(36, 39, color),
  };
}

const ANSI = /\u001b\[[0-9;]*m/g;

/** Text without colour codes (for logs and width maths). */
export function stripAnsi(text: string): string {
  return text.replace(ANSI, '');
}

/** Display width of a cell (colour codes don't take space). */
export function visibleLength(text: string): number {
  return stripAnsi(text).length;
}

export interface TableColumn {
  header: string;
  align?: 'left' | 'right';
  /** Cut longer cells to this many characters (with `…`). */
  max?: number;
}

function fit(text: string, max: number | undefined): string {
  if (max === undefined || visibleLength(text) <= max) return text;
  return `${stripAnsi(text).slice(0, Math.max(1, max - 1))}…`;
}

/** An aligned text table: a header, a rule, the rows. */
export function table(columns: TableColumn[], rows: string[][]): string {
  const cells = rows.map((row) => columns.map((c, i) => fit(row[i] ?? '', c.max)));
  const widths = columns.map((c, i) =>
    Math.max(visibleLength(c.header), ...cells.map((row) => visibleLength(row[i] as string))),
  );
  const pad = (text: string, i: number) => {
    const gap = ' '.repeat(Math.max(0, (widths[i] as number) - visibleLength(text)));
    return columns[i]?.align === 'right' ? gap + text : text + gap;
  };
  const line = (row: string[]) => row.map(pad).join('  ').trimEnd();
  return [line(columns.map((c) => c.header)), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n');
}

/** `$0.000123`, `$1.50`: enough digits to see per-request costs. */
export function usd(value: number): string {
  if (value === 0) return '$0';
  if (Math.abs(value) >= 1) return `$${value.toFixed(2)}`;
  return `$${value.toPrecision(3)}`;
}

/** Price per million tokens from a per-token string (`"0.00000015"` → `$0.15/M`); `free`, or `—` when unknown. */
export function perMillion(perToken: string | undefined): string {
  const n = Number(perToken);
  if (perToken === undefined || !Number.isFinite(n) || n < 0) return '—';
  if (n === 0) return 'free';
  const m = n * 1_000_000;
  return `$${m >= 10 ? m.toFixed(0) : m >= 1 ? m.toFixed(2) : m.toPrecision(2)}/M`;
}

/** `128K`, `1M` context sizes. */
export function tokens(count: number | null | undefined): string {
  if (!count) return '—';
  if (count >= 1_000_000) return `${+(count / 1_000_000).toFixed(1)}M`;
  if (count >= 1000) return `${Math.round(count / 1000)}K`;
  return String(count);
}
