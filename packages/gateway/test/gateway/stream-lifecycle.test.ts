import { once } from 'node:events';
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { readSse } from '@switchyard/sdk/sse';
import type { Scenario } from '@switchyard/simulator';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { HELLO, holdSettlements, post, startTestGateway, type TestGateway } from '../support/gateway.js';

/** Models given faults by the scenario below; everything else behaves. */
const STALL = 'openai/gpt-4o';
const BROKEN = 'anthropic/claude-3.5-haiku';
const MODERATED = 'mistralai/mistral-nemo';
const SLOW = 'google/gemini-2.0-flash-001';
const BROKEN_THREE = 'x-ai/grok-4-fast';
/** Served by Groq (asked for with `provider.only`), which bills a cancelled stream whole. */
const BILLED_WHOLE = 'openai/gpt-oss-20b';

const scenario: Scenario = {
  rules: [
    { match: { model: STALL, stream: true }, fault: { kind: 'stall', afterChunks: 2 } },
    { match: { model: BROKEN, stream: true }, fault: { kind: 'mid-stream-error', afterChunks: 3, form: 'single' } },
    { match: { model: MODERATED }, fault: { kind: 'moderation' } },
    { match: { model: SLOW, stream: true }, fault: { kind: 'stall', afterChunks: 2, durationMs: 600 } },
    { match: { model: SLOW, stream: false }, fault: { kind: 'slow-headers', delayMs: 700 } },
    { match: { model: BILLED_WHOLE, stream: true }, fault: { kind: 'stall', afterChunks: 2, durationMs: 700 } },
    {
      match: { model: BROKEN_THREE, stream: true },
      fault: { kind: 'mid-stream-error', afterChunks: 3, form: 'three-chunk' },
    },
  ],
};

let gw: TestGateway | undefined;
afterEach(async () => {
  await gw?.stop();
  gw = undefined;
});

const start = (graceMs = 2_000) => startTestGateway({ simulator: { scenario }, config: { graceMs } });
const streamOf = (model: string) => ({ ...HELLO, model, stream: true, models: undefined });

async function dataFrames(response: Response): Promise<string[]> {
  const out: string[] = [];
  for await (const item of readSse(response.body as ReadableStream<Uint8Array>))
    if (item.type === 'event') out.push(item.event.data);
  return out;
}

function ledger(path: string): Record<string, unknown>[] {
  const db = new Database(path, { readonly: true });
  try {
    return db.prepare('SELECT * FROM ledger ORDER BY id').all() as Record<string, unknown>[];
  } finally {
    db.close();
  }
}

async function until(check: () => boolean, ms = 5_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A streamed chat over a connection of its own that asks to be closed after the answer. */
function streamWithConnectionClose(url: string): Promise<{ connection?: string; body: string }> {
  return new Promise((resolve, reject) => {
    const body = JSON.stringify(streamOf('openai/gpt-4o-mini'));
    const req = httpRequest(`${url}/chat/completions`, {
      method: 'POST',
      agent: false,
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), connection: 'close' },
    });
    req.on('error', reject);
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        text += chunk;
      });
      // Resolves once the connection is gone: a server that kept it open would leave this waiting.
      res.socket.once('close', () => resolve({ connection: res.headers.connection, body: text }));
    });
    req.end(body);
  });
}

describe('connections', () => {
  it('closes the connection after a stream when the client asked for that', async () => {
    gw = await start();
    const answer = await streamWithConnectionClose(gw.baseURL);
    expect(answer.connection).toBe('close');
    expect(answer.body).toContain('data: [DONE]');
  });
});

describe('slow clients', () => {
  it('answers 408 and closes the connection when a request body does not arrive in time', async () => {
    const g = await startTestGateway({ config: { requestTimeoutMs: 1_000 } });
    gw = g;
    const socket = connect(Number(new URL(g.url).port), '127.0.0.1');
    let received = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      received += chunk;
    });
    const closed = once(socket, 'close');
    // Headers promise 100 bytes; 10 arrive, then nothing.
    socket.write(
      'POST /api/v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"model":',
    );
    await closed;
    expect(received).toMatch(/^HTTP\/1\.1 408 /);
  });

  it('does not cut an answer that takes longer than the request timeout', async () => {
    const g = await startTestGateway({ config: { requestTimeoutMs: 1_000 } });
    gw = g;
    const fault = JSON.stringify({ kind: 'stall', afterChunks: 2, durationMs: 2_000 });
    const response = await post(`${g.baseURL}/chat/completions`, streamOf('openai/gpt-4o-mini'), {
      'x-simulator-fault': fault,
    });
    const frames = await dataFrames(response);
    expect(frames.at(-1)).toBe('[DONE]');
    expect(frames.some((f) => f.includes('"usage"'))).toBe(true);
  });
});

describe('streams that go wrong', () => {
  it('ends a stream cut by an upstream error with an in-band error chunk and [DONE], never silently', async () => {
    gw = await start();
    const response = await post(`${gw.baseURL}/chat/completions`, streamOf(BROKEN));
    expect(response.status).toBe(200);
    const frames = await dataFrames(response);
    expect(frames.at(-1)).toBe('[DONE]');
    const errorChunk = frames.map((f) => (f === '[DONE]' ? {} : JSON.parse(f))).find((c) => c.error);
    expect(errorChunk.error.code).toBeGreaterThanOrEqual(500);
    expect(errorChunk.choices[0].finish_reason).toBe('error');
    const content = frames.filter((f) => f !== '[DONE]').map((f) => JSON.parse(f).choices?.[0]?.delta?.content ?? '');
    expect(content.join('').length).toBeGreaterThan(0);
  });

  it('records what a stream that failed in the three-chunk form was billed, from its trailing usage chunk', async () => {
    const g = await start();
    gw = g;
    const frames = await post(`${g.baseURL}/chat/completions`, {
      ...streamOf(BROKEN_THREE),
      provider: { allow_fallbacks: false },
    }).then(dataFrames);
    expect(frames.at(-1)).toBe('[DONE]');
    expect(frames.some((f) => f.includes('"error"'))).toBe(true);
    await until(() => ledger(g.sqlitePath).length > 0);
    const [row] = ledger(g.sqlitePath);
    expect(row).toMatchObject({ model_requested: BROKEN_THREE, outcome: 'failed' });
    // Reported by the upstream (its usage chunk), not the gateway's estimate from the text it had passed on.
    expect(Number(row!.cost_reported_nano)).toBeGreaterThan(0);
    expect(Number(row!.completion_tokens)).toBeGreaterThan(0);
  });

  it('answers an error that happens before any content as a plain HTTP error', async () => {
    gw = await start();
    const response = await post(`${gw.baseURL}/chat/completions`, {
      ...streamOf(MODERATED),
      provider: { allow_fallbacks: false },
    });
    expect(response.status).toBe(403);
    expect(response.headers.get('content-type')).toContain('application/json');
    expect(((await response.json()) as any).error.code).toBe(403);
  });

  /** Streams `body` through a fresh gateway, reads the first chunk, leaves, and waits until the gateway is done. */
  async function leaveAfterFirstChunk(body: Record<string, unknown>): Promise<{ g: TestGateway; first: string }> {
    const g = await start();
    gw = g;
    const controller = new AbortController();
    const response = await fetch(`${g.baseURL}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: controller.signal,
    });
    expect(response.status).toBe(200);
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    expect(g.services.lifecycle.inflight).toBe(1);
    controller.abort();
    await reader.read().catch(() => undefined);
    await until(() => g.services.lifecycle.inflight === 0);
    await g.services.accounting.report('key', {});
    return { g, first };
  }

  it('aborts the upstream call when the client disconnects and still records what the attempt cost', async () => {
    // The upstream stall never ends by itself: the request can only finish because the gateway aborted it.
    const { g, first } = await leaveAfterFirstChunk(streamOf(STALL));
    expect(first).toContain('data: ');
    const row = ledger(g.sqlitePath).find((r) => r.model_requested === STALL) as Record<string, unknown>;
    expect(row).toMatchObject({ outcome: 'failed', code: 'aborted', stream: 1 });
    expect(Number(row.cost_computed_nano ?? row.cost_reported_nano)).toBeGreaterThan(0);
    // No usage came: the prompt and the text passed on, estimated — billed, so counted, not recorded as 0 tokens.
    expect(Number(row.prompt_tokens)).toBeGreaterThan(0);
    expect(Number(row.completion_tokens)).toBeGreaterThan(0);
  });

  it('reads a stream from a provider that bills cancelled streams whole to its end, and records its real cost', async () => {
    const { g, first } = await leaveAfterFirstChunk({ ...streamOf(BILLED_WHOLE), provider: { only: ['Groq'] } });
    expect(first).toContain('"provider":"Groq"');
    const row = ledger(g.sqlitePath).find((r) => r.model_requested === BILLED_WHOLE) as Record<string, unknown>;
    // Not aborted: the whole answer, with the usage the upstream reported at its end.
    expect(row).toMatchObject({ outcome: 'success', stream: 1, provider: 'Groq' });
    expect(Number(row.cost_reported_nano)).toBeGreaterThan(0);
  });

  it('lets a non-stream answer whose client left finish upstream (billed whole anyway) and records its real cost', async () => {
    const g = await start();
    gw = g;
    const controller = new AbortController();
    const sent = fetch(`${g.baseURL}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...HELLO, model: SLOW }),
      signal: controller.signal,
    }).catch((error: Error) => error);
    await until(() => g.services.lifecycle.inflight === 1);
    controller.abort();
    expect(await sent).toBeInstanceOf(Error);
    await until(() => g.services.lifecycle.inflight === 0);
    await g.services.accounting.report('key', {});
    const row = ledger(g.sqlitePath).find((r) => r.model_requested === SLOW) as Record<string, unknown>;
    expect(row).toMatchObject({ outcome: 'success', stream: 0 });
    expect(Number(row.cost_reported_nano)).toBeGreaterThan(0);
    expect(Number(row.completion_tokens)).toBeGreaterThan(0);
    expect(g.logs()).not.toMatch(/"level":50/);
  });
});

describe('graceful shutdown', () => {
  /** A gateway asked to close while a slow stream runs, once it is draining. */
  async function drainingDuringSlowStream() {
    const g = await start(5_000);
    gw = g;
    const running = post(`${g.baseURL}/chat/completions`, streamOf(SLOW)).then(dataFrames);
    await until(() => g.services.lifecycle.inflight === 1);
    const closing = g.close();
    await until(() => g.services.lifecycle.draining);
    return { g, running, closing };
  }

  it('lets running streams finish, refuses new work with 503, and flushes the ledger', async () => {
    const { g, running, closing } = await drainingDuringSlowStream();
    const refused = await post(`${g.baseURL}/chat/completions`, HELLO).catch((error: Error) => error);
    if (refused instanceof Response) {
      expect(refused.status).toBe(503);
      expect(((await refused.json()) as any).error.type).toBe('shutting_down');
    }
    // Anthropic clients get the refusal in their envelope.
    const message = { model: 'openai/gpt-4o-mini', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] };
    const anthropic = await post(`${g.baseURL}/messages`, message).catch((error: Error) => error);
    if (anthropic instanceof Response) {
      expect(anthropic.status).toBe(503);
      expect(await anthropic.json()).toMatchObject({ type: 'error', error: { type: 'overloaded_error' } });
    }
    const frames = await running;
    expect(frames.at(-1)).toBe('[DONE]');
    expect(frames.some((f) => f.includes('"usage"'))).toBe(true);
    await closing;
    const rows = ledger(g.sqlitePath);
    expect(rows.some((r) => r.model_requested === SLOW && r.outcome === 'success')).toBe(true);
  });

  it('refuses a WebSocket upgrade while draining and closes its socket, so shutdown does not wait for it', async () => {
    const { g, running, closing } = await drainingDuringSlowStream();
    // The client keeps its end open: only the server can close the refused socket.
    const refused = await new Promise<{ status?: number; closed: Promise<unknown> }>((resolve, reject) => {
      const socket = new WebSocket(`${g.url.replace('http', 'ws')}/ws`);
      socket.once('unexpected-response', (_request, response) => {
        response.resume();
        const raw = response.socket;
        resolve({ status: response.statusCode, closed: raw.destroyed ? Promise.resolve() : once(raw, 'close') });
      });
      socket.once('error', reject);
    });
    expect(refused.status).toBe(503);
    await refused.closed;
    expect((await running).at(-1)).toBe('[DONE]');
    await closing;
  });

  it('aborts what is still running when the grace period ends, recording it, and ends its stream with an error', async () => {
    const g = await start(300);
    gw = g;
    const running = post(`${g.baseURL}/chat/completions`, streamOf(STALL)).then(dataFrames);
    await until(() => g.services.lifecycle.inflight === 1);
    await g.close();
    const frames = await running;
    expect(frames.at(-1)).toBe('[DONE]');
    const error = frames
      .filter((f) => f !== '[DONE]')
      .map((f) => JSON.parse(f))
      .find((c) => c.error);
    expect(error.error.metadata.switchyard_code).toBe('aborted');
    const row = ledger(g.sqlitePath).find((r) => r.model_requested === STALL);
    expect(row).toMatchObject({ outcome: 'failed', code: 'aborted' });
    expect(g.logLines().some((l) => String(l.msg).startsWith('grace period over'))).toBe(true);
  });
});

describe('settlement of a finished stream', () => {
  it('logs a settlement failure once, without a second settlement or an error frame after [DONE]', async () => {
    const g = await start();
    gw = g;
    const accounting = g.services.accounting;
    const calls: string[] = [];
    const settle = accounting.settle.bind(accounting);
    const release = accounting.release.bind(accounting);
    accounting.settle = async () => {
      calls.push('settle');
      throw new Error('budget store unavailable');
    };
    accounting.release = async (reservation) => {
      calls.push('release');
      return release(reservation);
    };
    try {
      const frames = await post(`${g.baseURL}/chat/completions`, streamOf('openai/gpt-4o-mini')).then(dataFrames);
      expect(frames.at(-1)).toBe('[DONE]');
      expect(frames.filter((f) => f === '[DONE]')).toHaveLength(1);
      expect(frames.some((f) => f.includes('"error"'))).toBe(false);
      await until(() => g.logLines().some((l) => l.msg === 'settling a request after its reply failed'));
      expect(calls).toEqual(['settle']);
    } finally {
      accounting.settle = settle;
      accounting.release = release;
    }
  });
});

describe('settlement of a non-stream answer', () => {
  it('answers before the budget is settled, with the generation already on record, and shutdown waits for it', async () => {
    const g = await start();
    gw = g;
    const held = holdSettlements(g);
    try {
      const response = await post(`${g.baseURL}/chat/completions`, HELLO);
      expect(response.status).toBe(200);
      const id = response.headers.get('x-generation-id');
      expect((await response.json()).id).toBe(id);
      expect(held.settled()).toBe(0);
      const generation = await fetch(`${g.baseURL}/generation?id=${id}`);
      expect(generation.status).toBe(200);
      expect(g.services.lifecycle.inflight).toBe(1);
      held.open();
      await until(() => held.settled() === 1 && g.services.lifecycle.inflight === 0);
    } finally {
      held.restore();
    }
  });
});
