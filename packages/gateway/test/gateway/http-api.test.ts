import { readSse } from '@switchyard/sdk/sse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HELLO, post, startTestGateway, type TestGateway } from '../support/gateway.js';

let gw: TestGateway;
beforeAll(async () => {
  gw = await startTestGateway();
});
afterAll(() => gw?.stop());

/** The SSE `data:` payloads of a response, in order. */
async function frames(response: Response): Promise<string[]> {
  const out: string[] = [];
  for await (const item of readSse(response.body as ReadableStream<Uint8Array>))
    if (item.type === 'event') out.push(item.event.data);
  return out;
}

/** Ids and timestamps differ between two generations; everything else of a chunk must be identical. */
const normalise = (data: string) =>
  data.replace(/"id":"gen-[^"]+"/g, '"id":"gen"').replace(/"created":\d+/g, '"created":0');

describe('POST /chat/completions', () => {
  it('answers non-streaming requests in the OpenRouter shape with the generation id in a header', async () => {
    for (const prefix of ['/api/v1', '/v1']) {
      const response = await post(`${gw.url}${prefix}/chat/completions`, HELLO);
      expect(response.status).toBe(200);
      const body = (await response.json()) as Record<string, any>;
      expect(body.object).toBe('chat.completion');
      expect(body.model).toBe('openai/gpt-4o-mini');
      expect(body.choices[0].message.content.length).toBeGreaterThan(0);
      expect(body.usage.total_tokens).toBe(body.usage.prompt_tokens + body.usage.completion_tokens);
      expect(response.headers.get('x-generation-id')).toBe(body.id);
      expect(response.headers.get('x-request-id')).toMatch(/^req_/);
    }
  });

  it('passes stream chunks through byte for byte, ending with [DONE]', async () => {
    const request = { ...HELLO, stream: true, seed: 7, provider: { order: ['OpenAI'], allow_fallbacks: false } };
    const through = await post(`${gw.baseURL}/chat/completions`, request);
    expect(through.headers.get('content-type')).toContain('text/event-stream');
    const upstream = gw.services.upstream.simulator;
    if (!upstream) throw new Error('expected the embedded simulator');
    const direct = await post(`${upstream.url}/chat/completions`, request, { authorization: 'Bearer sk-or-v1-direct' });
    const viaGateway = (await frames(through)).map(normalise);
    const fromUpstream = (await frames(direct)).map(normalise);
    expect(viaGateway.at(-1)).toBe('[DONE]');
    expect(viaGateway).toEqual(fromUpstream);
    expect(through.headers.get('x-generation-id')).toMatch(/^gen-/);
  });

  it('records every request in the ledger, readable through GET /generation with its attempt trace', async () => {
    const response = await post(`${gw.baseURL}/chat/completions`, { ...HELLO, stream: true });
    const chunks = await frames(response);
    const id = JSON.parse(chunks[0] as string).id as string;
    const generation = await fetch(`${gw.baseURL}/generation?id=${id}`);
    expect(generation.status).toBe(200);
    const { data } = (await generation.json()) as { data: Record<string, any> };
    expect(data.id).toBe(id);
    expect(data.streamed).toBe(true);
    expect(data.tokens_completion).toBeGreaterThan(0);
    expect(data.total_cost).toBeGreaterThan(0);
    expect(data.attempts).toHaveLength(1);
    expect(data.attempts[0]).toMatchObject({ outcome: 'success', model: 'openai/gpt-4o-mini', fallback_position: 0 });
    const missing = await fetch(`${gw.baseURL}/generation?id=gen-nope`);
    expect(missing.status).toBe(404);
    const noId = await fetch(`${gw.baseURL}/generation`);
    expect(noId.status).toBe(400);
  });

  it('tells a /generation lookup by a resp_ or msg_ id where the generation id is, and that id works', async () => {
    const answer = await post(`${gw.baseURL}/responses`, { model: 'openai/gpt-4o-mini', input: 'hi', store: false });
    const { id } = (await answer.json()) as { id: string };
    expect(id).toMatch(/^resp_/);
    const byResponseId = await fetch(`${gw.baseURL}/generation?id=${id}`);
    expect(byResponseId.status).toBe(404);
    expect(((await byResponseId.json()) as { error: { message: string } }).error.message).toBe(
      'Generation not found: resp_… names a response, not a generation; the generation id is the x-generation-id header of that answer',
    );
    const generationId = answer.headers.get('x-generation-id');
    expect(generationId).toMatch(/^gen-/);
    expect((await fetch(`${gw.baseURL}/generation?id=${generationId}`)).status).toBe(200);
  });

  it('answers bad input with 400 naming the field, bad JSON with 400, big bodies with 413', async () => {
    const bad = await post(`${gw.baseURL}/chat/completions`, { model: 'openai/gpt-4o-mini', messages: 'hi' });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({
      error: { code: 400, type: 'invalid_request', metadata: { field: 'messages' } },
    });
    const role = await post(`${gw.baseURL}/chat/completions`, { messages: [{ content: 'x' }] });
    expect(((await role.json()) as any).error.metadata.field).toBe('messages[0].role');
    // Ranges checked by the SDK name their field the same way.
    for (const [field, value] of [
      ['max_tokens', '5'],
      ['temperature', 7],
      ['top_p', -1],
    ] as const) {
      // Streamed too: refused by the SDK as the stream is made, answered as a 400 (it used to leave the client waiting).
      for (const stream of [false, true]) {
        const range = await post(`${gw.baseURL}/chat/completions`, { ...HELLO, [field]: value, stream });
        expect(range.status).toBe(400);
        expect(((await range.json()) as any).error.metadata.field).toBe(field);
      }
    }
    for (const path of ['/messages', '/responses']) {
      const body = { model: 'openai/gpt-4o-mini', max_tokens: 10, stream: true, temperature: 7 };
      const dialect = path === '/messages' ? { ...body, messages: HELLO.messages } : { ...body, input: 'hi' };
      expect((await post(`${gw.baseURL}${path}`, dialect)).status).toBe(400);
    }
    // A content part that is no object: the upstream's 400 naming it (the SDK's preflight used to crash on it: 500).
    for (const stream of [false, true]) {
      const parts = await post(`${gw.baseURL}/chat/completions`, {
        ...HELLO,
        messages: [{ role: 'user', content: [null] }],
        stream,
      });
      expect(parts.status).toBe(400);
      expect(((await parts.json()) as any).error.metadata.field).toBe('messages[0].content');
      // Tool calls that are no list, or hold null, and `reasoning: null`: the token estimate and the preflight
      // crashed on them (500); now the upstream judges them.
      for (const [toolCalls, field] of [
        [5, 'messages[1].tool_calls'],
        [[null], 'messages[1].tool_calls[0]'],
      ] as const) {
        const calls = await post(`${gw.baseURL}/chat/completions`, {
          ...HELLO,
          messages: [...HELLO.messages, { role: 'assistant', content: null, tool_calls: toolCalls }],
          stream,
        });
        expect(calls.status).toBe(400);
        expect(((await calls.json()) as any).error.metadata.field).toBe(field);
      }
      const reasoning = await post(`${gw.baseURL}/chat/completions`, { ...HELLO, reasoning: null, stream });
      expect(reasoning.status).toBe(200);
      await reasoning.arrayBuffer();
    }
    const simple = await post(`${gw.url}/chat/completions/stream`, { ...HELLO, model: 'gpt-4o-mini' });
    expect(simple.status).toBe(400);
    expect(gw.services.lifecycle.inflight).toBe(0);
    const model = await post(`${gw.baseURL}/chat/completions`, { ...HELLO, model: 'gpt-4o-mini' });
    expect(((await model.json()) as any).error.metadata.field).toBe('model');
    const json = await fetch(`${gw.baseURL}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"messages": [',
    });
    expect(json.status).toBe(400);
    expect(((await json.json()) as any).error.type).toBe('invalid_json');
    const big = await post(`${gw.baseURL}/chat/completions`, {
      ...HELLO,
      padding: 'x'.repeat(gw.services.config.bodyLimit),
    });
    expect(big.status).toBe(413);
    expect(((await big.json()) as any).error.type).toBe('payload_too_large');
    const unknownModel = await post(`${gw.baseURL}/chat/completions`, { ...HELLO, model: 'nobody/nothing' });
    expect(unknownModel.status).toBe(400);
    expect(((await unknownModel.json()) as any).error.code).toBe(400);
  });

  it('accepts a JSON body sent without a JSON content type (curl -d, fetch with a string body)', async () => {
    for (const type of ['application/x-www-form-urlencoded', 'text/plain;charset=UTF-8', undefined]) {
      const response = await fetch(`${gw.baseURL}/chat/completions`, {
        method: 'POST',
        body: JSON.stringify(HELLO),
        headers: type ? { 'content-type': type } : {},
      });
      expect({ type, status: response.status }).toEqual({ type, status: 200 });
    }
  });

  it('forgives a trailing slash and a doubled slash (a base URL ending in /)', async () => {
    for (const path of ['/api/v1/chat/completions/', '/api/v1//chat/completions', '/v1//chat/completions/']) {
      const response = await post(`${gw.url}${path}`, HELLO);
      expect({ path, status: response.status }).toEqual({ path, status: 200 });
    }
    expect((await fetch(`${gw.url}/api/v1//models`)).status).toBe(200);
  });

  it('answers unknown routes with 404 in the envelope', async () => {
    const response = await fetch(`${gw.url}/api/v1/nothing-here`);
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ error: { code: 404, type: 'not_found' } });
  });
});

describe('simple streaming endpoint', () => {
  it('streams plain text by default', async () => {
    const response = await post(`${gw.url}/chat/completions/stream`, { messages: [{ role: 'user', content: 'Hi' }] });
    expect(response.headers.get('content-type')).toContain('text/plain');
    const text = await response.text();
    expect(text.length).toBeGreaterThan(10);
    expect(text).not.toContain('data:');
  });

  it('streams SSE events with a final done event when asked', async () => {
    const response = await post(
      `${gw.url}/chat/completions/stream`,
      { messages: [{ role: 'user', content: 'Hi' }], model: 'openai/gpt-4o-mini', provider: 'OpenAI' },
      { accept: 'text/event-stream' },
    );
    const events = (await frames(response)).map((d) => JSON.parse(d));
    const last = events.at(-1);
    expect(last.done).toBe(true);
    expect(last.usage.completionTokens).toBeGreaterThan(0);
    expect(events.slice(0, -1).every((e) => typeof e.text === 'string')).toBe(true);
  });

  it('ends a plain-text answer cut by an upstream error with an error line, never silently', async () => {
    const fault = JSON.stringify({ kind: 'mid-stream-error', afterChunks: 6, message: 'provider fell over' });
    const response = await post(
      `${gw.url}/chat/completions/stream`,
      { model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] },
      { 'x-simulator-fault': fault },
    );
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(text).toMatch(/\n\[error: [a-z_]+: [^\]]*provider fell over[^\]]*\]\n$/);
  });

  it('keeps a slow start alive: headers after 2 s and SSE comments until the first word, then the answer', async () => {
    const fault = JSON.stringify({ kind: 'stall', afterChunks: 0, durationMs: 2_600 });
    const body = { model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'Say exactly: worth the wait' }] };
    const sse = await post(`${gw.url}/chat/completions/stream`, body, {
      accept: 'text/event-stream',
      'x-simulator-fault': fault,
    });
    const raw = await sse.text();
    expect(raw.startsWith(': keep-alive\n\n')).toBe(true);
    const events = raw
      .split('\n\n')
      .filter((block) => block.startsWith('data: '))
      .map((block) => JSON.parse(block.slice(6)));
    expect(
      events
        .filter((e) => typeof e.text === 'string')
        .map((e) => e.text)
        .join(''),
    ).toBe('worth the wait');
    expect(events.at(-1).done).toBe(true);
    // Plain text gets its headers early but no comment: the body is the answer alone.
    const plain = await post(`${gw.url}/chat/completions/stream`, body, { 'x-simulator-fault': fault });
    expect(await plain.text()).toBe('worth the wait');
  });

  it('refuses a body without messages before streaming', async () => {
    const response = await post(`${gw.url}/chat/completions/stream`, { model: 'openai/gpt-4o-mini' });
    expect(response.status).toBe(400);
  });
});

describe('catalog, embeddings, account', () => {
  it('lists models with filters and pagination', async () => {
    const all = (await (await fetch(`${gw.baseURL}/models`)).json()) as { data: { id: string }[]; total_count: number };
    expect(all.data.length).toBeGreaterThan(50);
    const tools = (await (await fetch(`${gw.baseURL}/models?supported_parameters=tools&limit=5`)).json()) as any;
    expect(tools.data).toHaveLength(5);
    expect(tools.data.every((m: any) => m.supported_parameters.includes('tools'))).toBe(true);
    expect(tools.links.next).toContain('offset=5');
    const free = (await (await fetch(`${gw.baseURL}/models?free=true`)).json()) as any;
    expect(free.data.length).toBeGreaterThan(0);
    expect(free.data.every((m: any) => Number(m.pricing.prompt) === 0 && Number(m.pricing.completion) === 0)).toBe(
      true,
    );
    const cheap = (await (await fetch(`${gw.baseURL}/models?sort=price&author=openai`)).json()) as any;
    const prices = cheap.data.map((m: any) => Number(m.pricing.prompt) + Number(m.pricing.completion));
    expect(prices).toEqual([...prices].sort((a, b) => a - b));
    expect(cheap.data.every((m: any) => m.id.replace(/^~/, '').startsWith('openai/'))).toBe(true);
  });

  it('lists the endpoints of a model', async () => {
    const response = await fetch(`${gw.baseURL}/models/openai/gpt-4o-mini/endpoints`);
    expect(response.status).toBe(200);
    const { data } = (await response.json()) as any;
    expect(data.endpoints.length).toBeGreaterThan(0);
    expect(data.endpoints[0].pricing.prompt).toBeDefined();
  });

  it('creates embeddings', async () => {
    const response = await post(`${gw.baseURL}/embeddings`, {
      model: 'openai/text-embedding-3-small',
      input: ['one', 'two'],
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as any;
    expect(body.data).toHaveLength(2);
    expect(body.data[0].embedding.length).toBeGreaterThan(100);
    const bad = await post(`${gw.baseURL}/embeddings`, { model: 'openai/text-embedding-3-small' });
    expect(bad.status).toBe(400);
  });

  it('shows open-access usage on GET /key', async () => {
    const response = await fetch(`${gw.baseURL}/key`);
    const { data } = (await response.json()) as any;
    expect(data.label).toContain('open access');
    expect(data.usage).toBeGreaterThan(0);
  });
});

describe('health, metrics, home', () => {
  it('reports liveness and readiness of upstream and ledger', async () => {
    expect(await (await fetch(`${gw.url}/healthz`)).json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${gw.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', checks: { upstream: 'ok', ledger: 'ok' } });
  });

  it('exports Prometheus metrics for requests, tokens, cost and attempts', async () => {
    await post(`${gw.baseURL}/chat/completions`, HELLO);
    const text = await (await fetch(`${gw.url}/metrics`)).text();
    expect(text).toMatch(/switchyard_requests_total\{route="\/api\/v1\/chat\/completions",status="200"\} \d+/);
    expect(text).toMatch(/switchyard_tokens_total\{model="openai\/gpt-4o-mini",kind="completion"\} \d+/);
    expect(text).toMatch(/switchyard_cost_usd_total\{model="openai\/gpt-4o-mini"\} [\d.e-]+/);
    expect(text).toMatch(/switchyard_attempts_total\{model="openai\/gpt-4o-mini",outcome="success"\} \d+/);
    expect(text).toContain('process_resident_memory_bytes');
  });

  it('keeps the model label bounded when clients send made-up model ids', async () => {
    for (let i = 0; i < 105; i++) {
      const refused = await post(`${gw.baseURL}/chat/completions`, { ...HELLO, model: `zz/made-up-${i}` });
      expect(refused.status).toBe(400);
    }
    // A real model first seen after the junk still gets its own series (it is in the catalog).
    const real = await post(`${gw.baseURL}/chat/completions`, { ...HELLO, model: 'anthropic/claude-3.5-haiku' });
    expect(real.status).toBe(200);
    const text = await (await fetch(`${gw.url}/metrics`)).text();
    const series = (name: string, pattern: RegExp) =>
      text.split('\n').filter((line) => line.startsWith(name) && pattern.test(line)).length;
    // 100 unknown ids get series (a few were used by earlier tests of this file); the rest count as (other).
    const kept = series('switchyard_attempts_total', /zz\/made-up-/);
    expect(kept).toBeGreaterThan(90);
    expect(kept).toBeLessThanOrEqual(100);
    expect(text).toContain(`switchyard_attempts_total{model="(other)",outcome="failed"} ${105 - kept}\n`);
    expect(text).toContain(`switchyard_upstream_errors_total{model="(other)",code="invalid_model"} ${105 - kept}\n`);
    expect(text).toMatch(/switchyard_attempts_total\{model="anthropic\/claude-3.5-haiku",outcome="success"\} 1\b/);
  });

  it('announces simulator mode on the home page', async () => {
    const response = await fetch(`${gw.url}/`);
    expect(response.headers.get('content-type')).toContain('text/html');
    const html = await response.text();
    expect(html).toContain('Simulator mode');
    expect(html).toContain('/api/v1');
  });

  it('announces simulator mode and open access in the first log lines', () => {
    const messages = gw.logLines().map((l) => String(l.msg));
    expect(messages.some((m) => m.startsWith('SIMULATOR MODE'))).toBe(true);
    expect(messages.some((m) => m.startsWith('open access'))).toBe(true);
  });

  it('logs one line per request with its id once (no duplicate JSON keys)', async () => {
    await fetch(`${gw.url}/healthz`);
    const line = gw
      .logs()
      .split('\n')
      .find((l) => l.includes('"msg":"request"') && l.includes('"url":"/healthz"'));
    expect(line).toBeDefined();
    expect(line?.match(/"reqId":/g)).toHaveLength(1);
    expect(JSON.parse(line as string)).toMatchObject({
      method: 'GET',
      status: 200,
      reqId: expect.stringMatching(/^req_/),
    });
  });
});
