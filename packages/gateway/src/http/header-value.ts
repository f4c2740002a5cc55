/** Printable ASCII (and tab): what a header value carries the same way through every client and proxy. */
const PLAIN = /^[\t\x20-\x7e]*$/;

/**
 * A value from an upstream's answer (its generation id, the model that served) made fit for a response header:
 * as it is when plain ASCII, else percent-encoded as UTF-8 (`acme/%D0%BC…`), the way non-ASCII text travels in
 * headers; undefined when empty or not encodable (a lone surrogate). Setting such a value as it came threw
 * (`ERR_INVALID_CHAR`) and turned an answer already in hand into a 500, or was mangled by clients reading Latin-1.
 */
export function headerValue(value: string | undefined): string | undefined {
  if (!value) return undefined;
  if (PLAIN.test(value)) return value;
  try {
    return encodeURI(value);
  } catch {
    return undefined;
  }
}
