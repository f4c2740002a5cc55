/**
 * CORS on every answer, so a page can call the simulator as it calls OpenRouter. A browser hides response headers
 * that are not exposed: without this list a page's client could not read `Retry-After` (and would retry blindly),
 * the rate-limit headers or the generation id.
 */
export const CORS_ANSWER = {
  'access-control-allow-origin': '*',
  'access-control-expose-headers':
    'x-generation-id, retry-after, retry-after-ms, x-ratelimit-limit, x-ratelimit-remaining, x-ratelimit-reset',
} as const;
