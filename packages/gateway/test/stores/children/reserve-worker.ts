/**
 * Cross-process budget child: opens the SQLite file, prints `ready`, waits for a line on stdin (so all children
 * start together), makes <count> reservations on key "hot", settles the admitted ones and prints `{"ok": n}`.
 * Usage: reserve-worker.ts <sqlitePath> <count> <costNano> <now>
 */
import { once } from 'node:events';
import { openStores } from '../../../src/stores/open-stores.js';

const [path, countArg, costArg, nowArg] = process.argv.slice(2);
const cost = BigInt(costArg!);
const now = Number(nowArg);
const stores = await openStores({ sqlitePath: path });
process.stdout.write('ready\n');
await once(process.stdin, 'data');
const admitted: string[] = [];
for (let i = 0; i < Number(countArg); i++) {
  const result = await stores.budgets.reserve({
    scopes: [{ scope: 'key', scopeId: 'hot' }],
    costNano: cost,
    tokens: 1,
    now,
  });
  if (result.ok) admitted.push(result.reservationId);
  // Let the other processes in between our transactions.
  await new Promise((resolve) => setImmediate(resolve));
}
for (const id of admitted) await stores.budgets.settle(id, { costNano: cost, tokens: 1 }, now);
process.stdout.write(`${JSON.stringify({ ok: admitted.length })}\n`);
await stores.close();
process.stdin.destroy();
