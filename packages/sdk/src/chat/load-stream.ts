import { chunkLoadError } from '../errors/chunk-load.js';
import type * as StreamAttemptModule from './stream-attempt.js';

let loading: Promise<typeof StreamAttemptModule> | undefined;

/**
 * The streaming machinery (SSE decoding, chunk assembly, stream timeouts) is loaded on the first `stream()`: a lazy
 * chunk in browser bundles, so apps that never stream do not download it. The promise is kept, so later streams
 * wait one microtask; a failed load (a browser that lost its connection to the app's server) is retried next time.
 */
export function loadStreamAttempt(): Promise<typeof StreamAttemptModule> {
  loading ??= import('./stream-attempt.js').catch((error: unknown) => {
    loading = undefined;
    throw chunkLoadError("the SDK's streaming code", error);
  });
  return loading;
}
