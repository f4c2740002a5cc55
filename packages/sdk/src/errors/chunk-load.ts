import { ConnectionError } from './client-errors.js';

/**
 * The error for a lazily loaded part of the SDK that failed to load. In a browser bundle each such part is a chunk
 * fetched from the app's server, so the likely cause is the connection: a `ConnectionError`, retryable (the next
 * call tries the load again).
 */
export function chunkLoadError(what: string, cause: unknown): ConnectionError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new ConnectionError(`Could not load ${what}: ${reason}`, { cause, retryable: true });
}

/**
 * A loader for a part of the SDK that is split off with `import()` (a lazy chunk in browser bundles): loaded once
 * and kept, so later calls wait one microtask; a failed load becomes a `chunkLoadError` and is tried again by the
 * next call.
 */
export function lazyModule<T>(what: string, load: () => Promise<T>): () => Promise<T> {
  let loading: Promise<T> | undefined;
  return () => {
    loading ??= load().catch((error: unknown) => {
      loading = undefined;
      throw chunkLoadError(what, error);
    });
    return loading;
  };
}
