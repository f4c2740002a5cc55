/**
 * Child process of throughput.ts: one server under test, on its own event loop, so the load generator never
 * competes with it for a thread. `node --import tsx servers.ts simulator` starts the simulator module named by
 * SIM_ENTRY (dist/ or, with `--conditions=@switchyard/source`, src/); `node --import tsx servers.ts baseline` starts
 * a bare node:http server answering BASELINE_BODY. It reports its origin and CPU time to the parent over IPC.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the parent asks over IPC. */
export type ChildRequest = { type: 'cpu'; id: number };
/** What the child tells the parent over IPC. */
export type ChildMessage =
  | { type: 'ready'; origin: string }
  | { type: 'failed'; message: string }
  | { type: 'cpu'; id: number; usage: NodeJS.CpuUsage };

const send = (message: ChildMessage, done?: () => void) => process.send?.(message, undefined, undefined, done);

/** Bare node:http with a fixed JSON body and the same response headers as a simulator completion. */
function startBaseline(body: string): Promise<string> {
  const bytes = Buffer.from(body);
  const headers = {
    'content-type': 'application/json',
    'access-control-allow-origin': '*',
    'x-generation-id': 'gen-0000000000-baselinebaselinebase',
    'content-length': String(bytes.length),
  };
  const server = createServer({ keepAliveTimeout: 10_000 }, (req, res) => {
    // The request body is read before answering, as the simulator does.
    req.on('data', () => {});
    req.on('end', () => {
      res.writeHead(200, headers);
      res.end(bytes);
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`));
  });
}

async function startSimulator(entry: string): Promise<string> {
  const simulator = (await import(entry)) as typeof import('../src/index.js');
  // Credits no run can spend: a 402 must never end up in the numbers.
  const sim = await simulator.startSimulator({ host: '127.0.0.1', port: 0, pace: 'instant', credits: 1e9 });
  return sim.origin;
}

// A bench child never outlives its run: not when the parent dies (IPC closes), nor past the parent's deadline.
process.on('disconnect', () => process.exit(0));
// A clean exit on SIGTERM, so `--cpu-prof` (throughput.ts --profile) gets to write its profile.
process.on('SIGTERM', () => process.exit(0));
setTimeout(() => process.exit(3), Number(process.env.BENCH_CHILD_LIFETIME_MS ?? 120_000)).unref();

try {
  const origin =
    process.argv[2] === 'baseline'
      ? await startBaseline(process.env.BASELINE_BODY ?? '{}')
      : await startSimulator(process.env.SIM_ENTRY ?? '');
  process.on('message', (message: ChildRequest) => {
    if (message.type === 'cpu') send({ type: 'cpu', id: message.id, usage: process.cpuUsage() });
  });
  send({ type: 'ready', origin });
} catch (error) {
  send({ type: 'failed', message: String((error as Error).stack ?? error) }, () => process.exit(1));
}
