import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { UsageError } from '../support/exit-codes.js';

/** One non-blank line of a JSONL file, with its 1-based line number (blank lines keep the numbering). */
export interface InputLine {
  line: number;
  text: string;
}

/** Every non-blank line of `path` (`-` = stdin), numbered as an editor shows them. */
export async function readJsonl(path: string): Promise<InputLine[]> {
  const cannotRead = (error: unknown) => {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : (error as Error).message;
    return new UsageError(`cannot read ${path}: ${why}`);
  };
  const stream = path === '-' ? process.stdin : createReadStream(path, { encoding: 'utf8' });
  const opened = new Promise<void>((resolve, reject) => {
    if (path === '-') return resolve();
    stream.once('open', () => resolve());
    stream.once('error', reject);
  });
  try {
    await opened;
  } catch (error) {
    throw cannotRead(error);
  }
  const lines: InputLine[] = [];
  let number = 0;
  try {
    for await (const raw of createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY })) {
      number++;
      const text = (number === 1 ? raw.replace(/^\uFEFF/, '') : raw).trim();
      if (text !== '') lines.push({ line: number, text });
    }
  } catch (error) {
    // A directory opens fine and fails on the first read (EISDIR): still the user's mistake, not a crash.
    throw cannotRead(error);
  }
  return lines;
}
