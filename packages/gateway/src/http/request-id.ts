import { nextId } from '../shared/id-sequence.js';

/** Ids a client may send in `x-request-id` and have echoed (anything else is replaced, so logs stay clean). */
const GIVEN_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** A new request id: `req_` and a process-unique id (see `nextId`). */
export function newRequestId(): string {
  return `req_${nextId()}`;
}

/** The client's `x-request-id` when it is a sane one, else a new id. */
export function requestIdFor(given: string | string[] | undefined): string {
  return typeof given === 'string' && GIVEN_ID.test(given) ? given : newRequestId();
}
