/**
 * Worker thread of throughput.ts: a closed-loop load generator. It keeps `connections × pipelining` requests in
 * flight over keep-alive undici connections, warms up, then measures until the time or the request budget runs out
 * (whichever comes first) and posts a LoadResult.
 */
import { performance } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';
import { Pool } from 'undici';

export interface LoadOptions {
  origin: string;
  path: string;
  headers: Record<string, string>;
  body: string;
  /** Expect an SSE stream ending in `data: [DONE]` rather than one JSON document. */
  stream: boolean;
  connections: number;
  pipelining: number;
  warmupMs: number;
  durationMs: number;
  maxRequests: number;
}

export interface LoadResult {
  /** Successful requests in the measured window. */
  count: number;
  /** Failed requests (status, incomplete body or network error), warm-up included. */
  errors: number;
  firstError: string | undefined;
  elapsedMs: number;
  /** Wall time of the whole run, warm-up and drain included. */
  totalMs: number;
  /** Every answered request, warm-up included: the server's CPU time divided by it is its cost per request. */
  answered: number;
  p50: number;
  p99: number;
}

const MAX_ERRORS = 1_000;
const DONE = Buffer.from('data: [DONE]\n\n');
const JSON_START = Buffer.from('{"id":');

const options = workerData as LoadOptions;
const { origin, path, headers, body, stream, maxRequests } = options;
// Per-request timeouts too, so one stuck response cannot hold a slot for the rest of the run.
const pool = new Pool(origin, {
  connections: options.connections,
  pipelining: options.pipelining,
  keepAliveTimeout: 30_000,
  keepAliveTimeoutThreshold: 1_000,
  headersTimeout: 10_000,
  bodyTimeout: 10_000,
});
const latencies = new Float64Array(maxRequests);
let measuring = false;
let stopped = false;
let count = 0;
let answered = 0;
let errors = 0;
let firstError: string | undefined;
let measureStart = 0;
let measureEnd = 0;

function stop(): void {
  if (stopped) return;
  stopped = true;
  measuring = false;
  measureEnd = performance.now();
}

function fail(reason: string): void {
  // Errors during warm-up count too: a run that needed them to go away is not a clean run.
  errors++;
  firstError ??= reason;
  // A server that only fails (or is gone) gets no more traffic: the verdict is FAIL either way.
  if (errors >= MAX_ERRORS) stop();
}

type Answer = { status: number; body: Buffer } | { error: Error };

/**
 * One request through undici's dispatch API, resolving once the last byte of the body arrived (what a client waits
 * for). Lighter than `request()`, whose body stream made the generator, not the server, the bottleneck against the
 * bare node:http baseline.
 */
function send(): Promise<Answer> {
  return new Promise((resolve) => {
    let status = 0;
    const chunks: Buffer[] = [];
    pool.dispatch(
      { origin, path, method: 'POST', headers, body },
      {
        onRequestStart() {},
        onResponseStart(_controller, statusCode) {
          status = statusCode;
        },
        onResponseData(_controller, chunk) {
          chunks.push(chunk);
        },
        onResponseEnd() {
          resolve({ status, body: chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks) });
        },
        onResponseError(_controller, error) {
          resolve({ error });
        },
      },
    );
  });
}

async function once(): Promise<void> {
  const started = performance.now();
  const answer = await send();
  if ('error' in answer) return fail(answer.error.message);
  answered++;
  const bytes = answer.body;
  if (answer.status !== 200) return fail(`HTTP ${answer.status}: ${bytes.toString('utf8', 0, 200)}`);
  // A cheap completeness check: a whole JSON document, or a stream that reached its terminator.
  const complete = stream
    ? bytes.subarray(-DONE.length).equals(DONE)
    : bytes.subarray(0, JSON_START.length).equals(JSON_START) && bytes[bytes.length - 1] === 0x7d;
  if (!complete) return fail(`incomplete body: ${bytes.toString('utf8', Math.max(0, bytes.length - 120))}`);
  if (!measuring) return;
  latencies[count++] = performance.now() - started;
  if (count >= maxRequests) stop();
}

async function loop(): Promise<void> {
  while (!stopped) await once();
}

const begin = performance.now();
const loops = Array.from({ length: options.connections * options.pipelining }, loop);
setTimeout(() => {
  measuring = true;
  measureStart = performance.now();
  setTimeout(stop, options.durationMs);
}, options.warmupMs);
await Promise.all(loops);
await pool.close();

const measured = latencies.subarray(0, count).sort();
const at = (q: number) =>
  count === 0 ? Number.NaN : (measured[Math.min(count - 1, Math.floor(q * count))] ?? Number.NaN);
const result: LoadResult = {
  count,
  errors,
  firstError,
  elapsedMs: measureEnd - measureStart,
  totalMs: performance.now() - begin,
  answered,
  p50: at(0.5),
  p99: at(0.99),
};
parentPort?.postMessage(result);
