import { InvalidRequestError } from '@switchyard/sdk';

// The 400s every route's validation and every dialect's translation answer with, so a client can point at the field.

/** A 400 `invalid_request` that names the offending field in `metadata.field`. */
export function invalidField(field: string, message: string): InvalidRequestError {
  return new InvalidRequestError(message, { status: 400, metadata: { field } });
}

/** A 400 for a field of the wrong type or shape. */
export function field(name: string, expected: string, value: unknown): InvalidRequestError {
  const got = Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value;
  return invalidField(name, `Invalid value for '${name}': expected ${expected}, received ${got}`);
}

/** The request body as a JSON object, or the 400 every endpoint answers anything else with. */
export function bodyObject(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new InvalidRequestError('Request body must be a JSON object', { status: 400 });
  }
  return body as Record<string, unknown>;
}
