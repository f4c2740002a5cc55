/**
 * Takes ledger writes off the request path. `enqueue` only cleans, validates and pushes to memory; a background loop
 * writes batches (when `maxBatch` rows are waiting, or `flushMs` after the first one) and retries failed batches with
 * exponential backoff, keeping them at the head of the queue so order is preserved and nothing is dropped. The
 * queue is bounded: when it is full, `enqueue` throws `LedgerOverflowError` and the caller refuses the request,
 * because serving a request whose cost can't be recorded would be silent loss.
 *
 * A batch is retried whole after any failure, including one that came after its commit (the worker or the connection
 * died before answering): the stores skip rows whose `rowKey` is already stored, so such a retry adds nothing twice.
 *
 * One batch is in flight at a time. On SQLite files the store commits in a worker thread
 * (sqlite/worker-ledger-store.ts), so the event loop only pays for copying the batch there (≈ 1 µs per row).
 */

import { nextId } from '../shared/id-sequence.js';
import { assertLedgerRow, cleanLedgerRow } from './ledger-columns.js';
import type { LedgerStore } from './ledger-store.js';
import type { LedgerRow } from './ledger-types.js';
import { LedgerClosedError, LedgerOverflowError, LedgerWriteError } from './store-errors.js';

export interface BatchWriterOptions {
  /** Rows per `append` call. */
  maxBatch?: number;
  /** How long the first queued row waits for company before a (partial) batch is written. */
  flushMs?: number;
  /** Rows that may wait (including the batch in flight) before `enqueue` throws `ledger_overflow`. */
  maxQueue?: number;
  /** First retry delay after a failed write; doubles per consecutive failure up to `retryMaxMs`. */
  retryBaseMs?: number;
  retryMaxMs?: number;
  /** Failed attempts `close()` makes before rejecting with `ledger_write_failed`. */
  closeAttempts?: number;
  /** Called for every failed write attempt (for logging); the rows stay queued and are retried. */
  onError?: (error: unknown, rows: number) => void;
}

export interface BatchWriterStats {
  /** Rows waiting, including the batch being written. */
  queued: number;
  /** Rows written since construction. */
  written: number;
  /** Failed write attempts since construction. */
  failed: number;
  lastError?: unknown;
}

export class BatchWriter {
  readonly #store: LedgerStore;
  readonly #maxBatch: number;
  readonly #flushMs: number;
  readonly #maxQueue: number;
  readonly #retryBaseMs: number;
  readonly #retryMaxMs: number;
  readonly #closeAttempts: number;
  readonly #onError: ((error: unknown, rows: number) => void) | undefined;

  /** Rows before `#head` are written; the array is compacted now and then instead of shifting per batch. */
  #queue: LedgerRow[] = [];
  #head = 0;
  #enqueued = 0;
  #written = 0;
  #failed = 0;
  #consecutiveFailures = 0;
  #lastError: unknown;
  #timer: NodeJS.Timeout | undefined;
  #timerImmediate = false;
  #running: Promise<void> | undefined;
  #closing: Promise<void> | undefined;
  /** Set when `close()` gave up: no more background retries. */
  #stopped = false;

  constructor(store: LedgerStore, options: BatchWriterOptions = {}) {
    this.#store = store;
    this.#maxBatch = Math.max(1, options.maxBatch ?? 500);
    this.#flushMs = Math.max(0, options.flushMs ?? 50);
    this.#maxQueue = Math.max(1, options.maxQueue ?? 100_000);
    this.#retryBaseMs = options.retryBaseMs ?? 50;
    this.#retryMaxMs = options.retryMaxMs ?? 5_000;
    this.#closeAttempts = options.closeAttempts ?? 5;
    this.#onError = options.onError;
  }

  get stats(): BatchWriterStats {
    const stats: BatchWriterStats = { queued: this.#pending, written: this.#written, failed: this.#failed };
    if (this.#lastError !== undefined) stats.lastError = this.#lastError;
    return stats;
  }

  get #pending(): number {
    return this.#queue.length - this.#head;
  }

  /**
   * Queues one attempt's row; returns at once. Gives the row its `rowKey` when it has none, so that a batch written
   * again after a lost acknowledgement stores nothing twice. Throws `ledger_overflow` when the queue is full,
   * `ledger_closed` after `close()`.
   */
  enqueue(row: LedgerRow): void {
    if (this.#closing) throw new LedgerClosedError('the ledger writer is closed; this attempt would not be recorded');
    if (this.#pending >= this.#maxQueue) {
      const cause = this.#lastError instanceof Error ? `; last write error: ${this.#lastError.message}` : '';
      throw new LedgerOverflowError(`ledger write queue is full (${this.#maxQueue} rows waiting${cause})`, {
        retryable: true,
        cause: this.#lastError,
      });
    }
    cleanLedgerRow(row);
    assertLedgerRow(row);
    row.rowKey ??= nextId();
    this.#queue.push(row);
    this.#enqueued++;
    this.#schedule();
  }

  /** Resolves once every row enqueued before the call is written; rejects with the write error if a batch fails (the rows stay queued). */
  async flush(): Promise<void> {
    const target = this.#enqueued;
    while (this.#written < target) {
      this.#clearTimer();
      await this.#drain();
    }
  }

  /** Stops accepting rows and writes everything queued, retrying; rejects with `ledger_write_failed` if it cannot. */
  close(): Promise<void> {
    this.#closing ??= this.#closeNow();
    return this.#closing;
  }

  async #closeNow(): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.flush();
        return;
      } catch (error) {
        if (attempt >= this.#closeAttempts) {
          this.#stopped = true;
          this.#clearTimer();
          const message = error instanceof Error ? error.message : String(error);
          throw new LedgerWriteError(`${this.#pending} ledger rows could not be written: ${message}`, { cause: error });
        }
        this.#clearTimer();
        await new Promise((resolve) => setTimeout(resolve, this.#backoffMs()));
      }
    }
  }

  #schedule(): void {
    if (this.#running || this.#stopped || this.#pending === 0) return;
    const backingOff = this.#consecutiveFailures > 0;
    const full = this.#pending >= this.#maxBatch;
    if (this.#timer) {
      // A batch just filled up while waiting for the flush timer: write now instead (not while backing off).
      if (!full || backingOff || this.#timerImmediate) return;
      this.#clearTimer();
    }
    const delay = backingOff ? this.#backoffMs() : full ? 0 : this.#flushMs;
    this.#timerImmediate = delay === 0;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      // Failures are counted in stats and reported to onError; the loop reschedules itself.
      this.#drain().catch(() => {});
    }, delay);
  }

  #clearTimer(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #backoffMs(): number {
    const exponent = Math.max(0, this.#consecutiveFailures - 1);
    const delay = Math.min(this.#retryMaxMs, this.#retryBaseMs * 2 ** exponent);
    // Jitter keeps several gateways from hammering a recovering database in lockstep.
    return delay * (0.8 + Math.random() * 0.4);
  }

  /** Writes batches until the queue is empty; joins the loop already running, if any. */
  #drain(): Promise<void> {
    this.#running ??= this.#loop().finally(() => {
      this.#running = undefined;
      this.#schedule();
    });
    return this.#running;
  }

  async #loop(): Promise<void> {
    while (this.#pending > 0) {
      const batch = this.#queue.slice(this.#head, this.#head + this.#maxBatch);
      try {
        await this.#store.append(batch);
      } catch (error) {
        this.#failed++;
        this.#consecutiveFailures++;
        this.#lastError = error;
        this.#onError?.(error, batch.length);
        throw error;
      }
      this.#consecutiveFailures = 0;
      this.#head += batch.length;
      this.#written += batch.length;
      if (this.#head >= 4096 && this.#head * 2 >= this.#queue.length) {
        this.#queue = this.#queue.slice(this.#head);
        this.#head = 0;
      }
    }
  }
}
