/**
 * Added latency of a non-streaming chat: sequential (c=1) requests to a loopback upstream that answers a fixed
 * completion at once (child process, see `upstream-server.ts`), for raw `fetch` + `JSON.parse`, the `openai` client
 * and our SDK's `chat()`. Clients take turns in blocks, so drift hits all alike; the first requests of each client
 * are a warm-up (JIT, connection pool) and are not recorded.
 *
 * `measureLatencyInChild` runs it in a fresh Node process: in the bench's own process the streaming section leaves
 * a large heap behind, and its scavenges (and their pauses) then land on whichever client allocates most — a cost
 * of the bench's history, not of the client. The child loads only the three clients.
 */
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type OpenAI from 'openai';
import type * as Sdk from '../src/index.js';
import { MODEL } from './upstream-server.js';

const THIS_FILE = fileURLToPath(import.meta.url);

export const LATENCY_CLIENTS = ['raw fetch + JSON.parse', 'openai', 'switchyard'] as const;
export type LatencyClient = (typeof LATENCY_CLIENTS)[number];

export interface LatencyOptions {
  origin: string;
  sdk: typeof Sdk;
  OpenAI: typeof OpenAI;
  /** Measured requests per client, after `warmup` unrecorded ones. */
  requests: number;
  warmup: number;
  /** Requests per client before the next client takes over (warm-up and measured counts round up to blocks). */
  block: number;
  /** Time allowed for one block of requests (the run fails past it). */
  blockTimeoutMs: number;
  /** Epoch ms after which the measurement gives up. */
  deadline: number;
}

export interface LatencyRow {
  client: LatencyClient;
  p50Us: number;
  meanUs: number;
  p90Us: number;
  p99Us: number;
  /** CPU (user + system) of this process per request, µs. */
  cpuUsPerRequest: number;
}

const API_KEY = 'sk-or-v1-bench';
const MESSAGES = [{ role: 'user' as const, content: 'Hello, world!' }];
/** The answer every client must return (checked once per block, outside the timed call). */
const EXPECTED_PREFIX = 'Here is what I would suggest.';

/** No AbortSignal per call (the common usage, and a signal is extra work for every client); blocks are bounded. */
type Call = () => Promise<string>;

/** One request per call, returning the answer's text. `baseURL` is `<origin>/chat` (the upstream's JSON route). */
export function latencyCalls(origin: string, sdk: typeof Sdk, OpenAIClass: typeof OpenAI): Record<LatencyClient, Call> {
  const baseURL = `${origin}/chat`;
  const url = `${baseURL}/chat/completions`;
  const headers = { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' };
  const openai = new OpenAIClass({ baseURL, apiKey: API_KEY, maxRetries: 0 });
  const sy = new sdk.Switchyard({ apiKey: 'sk-or-v1-x', baseURL, env: {} });
  return {
    'raw fetch + JSON.parse': async () => {
      const response = await fetch(url, {
        method: 'POST',
        headers,
        body: JSON.stringify({ model: MODEL, messages: MESSAGES }),
      });
      if (!response.ok) throw new Error(`raw fetch: HTTP ${response.status}`);
      const data = JSON.parse(await response.text()) as { choices: { message: { content: string } }[] };
      return data.choices[0]!.message.content;
    },
    openai: async () => {
      const completion = await openai.chat.completions.create({ model: MODEL, messages: MESSAGES });
      return completion.choices[0]?.message.content ?? '';
    },
    switchyard: async () => (await sy.chat({ model: MODEL, messages: MESSAGES })).text,
  };
}

/** `work()`, or an error after `ms` (the caller's cleanup then stops the upstream, which ends pending requests). */
async function bounded<T>(ms: number, what: string, work: () => Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, fail) => {
    timer = setTimeout(() => fail(new Error(`${what} took longer than ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work(), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))]!;
}

export async function measureLatency(options: LatencyOptions): Promise<LatencyRow[]> {
  const calls = latencyCalls(options.origin, options.sdk, options.OpenAI);
  const samples = new Map<LatencyClient, number[]>(LATENCY_CLIENTS.map((c) => [c, []]));
  const cpu = new Map<LatencyClient, number>(LATENCY_CLIENTS.map((c) => [c, 0]));
  const warmupTurns = Math.ceil(options.warmup / options.block);
  const turns = warmupTurns + Math.ceil(options.requests / options.block);
  for (let turn = 0; turn < turns; turn++) {
    for (let k = 0; k < LATENCY_CLIENTS.length; k++) {
      const client = LATENCY_CLIENTS[(k + turn) % LATENCY_CLIENTS.length]!;
      const call = calls[client];
      if (Date.now() > options.deadline) throw new Error('latency: deadline passed');
      const { times, used } = await bounded(options.blockTimeoutMs, `latency block of ${client}`, async () => {
        // One untimed request per block checks the answer (and re-warms the client after the others' turns).
        const answer = await call();
        if (!answer.startsWith(EXPECTED_PREFIX)) throw new Error(`${client}: unexpected answer ${answer.slice(0, 60)}`);
        const times: number[] = [];
        const cpu0 = process.cpuUsage();
        for (let i = 0; i < options.block; i++) {
          const t0 = performance.now();
          await call();
          times.push((performance.now() - t0) * 1000);
        }
        return { times, used: process.cpuUsage(cpu0) };
      });
      if (turn < warmupTurns) continue;
      samples.get(client)!.push(...times);
      cpu.set(client, cpu.get(client)! + used.user + used.system);
    }
  }
  return LATENCY_CLIENTS.map((client) => {
    const sorted = samples.get(client)!.sort((a, b) => a - b);
    return {
      client,
      p50Us: percentile(sorted, 50),
      meanUs: sorted.reduce((a, b) => a + b, 0) / sorted.length,
      p90Us: percentile(sorted, 90),
      p99Us: percentile(sorted, 99),
      cpuUsPerRequest: cpu.get(client)! / sorted.length,
    };
  });
}

/** What the child is told (as JSON in its environment): `measureLatency`'s options without the loaded modules. */
type ChildInput = Omit<LatencyOptions, 'sdk' | 'OpenAI'> & { sdkEntry: string };

/**
 * `measureLatency` in a fresh `node` child (see the file comment), given the SDK entry to import (the published
 * bundle). Killed when it outlives `deadline`; its rows come back as JSON on stdout.
 */
export function measureLatencyInChild(options: Omit<LatencyOptions, 'sdk' | 'OpenAI'>, sdkEntry: string) {
  const input: ChildInput = { ...options, sdkEntry };
  const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', THIS_FILE, '--child'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, BENCH_LATENCY_INPUT: JSON.stringify(input) },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk;
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk;
  });
  const killer = setTimeout(() => child.kill('SIGKILL'), Math.max(1000, options.deadline - Date.now() + 5000));
  return new Promise<LatencyRow[]>((done, fail) => {
    child.once('error', fail);
    child.once('close', (code, signal) => {
      clearTimeout(killer);
      if (code === 0) done(JSON.parse(stdout) as LatencyRow[]);
      else fail(new Error(`latency child failed (${code ?? signal}): ${stderr.slice(0, 1000)}`));
    });
  });
}

async function child(): Promise<void> {
  const input = JSON.parse(process.env.BENCH_LATENCY_INPUT ?? '{}') as ChildInput;
  const sdk = (await import(pathToFileURL(input.sdkEntry).href)) as typeof Sdk;
  const { default: OpenAIClass } = await import('openai');
  const rows = await measureLatency({ ...input, sdk, OpenAI: OpenAIClass });
  process.stdout.write(JSON.stringify(rows));
}

if (process.argv.includes('--child') && process.argv[1] && resolve(process.argv[1]) === THIS_FILE) {
  child().catch((error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exitCode = 1;
  });
}
