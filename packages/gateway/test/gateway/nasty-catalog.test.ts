import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/gateway.js';

// The gateway in front of an OpenRouter-compatible upstream whose `/models` is sloppy: rows without architecture,
// top_provider or pricing, nulls, prices as numbers, an OpenAI-style `{id, object, owned_by}` row, and entries that
// are not models at all. Before normalisation, one such row made every chat a 500.

const ROWS: unknown[] = [
  {
    id: 'good/model',
    name: 'Good',
    context_length: 128_000,
    pricing: { prompt: '0.00000015', completion: '0.0000006' },
    architecture: { input_modalities: ['text'], output_modalities: ['text'], tokenizer: 'GPT' },
    top_provider: { context_length: 128_000, max_completion_tokens: 16_384, is_moderated: false },
    supported_parameters: ['tools', 'max_tokens'],
  },
  { id: 'sloppy/nulls', name: null, context_length: null, pricing: null, architecture: null, top_provider: null },
  { id: 'sloppy/numbers', pricing: { prompt: 0.000001, completion: 2e-6, image: null }, context_length: '8192' },
  { id: 'sloppy/openai-style', object: 'model', created: 1_700_000_000, owned_by: 'someone' },
  { name: 'a row without an id' },
  null,
  'not a model',
  42,
];

/** A priced model whose upstream never reports usage (as OpenAI-compatible servers do unless asked their way). */
const SILENT = 'good/model-silent';
ROWS.push({ ...(ROWS[0] as Record<string, unknown>), id: SILENT, name: 'Silent' });
/** A priced model whose upstream reports an explicit zero usage (a cached answer): taken at its word. */
const ZERO = 'good/model-zero';
/** An embedding model with a price; its upstream reports no usage. */
const EMBEDDER = 'good/embedder';
ROWS.push({ ...(ROWS[0] as Record<string, unknown>), id: ZERO, name: 'Zero' });
ROWS.push({
  id: EMBEDDER,
  name: 'Embedder',
  pricing: { prompt: '0.0000001', completion: '0' },
  architecture: { input_modalities: ['text'], output_modalities: ['embeddings'] },
});

function answerWithoutUsage(res: ServerResponse, stream: boolean): void {
  const text = 'An answer of a few words whose tokens nobody counted for us.';
  if (!stream) {
    res.end(
      JSON.stringify({
        id: 'gen-silent-1',
        object: 'chat.completion',
        model: SILENT,
        choices: [{ index: 0, finish_reason: 'stop', message: { role: 'assistant', content: text } }],
      }),
    );
    return;
  }
  const chunk = (delta: object, finish: string | null) =>
    `data: ${JSON.stringify({ id: 'gen-silent-2', object: 'chat.completion.chunk', model: SILENT, choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
  res.end(`${chunk({ role: 'assistant', content: text }, null)}${chunk({}, 'stop')}data: [DONE]\n\n`);
}

/** The gateway's ledger record of a generation, once it is written (settlement follows the answer). */
async function generation(id: string): Promise<Record<string, any> | undefined> {
  for (let i = 0; i < 50; i++) {
    const found = await fetch(`${gateway.baseURL}/generation?id=${id}`);
    if (found.status === 200) return ((await found.json()) as { data: Record<string, any> }).data;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return undefined;
}

let upstream: Server;
let gateway: TestGateway;
const asked: string[] = [];
let catalogServed = true;

beforeAll(async () => {
  upstream = createServer((req, res) => {
    let body = '';
    req.on('data', (piece) => {
      body += piece;
    });
    req.on('end', () => {
      const type = body.includes('"stream":true') ? 'text/event-stream' : 'application/json';
      res.writeHead(req.url?.includes('/models') && !catalogServed ? 404 : 200, { 'content-type': type });
      if (req.url?.includes('/embeddings')) {
        // No usage at all, as some OpenAI-compatible servers answer.
        const { input } = JSON.parse(body) as { input: string[] };
        const data = input.map((_, index) => ({ object: 'embedding', index, embedding: [0.1, 0.2, 0.3] }));
        return res.end(JSON.stringify({ object: 'list', model: EMBEDDER, data }));
      }
      if (req.url?.includes('/models')) {
        return res.end(JSON.stringify(catalogServed ? { data: ROWS } : { error: { code: 404, message: 'Not Found' } }));
      }
      const { model, stream } = JSON.parse(body) as { model: string; stream?: boolean };
      asked.push(model);
      if (model === SILENT) return answerWithoutUsage(res, stream === true);
      const zero = model === ZERO;
      res.end(
        JSON.stringify({
          id: `gen-sloppy-${asked.length}`,
          object: 'chat.completion',
          created: 1_759_420_128,
          model,
          choices: [{ index: 0, finish_reason: 'stop', message: { role: 'assistant', content: 'fine' } }],
          usage: zero
            ? { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0, cost: 0 }
            : { prompt_tokens: 3, completion_tokens: 1, total_tokens: 4 },
        }),
      );
    });
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  const { port } = upstream.address() as AddressInfo;
  gateway = await startTestGateway({
    env: { OPENROUTER_API_KEY: 'sk-or-v1-sloppy-catalog', OPENROUTER_BASE_URL: `http://127.0.0.1:${port}/api/v1` },
  });
});

afterAll(async () => {
  await gateway?.stop();
  upstream?.closeAllConnections();
  await new Promise((resolve) => upstream?.close(resolve));
});

describe('a sloppy upstream catalog', () => {
  it('does not break chats, for the sloppy models or the good one (tools included)', async () => {
    const tools = [{ type: 'function', function: { name: 'f', parameters: { type: 'object', properties: {} } } }];
    for (const model of ['good/model', 'sloppy/nulls', 'sloppy/numbers', 'sloppy/openai-style']) {
      const response = await fetch(`${gateway.baseURL}/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model, messages: [{ role: 'user', content: 'Hi' }], tools }),
      });
      const body = (await response.json()) as { choices?: { message: { content: string } }[] };
      expect({ model, status: response.status }).toEqual({ model, status: 200 });
      expect(body.choices?.[0]?.message.content).toBe('fine');
    }
    expect(asked).toEqual(['good/model', 'sloppy/nulls', 'sloppy/numbers', 'sloppy/openai-style']);
  });

  it('lists the models in the catalog shape: rows that are not models dropped, parts filled in', async () => {
    const listed = (await (await fetch(`${gateway.baseURL}/models`)).json()) as { data: Record<string, any>[] };
    const byId = new Map(listed.data.map((m) => [m.id, m]));
    expect([...byId.keys()].sort()).toEqual([
      'good/model',
      'good/model-silent',
      'good/model-zero',
      'sloppy/nulls',
      'sloppy/numbers',
      'sloppy/openai-style',
    ]);
    for (const model of listed.data) {
      expect(typeof model.name).toBe('string');
      expect(typeof model.pricing.prompt).toBe('string');
      expect(model.architecture.output_modalities).toContain('text');
      expect(Array.isArray(model.supported_parameters)).toBe(true);
    }
    expect(byId.get('sloppy/numbers')?.pricing).toEqual({ prompt: '0.000001', completion: '0.000002' });
    expect(byId.get('sloppy/numbers')?.context_length).toBe(8192);
    expect(byId.get('sloppy/nulls')?.name).toBe('sloppy/nulls');
    expect(byId.get('good/model')?.pricing).toEqual(ROWS[0] && (ROWS[0] as { pricing: unknown }).pricing);
  });
});

describe('an upstream that reports no usage', () => {
  it('has its answers recorded at an estimate (tokens from the text, catalog prices), which budgets settle with', async () => {
    for (const stream of [false, true]) {
      const response = await fetch(`${gateway.baseURL}/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: SILENT, stream, messages: [{ role: 'user', content: 'Tell me something.' }] }),
      });
      expect(response.status).toBe(200);
      await response.text();
      const id = stream ? 'gen-silent-2' : 'gen-silent-1';
      const record = await generation(id);
      expect(record?.tokens_prompt).toBeGreaterThan(0);
      expect(record?.tokens_completion).toBeGreaterThan(5);
      const expected = record!.tokens_prompt * 0.00000015 + record!.tokens_completion * 0.0000006;
      expect(record?.total_cost).toBeCloseTo(expected, 12);
    }
  });
});

describe('embeddings from an upstream that reports no usage', () => {
  it('are recorded at the input estimate and the prompt price', async () => {
    const response = await fetch(`${gateway.baseURL}/embeddings`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: EMBEDDER, input: ['first text to embed, a few words long', 'second text'] }),
    });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { data: unknown[] }).data).toHaveLength(2);
    let row: { promptTokens: number; costNano: bigint } | undefined;
    for (let i = 0; i < 50 && !row; i++) {
      const report = await gateway.services.accounting.report('model', {});
      row = report.rows.find((r) => r.group === EMBEDDER);
      if (!row) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(row?.promptTokens).toBeGreaterThan(5);
    expect(Number(row?.costNano)).toBeCloseTo(row!.promptTokens * 0.0000001 * 1e9, 3);
  });
});

describe('an upstream that reports zero usage', () => {
  it('is taken at its word: nothing estimated', async () => {
    const response = await fetch(`${gateway.baseURL}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: ZERO, messages: [{ role: 'user', content: 'Tell me something.' }] }),
    });
    const id = response.headers.get('x-generation-id');
    expect(response.status).toBe(200);
    const record = await generation(String(id));
    expect(record).toMatchObject({ tokens_prompt: 0, tokens_completion: 0, total_cost: 0 });
  });
});

describe('an upstream without /models', () => {
  it('is ready (it answers), and chats still work', async () => {
    catalogServed = false;
    const { port } = upstream.address() as AddressInfo;
    const bare = await startTestGateway({
      env: { OPENROUTER_API_KEY: 'sk-or-v1-no-catalog', OPENROUTER_BASE_URL: `http://127.0.0.1:${port}/api/v1` },
    });
    try {
      const ready = await fetch(`${bare.url}/readyz`);
      expect(await ready.json()).toMatchObject({ checks: { upstream: 'ok' } });
      expect(ready.status).toBe(200);
      const chat = await fetch(`${bare.baseURL}/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'other/model', messages: [{ role: 'user', content: 'Hi' }] }),
      });
      expect(chat.status).toBe(200);
    } finally {
      catalogServed = true;
      await bare.stop();
    }
  });
});
