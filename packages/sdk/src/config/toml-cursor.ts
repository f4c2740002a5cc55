import { ConfigError } from '../errors/client-errors.js';

/**
 * A TOML syntax or structure error. The message starts with `file:line:column:` the way compilers print it, so
 * editors and terminals can jump to the spot; `line`/`column` are 1-based (column counts code points).
 */
export class TomlError extends ConfigError {
  static override readonly kind: string = 'TomlError';
  /** 1-based line of the problem. */
  readonly line: number;
  /** 1-based column (in code points) of the problem. */
  readonly column: number;
  /** The message without the `file:line:column:` prefix. */
  readonly reason: string;

  constructor(reason: string, line: number, column: number, source: string) {
    super(`${source}:${line}:${column}: ${reason}`);
    this.line = line;
    this.column = column;
    this.reason = reason;
  }
}

/** TOML forbids control characters other than tab in strings and comments (newlines are handled separately). */
export function isForbiddenControl(code: number): boolean {
  return (code < 0x20 && code !== 0x09) || code === 0x7f;
}

/** Position tracking and the whitespace/comment/newline rules shared by every part of the parser. */
export class Cursor {
  pos = 0;

  constructor(
    readonly src: string,
    readonly source: string,
  ) {}

  get done(): boolean {
    return this.pos >= this.src.length;
  }

  peek(offset = 0): string {
    return this.src[this.pos + offset] ?? '';
  }

  startsWith(text: string): boolean {
    return this.src.startsWith(text, this.pos);
  }

  /** Throws a TomlError located at `at` (default: the current position). Line/column are computed only here. */
  fail(reason: string, at = this.pos): never {
    let line = 1;
    let lineStart = 0;
    const end = Math.min(at, this.src.length);
    for (let i = 0; i < end; i++) {
      if (this.src.charCodeAt(i) === 10) {
        line++;
        lineStart = i + 1;
      }
    }
    const column = [...this.src.slice(lineStart, end)].length + 1;
    throw new TomlError(reason, line, column, this.source);
  }

  /** Spaces and tabs only: TOML's "whitespace". */
  skipWs(): void {
    while (this.peek() === ' ' || this.peek() === '\t') this.pos++;
  }

  atNewline(): boolean {
    return this.peek() === '\n' || this.startsWith('\r\n');
  }

  /** Consumes LF or CRLF; a lone CR is not a newline in TOML (and is rejected by the callers as a stray character). */
  eatNewline(): boolean {
    if (this.peek() === '\n') {
      this.pos++;
      return true;
    }
    if (this.startsWith('\r\n')) {
      this.pos += 2;
      return true;
    }
    return false;
  }

  skipComment(): void {
    if (this.peek() !== '#') return;
    while (!this.done && !this.atNewline()) {
      if (isForbiddenControl(this.src.charCodeAt(this.pos))) this.fail('control character in comment');
      this.pos++;
    }
  }

  /** After a key/value pair or a table header only whitespace and a comment may follow on the same line. */
  expectLineEnd(after: string): void {
    this.skipWs();
    this.skipComment();
    if (this.done || this.eatNewline()) return;
    this.fail(`expected end of line after ${after}, found ${describeChar(this.peek())}`);
  }

  /** Inside arrays: any mix of whitespace, newlines and comments. */
  skipBlank(): void {
    for (;;) {
      this.skipWs();
      this.skipComment();
      if (!this.eatNewline()) return;
    }
  }
}

export function describeChar(char: string): string {
  if (char === '') return 'end of file';
  if (char === '\n' || char === '\r') return 'end of line';
  const code = char.codePointAt(0) ?? 0;
  return code < 0x20 || code === 0x7f ? `control character U+${code.toString(16).padStart(4, '0')}` : `'${char}'`;
}
