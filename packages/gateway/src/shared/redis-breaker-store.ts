/**
 * Circuit-breaker records in Redis, one JSON string per target, so every gateway instance sees the same breakers:
 * when one instance's failures open a breaker the others skip the target too, and only one of them wins the probe.
 *
 * `update(key, fn)` is an optimistic read-modify-write: WATCH the key, GET it, run `fn`, then MULTI/SET/EXEC. EXEC
 * fails if anyone changed the key in between, and the loop retries with a fresh read (which is why `fn` must be
 * pure). WATCH is per connection, so updates run on a small pool of dedicated connections, never on the shared one
 * whose other commands would interleave; updates of one key from this process are queued behind each other, so
 * retries only happen against other processes. After `maxAttempts` lost races it throws
 * `BreakerStoreContentionError`.
 *
 * Records expire after `idleTtlMs` (default 1 day) without a write, so targets that disappeared (models renamed,
 * upstreams dropped) do not accumulate; a forgotten record reads as a closed breaker, which is what an idle target
 * should be anyway.
 */
import type { BreakerRecord, BreakerStore } from '@switchyard/sdk';
import type { Redis } from 'ioredis';
import { closeRedis, duplicateRedis } from './redis-connection.js';
import { BreakerStoreContentionError, toRedisError } from './redis-errors.js';

export interface RedisBreakerStoreOptions {
  /** Key namespace inside the connection's prefix (default `breaker:`). */
  namespace?: string;
  /** A record not written for this long is deleted by Redis (default 86 400 000 ms = 1 day). */
  idleTtlMs?: number;
  /** Optimistic attempts per `update` before giving up (default 50). */
  maxAttempts?: number;
  /** Dedicated connections for WATCH/MULTI, created on demand (default 4). */
  connections?: number;
  /** Close the main connection in `close()` (default false: the shared state owns it). */
  ownsConnection?: boolean;
}

const SCAN_COUNT = 500;

/** Escapes the glob characters of SCAN MATCH (`* ? [ ] \`), so a prefix matches literally. */
function globEscape(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}

/** A stored value as a record, or undefined when it is missing or not a breaker record (then it is overwritten). */
function parseRecord(raw: string | null): BreakerRecord | undefined {
  if (raw === null) return undefined;
  try {
    const value = JSON.parse(raw) as BreakerRecord;
    const valid =
      typeof value === 'object' &&
      value !== null &&
      typeof value.state === 'string' &&
      typeof value.consecutiveFailures === 'number' &&
      Array.isArray(value.window?.buckets);
    return valid ? value : undefined;
  } catch {
    return undefined;
  }
}

/** Carries an error thrown by the update callback past the Redis error translation. */
class CallbackError {
  constructor(readonly error: unknown) {}
}

export class RedisBreakerStore implements BreakerStore {
  readonly #redis: Redis;
  readonly #namespace: string;
  readonly #ttlMs: number;
  readonly #maxAttempts: number;
  readonly #maxConnections: number;
  readonly #ownsConnection: boolean;
  readonly #pool: Redis[] = [];
  readonly #idle: Redis[] = [];
  readonly #waiting: ((connection: Redis) => void)[] = [];
  /** Tail of the queue of updates per key in this process. */
  readonly #queues = new Map<string, Promise<unknown>>();
  #closed = false;

  constructor(redis: Redis, options: RedisBreakerStoreOptions = {}) {
    this.#redis = redis;
    this.#namespace = options.namespace ?? 'breaker:';
    this.#ttlMs = options.idleTtlMs ?? 86_400_000;
    this.#maxAttempts = options.maxAttempts ?? 50;
    this.#maxConnections = Math.max(1, options.connections ?? 4);
    this.#ownsConnection = options.ownsConnection ?? false;
  }

  #key(key: string): string {
    return this.#namespace + key;
  }

  #fail(error: unknown, operation: string): Error {
    return toRedisError(error, `breaker ${operation}`, this.#redis.options.password);
  }

  async get(key: string): Promise<BreakerRecord | undefined> {
    try {
      return parseRecord(await this.#redis.get(this.#key(key)));
    } catch (error) {
      throw this.#fail(error, 'get');
    }
  }

  update(key: string, fn: (current: BreakerRecord | undefined) => BreakerRecord): Promise<BreakerRecord> {
    const previous = this.#queues.get(key) ?? Promise.resolve();
    const run = previous.then(
      () => this.#update(key, fn),
      () => this.#update(key, fn),
    );
    const tail = run.catch(() => {});
    this.#queues.set(key, tail);
    void tail.then(() => {
      if (this.#queues.get(key) === tail) this.#queues.delete(key);
    });
    return run;
  }

  async #update(key: string, fn: (current: BreakerRecord | undefined) => BreakerRecord): Promise<BreakerRecord> {
    const connection = await this.#acquire();
    const redisKey = this.#key(key);
    try {
      for (let attempt = 1; attempt <= this.#maxAttempts; attempt++) {
        await connection.watch(redisKey);
        const raw = await connection.get(redisKey);
        const current = parseRecord(raw);
        let next: BreakerRecord;
        try {
          next = fn(current);
        } catch (error) {
          // The caller's own error: no Redis problem to report, just leave no WATCH behind.
          await connection.unwatch().catch(() => {});
          throw new CallbackError(error);
        }
        // Nothing changed (an open breaker ignoring a late success): skip the write, keep the TTL running.
        if (next === current && current !== undefined) {
          await connection.unwatch();
          return next;
        }
        const result = await connection.multi().set(redisKey, JSON.stringify(next), 'PX', this.#ttlMs).exec();
        if (result !== null) {
          const failed = result.find(([error]) => error);
          if (failed) throw failed[0];
          return next;
        }
        // Someone else wrote the key first: back off a little (jittered, growing) and read again.
        await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(50, 2 ** attempt)));
      }
      throw new BreakerStoreContentionError(
        `breaker record ${key} changed under ${this.#maxAttempts} consecutive update attempts; giving up`,
        { retryable: true },
      );
    } catch (error) {
      if (error instanceof CallbackError) throw error.error;
      // Leave no WATCH behind on a connection that goes back to the pool.
      await connection.unwatch().catch(() => {});
      throw this.#fail(error, 'update');
    } finally {
      this.#release(connection);
    }
  }

  async #acquire(): Promise<Redis> {
    if (this.#closed) throw this.#fail(new Error('the breaker store is closed'), 'update');
    const idle = this.#idle.pop();
    if (idle) return idle;
    if (this.#pool.length < this.#maxConnections) {
      const connection = duplicateRedis(this.#redis);
      this.#pool.push(connection);
      return connection;
    }
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  #release(connection: Redis): void {
    const next = this.#waiting.shift();
    if (next) next(connection);
    else this.#idle.push(connection);
  }

  async entries(prefix?: string): Promise<[string, BreakerRecord][]> {
    // ioredis does not prefix SCAN patterns, nor strip the prefix from the keys SCAN returns.
    const full = (this.#redis.options.keyPrefix ?? '') + this.#namespace;
    const pattern = `${globEscape(full + (prefix ?? ''))}*`;
    try {
      const keys = new Set<string>();
      let cursor = '0';
      do {
        const [next, batch] = await this.#redis.scan(cursor, 'MATCH', pattern, 'COUNT', SCAN_COUNT);
        cursor = next;
        for (const k of batch) keys.add(k.slice(full.length));
      } while (cursor !== '0');
      const names = [...keys];
      const out: [string, BreakerRecord][] = [];
      for (let i = 0; i < names.length; i += SCAN_COUNT) {
        const chunk = names.slice(i, i + SCAN_COUNT);
        const values = await this.#redis.mget(chunk.map((k) => this.#key(k)));
        chunk.forEach((k, j) => {
          const record = parseRecord(values[j] ?? null);
          // Deleted or expired between SCAN and MGET: it no longer exists.
          if (record) out.push([k, record]);
        });
      }
      return out;
    } catch (error) {
      throw this.#fail(error, 'entries');
    }
  }

  async delete(key: string): Promise<void> {
    try {
      await this.#redis.del(this.#key(key));
    } catch (error) {
      throw this.#fail(error, 'delete');
    }
  }

  /** Closes the dedicated update connections (and the main one when owned). */
  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all(this.#pool.splice(0).map((connection) => closeRedis(connection)));
    this.#idle.length = 0;
    if (this.#ownsConnection) await closeRedis(this.#redis);
  }
}
