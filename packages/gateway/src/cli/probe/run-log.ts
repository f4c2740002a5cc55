import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { stripAnsi } from '../support/output.js';

export type LogLevel = 'INFO' | 'WARN' | 'ERROR';

/**
 * A plain-text log of a run (`--log`): one timestamped line per event, appended synchronously so it survives a
 * crash. A new run starts the file over; `--resume` appends to it.
 */
export class RunLog {
  constructor(
    private readonly path: string | undefined,
    append: boolean,
  ) {
    if (!path) return;
    mkdirSync(dirname(path), { recursive: true });
    if (!append) writeFileSync(path, '');
  }

  write(level: LogLevel, message: string): void {
    if (!this.path) return;
    appendFileSync(this.path, `${new Date().toISOString()} ${level.padEnd(5)} ${stripAnsi(message)}\n`);
  }

  info(message: string): void {
    this.write('INFO', message);
  }

  warn(message: string): void {
    this.write('WARN', message);
  }

  error(message: string): void {
    this.write('ERROR', message);
  }
}
