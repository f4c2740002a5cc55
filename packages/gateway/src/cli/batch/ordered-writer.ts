import { appendFileSync, mkdirSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import type { BatchRecord } from './batch-record.js';
import { pendingPath } from './output-file.js';

/**
 * Writes records to the output in input order, whatever order they finish in. A record that finishes before the
 * lines above it is first appended to `<out>.pending` (so a crash loses no answer that was paid for) and moves to
 * the output when its turn comes. Both files are appended synchronously, one complete line at a time.
 */
export class OrderedWriter {
  private readonly ready = new Map<number, BatchRecord>();
  private next = 0;
  private readonly pending: string;

  /**
   * @param order the input lines still to be written, in order
   * @param carried records finished by an earlier run (already in the pending file)
   */
  constructor(
    private readonly out: string,
    private readonly order: readonly number[],
    carried: ReadonlyMap<number, BatchRecord>,
  ) {
    this.pending = pendingPath(out);
    mkdirSync(dirname(out), { recursive: true });
    appendFileSync(out, '');
    for (const [line, record] of carried) this.ready.set(line, record);
    this.flush();
  }

  /** Takes a finished line. */
  add(record: BatchRecord): void {
    const json = `${JSON.stringify(record)}\n`;
    if (this.order[this.next] !== record.line) appendFileSync(this.pending, json);
    this.ready.set(record.line, record);
    this.flush();
  }

  /** Every line has been written. */
  get complete(): boolean {
    return this.next >= this.order.length;
  }

  /** Lines that are finished but still wait for an earlier line. */
  get waiting(): number {
    return this.ready.size;
  }

  /** Ends the run: once everything is written, the pending file goes. */
  close(): void {
    if (this.complete) rmSync(this.pending, { force: true });
  }

  private flush(): void {
    const lines: string[] = [];
    for (;;) {
      const line = this.order[this.next];
      if (line === undefined) break;
      const record = this.ready.get(line);
      if (!record) break;
      lines.push(JSON.stringify(record));
      this.ready.delete(line);
      this.next++;
    }
    if (lines.length > 0) appendFileSync(this.out, `${lines.join('\n')}\n`);
  }
}
