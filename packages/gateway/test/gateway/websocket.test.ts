import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { holdSettlements, post, startTestGateway, type TestGateway } from '../support/gateway.js';

const STALL = 'openai/gpt-4o';
/** Served only by Google AI Studio, which bills a cancelled stream whole; it stalls a moment after two chunks. */
const BILLED_WHOLE = 'google/gemini-2.0-flash-exp:free';
const ADMIN = 'admin-token-ws-0123456789abcdef';

type Message = Record<string, any>;

/** A WebSocket client that queues incoming JSON messages for `next()`. */
class Client {
  readonly received: Message[] = [];
  private waiters: (() => void)[] = [];
  closed = false;

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => {
      this.received.push(JSON.parse(data.toString()));
      for (const wake of this.waiters.splice(0)) wake();
    });
    socket.on('close', () => {
      this.closed = true;
      for (const wake of this.waiters.splice(0)) wake();
    });
  }

  static open(url: string, options: WebSocket.ClientOptions = {}): Promise<Client> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url, options);
      socket.once('open', () => resolve(new Client(socket)));
      socket.once('unexpected-response', (_req, res) =>
        reject(Object.assign(new Error(`HTTP ${res.statusCode}`), { status: res.statusCode })),
      );
      socket.once('error', reject);
    });
  }

  send(message: unknown): void {
    this.socket.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  /** The next message matching `predicate` (removed from the queue). */
  async next(predicate: (m: Message) => boolean = () => true, ms = 5_000): Promise<Message> {
    const deadline = Date.now() + ms;
    for (;;) {
      const index = this.received.findIndex(predicate);
      if (index >= 0) return this.received.splice(index, 1)[0] as Message;
      if (this.closed) throw new Error('socket closed');
      if (Date.now() > deadline)
        throw new Error(`no matching message within ${ms} ms; got ${JSON.stringify(this.received)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 50);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  close(): void {
    this.socket.close();
  }
}

let gw: TestGateway;
const url = () => `${gw.url.replace('http', 'ws')}/ws`;

beforeAll(async () => {
  gw = await startTestGateway({
    env: { SWITCHYARD_ADMIN_TOKEN: ADMIN },
    simulator: {
      scenario: {
        rules: [
          { match: { model: STALL, stream: true }, fault: { kind: 'stall', afterChunks: 2 } },
          { match: { model: BILLED_WHOLE, stream: true }, fault: { kind: 'stall', afterChunks: 2, durationMs: 500 } },
        ],
      },
    },
    wsPingMs: 100,
  });
});
afterAll(() => gw?.stop());

describe('WebSocket /ws (open access)', () => {
  it('answers ping with pong', async () => {
    const client = await Client.open(url());
    client.send({ type: 'ping', nonce: 42 });
    expect(await client.next()).toEqual({ type: 'pong', nonce: 42 });
    client.close();
  });

  it('lists available models with id, name, description and context length', async () => {
    const client = await Client.open(url());
    client.send({ type: 'list_available_models', provider: 'openrouter' });
    const message = await client.next((m) => m.type === 'available_models');
    expect(message.provider).toBe('openrouter');
    expect(message.models.length).toBeGreaterThan(50);
    expect(Object.keys(message.models[0]).sort()).toEqual(['context_length', 'description', 'id', 'name']);
    expect(message.models.map((m: Message) => m.id)).toContain('openai/gpt-4o-mini');
    client.close();
  });

  it('selects a provider and model per connection and streams a chat with usage and cost', async () => {
    const client = await Client.open(url());
    client.send({ type: 'select_provider', provider: 'openrouter', model: 'anthropic/claude-3.5-haiku' });
    expect(await client.next()).toEqual({
      type: 'provider_selected',
      provider: 'openrouter',
      model: 'anthropic/claude-3.5-haiku',
    });
    client.send({ type: 'chat', id: 'c1', messages: [{ role: 'user', content: 'Hello there' }] });
    const done = await client.next((m) => m.type === 'chat_done');
    const deltas = client.received.filter((m) => m.type === 'chat_delta' && m.id === 'c1');
    expect(deltas.length).toBeGreaterThan(1);
    expect(deltas.map((d) => d.content).join('')).toBe(done.text);
    expect(done).toMatchObject({ id: 'c1', model: 'anthropic/claude-3.5-haiku', finish_reason: 'stop' });
    expect(done.usage.completion_tokens).toBeGreaterThan(0);
    expect(done.cost.usd).toBeGreaterThan(0);
    expect(done.generation_id).toMatch(/^gen-/);

    // Another connection keeps its own (default) selection.
    const other = await Client.open(url());
    other.send({ type: 'chat', id: 'c2', messages: [{ role: 'user', content: 'Hi' }], model: 'openai/gpt-4o-mini' });
    expect((await other.next((m) => m.type === 'chat_done')).model).toBe('openai/gpt-4o-mini');
    client.close();
    other.close();
  });

  it('sends chat_done before the budget is settled, with the generation already on record', async () => {
    const held = holdSettlements(gw);
    const client = await Client.open(url());
    try {
      client.send({ type: 'chat', id: 'g1', messages: [{ role: 'user', content: 'Hi' }], model: 'openai/gpt-4o-mini' });
      const done = await client.next((m) => m.type === 'chat_done');
      expect(held.settled()).toBe(0);
      const generation = await fetch(`${gw.baseURL}/generation?id=${done.generation_id}`);
      expect(generation.status).toBe(200);
      held.open();
      await expect.poll(() => held.settled(), { timeout: 5_000 }).toBe(1);
    } finally {
      held.restore();
      client.close();
    }
  });

  it('reports bad messages as typed errors and keeps the connection open', async () => {
    const client = await Client.open(url());
    client.send('not json');
    expect(await client.next()).toMatchObject({ type: 'error', code: 'invalid_json' });
    client.send({ type: 'teleport' });
    expect(await client.next()).toMatchObject({ type: 'error', code: 'unknown_message_type' });
    client.send({ type: 'chat', id: 'x', messages: [] });
    expect(await client.next()).toMatchObject({ type: 'error', code: 'invalid_message', id: 'x' });
    // Messages that are no {role} objects: named as over HTTP (a TypeError before).
    client.send({ type: 'chat', id: 'n', messages: [null] });
    const named = await client.next();
    expect(named).toMatchObject({ type: 'error', code: 'invalid_request', id: 'n', status: 400 });
    expect(named.message).toContain('messages[0].role');
    client.send({ type: 'select_provider', provider: 'openrouter', model: 'nobody/nothing' });
    expect(await client.next()).toMatchObject({ type: 'error', code: 'invalid_model' });
    client.send({ type: 'select_provider', provider: 'nowhere' });
    expect(await client.next()).toMatchObject({ type: 'error', code: 'unknown_provider' });
    client.send({ type: 'chat', id: 'y', model: 'nobody/nothing', messages: [{ role: 'user', content: 'x' }] });
    expect(await client.next()).toMatchObject({ type: 'error', id: 'y', status: 400 });
    client.send({ type: 'ping' });
    expect(await client.next()).toMatchObject({ type: 'pong' });
    client.close();
  });

  it('cancels a running chat by id and records it', async () => {
    const client = await Client.open(url());
    client.send({ type: 'chat', id: 'slow', model: STALL, messages: [{ role: 'user', content: 'Hello' }] });
    await client.next((m) => m.type === 'chat_delta' && m.id === 'slow');
    client.send({ type: 'cancel', id: 'slow' });
    expect(await client.next((m) => m.type === 'error')).toMatchObject({ id: 'slow', code: 'aborted' });
    expect(gw.services.lifecycle.inflight).toBe(0);
    const report = await gw.services.accounting.report('model', { model: STALL });
    expect(report.rows[0]?.attempts).toBeGreaterThan(0);
    client.close();
  });

  it('aborts chats of a connection that closes', async () => {
    const client = await Client.open(url());
    client.send({ type: 'chat', id: 'gone', model: STALL, messages: [{ role: 'user', content: 'Hello' }] });
    await client.next((m) => m.type === 'chat_delta');
    expect(gw.services.lifecycle.inflight).toBe(1);
    client.close();
    const deadline = Date.now() + 5_000;
    while (gw.services.lifecycle.inflight > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(gw.services.lifecycle.inflight).toBe(0);
  });

  it('lets a chat whose provider bills cancelled streams whole finish when its connection closes, recording it', async () => {
    const client = await Client.open(url());
    client.send({ type: 'chat', id: 'billed', model: BILLED_WHOLE, messages: [{ role: 'user', content: 'Hello' }] });
    await client.next((m) => m.type === 'chat_delta');
    client.close();
    const deadline = Date.now() + 5_000;
    while (gw.services.lifecycle.inflight > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const report = await gw.services.accounting.report('model', { model: BILLED_WHOLE });
    // Read to its end (the stall ends after 500 ms): one request that succeeded, with its whole answer's tokens.
    expect(report.rows[0]).toMatchObject({ requests: 1, attempts: 1, failures: 0 });
    expect(report.rows[0]?.completionTokens).toBeGreaterThan(2);
  });

  it('keeps answering pings and delivers everything in order to a client that reads slowly', async () => {
    const client = await Client.open(url());
    let pings = 0;
    client.socket.on('ping', () => pings++);
    // Stop reading from the socket for a while: the gateway must wait for it rather than drop or reorder deltas.
    (client.socket as unknown as { _socket: { pause(): void; resume(): void } })._socket.pause();
    client.send({
      type: 'chat',
      id: 'paused',
      model: 'openai/gpt-4o-mini',
      max_tokens: 400,
      messages: [{ role: 'user', content: 'Write a lot' }],
    });
    await new Promise((r) => setTimeout(r, 150));
    (client.socket as unknown as { _socket: { resume(): void } })._socket.resume();
    const done = await client.next((m) => m.type === 'chat_done');
    const text = client.received
      .filter((m) => m.type === 'chat_delta')
      .map((m) => m.content)
      .join('');
    expect(text).toBe(done.text);
    await new Promise((r) => setTimeout(r, 250));
    expect(pings).toBeGreaterThan(0);
    expect(client.closed).toBe(false);
    client.close();
  });

  it('drops a connection that stops answering heartbeats', async () => {
    const client = await Client.open(url(), { autoPong: false });
    const deadline = Date.now() + 3_000;
    while (!client.closed && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(client.closed).toBe(true);
  });
});

describe('WebSocket /ws with virtual keys', () => {
  it('authenticates at the upgrade and applies the key’s limits to chats', async () => {
    const created = await post(
      `${gw.url}/admin/keys`,
      { name: 'ws', limits: { requests_per_minute: 1 }, allowed_models: ['openai/*'] },
      { authorization: `Bearer ${ADMIN}` },
    );
    const { secret } = (await created.json()) as { secret: string };
    await new Promise((r) => setTimeout(r, 1100));
    await expect(Client.open(url())).rejects.toMatchObject({ status: 401 });
    await expect(Client.open(url(), { headers: { authorization: 'Bearer sk-sy-v1-wrong' } })).rejects.toMatchObject({
      status: 401,
    });
    // A page cannot set Authorization on a WebSocket: the key may come as a `bearer.` subprotocol instead, and the
    // gateway answers with `switchyard`, never echoing the key.
    let answered: string | undefined;
    const viaProtocol = await new Promise<WebSocket>((resolve, reject) => {
      // The key offered first: the gateway must still not pick (echo) it.
      const socket = new WebSocket(url(), [`bearer.${secret}`, 'switchyard']);
      socket.once('upgrade', (res) => {
        answered = String(res.headers['sec-websocket-protocol']);
      });
      socket.once('open', () => resolve(socket));
      socket.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    });
    expect(viaProtocol.protocol).toBe('switchyard');
    expect(answered).toBe('switchyard');
    viaProtocol.close();
    const wrong = new WebSocket(url(), ['switchyard', 'bearer.sk-sy-v1-wrong']);
    const status = await new Promise<number | undefined>((resolve) => {
      wrong.once('unexpected-response', (_req, res) => resolve(res.statusCode));
      wrong.once('open', () => resolve(undefined));
    });
    expect(status).toBe(401);
    const client = await Client.open(url(), { headers: { authorization: `Bearer ${secret}` } });
    client.send({ type: 'list_available_models' });
    const models = await client.next((m) => m.type === 'available_models');
    expect(models.models.every((m: Message) => m.id.startsWith('openai/'))).toBe(true);
    client.send({ type: 'select_provider', provider: 'openrouter', model: 'anthropic/claude-3.5-haiku' });
    expect(await client.next()).toMatchObject({ type: 'error', code: 'permission_denied' });
    client.send({ type: 'chat', id: 'one', model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] });
    await client.next((m) => m.type === 'chat_done');
    client.send({ type: 'chat', id: 'two', model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] });
    expect(await client.next((m) => m.type === 'error')).toMatchObject({
      id: 'two',
      code: 'rate_limited',
      status: 429,
    });
    client.close();
  });
});
