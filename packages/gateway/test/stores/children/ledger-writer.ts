/**
 * Durability child: appends ledger rows in batches through the BatchWriter forever (bounded: 20 s / 2M rows) and
 * prints `ack <last id>` after each batch is committed. The test SIGKILLs it mid-burst.
 * Usage: ledger-writer.ts <sqlite|postgres> <path-or-url> <batchSize>
 */
import { BatchWriter } from '../../../src/stores/batch-writer.js';
import { openStores } from '../../../src/stores/open-stores.js';
import { makeRow } from '../rows.js';

const [kind, location, batchArg] = process.argv.slice(2);
const batch = Number(batchArg);
const stores = await openStores(kind === 'postgres' ? { databaseUrl: location } : { sqlitePath: location });
const writer = new BatchWriter(stores.ledger, { maxBatch: batch, flushMs: 1 });
const deadline = Date.now() + 20_000;
let id = 0;
while (Date.now() < deadline && id < 2_000_000) {
  for (let i = 0; i < batch; i++) {
    id++;
    writer.enqueue(makeRow({ requestId: `w-${id}`, at: 1_700_000_000_000 + id, costReportedNano: BigInt(id) }));
  }
  await writer.flush();
  process.stdout.write(`ack ${id}\n`);
}
await writer.close();
await stores.close();
