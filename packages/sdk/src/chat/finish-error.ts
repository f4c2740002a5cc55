import type { WireError } from '../protocol/chat.js';

/**
 * `finish_reason: "error"` without an `error` object: the reference (§3.1, §3.5) gives this finish reason only to
 * provider failures, so it is one, not a successful answer. 502 makes it a ProviderError (`provider_error`),
 * retryable like any provider failure while nothing has been delivered.
 */
export function finishReasonError(native: string | null): WireError {
  const said = native && native !== 'error' ? ` (native: ${native})` : '';
  return {
    code: 502,
    message: `The provider ended the answer with finish_reason "error"${said} and no error details`,
    metadata: { error_type: 'finish_reason_error' },
  };
}
