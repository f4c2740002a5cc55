/**
 * Cross-process rate-limit child: connects to Redis, prints `ready`, waits for a line on stdin (so all children
 * start together), makes <count> takes on subject "hot" (limit: 37 requests per minute) and prints `{"ok": n}`.
 * Usage: rate-limit-worker.ts <redisUrl> <keyPrefix> <count> <now>
 */
import { once } from 'node:events';
import { RedisRateLimiter } from '../../../src/limits/redis-rate-limiter.js';
import { connectRedis } from '../../../src/shared/redis-connection.js';

const [url, keyPrefix, countArg, nowArg] = process.argv.slice(2);
const limiter = new RedisRateLimiter(connectRedis(url!, { keyPrefix: keyPrefix! }), { ownsConnection: true });
process.stdout.write('ready\n');
await once(process.stdin, 'data');
const decisions = await Promise.all(
  Array.from({ length: Number(countArg) }, () =>
    limiter.take({ subject: 'hot', limits: { requestsPerMinute: 37 }, tokens: 1, now: Number(nowArg) }),
  ),
);
process.stdout.write(`${JSON.stringify({ ok: decisions.filter((d) => d.ok).length })}\n`);
await limiter.close();
process.stdin.destroy();
