/**
 * When the server says to come back, from every header and body field that can carry it, most precise first:
 * `retry-after-ms`, `Retry-After` (seconds or an HTTP date), `X-RateLimit-Reset` (epoch ms — or seconds, from
 * some proxies), then the same reset copied into `error.metadata.headers`, then `error.availability.retry_after`.
 */

export interface HeaderSource {
  get(name: string): string | null;
}

export interface RateLimitInfo {
  retryAfterMs?: number;
  limit?: number;
  remaining?: number;
  resetAt?: number;
}

function num(value: unknown): number | undefined {
  if (value === null || value === undefined || value === '') return undefined;
  const n = Number(value);
  return Number.isFinite(n) ? n : undefined;
}

/** Parses a `Retry-After` value: delta-seconds or an HTTP date; never negative. */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** An `X-RateLimit-Reset` value as epoch ms (values that look like seconds are scaled). */
export function parseResetAt(value: unknown): number | undefined {
  const n = num(value);
  if (n === undefined) return undefined;
  return n < 1e12 ? n * 1000 : n;
}

export function rateLimitInfo(
  headers: HeaderSource | undefined,
  metadata?: Record<string, unknown>,
  extra?: Record<string, unknown>,
  now = Date.now(),
): RateLimitInfo {
  const copied = (metadata?.headers ?? {}) as Record<string, unknown>;
  const header = (name: string): string | undefined =>
    headers?.get(name) ?? (copied[name] as string | undefined) ?? undefined;
  const info: RateLimitInfo = {};
  info.limit = num(header('X-RateLimit-Limit'));
  info.remaining = num(header('X-RateLimit-Remaining'));
  info.resetAt = parseResetAt(header('X-RateLimit-Reset'));
  const ms = num(headers?.get('retry-after-ms'));
  const availability = (extra?.availability ?? undefined) as { retry_after?: unknown } | undefined;
  info.retryAfterMs =
    (ms !== undefined ? Math.max(0, ms) : undefined) ??
    parseRetryAfter(headers?.get('retry-after'), now) ??
    (info.resetAt !== undefined ? Math.max(0, info.resetAt - now) : undefined) ??
    (num(availability?.retry_after) !== undefined ? (num(availability?.retry_after) as number) * 1000 : undefined);
  for (const key of Object.keys(info) as (keyof RateLimitInfo)[]) if (info[key] === undefined) delete info[key];
  return info;
}
