import { InvalidRequestError } from '@switchyard/sdk';

/** A 400 `invalid_request` that names the offending field in `metadata.field`, as every route's validation does. */
export function invalidField(field: string, message: string): InvalidRequestError {
  return new InvalidRequestError(message, { status: 400, metadata: { field } });
}
