/**
 * `npm run bench -w @switchyard/simulator`: requests per second of the simulator (instant pacing) for a
 * non-streaming and a streaming chat completion, next to a bare node:http server measured in the same run.
 *
 * Budget: non-streaming chat ≥ 10,000 req/s absolute, so the simulator never limits gateway benchmarks; its ratio to
 * bare node:http is reported alongside (speed budgets are stated against a baseline from the same run). The bare
 * server is often limited by the load generator rather than by itself (its CPU column stays under 100%), which makes
 * the req/s ratio flatter the simulator; the server CPU per request of both is printed too, for the fair comparison.
 *
 * Rules: traffic only to 127.0.0.1; every case is bounded in requests and in time, with a hard stop; the servers run
 * in child processes (their own event loops), stopped by PID at the end, also on failure; the load generator runs
 * in a worker thread, so this thread stays free to enforce the deadlines.
 *
 * The simulator is built first (`tsc -b` of this package, incremental) and its dist/ is measured: that is what the
 * gateway and the CLI run. `--source` measures src/ through tsx instead, which is slower (tsx keeps function names
 * by wrapping closures in a helper call).
 *
 * Options: --warmup <s> (1), --duration <s> (5), --max <requests per case> (200000), --connections <n> (64),
 * --pipelining <n> (1), --source, --cases <baseline,chat,stream> (a subset, e.g. to profile one case; the verdict
 * needs chat), --profile <dir> (the simulator process writes a V8 CPU profile there, see `node --cpu-prof`).
 * Exit code 1 when the budget is missed, 2 when the bench itself failed.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import { request } from 'undici';
import type { LoadOptions, LoadResult } from './load-worker.js';
import type { ChildMessage, ChildRequest } from './servers.js';

const BUDGET_RPS = 10_000;
const HERE = dirname(fileURLToPath(import.meta.url));
const PACKAGE = join(HERE, '..');
const BUILD_TIMEOUT_MS = 120_000;
const START_TIMEOUT_MS = 20_000;

const { values: args } = parseArgs({
  options: {
    warmup: { type: 'string', default: '1' },
    duration: { type: 'string', default: '5' },
    max: { type: 'string', default: '200000' },
    connections: { type: 'string', default: '64' },
    pipelining: { type: 'string', default: '1' },
    source: { type: 'boolean', default: false },
    cases: { type: 'string', default: 'baseline,chat,stream' },
    profile: { type: 'string' },
  },
});
const warmupMs = Number(args.warmup) * 1000;
const durationMs = Number(args.duration) * 1000;
const maxRequests = Number(args.max);
const connections = Number(args.connections);
const pipelining = Number(args.pipelining);
const cases = new Set(args.cases.split(','));
// Past this a case is abandoned (its worker terminated) and the run fails: nothing may hang the bench.
const caseDeadlineMs = warmupMs + durationMs + 10_000;
// Server children exit by themselves after this, should this process be killed without a chance to stop them.
const childLifetimeMs = 3 * caseDeadlineMs + START_TIMEOUT_MS + 30_000;

const PATH = '/api/v1/chat/completions';
const HEADERS = { authorization: 'Bearer sk-or-v1-bench', 'content-type': 'application/json' };
// A paid model: free variants are rate limited. The simulator gets credits no run can spend (no 402).
const CHAT = { model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'Hello, world!' }] };
const CHAT_BODY = JSON.stringify(CHAT);
const STREAM_BODY = JSON.stringify({ ...CHAT, stream: true });
// Worker threads do not inherit tsx's loader hooks (Node 20), so the worker registers them before loading its module.
const LOAD_WORKER =
  "import('tsx/esm/api').then(({ register }) => { register(); " +
  `return import(${JSON.stringify(new URL('./load-worker.ts', import.meta.url).href)}); });`;

interface Server {
  child: ChildProcess;
  origin: string;
}

interface Measured extends LoadResult {
  name: string;
  rps: number;
  /** Share of one core the server used. */
  cpu: number;
  /** Server CPU per answered request: steadier than req/s when other processes share the machine. */
  cpuUs: number;
}

class BenchError extends Error {
  readonly code = 'bench_failed';
}

// ---- child processes, stopped by PID whatever happens ----

const children = new Set<ChildProcess>();

function killChildren(signal: NodeJS.Signals): void {
  for (const child of children) {
    if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) continue;
    try {
      process.kill(child.pid, signal);
    } catch {
      // already gone
    }
  }
}
process.on('exit', () => killChildren('SIGKILL'));
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    killChildren('SIGKILL');
    process.exit(2);
  });
}
process.on('uncaughtException', (error) => {
  console.error(error);
  console.log('FAIL');
  killChildren('SIGKILL');
  process.exit(2);
});

/** Starts `servers.ts <kind>` and resolves once it listens on loopback. */
function startServer(kind: 'simulator' | 'baseline', nodeArgs: string[], env: Record<string, string>): Promise<Server> {
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', join(HERE, 'servers.ts'), kind], {
    cwd: PACKAGE,
    env: { ...process.env, BENCH_CHILD_LIFETIME_MS: String(childLifetimeMs), ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  children.add(child);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new BenchError(`${kind} server did not start in time`)), START_TIMEOUT_MS);
    child.once('exit', (code) => reject(new BenchError(`${kind} server exited with ${code} before it was ready`)));
    child.on('message', (message: ChildMessage) => {
      if (message.type === 'failed') reject(new BenchError(`${kind} server failed: ${message.message}`));
      if (message.type !== 'ready') return;
      clearTimeout(timer);
      if (!message.origin.startsWith('http://127.0.0.1:')) reject(new BenchError(`${kind} server is not on loopback`));
      resolve({ child, origin: message.origin });
    });
  });
}

/** Stops one child by PID: SIGTERM, then SIGKILL if it is still there after 2 s. */
async function stopServer(child: ChildProcess): Promise<void> {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const pid = child.pid;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  process.kill(pid, 'SIGTERM');
  const timer = setTimeout(() => child.exitCode === null && process.kill(pid, 'SIGKILL'), 2_000);
  await exited;
  clearTimeout(timer);
}

let cpuRequests = 0;
/** CPU time (user + system, ms) the child has used so far. */
function cpuOf(child: ChildProcess): Promise<number> {
  const id = ++cpuRequests;
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(Number.NaN), 2_000);
    const onMessage = (message: ChildMessage) => {
      if (message.type !== 'cpu' || message.id !== id) return;
      clearTimeout(timer);
      child.off('message', onMessage);
      resolve((message.usage.user + message.usage.system) / 1000);
    };
    child.on('message', onMessage);
    child.send({ type: 'cpu', id } satisfies ChildRequest);
  });
}

// ---- build, probe, measure ----

/** `tsc -b` of the simulator, so dist/ is what src/ says. Type errors are reported, not fatal: tsc still emits. */
function build(): void {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const result = spawnSync(process.execPath, [tsc, '-b', join(PACKAGE, 'tsconfig.json')], {
    cwd: PACKAGE,
    encoding: 'utf8',
    timeout: BUILD_TIMEOUT_MS,
  });
  if (result.error) throw new BenchError(`tsc -b failed: ${result.error.message}`);
  if (result.status !== 0) {
    console.log('warning: tsc -b reported type errors (benchmarking the emitted JavaScript anyway):');
    for (const line of `${result.stdout}${result.stderr}`.trim().split('\n').slice(0, 5)) console.log(`  ${line}`);
  }
}

/** One request of each kind before measuring: a wrong answer must fail the bench, not be measured. */
async function probe(origin: string): Promise<{ body: string; streamBytes: number }> {
  const url = `${origin}${PATH}`;
  const plain = await request(url, { method: 'POST', headers: HEADERS, body: CHAT_BODY });
  const text = await plain.body.text();
  if (plain.statusCode !== 200) throw new BenchError(`probe: HTTP ${plain.statusCode}: ${text}`);
  const parsed = JSON.parse(text) as { object?: string; choices?: { message?: { content?: unknown } }[] };
  if (parsed.object !== 'chat.completion' || typeof parsed.choices?.[0]?.message?.content !== 'string') {
    throw new BenchError(`probe: not a chat completion: ${text.slice(0, 300)}`);
  }
  const streamed = await request(url, { method: 'POST', headers: HEADERS, body: STREAM_BODY });
  const events = await streamed.body.text();
  if (streamed.statusCode !== 200 || !events.endsWith('data: [DONE]\n\n')) {
    throw new BenchError(`probe: bad stream (HTTP ${streamed.statusCode}): ${events.slice(-300)}`);
  }
  return { body: text, streamBytes: Buffer.byteLength(events) };
}

/** Runs one case in a worker thread; the worker is terminated at the case deadline. */
async function measure(name: string, server: Server, body: string, stream: boolean): Promise<Measured> {
  const cpuBefore = await cpuOf(server.child);
  const options: LoadOptions = {
    origin: server.origin,
    path: PATH,
    headers: HEADERS,
    body,
    stream,
    connections,
    pipelining,
    warmupMs,
    durationMs,
    maxRequests,
  };
  const worker = new Worker(LOAD_WORKER, { eval: true, workerData: options });
  let timer: NodeJS.Timeout | undefined;
  try {
    const result = await new Promise<LoadResult>((resolve, reject) => {
      timer = setTimeout(() => reject(new BenchError(`${name}: hard stop after ${caseDeadlineMs} ms`)), caseDeadlineMs);
      worker.once('message', resolve);
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new BenchError(`${name}: load worker exited with ${code}`)));
    });
    const cpuMs = (await cpuOf(server.child)) - cpuBefore;
    return {
      name,
      ...result,
      rps: (result.count / result.elapsedMs) * 1000,
      cpu: cpuMs / result.totalMs,
      cpuUs: (cpuMs * 1000) / result.answered,
    };
  } finally {
    clearTimeout(timer);
    await worker.terminate();
  }
}

// ---- report ----

function row(cells: (string | number)[], widths: number[]): string {
  return cells
    .map((cell, i) => (i === 0 ? String(cell).padEnd(widths[i] ?? 0) : String(cell).padStart(widths[i] ?? 0)))
    .join('  ');
}

function table(results: Measured[], baseline: Measured | undefined): string {
  const widths = [26, 9, 8, 8, 7, 8, 11, 13];
  const lines = [row(['case', 'req/s', 'p50 ms', 'p99 ms', 'errors', 'srv CPU', 'srv µs/req', 'vs node:http'], widths)];
  for (const r of results) {
    const ratio = baseline && r !== baseline ? `${(r.rps / baseline.rps).toFixed(2)}×` : '';
    const cells = [r.name, Math.round(r.rps).toLocaleString('en-US'), r.p50.toFixed(2), r.p99.toFixed(2), r.errors];
    lines.push(row([...cells, `${Math.round(r.cpu * 100)}%`, r.cpuUs.toFixed(1), ratio], widths));
  }
  return lines.join('\n');
}

async function main(): Promise<boolean> {
  for (const [name, value] of Object.entries({ warmupMs, durationMs, maxRequests, connections, pipelining })) {
    if (!(Number.isFinite(value) && value > 0)) throw new BenchError(`${name} must be a positive number`);
  }
  let entry = join(PACKAGE, 'dist', 'index.js');
  const simArgs: string[] = [];
  if (args.source) {
    entry = join(PACKAGE, 'src', 'index.ts');
    simArgs.push('--conditions=@switchyard/source');
  } else {
    build();
  }
  if (args.profile) simArgs.push('--cpu-prof', `--cpu-prof-dir=${args.profile}`);
  console.log(
    `simulator bench (${args.source ? 'src/ via tsx' : 'dist/'}): ${connections} connections × pipelining ` +
      `${pipelining}, warm-up ${warmupMs / 1000} s, then ${durationMs / 1000} s or ` +
      `${maxRequests.toLocaleString('en-US')} requests per case`,
  );
  const sim = await startServer('simulator', simArgs, { SIM_ENTRY: pathToFileURL(entry).href });
  const sample = await probe(sim.origin);
  const bare = await startServer('baseline', [], { BASELINE_BODY: sample.body });
  console.log(
    `bodies: completion ${Buffer.byteLength(sample.body)} B (bare node:http answers the same bytes), ` +
      `stream ${sample.streamBytes} B`,
  );

  const results: Measured[] = [];
  const baseline = cases.has('baseline')
    ? await measure('bare node:http (baseline)', bare, CHAT_BODY, false)
    : undefined;
  await stopServer(bare.child);
  if (baseline) results.push(baseline);
  const chat = cases.has('chat') ? await measure('simulator chat', sim, CHAT_BODY, false) : undefined;
  if (chat) results.push(chat);
  if (cases.has('stream')) results.push(await measure('simulator chat, stream', sim, STREAM_BODY, true));
  await stopServer(sim.child);

  console.log();
  console.log(table(results, baseline));
  console.log();
  for (const r of results) if (r.firstError) console.log(`first error, ${r.name}: ${r.firstError}`);
  if (!chat) throw new BenchError('no verdict: the chat case did not run');
  const errors = results.reduce((sum, r) => sum + r.errors, 0);
  const ratio = baseline
    ? `${(chat.rps / baseline.rps).toFixed(2)}× bare node:http; CPU per request ` +
      `${(chat.cpuUs / baseline.cpuUs).toFixed(1)}× bare node:http's`
    : 'baseline not run';
  console.log(
    `budget: simulator chat ≥ ${BUDGET_RPS.toLocaleString('en-US')} req/s absolute with no errors, ratio to bare ` +
      `node:http reported; measured ${Math.round(chat.rps).toLocaleString('en-US')} req/s (${ratio}), ${errors} errors`,
  );
  return chat.rps >= BUDGET_RPS && errors === 0;
}

try {
  const pass = await main();
  console.log(pass ? 'PASS' : 'FAIL');
  process.exitCode = pass ? 0 : 1;
} catch (error) {
  console.error(error instanceof BenchError ? `bench failed: ${error.message}` : error);
  console.log('FAIL');
  process.exitCode = 2;
} finally {
  killChildren('SIGTERM');
}
