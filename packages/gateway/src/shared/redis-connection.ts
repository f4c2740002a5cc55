/**
 * The one place Redis connections are made (REDIS_URL). The settings favour failing a request fast over waiting:
 * a gateway that cannot reach its shared state should answer 503 within a few seconds, not hang its clients.
 */
import { ConfigError } from '@switchyard/sdk';
import { Redis } from 'ioredis';

export interface RedisConnectionOptions {
  /**
   * Prepended to every key (ioredis `keyPrefix`), so several deployments, or tests, can share one Redis without
   * seeing each other's state. Default `switchyard:`. Note that ioredis does not apply it to SCAN patterns.
   */
  keyPrefix?: string;
  /** Give up a connection attempt after this long (default 5 000 ms). */
  connectTimeoutMs?: number;
  /** Reject a command Redis has not answered within this time (default 2 000 ms), so a hung server cannot hang us. */
  commandTimeoutMs?: number;
  /**
   * Reconnect attempts a command waits through before it rejects (default 1). Small on purpose: a dead Redis turns
   * into typed errors within about one backoff step instead of requests piling up in the offline queue.
   */
  maxRetriesPerRequest?: number;
  /** Upper bound of the reconnect backoff (default 2 000 ms). Reconnecting never stops; only its pace is bounded. */
  maxBackoffMs?: number;
  /** Shown in `CLIENT LIST` (default `switchyard`). */
  connectionName?: string;
  /**
   * Connection-level errors (refused, reset, auth). Without a listener ioredis would crash the process on them, so
   * one is always installed; this callback sees them with any password scrubbed, at most once per
   * `errorIntervalMs` for a repeated message so an outage does not flood the log.
   */
  onError?: (error: Error) => void;
  /** Default 10 000 ms. */
  errorIntervalMs?: number;
}

export const DEFAULT_KEY_PREFIX = 'switchyard:';

/** Handlers by connection, so `duplicateRedis` can give dedicated connections the same error reporting. */
const errorHandlers = new WeakMap<Redis, (error: Error) => void>();

/** `redis://host:port/db` without user or password: what messages and logs may show about a Redis URL. */
export function redisTarget(url: string): string {
  try {
    const parsed = new URL(url);
    const db = parsed.pathname.replace(/^\//, '') || '0';
    return `${parsed.protocol}//${parsed.hostname}${parsed.port ? `:${parsed.port}` : ''}/${db}`;
  } catch {
    return '(unparseable Redis URL)';
  }
}

/** The password as ioredis will send it; the raw text when its %-escapes are malformed (still scrubbed). */
function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function parseRedisUrl(url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ConfigError('REDIS_URL is not a valid URL (expected redis://[user:password@]host:port[/db])');
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new ConfigError(`REDIS_URL must start with redis:// or rediss:// (got ${parsed.protocol}//…)`);
  }
  const db = parsed.pathname.replace(/^\//, '');
  if (db !== '' && !/^\d+$/.test(db)) {
    throw new ConfigError(`REDIS_URL database must be a number (got "${db}") in ${redisTarget(url)}`);
  }
  return parsed;
}

/** Reports errors to `onError` with the password removed, dropping repeats of the same message within `intervalMs`. */
function errorReporter(password: string, onError: ((error: Error) => void) | undefined, intervalMs: number) {
  let lastMessage = '';
  let lastAt = 0;
  return (error: Error) => {
    if (!onError) return;
    const message = password ? error.message.split(password).join('***') : error.message;
    const now = Date.now();
    if (message === lastMessage && now - lastAt < intervalMs) return;
    lastMessage = message;
    lastAt = now;
    const scrubbed = message === error.message ? error : Object.assign(new Error(message), { code: errorCode(error) });
    try {
      onError(scrubbed);
    } catch {
      // A failing log sink must not turn a connection error into a crash.
    }
  };
}

function errorCode(error: Error): unknown {
  return (error as { code?: unknown }).code;
}

/**
 * Opens a client for `url` (`redis://[user:password@]host:port[/db]`, `rediss://` for TLS). It connects in the
 * background and reconnects forever with exponential backoff capped at `maxBackoffMs` (plus jitter so a fleet of
 * gateways does not reconnect in lockstep).
 *
 * Commands in flight when a connection drops are NOT resent after reconnecting (`autoResendUnfulfilledCommands:
 * false`): Redis may already have executed them, and replaying an INCRBY or a budget script would count twice.
 * They reject instead; commands issued while disconnected wait in the offline queue (never sent, so safe to send
 * later) for at most `maxRetriesPerRequest` reconnect attempts.
 */
export function connectRedis(url: string, options: RedisConnectionOptions = {}): Redis {
  const parsed = parseRedisUrl(url);
  const password = safeDecode(parsed.password);
  const maxBackoffMs = options.maxBackoffMs ?? 2_000;
  const redis = new Redis(url, {
    keyPrefix: options.keyPrefix ?? DEFAULT_KEY_PREFIX,
    connectTimeout: options.connectTimeoutMs ?? 5_000,
    commandTimeout: options.commandTimeoutMs ?? 2_000,
    maxRetriesPerRequest: options.maxRetriesPerRequest ?? 1,
    retryStrategy: (times) => Math.min(50 * 2 ** Math.min(times, 16), maxBackoffMs) + Math.floor(Math.random() * 100),
    autoResendUnfulfilledCommands: false,
    connectionName: options.connectionName ?? 'switchyard',
    // Read-only replicas or failovers answer READONLY: reconnect so the client finds the new primary.
    reconnectOnError: (error) => error.message.startsWith('READONLY'),
  });
  const report = errorReporter(password, options.onError, options.errorIntervalMs ?? 10_000);
  redis.on('error', report);
  errorHandlers.set(redis, report);
  return redis;
}

/**
 * A second connection with the same settings and error reporting, for commands that hold connection state
 * (WATCH/MULTI): they must not share a connection with unrelated concurrent commands.
 */
export function duplicateRedis(redis: Redis): Redis {
  const copy = redis.duplicate();
  const report = errorHandlers.get(redis) ?? (() => {});
  copy.on('error', report);
  errorHandlers.set(copy, report);
  return copy;
}

/** Closes a connection politely (QUIT), or at once if Redis does not answer within `timeoutMs`. Never throws. */
export async function closeRedis(redis: Redis, timeoutMs = 1_000): Promise<void> {
  if (redis.status === 'end') return;
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    await Promise.race([
      redis.quit(),
      new Promise((resolve) => {
        timer = setTimeout(resolve, timeoutMs);
      }),
    ]);
  } catch {
    // Already closed or unreachable: disconnect below.
  } finally {
    clearTimeout(timer);
    redis.disconnect();
  }
}
