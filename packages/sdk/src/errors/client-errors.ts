import { SwitchyardError } from './switchyard-error.js';

/** The network failed: DNS, refused connection, TLS, a reset before or during the response. */
export class ConnectionError extends SwitchyardError {
  static override readonly kind: string = 'ConnectionError';
  override readonly code: string = 'connection_error';
}

/** The caller aborted the request (its `AbortSignal` fired or `stream.abort()` was called). */
export class AbortError extends SwitchyardError {
  static override readonly kind: string = 'AbortError';
  override readonly code: string = 'aborted';
}

/** A setting is invalid; the message names the setting and where it came from. */
export class ConfigError extends SwitchyardError {
  static override readonly kind: string = 'ConfigError';
  override readonly code: string = 'invalid_config';
}
