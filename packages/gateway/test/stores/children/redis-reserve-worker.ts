/**
 * Cross-process budget child for Redis: connects, prints `ready`, waits for a line on stdin (so all children start
 * together), makes <count> reservations on key "hot", settles the admitted ones and prints `{"ok": n}`.
 * Usage: redis-reserve-worker.ts <redisUrl> <keyPrefix> <count> <costNano> <now>
 */
import { once } from 'node:events';
import { connectRedis } from '../../../src/shared/redis-connection.js';
import { RedisBudgetStore } from '../../../src/stores/redis/redis-budget-store.js';

const [url, keyPrefix, countArg, costArg, nowArg] = process.argv.slice(2);
const cost = BigInt(costArg!);
const now = Number(nowArg);
const budgets = new RedisBudgetStore(connectRedis(url!, { keyPrefix: keyPrefix! }), { ownsConnection: true });
process.stdout.write('ready\n');
await once(process.stdin, 'data');
const admitted: string[] = [];
for (let i = 0; i < Number(countArg); i++) {
  const result = await budgets.reserve({ scopes: [{ scope: 'key', scopeId: 'hot' }], costNano: cost, tokens: 1, now });
  if (result.ok) admitted.push(result.reservationId);
  // Let the other processes in between our scripts.
  await new Promise((resolve) => setImmediate(resolve));
}
for (const id of admitted) await budgets.settle(id, { costNano: cost, tokens: 1 }, now);
process.stdout.write(`${JSON.stringify({ ok: admitted.length })}\n`);
await budgets.close();
process.stdin.destroy();
