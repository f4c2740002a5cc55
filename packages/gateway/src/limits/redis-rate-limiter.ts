/**
 * Rate limits shared by every gateway on one Redis, with exactly the semantics of `MemoryRateLimiter`: fixed UTC
 * minute and UTC day windows (`windows(now)`), all-or-nothing `take`, the same decision fields.
 *
 * Atomicity: the read-check-increment of all three counters is ONE Lua script, so concurrent requests on any number
 * of instances can never admit more than the limit, and a request refused by one limit consumes none of the others.
 * The script only decides "fits or not" and returns the counts it saw; the decision (which limit, remaining, reset)
 * is computed here from those counts, the same way the memory limiter computes it.
 *
 * Time comes from the caller (`now`), never from Redis TIME, so tests can inject it and a window is the window the
 * gateway believes it is in. Counters live `resetAt - now + 60 s`: a relative PEXPIRE equal to "window end plus a
 * margin" on the caller's clock, which stays right even when the Redis host's clock is off.
 *
 * Counts are far below 2^53, so Lua's double arithmetic is exact for them. The token counter uses INCRBYFLOAT so
 * fractional estimates behave as in the memory limiter.
 */
import type { Redis } from 'ioredis';
import { closeRedis } from '../shared/redis-connection.js';
import { toRedisError } from '../shared/redis-errors.js';
import { RedisScript } from '../shared/redis-script.js';
import {
  type LimitName,
  type RateLimitDecision,
  type RateLimiter,
  type RateLimitRequest,
  windows,
} from './rate-limiter.js';

/** How long a counter outlives its window (covers instances whose clocks lag a little). */
const WINDOW_MARGIN_MS = 60_000;

const TAKE = new RedisScript(
  'rate-limit-take',
  `-- KEYS: the rpm, rpd and tpm counters of the current windows.
-- ARGV[1..3]: limits ('' = not limited); ARGV[4..6]: what this request costs; ARGV[7..9]: counter lifetimes (ms).
local used = {'0', '0', '0'}
for i = 1, 3 do
  if ARGV[i] ~= '' then used[i] = redis.call('GET', KEYS[i]) or '0' end
end
for i = 1, 3 do
  if ARGV[i] ~= '' and tonumber(used[i]) + tonumber(ARGV[3 + i]) > tonumber(ARGV[i]) then
    return {'0', tostring(i), used[1], used[2], used[3]}
  end
end
for i = 1, 3 do
  if ARGV[i] ~= '' then
    if i == 3 then
      redis.call('INCRBYFLOAT', KEYS[i], ARGV[3 + i])
    else
      redis.call('INCRBY', KEYS[i], ARGV[3 + i])
    end
    redis.call('PEXPIRE', KEYS[i], ARGV[6 + i])
  end
end
return {'1', '0', used[1], used[2], used[3]}`,
);

export interface RedisRateLimiterOptions {
  /** Key namespace inside the connection's prefix (default `rl:`). */
  namespace?: string;
  /** Close the connection in `close()` (default false: the shared state owns it). */
  ownsConnection?: boolean;
}

const NAMES: readonly LimitName[] = ['requestsPerMinute', 'requestsPerDay', 'tokensPerMinute'];

export class RedisRateLimiter implements RateLimiter {
  readonly #redis: Redis;
  readonly #namespace: string;
  readonly #ownsConnection: boolean;

  constructor(redis: Redis, options: RedisRateLimiterOptions = {}) {
    this.#redis = redis;
    this.#namespace = options.namespace ?? 'rl:';
    this.#ownsConnection = options.ownsConnection ?? false;
  }

  /** `rl:<subject>:rpm:<window start>`; the subject is URI-encoded so no crafted id can collide with another's keys. */
  #key(subject: string, kind: 'rpm' | 'rpd' | 'tpm', window: number): string {
    return `${this.#namespace}${encodeURIComponent(subject)}:${kind}:${window}`;
  }

  async take({ subject, limits, tokens, now = Date.now() }: RateLimitRequest): Promise<RateLimitDecision> {
    if (!Number.isFinite(tokens)) throw new RangeError(`rate limiter: tokens must be a finite number, got ${tokens}`);
    const w = windows(now);
    const checks: [limit: number | undefined, key: string, resetAt: number, cost: number][] = [
      [limits.requestsPerMinute, this.#key(subject, 'rpm', w.minute), w.minuteReset, 1],
      [limits.requestsPerDay, this.#key(subject, 'rpd', w.day), w.dayReset, 1],
      [limits.tokensPerMinute, this.#key(subject, 'tpm', w.minute), w.minuteReset, tokens],
    ];
    // Nothing limited: nothing to count (the memory limiter stores nothing either).
    if (checks.every(([limit]) => limit === undefined)) return { ok: true };

    let reply: string[];
    try {
      reply = (await TAKE.run(
        this.#redis,
        checks.map(([, key]) => key),
        [
          ...checks.map(([limit]) => (limit === undefined ? '' : String(limit))),
          ...checks.map(([, , , cost]) => String(cost)),
          ...checks.map(([, , resetAt]) => String(resetAt - now + WINDOW_MARGIN_MS)),
        ],
      )) as string[];
    } catch (error) {
      throw toRedisError(error, 'rate limit take', this.#redis.options.password);
    }
    const used = reply.slice(2, 5).map(Number);

    if (reply[0] !== '1') {
      const index = Number(reply[1]) - 1;
      const [limit, , resetAt] = checks[index]!;
      return {
        ok: false,
        which: NAMES[index]!,
        limit: limit!,
        remaining: Math.max(0, limit! - used[index]!),
        resetAt,
        retryAfterMs: Math.max(0, resetAt - now),
      };
    }
    let tightest: RateLimitDecision = { ok: true };
    checks.forEach(([limit, , resetAt, cost], index) => {
      if (limit === undefined) return;
      const remaining = limit - used[index]! - cost;
      if (tightest.remaining === undefined || remaining < tightest.remaining) {
        tightest = { ok: true, which: NAMES[index]!, limit, remaining, resetAt };
      }
    });
    return tightest;
  }

  async adjustTokens(subject: string, delta: number, now = Date.now()): Promise<void> {
    if (delta === 0) return;
    if (!Number.isFinite(delta)) throw new RangeError(`rate limiter: delta must be a finite number, got ${delta}`);
    const w = windows(now);
    const key = this.#key(subject, 'tpm', w.minute);
    try {
      const results = await this.#redis
        .multi()
        .incrbyfloat(key, delta)
        .pexpire(key, w.minuteReset - now + WINDOW_MARGIN_MS)
        .exec();
      const failed = results?.find(([error]) => error);
      if (failed) throw failed[0];
    } catch (error) {
      throw toRedisError(error, 'rate limit adjustTokens', this.#redis.options.password);
    }
  }

  async close(): Promise<void> {
    if (this.#ownsConnection) await closeRedis(this.#redis);
  }
}
