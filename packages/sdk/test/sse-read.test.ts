/**
 * readSse over real fetch bodies from a loopback node:http server (fixtures written in small pieces with tiny
 * pauses), plus the resource rules: leaving the loop early or aborting cancels the body and frees the socket.
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep, setImmediate as tick } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SseDecoder, type SseItem } from '../src/sse/decoder.js';
import { SseEventTooLargeError } from '../src/sse/errors.js';
import { readSse } from '../src/sse/read-sse.js';

const FIXTURES = new URL('../../simulator/fixtures/sse/', import.meta.url);
const manifest = JSON.parse(readFileSync(new URL('manifest.json', FIXTURES), 'utf8')) as {
  fixtures: { name: string; file: string }[];
};

type Handler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;
const routes = new Map<string, Handler>();
let baseUrl = '';
const server = createServer((req, res) => {
  const handler = routes.get(req.url ?? '');
  if (!handler) {
    res.writeHead(404).end();
    return;
  }
  void handler(req, res);
});

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

function sse(res: ServerResponse): void {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  res.flushHeaders();
}

/** Registers a handler and resolves `closed` when the server sees the response's connection go away. */
function route(path: string, handler: Handler): { closed: Promise<void> } {
  let onClose!: () => void;
  const closed = new Promise<void>((resolve) => {
    onClose = resolve;
  });
  routes.set(path, (req, res) => {
    res.on('close', onClose);
    return handler(req, res);
  });
  return { closed };
}

async function open(path: string, init?: RequestInit): Promise<ReadableStream<Uint8Array>> {
  const response = await fetch(baseUrl + path, init);
  expect(response.status).toBe(200);
  return response.body as ReadableStream<Uint8Array>;
}

async function drain<T, R>(generator: AsyncGenerator<T, R>): Promise<{ items: T[]; result: R }> {
  const items: T[] = [];
  for (;;) {
    const step = await generator.next();
    if (step.done) return { items, result: step.value };
    items.push(step.value);
  }
}

describe('readSse over HTTP', () => {
  it.each(manifest.fixtures)('streams fixture $name written in small pieces', async ({ name, file }) => {
    const bytes = readFileSync(new URL(file, FIXTURES));
    route(`/fixture/${name}`, async (_req, res) => {
      sse(res);
      // Piece sizes 1..61 cut lines, separators and code points; a pause now and then splits TCP reads too.
      for (let offset = 0, i = 0; offset < bytes.length; i++) {
        const size = 1 + ((i * 37) % 61);
        res.write(bytes.subarray(offset, offset + size));
        offset += size;
        await (i % 16 === 15 ? sleep(1) : tick());
      }
      res.end();
    });
    const expected = new SseDecoder().push(new Uint8Array(bytes));
    const { items, result } = await drain(readSse(await open(`/fixture/${name}`)));
    expect(items).toEqual(expected);
    expect(result).toEqual({ incomplete: false });
  });

  it('returns incomplete when the body ends inside an event', async () => {
    route('/truncated', async (_req, res) => {
      sse(res);
      res.write('data: {"a":1}\n\n');
      await sleep(5);
      res.end('data: {"cut');
    });
    const { items, result } = await drain(readSse(await open('/truncated')));
    expect(items).toEqual([{ type: 'event', event: { data: '{"a":1}' } }]);
    expect(result).toEqual({ incomplete: true });
  });

  /** An endless stream: an event every 5 ms until the client goes away. */
  function endless(path: string): { closed: Promise<void> } {
    return route(path, (_req, res) => {
      sse(res);
      res.write(': OPENROUTER PROCESSING\n\n');
      let n = 0;
      const timer = setInterval(() => res.write(`data: ${n++}\n\n`), 5);
      res.on('close', () => clearInterval(timer));
    });
  }

  it('frees the connection when the loop is left early with break', async () => {
    const { closed } = endless('/endless-break');
    const body = await open('/endless-break');
    const seen: SseItem[] = [];
    for await (const item of readSse(body)) {
      seen.push(item);
      if (seen.length === 3) break;
    }
    expect(seen[0]).toEqual({ type: 'comment', text: 'OPENROUTER PROCESSING' });
    expect(body.locked, 'the reader lock is released').toBe(false);
    await closed; // the server saw the socket close (the test times out otherwise)
  });

  it('frees the connection when the consumer throws', async () => {
    const { closed } = endless('/endless-throw');
    const body = await open('/endless-throw');
    await expect(
      (async () => {
        for await (const item of readSse(body)) if (item.type === 'event') throw new Error('consumer failed');
      })(),
    ).rejects.toThrow('consumer failed');
    await closed;
  });

  it('abort interrupts a pending read, throws the reason and frees the connection', async () => {
    const { closed } = route('/silent', (_req, res) => {
      sse(res);
      res.write('data: first\n\n'); // then nothing: the client is left waiting in read()
    });
    const controller = new AbortController();
    const generator = readSse(await open('/silent'), { signal: controller.signal });
    expect(await generator.next()).toEqual({ done: false, value: { type: 'event', event: { data: 'first' } } });
    const reason = new Error('caller gave up');
    setTimeout(() => controller.abort(reason), 20);
    await expect(generator.next()).rejects.toBe(reason);
    await closed;
  });
});

describe('readSse over a ReadableStream', () => {
  function source(chunks: string[]) {
    const state = { cancelled: false as unknown };
    const encoder = new TextEncoder();
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        const next = chunks.shift();
        if (next === undefined) controller.close();
        else controller.enqueue(encoder.encode(next));
      },
      cancel(reason) {
        state.cancelled = reason ?? true;
      },
    });
    return { stream, state };
  }

  it('throws an already-aborted signal before touching the body', async () => {
    const { stream } = source(['data: x\n\n']);
    const controller = new AbortController();
    controller.abort(new Error('too late'));
    await expect(readSse(stream, { signal: controller.signal }).next()).rejects.toThrow('too late');
    expect(stream.locked).toBe(false);
  });

  it('stops at once when aborted between items of one chunk', async () => {
    const { stream, state } = source(['data: 1\n\ndata: 2\n\ndata: 3\n\n', 'data: 4\n\n', 'data: 5\n\n']);
    const controller = new AbortController();
    const generator = readSse(stream, { signal: controller.signal });
    expect((await generator.next()).value).toEqual({ type: 'event', event: { data: '1' } });
    controller.abort(new Error('enough'));
    await expect(generator.next()).rejects.toThrow('enough');
    await tick();
    expect(state.cancelled).toBeTruthy();
    expect(stream.locked).toBe(false);
  });

  it('passes maxEventBytes on, and cancels the body when the decoder fails', async () => {
    const { stream, state } = source(['data: ok\n\n', `data: ${'x'.repeat(100)}`, 'more']);
    const generator = readSse(stream, { maxEventBytes: 50 });
    expect((await generator.next()).value).toEqual({ type: 'event', event: { data: 'ok' } });
    await expect(generator.next()).rejects.toThrow(SseEventTooLargeError);
    await tick();
    expect(state.cancelled).toBeTruthy();
    expect(stream.locked).toBe(false);
  });

  it('does not cancel a body that was read to the end', async () => {
    const { stream, state } = source([': hi\n', '\ndata: a\r', '\n\r\n']);
    const { items, result } = await drain(readSse(stream));
    expect(items).toEqual([
      { type: 'comment', text: 'hi' },
      { type: 'event', event: { data: 'a' } },
    ]);
    expect(result).toEqual({ incomplete: false });
    expect(state.cancelled).toBe(false);
  });
});
