/**
 * A Lua script run with EVALSHA, falling back to EVAL (which also caches it) when Redis answers NOSCRIPT — after a
 * restart, a SCRIPT FLUSH or on a fresh server. A script runs atomically: no other client's command interleaves.
 *
 * Every key a script touches is passed in KEYS (never built inside Lua), so ioredis applies the key prefix to them.
 */
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

export type ScriptArg = string | number;

export class RedisScript {
  readonly sha: string;

  constructor(
    readonly name: string,
    readonly lua: string,
  ) {
    this.sha = createHash('sha1').update(lua).digest('hex');
  }

  async run(redis: Redis, keys: readonly string[], args: readonly ScriptArg[]): Promise<unknown> {
    try {
      return await redis.evalsha(this.sha, keys.length, ...keys, ...args);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      return redis.eval(this.lua, keys.length, ...keys, ...args);
    }
  }
}
