import { randomBytes } from 'node:crypto';

/** Ids a client may send in `x-request-id` and have echoed (anything else is replaced, so logs stay clean). */
const GIVEN_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** This process's random part: ids stay unique across the gateways sharing a ledger. */
const PROCESS_PART = randomBytes(8).toString('hex');
let counter = 0;

/**
 * A new request id, `req_` + 16 random hex digits fixed per process + a counter. A random UUID per request cost
 * microseconds of every request for uniqueness the counter gives as well; ids are not secrets.
 */
export function newRequestId(): string {
  counter = (counter + 1) % Number.MAX_SAFE_INTEGER;
  return `req_${PROCESS_PART}${counter.toString(36)}`;
}

/** The client's `x-request-id` when it is a sane one, else a new id. */
export function requestIdFor(given: string | string[] | undefined): string {
  return typeof given === 'string' && GIVEN_ID.test(given) ? given : newRequestId();
}
