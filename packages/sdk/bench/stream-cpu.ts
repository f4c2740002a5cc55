/**
 * CPU per SSE event of a streaming chat, in this (the client) process, for three clients reading the same paced
 * loopback stream: raw `fetch` + the naive decoder (TextDecoder, `split('\n\n')`, JSON.parse), the `openai` npm
 * client, and our SDK's `stream()`. CPU is `process.cpuUsage()` (user + system) around one whole request, divided
 * by the data events the upstream sent; the upstream runs in a child process (see `upstream-server.ts`).
 * Clients are interleaved round by round, so drift (thermal, neighbours) hits all of them alike.
 */
import { readFileSync } from 'node:fs';
import type OpenAI from 'openai';
import type * as Sdk from '../src/index.js';
import { MODEL, type StreamShape, streamPath, streamResponseBytes, streamWrites } from './upstream-server.js';

export const STREAM_CLIENTS = ['raw fetch + naive', 'openai', 'switchyard'] as const;
export type StreamClient = (typeof STREAM_CLIENTS)[number];

export interface StreamCpuOptions {
  origin: string;
  sdk: typeof Sdk;
  OpenAI: typeof OpenAI;
  shapes: StreamShape[];
  /** Measured requests per client and shape (after one warm-up request each). */
  rounds: number;
  /** Per-request abort (ms) and a deadline for the whole measurement (epoch ms). */
  requestTimeoutMs: number;
  deadline: number;
}

export interface StreamCpuRow {
  shape: StreamShape;
  client: StreamClient;
  /** Median over the measured requests of CPU µs / data event (user + system), and of its system part. */
  cpuUsPerEvent: number;
  systemUsPerEvent: number;
  /** Median wall time of one request, and the upstream's pacing schedule for it. */
  wallMs: number;
  scheduleMs: number;
  /**
   * Socket reads of this process per upstream write during the request: ≈1 means every write arrived as its own
   * read, < 1 that the client fell behind and the kernel coalesced writes (which lowers its CPU per event).
   * Linux only, from `/proc/self/io`: read syscalls minus libuv's 8-byte eventfd reads (async wake-ups, e.g. from
   * GC helper threads), whose number follows from the bytes read beyond the response's size.
   */
  readsPerWrite?: number;
}

const API_KEY = 'sk-or-v1-bench';
const MESSAGES = [{ role: 'user' as const, content: 'Hello, world!' }];

/** Data events the upstream sends for `shape`: content events, a finish chunk, a usage chunk (not `[DONE]`). */
export function dataEvents(shape: StreamShape): number {
  return shape.events + 2;
}

export function writesOf(shape: StreamShape): number {
  return Math.ceil((shape.events + 3) / shape.perWrite);
}

type Consumer = (signal: AbortSignal) => Promise<number>;

interface IoCounters {
  /** Read syscalls and bytes read so far; `own` is the bytes this snapshot read (counted by the next one). */
  reads: number;
  bytes: number;
  own: number;
}

/** `/proc/self/io` (Linux), or undefined elsewhere. */
function ioCounters(): IoCounters | undefined {
  try {
    const text = readFileSync('/proc/self/io', 'latin1');
    const reads = /^syscr:\s*(\d+)/m.exec(text);
    const bytes = /^rchar:\s*(\d+)/m.exec(text);
    return reads && bytes ? { reads: Number(reads[1]), bytes: Number(bytes[1]), own: text.length } : undefined;
  } catch {
    return undefined;
  }
}

/** Socket reads between two snapshots of a request that read `responseBytes` from its socket. */
function socketReads(before: IoCounters, after: IoCounters, responseBytes: number): number {
  const reads = after.reads - before.reads - 2; // the first snapshot's own read + its end-of-file read
  const extraBytes = after.bytes - before.bytes - before.own - responseBytes;
  return reads - Math.max(0, Math.round(extraBytes / 8));
}

function consumers(options: StreamCpuOptions, shape: StreamShape): Record<StreamClient, Consumer> {
  const baseURL = options.origin + streamPath(shape);
  const url = `${baseURL}/chat/completions`;
  const body = JSON.stringify({ model: MODEL, messages: MESSAGES, stream: true });
  const headers = { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' };
  const openai = new options.OpenAI({ baseURL, apiKey: API_KEY, maxRetries: 0 });
  const sy = new options.sdk.Switchyard({ apiKey: 'sk-or-v1-x', baseURL, env: {} });
  let sink = 0;
  return {
    'raw fetch + naive': async (signal) => {
      const response = await fetch(url, { method: 'POST', headers, body, signal });
      if (!response.ok || !response.body) throw new Error(`raw fetch: HTTP ${response.status}`);
      const reader = response.body.getReader();
      const decoder = new TextDecoder();
      let buffer = '';
      let tokens = 0;
      let done = false;
      while (!done) {
        const step = await reader.read();
        if (step.done) break;
        buffer += decoder.decode(step.value, { stream: true });
        const frames = buffer.split('\n\n');
        buffer = frames.pop() ?? '';
        for (const frame of frames) {
          if (!frame.startsWith('data: ')) continue;
          const data = frame.slice(6);
          if (data === '[DONE]') {
            done = true;
            break;
          }
          const chunk = JSON.parse(data) as { choices: { delta?: { content?: string } }[] };
          const content = chunk.choices[0]?.delta?.content;
          if (content) {
            sink += content.length;
            tokens++;
          }
        }
      }
      await reader.cancel().catch(() => {});
      return tokens;
    },
    openai: async (signal) => {
      const stream = await openai.chat.completions.create(
        { model: MODEL, messages: MESSAGES, stream: true },
        { signal },
      );
      let tokens = 0;
      for await (const chunk of stream) {
        const content = chunk.choices[0]?.delta?.content;
        if (content) {
          sink += content.length;
          tokens++;
        }
      }
      return tokens;
    },
    switchyard: async (signal) => {
      let tokens = 0;
      let finished = false;
      for await (const event of sy.stream({ model: MODEL, messages: MESSAGES }, { signal })) {
        if (event.type === 'text') {
          sink += event.text.length;
          tokens++;
        } else if (event.type === 'done') finished = true;
      }
      if (!finished) throw new Error('switchyard: the stream ended without a done event');
      if (sink < 0) console.log(sink);
      return tokens;
    },
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const gc = (globalThis as { gc?: () => void }).gc;

export async function measureStreamCpu(options: StreamCpuOptions): Promise<StreamCpuRow[]> {
  const rows: StreamCpuRow[] = [];
  for (const shape of options.shapes) {
    const run = consumers(options, shape);
    const responseBytes = streamResponseBytes(streamWrites(shape.perWrite, shape.events));
    const samples = new Map<StreamClient, { cpu: number[]; system: number[]; wall: number[]; reads: number[] }>();
    for (const client of STREAM_CLIENTS) samples.set(client, { cpu: [], system: [], wall: [], reads: [] });
    for (let round = 0; round <= options.rounds; round++) {
      // Rotate the order each round so no client always runs right after another's garbage.
      for (let k = 0; k < STREAM_CLIENTS.length; k++) {
        const client = STREAM_CLIENTS[(k + round) % STREAM_CLIENTS.length]!;
        if (Date.now() > options.deadline) throw new Error('stream CPU: deadline passed');
        gc?.();
        const signal = AbortSignal.timeout(options.requestTimeoutMs);
        const io0 = ioCounters();
        const wall0 = performance.now();
        const cpu0 = process.cpuUsage();
        const tokens = await run[client](signal);
        const cpu = process.cpuUsage(cpu0);
        const wall = performance.now() - wall0;
        const io1 = ioCounters();
        if (tokens !== shape.events) throw new Error(`${client}: got ${tokens} tokens, expected ${shape.events}`);
        if (round === 0) continue; // warm-up
        const s = samples.get(client)!;
        s.cpu.push((cpu.user + cpu.system) / dataEvents(shape));
        s.system.push(cpu.system / dataEvents(shape));
        s.wall.push(wall);
        if (io0 && io1) s.reads.push(socketReads(io0, io1, responseBytes) / writesOf(shape));
      }
    }
    for (const client of STREAM_CLIENTS) {
      const s = samples.get(client)!;
      rows.push({
        shape,
        client,
        cpuUsPerEvent: median(s.cpu),
        systemUsPerEvent: median(s.system),
        wallMs: median(s.wall),
        scheduleMs: (writesOf(shape) * shape.perWrite * shape.gapUs) / 1000,
        readsPerWrite: s.reads.length > 0 ? median(s.reads) : undefined,
      });
    }
  }
  return rows;
}
