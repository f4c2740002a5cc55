import { randomBytes } from 'node:crypto';

/** This process's random part: ids stay unique across the gateways sharing a ledger. */
const PROCESS_PART = randomBytes(8).toString('hex');
let counter = 0;

/**
 * A new id unique to this process and run: 16 random hex digits fixed per process, then a counter in fixed-width
 * base 36, so a process's ids sort in the order they were made. Microseconds cheaper than a UUID per call; ids are
 * not secrets.
 */
export function nextId(): string {
  counter++;
  return `${PROCESS_PART}${counter.toString(36).padStart(11, '0')}`;
}
