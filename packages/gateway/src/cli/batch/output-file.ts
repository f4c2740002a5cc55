import { existsSync, readFileSync, renameSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { UsageError } from '../support/exit-codes.js';
import type { BatchRecord } from './batch-record.js';

/** Where finished lines wait until every line before them is done (removed when the batch completes). */
export function pendingPath(out: string): string {
  return `${out}.pending`;
}

/** Complete JSON records of a JSONL file, and the byte length of its complete lines (a crash can leave half a
 * line at the end; it is dropped). */
function readRecords(path: string): { records: BatchRecord[]; completeBytes: number; totalBytes: number } {
  const buffer = readFileSync(path);
  const end = buffer.lastIndexOf(0x0a) + 1;
  const records: BatchRecord[] = [];
  const text = buffer.subarray(0, end).toString('utf8');
  let number = 0;
  for (const line of text.split('\n')) {
    number++;
    if (line.trim() === '') continue;
    let record: BatchRecord;
    try {
      record = JSON.parse(line) as BatchRecord;
    } catch {
      throw new UsageError(`${path} line ${number} is not JSON: not an output of switchyard batch?`);
    }
    if (typeof record?.line !== 'number')
      throw new UsageError(`${path} line ${number} has no "line" field: not an output of switchyard batch?`);
    records.push(record);
  }
  return { records, completeBytes: end, totalBytes: buffer.length };
}

export interface PreviousOutput {
  /** Records already in the output file, in input order. */
  written: BatchRecord[];
  /** Finished records that were waiting for earlier lines when the last run ended. */
  pending: Map<number, BatchRecord>;
}

/** Whether `out` (or its pending file) holds anything a new run would overwrite. */
export function hasOutput(out: string): boolean {
  const nonEmpty = (path: string) => existsSync(path) && readFileSync(path).length > 0;
  return nonEmpty(out) || nonEmpty(pendingPath(out));
}

export function removeOutput(out: string): void {
  rmSync(out, { force: true });
  rmSync(pendingPath(out), { force: true });
}

/**
 * Reads what an earlier run left for `--resume`: the output file (its records must be in input order; a torn
 * last line is cut off the file) and the pending records.
 */
export function readPrevious(out: string): PreviousOutput {
  const written: BatchRecord[] = [];
  if (existsSync(out)) {
    const { records, completeBytes, totalBytes } = readRecords(out);
    if (completeBytes < totalBytes) truncateSync(out, completeBytes);
    let last = 0;
    for (const record of records) {
      if (record.line <= last)
        throw new UsageError(`${out} is not in input order (line ${record.line} after line ${last})`);
      last = record.line;
      written.push(record);
    }
  }
  const pending = new Map<number, BatchRecord>();
  const path = pendingPath(out);
  const lastWritten = written.at(-1)?.line ?? 0;
  if (existsSync(path)) {
    for (const record of readRecords(path).records) if (record.line > lastWritten) pending.set(record.line, record);
  }
  return { written, pending };
}

/**
 * `--retry-failed`: what an earlier run left, minus the lines that failed (failed requests and bad input lines), so
 * that they are sent again. The output keeps the records before the first failed line; the later answered ones
 * become pending, where the ordered writer puts them back in order. Nothing is written (see `rewriteOutput`).
 */
export function withoutFailed(previous: PreviousOutput): { previous: PreviousOutput; dropped: number } {
  const all = [...previous.written, ...previous.pending.values()];
  const failed = all.filter((record) => record.error !== null);
  if (failed.length === 0) return { previous, dropped: 0 };
  const first = Math.min(...failed.map((record) => record.line));
  const answered = all.filter((record) => record.line > first && record.error === null);
  return {
    previous: {
      written: previous.written.filter((record) => record.line < first),
      pending: new Map(answered.map((record) => [record.line, record])),
    },
    dropped: failed.length,
  };
}

/**
 * Replaces the output and pending files with `previous`. Each file is written aside and renamed over the old one,
 * the pending file first: a crash in between leaves the old output, whose records win over the pending ones.
 */
export function rewriteOutput(out: string, previous: PreviousOutput): void {
  const replace = (path: string, records: BatchRecord[]) => {
    writeFileSync(`${path}.tmp`, records.map((record) => `${JSON.stringify(record)}\n`).join(''));
    renameSync(`${path}.tmp`, path);
  };
  replace(pendingPath(out), [...previous.pending.values()]);
  replace(out, previous.written);
}
