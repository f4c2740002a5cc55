import { randomBytes } from 'node:crypto';

/** This process's random part: keys stay unique across the gateways sharing a ledger. */
const PROCESS_PART = randomBytes(6).toString('hex');
let counter = 0;

/**
 * A new ledger row key: 12 random hex digits fixed per process, then a counter in fixed-width base 36, so a
 * process's keys sort in the order they were made (its inserts land at the right end of the unique index).
 */
export function newRowKey(): string {
  counter++;
  return `${PROCESS_PART}${counter.toString(36).padStart(11, '0')}`;
}
