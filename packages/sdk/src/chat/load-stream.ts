import { lazyModule } from '../errors/chunk-load.js';

/**
 * The streaming machinery (SSE decoding, chunk assembly, stream timeouts), loaded on the first `stream()`: apps that
 * never stream do not download it.
 */
export const loadStreamAttempt = lazyModule("the SDK's streaming code", () => import('./stream-attempt.js'));
