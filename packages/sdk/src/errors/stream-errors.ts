import { type PartialOutput, SwitchyardError, type SwitchyardErrorOptions } from './switchyard-error.js';

/**
 * A stream failed after content had reached the consumer (an in-band error, a dropped connection, an idle
 * timeout). `cause` is the underlying typed error; `partial` what arrived before.
 */
export class StreamError extends SwitchyardError {
  static override readonly kind: string = 'StreamError';
  override readonly code: string = 'stream_error';
  declare partial: PartialOutput;

  constructor(message: string, options: SwitchyardErrorOptions & { partial: PartialOutput }) {
    super(message, options);
  }
}

/** The stream ended without a finish reason or `[DONE]`: the answer is incomplete even though no error arrived. */
export class StreamTruncatedError extends StreamError {
  static override readonly kind: string = 'StreamTruncatedError';
  override readonly code: string = 'stream_truncated';
}
