import { SwitchyardError } from '@switchyard/sdk';

/**
 * The ledger write queue is full (the database is down or far slower than the traffic). Thrown by
 * `BatchWriter.enqueue` so the caller refuses the request instead of serving it without a cost record.
 */
export class LedgerOverflowError extends SwitchyardError {
  static override readonly kind: string = 'LedgerOverflowError';
  override readonly code: string = 'ledger_overflow';
}

/** `enqueue` after `close()`: the row would never be written. */
export class LedgerClosedError extends SwitchyardError {
  static override readonly kind: string = 'LedgerClosedError';
  override readonly code: string = 'ledger_closed';
}

/** `settle`/`release` of a reservation id the store never issued (or pruned long ago). */
export class UnknownReservationError extends SwitchyardError {
  static override readonly kind: string = 'UnknownReservationError';
  override readonly code: string = 'unknown_reservation';
}

/** A budget limit that cannot be stored (negative maximum, global scope with an id other than `*`, …). */
export class InvalidBudgetError extends SwitchyardError {
  static override readonly kind: string = 'InvalidBudgetError';
  override readonly code: string = 'invalid_budget';
}

/** `BatchWriter.close()` gave up: rows are still unwritten (the count and the last database error are in the message). */
export class LedgerWriteError extends SwitchyardError {
  static override readonly kind: string = 'LedgerWriteError';
  override readonly code: string = 'ledger_write_failed';
}

/**
 * The SQLite ledger worker thread died (crash, `process.exit`, uncaught error, failed start-up) before answering an
 * append. The batch was not acknowledged, so `BatchWriter` keeps it queued and retries; the store starts a new
 * worker on the next append. Retryable.
 */
export class LedgerWorkerCrashError extends SwitchyardError {
  static override readonly kind: string = 'LedgerWorkerCrashError';
  override readonly code: string = 'ledger_worker_crashed';
}
