export { AbortError, ConfigError, ConnectionError } from './client-errors.js';
export {
  AuthenticationError,
  ContextLengthError,
  InsufficientCreditsError,
  InvalidModelError,
  InvalidRequestError,
  MissingApiKeyError,
  ModerationError,
  NoEndpointsError,
  NotFoundError,
  OverloadedError,
  PayloadTooLargeError,
  PermissionDeniedError,
  ProviderError,
  RateLimitError,
  ResponseTooLargeError,
  ServerError,
  TimeoutError,
  UnexpectedResponseError,
} from './http-errors.js';
export { StreamError, StreamTruncatedError } from './stream-errors.js';
export { type PartialOutput, SwitchyardError, type SwitchyardErrorOptions } from './switchyard-error.js';
