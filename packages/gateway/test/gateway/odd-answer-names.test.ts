import type { IncomingMessage, ServerResponse } from 'node:http';
import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { post, useGatewayOverUpstream } from '../support/gateway.js';

// An upstream whose answers carry what no header, ledger column or budget counter can hold: an id, model, provider
// or finish reason that is no string (a list, a number, null), names with characters no header may carry, a
// runaway cost or token count, embeddings that are neither numbers nor base64. One such answer used to be a 500
// (`id.replace is not a function`, `ERR_INVALID_CHAR`), a crashed settlement, a lost ledger row ("finishReason must
// be a string", "not a USD amount") or, worse, a row SQLite refused on every retry of its batch, blocking every row
// queued behind it until the queue overflowed and the gateway refused all requests.

const MODEL = 'openai/gpt-4o-mini';
const EMBEDDER = 'openai/text-embedding-3-small';

type Case = 'odd-types' | 'header-chars' | 'runaway-usage';

function answer(_req: IncomingMessage, res: ServerResponse, body: string): void {
  const request = JSON.parse(body) as { stream?: boolean; input?: string; messages?: { content: Case }[] };
  if (request.input !== undefined) return embeddings(res, request.input);
  const which = request.messages?.[0]?.content;
  const head =
    which === 'header-chars'
      ? { id: 'gen-ünï\u0000✓', model: 'acme/модель', provider: 'OpenAI' }
      : { id: ['gen-odd'], model: null, provider: 5 };
  const usage =
    which === 'runaway-usage'
      ? { prompt_tokens: 3e12, completion_tokens: 2, total_tokens: 7, cost: 1e308 }
      : { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7, cost: 0.000003 };
  if (!request.stream) {
    res.writeHead(200, { 'content-type': 'application/json' });
    const message = { role: 'assistant', content: 'odd but fine' };
    res.end(
      JSON.stringify({ ...head, object: 'chat.completion', choices: [{ index: 0, message, finish_reason: 5 }], usage }),
    );
    return;
  }
  const chunk = (choices: unknown[], extra: object = {}) =>
    `data: ${JSON.stringify({ ...head, object: 'chat.completion.chunk', choices, ...extra })}\n\n`;
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  res.end(
    chunk([{ index: 0, delta: { role: 'assistant', content: 'odd but fine' }, finish_reason: null }]) +
      chunk([{ index: 0, delta: {}, finish_reason: 5, native_finish_reason: ['x'] }]) +
      chunk([], { usage }) +
      'data: [DONE]\n\n',
  );
}

function embeddings(res: ServerResponse, input: string): void {
  res.writeHead(200, { 'content-type': 'application/json' });
  const embedding = input === 'not base64' ? 'this is not base64!' : [0.25, 0.5];
  const usage = { prompt_tokens: '12', total_tokens: '12', cost: 0.0000012 };
  res.end(JSON.stringify({ object: 'list', model: 5, data: [{ object: 'embedding', index: 0, embedding }], usage }));
}

const setup = useGatewayOverUpstream(answer);
const messages = (which: Case) => [{ role: 'user' as const, content: which }];

/** The chat answered in both modes; the requests made are counted by the caller. */
async function chatBothWays(which: Case): Promise<{ headers: Headers }> {
  const client = new OpenAI({ apiKey: 'unused', baseURL: setup.gateway.baseURL, maxRetries: 0 });
  const { data: completion, response } = await client.chat.completions
    .create({ model: MODEL, messages: messages(which) })
    .withResponse();
  expect(completion.choices[0]?.message.content).toBe('odd but fine');
  expect(typeof completion.model).toBe('string');
  const stream = await client.chat.completions.create({ model: MODEL, messages: messages(which), stream: true });
  let text = '';
  for await (const part of stream) text += part.choices[0]?.delta.content ?? '';
  expect(text).toBe('odd but fine');
  return { headers: response.headers };
}

describe('odd answers', () => {
  it('with names that are no strings are served (stream and not), and every attempt is recorded', async () => {
    for (let i = 0; i < 3; i++) await chatBothWays('odd-types');
    const report = await setup.gateway.services.accounting.report('model', {});
    expect(report.total).toMatchObject({ attempts: 6, failures: 0, costNano: 6n * 3_000n });
  });

  it('with names no header can carry are served, the headers holding what they can', async () => {
    const { headers } = await chatBothWays('header-chars');
    // Percent-encoded as UTF-8, the way non-ASCII text travels in headers.
    expect(headers.get('x-generation-id')).toBe('gen-%C3%BCn%C3%AF%00%E2%9C%93');
    expect(decodeURI(headers.get('x-switchyard-model') ?? '')).toBe('acme/модель');
  });

  it('with a runaway cost and token count are recorded at the bounds, and settled', async () => {
    const before = (await setup.gateway.services.accounting.report('model', {})).total.attempts;
    await chatBothWays('runaway-usage');
    const report = await setup.gateway.services.accounting.report('model', {});
    expect(report.total.attempts).toBe(before + 2);
  });

  it('of embeddings: a model that is no string and tokens as text are read; a vector neither numbers nor base64 is a typed error', async () => {
    const { gateway } = setup;
    const ok = await post(`${gateway.baseURL}/embeddings`, { model: EMBEDDER, input: 'fine' });
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { data: { embedding: number[] }[] }).data[0]?.embedding).toEqual([0.25, 0.5]);
    const bad = await post(`${gateway.baseURL}/embeddings`, { model: EMBEDDER, input: 'not base64' });
    expect(bad.status).toBe(502);
    const body = (await bad.json()) as { error: { type: string; message: string } };
    expect(body.error).toMatchObject({ type: 'unexpected_response' });
    expect(body.error.message).toContain('neither numbers nor base64');
    const report = await gateway.services.accounting.report('model', { model: EMBEDDER });
    expect(report.total).toMatchObject({ attempts: 2, promptTokens: 12 });
  });

  it('leave no error in the logs (no crashed settlement, no lost or refused ledger row)', () => {
    const problems = setup.gateway.logLines().filter((line) => Number(line.level) >= 50);
    expect(problems).toEqual([]);
  });
});
