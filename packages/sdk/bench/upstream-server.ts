/**
 * The loopback upstream of the SDK bench, run in a CHILD process so its CPU never counts against the client.
 *
 *   parent: `const upstream = await startUpstream(); … await upstream.close();`
 *   child:  `node --import tsx bench/upstream-server.ts --serve` (started by `startUpstream`, talks over IPC)
 *
 * Routes (any method; the request body is drained and ignored), chosen by the base URL the client is given:
 *   `<origin>/chat/chat/completions`                        a fixed, realistic `chat.completion` JSON, at once.
 *   `<origin>/stream/<perWrite>/<events>/<gapUs>/chat/completions`
 *       `events` content chunks (≈230-byte `data:` events, one token each), then a finish chunk, a usage chunk
 *       (with `cost`, so no client needs prices) and `[DONE]`; `perWrite` events per `res.write`. Writes are paced
 *       at least `perWrite × gapUs` µs apart (spin-wait), so a client that keeps up receives each write as its own
 *       socket read — like a real token stream. Unpaced, the kernel coalesces writes and every client would see 64 KiB
 *       reads whatever `perWrite` is.
 *
 * The child exits when the parent disconnects, on SIGTERM, and after `BENCH_CHILD_LIFETIME_MS` in any case.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const THIS_FILE = fileURLToPath(import.meta.url);
const START_TIMEOUT_MS = 20_000;
const CHILD_LIFETIME_MS = 180_000;
/** Upper bounds on what one request may ask for, so a typo cannot keep the child busy for minutes. */
const MAX_EVENTS = 200_000;
const MAX_GAP_US = 10_000;
const MAX_STREAM_MS = 30_000;

export const MODEL = 'openai/gpt-4o-mini';
const ID = 'gen-1780000000-zJ3HgjAAdDi99NnDMm7p';
const WORDS = [' the', ' latency', ' of', ' each', ' hop', ' matters', ',', ' so', ' measure', ' it', '.'];

/** Same shape as `bench/sse-decode.ts` and the simulator's `basic-text.sse` fixture (one content token). */
export function contentEvent(i: number): string {
  const chunk = {
    id: ID,
    provider: 'OpenAI',
    model: MODEL,
    object: 'chat.completion.chunk',
    created: 1780000000,
    choices: [{ index: 0, delta: { content: WORDS[i % WORDS.length] }, finish_reason: null }],
  };
  return `data: ${JSON.stringify(chunk)}\n\n`;
}

const USAGE = {
  prompt_tokens: 11,
  completion_tokens: 39,
  total_tokens: 50,
  cost: 0.00002505,
  is_byok: false,
  prompt_tokens_details: { cached_tokens: 0, cache_write_tokens: 0, audio_tokens: 0, video_tokens: 0 },
  cost_details: {
    upstream_inference_cost: null,
    upstream_inference_prompt_cost: 0.00000165,
    upstream_inference_completions_cost: 0.0000234,
  },
  completion_tokens_details: { reasoning_tokens: 0, image_tokens: 0 },
};

function tailEvents(): string[] {
  const base = { id: ID, provider: 'OpenAI', model: MODEL, object: 'chat.completion.chunk', created: 1780000000 };
  const finish = {
    ...base,
    choices: [{ index: 0, delta: { content: '' }, finish_reason: 'stop', native_finish_reason: 'stop' }],
  };
  const usage = { ...base, choices: [], usage: USAGE };
  return [`data: ${JSON.stringify(finish)}\n\n`, `data: ${JSON.stringify(usage)}\n\n`, 'data: [DONE]\n\n'];
}

/** A realistic non-streaming OpenRouter answer (reported cost included, like OpenRouter sends it). */
export const COMPLETION = {
  id: ID,
  provider: 'OpenAI',
  model: MODEL,
  object: 'chat.completion',
  created: 1780000000,
  choices: [
    {
      logprobs: null,
      finish_reason: 'stop',
      native_finish_reason: 'stop',
      index: 0,
      message: {
        role: 'assistant',
        content:
          'Here is what I would suggest. Measure the whole path end to end, because the slowest step is rarely ' +
          'the one you expect. The key trade-off is between latency and cost, and the right balance depends on ' +
          'your traffic.',
        refusal: null,
        reasoning: null,
      },
    },
  ],
  usage: USAGE,
};

/** The socket writes of a stream: `events` content events then the tail, `perWrite` events per write. */
export function streamWrites(perWrite: number, events: number): Buffer[] {
  const all = Array.from({ length: events }, (_, i) => contentEvent(i)).concat(tailEvents());
  const writes: Buffer[] = [];
  for (let i = 0; i < all.length; i += perWrite) writes.push(Buffer.from(all.slice(i, i + perWrite).join('')));
  return writes;
}

/** Approximate size of the SSE response's status line and headers (they vary only by a few date characters). */
const SSE_HEADER_BYTES = 230;

/** Bytes a client reads for one stream: headers, and each write in chunked framing (`<hex>\r\n…\r\n`), `0\r\n\r\n`. */
export function streamResponseBytes(writes: Buffer[]): number {
  let bytes = SSE_HEADER_BYTES + 5;
  for (const write of writes) bytes += write.length.toString(16).length + 4 + write.length;
  return bytes;
}

export interface StreamShape {
  perWrite: number;
  events: number;
  gapUs: number;
}

export function streamPath(shape: StreamShape): string {
  return `/stream/${shape.perWrite}/${shape.events}/${shape.gapUs}`;
}

// ---------------------------------------------------------------------------------------------------------------
// Child side

function serve(): void {
  process.on('disconnect', () => process.exit(0));
  process.on('SIGTERM', () => process.exit(0));
  setTimeout(() => process.exit(3), Number(process.env.BENCH_CHILD_LIFETIME_MS ?? CHILD_LIFETIME_MS)).unref();

  const completion = Buffer.from(JSON.stringify(COMPLETION));
  const jsonHeaders = { 'content-type': 'application/json', 'content-length': String(completion.length) };
  const sseHeaders = { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', 'x-accel-buffering': 'no' };
  const writesCache = new Map<string, Buffer[]>();

  function writesFor(perWrite: number, events: number): Buffer[] {
    const key = `${perWrite}/${events}`;
    let writes = writesCache.get(key);
    if (!writes) {
      writes = streamWrites(perWrite, events);
      writesCache.set(key, writes);
    }
    return writes;
  }

  function stream(res: ServerResponse, shape: StreamShape): void {
    const writes = writesFor(shape.perWrite, shape.events);
    const gapNs = BigInt(Math.round(shape.perWrite * shape.gapUs * 1000));
    const deadline = process.hrtime.bigint() + BigInt(MAX_STREAM_MS) * 1_000_000n;
    res.writeHead(200, sseHeaders);
    res.flushHeaders();
    res.socket?.setNoDelay(true);
    let i = 0;
    let due = 0n;
    let closed = false;
    res.on('close', () => {
      closed = true;
    });
    // One write per event-loop turn: `res.write` corks the socket until the next tick, so writes issued in one
    // synchronous loop would leave as one segment.
    const step = (): void => {
      if (closed) return;
      if (i >= writes.length || process.hrtime.bigint() > deadline) {
        res.end();
        return;
      }
      while (process.hrtime.bigint() < due) {
        // spin: timers cannot wait tens of microseconds
      }
      res.write(writes[i++]);
      // Spacing is kept from the actual write: a server delayed by the scheduler must not catch up in a burst.
      due = process.hrtime.bigint() + gapNs;
      setImmediate(step);
    };
    step();
  }

  function route(req: IncomingMessage, res: ServerResponse): void {
    const parts = (req.url ?? '').split('/');
    if (parts[1] === 'chat') {
      res.writeHead(200, jsonHeaders);
      res.end(completion);
      return;
    }
    if (parts[1] === 'stream') {
      const [perWrite, events, gapUs] = parts.slice(2, 5).map(Number) as [number, number, number];
      const ok =
        Number.isInteger(perWrite) &&
        perWrite >= 1 &&
        Number.isInteger(events) &&
        events >= 1 &&
        events <= MAX_EVENTS &&
        gapUs >= 0 &&
        gapUs <= MAX_GAP_US;
      if (ok) return stream(res, { perWrite, events, gapUs });
    }
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: { code: 404, message: `no route ${req.url}` } }));
  }

  const server = createServer({ keepAliveTimeout: 30_000, noDelay: true }, (req, res) => {
    req.on('data', () => {});
    req.on('end', () => route(req, res));
  });
  server.on('error', (error) => {
    process.send?.({ type: 'failed', message: String(error) }, () => process.exit(1));
  });
  server.listen(0, '127.0.0.1', () => {
    const { port } = server.address() as AddressInfo;
    process.send?.({ type: 'ready', origin: `http://127.0.0.1:${port}` });
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Parent side

export interface Upstream {
  origin: string;
  pid: number;
  close(): Promise<void>;
}

/** Starts the upstream in a child process; `close()` stops it (SIGTERM, then SIGKILL after 2 s). */
export async function startUpstream(): Promise<Upstream> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', THIS_FILE, '--serve'], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, BENCH_CHILD_LIFETIME_MS: String(CHILD_LIFETIME_MS) },
  });
  const exited = new Promise<void>((done) => {
    if (child.exitCode !== null || child.signalCode !== null) done();
    else child.once('exit', () => done());
  });
  const close = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 2000);
    await exited;
    clearTimeout(timer);
  };
  try {
    const origin = await new Promise<string>((ready, fail) => {
      const timer = setTimeout(() => fail(new Error('upstream did not start within 20 s')), START_TIMEOUT_MS);
      child.once('error', fail);
      child.once('exit', (code, signal) => fail(new Error(`upstream exited early (${code ?? signal})`)));
      child.on('message', (message: { type?: string; origin?: string; message?: string }) => {
        if (message.type === 'ready' && message.origin) {
          clearTimeout(timer);
          ready(message.origin);
        } else if (message.type === 'failed') fail(new Error(`upstream failed: ${message.message}`));
      });
    });
    const url = new URL(origin);
    if (url.hostname !== '127.0.0.1') throw new Error(`upstream is not on loopback: ${origin}`);
    return { origin, pid: child.pid ?? -1, close };
  } catch (error) {
    await close();
    throw error;
  }
}

if (process.argv.includes('--serve') && process.argv[1] && resolve(process.argv[1]) === THIS_FILE) serve();
