import type { ServerResponse } from 'node:http';
import { readSse } from '@switchyard/sdk/sse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LoopbackUpstream, startLoopbackUpstream } from '../../../../test/support/loopback-upstream.js';
import { generationRecord } from '../../src/accounting/generation-record.js';
import { makeRow } from '../stores/rows.js';
import { post, startTestGateway, type TestGateway } from '../support/gateway.js';
import { chunkFrame, completionBody, usageFrame } from '../support/upstream-chunks.js';

// `GET /generation` tells how the answer ended (finish_reason, native_finish_reason) and what a BYOK upstream
// charged (is_byok, upstream_inference_cost), as the ledger recorded them — streamed or not — instead of a fixed
// "stop" / false / null.

type Data = Record<string, any>;

/** The request's generation id, read from its answer (the first chunk of a stream), and its ledger record. */
async function answerAndRecord(gw: TestGateway, body: Record<string, unknown>, headers: Record<string, string> = {}) {
  const response = await post(`${gw.baseURL}/chat/completions`, body, headers);
  expect(response.status).toBe(200);
  let id: string;
  if (body.stream) {
    const payloads: string[] = [];
    for await (const item of readSse(response.body as ReadableStream<Uint8Array>))
      if (item.type === 'event') payloads.push(item.event.data);
    expect(payloads.at(-1)).toBe('[DONE]');
    id = JSON.parse(payloads[0] as string).id;
  } else id = ((await response.json()) as Data).id;
  const generation = await fetch(`${gw.baseURL}/generation?id=${id}`);
  expect(generation.status).toBe(200);
  return ((await generation.json()) as { data: Data }).data;
}

const WEATHER = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Current weather for a city',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  },
};

describe('GET /generation: how a simulated answer ended', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway();
  });
  afterAll(() => gw?.stop());

  for (const stream of [false, true]) {
    it(`reports length for an answer cut at max_tokens, with the provider's own reason (stream: ${stream})`, async () => {
      // An Anthropic model: its native reason (`max_tokens`) differs from the normalised one.
      const data = await answerAndRecord(gw, {
        model: 'anthropic/claude-3.5-haiku',
        messages: [{ role: 'user', content: 'Tell me a long story about the sea.' }],
        max_tokens: 2,
        stream,
      });
      expect(data).toMatchObject({ finish_reason: 'length', native_finish_reason: 'max_tokens', streamed: stream });
      expect(data.tokens_completion).toBe(2);
      expect(data).toMatchObject({ is_byok: false, upstream_inference_cost: null });
    });

    it(`reports tool_calls for an answer that called a tool (stream: ${stream})`, async () => {
      const data = await answerAndRecord(gw, {
        model: 'openai/gpt-4o-mini',
        messages: [{ role: 'user', content: 'Use get_weather for Oslo.' }],
        tools: [WEATHER],
        tool_choice: { type: 'function', function: { name: 'get_weather' } },
        stream,
      });
      expect(data).toMatchObject({ finish_reason: 'tool_calls', native_finish_reason: 'tool_calls' });
    });
  }

  it('reports stop for a plain answer', async () => {
    const data = await answerAndRecord(gw, {
      model: 'openai/gpt-4o-mini',
      messages: [{ role: 'user', content: 'Hello' }],
    });
    expect(data).toMatchObject({ finish_reason: 'stop', native_finish_reason: 'stop' });
  });

  it('reports error for a request that failed, whatever its stream said before', async () => {
    const data = await answerAndRecord(
      gw,
      { model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'Hello there' }], stream: true },
      { 'x-simulator-fault': JSON.stringify({ kind: 'mid-stream-error', afterChunks: 2 }) },
    );
    expect(data.attempts.at(-1).outcome).toBe('failed');
    expect(data).toMatchObject({ finish_reason: 'error', native_finish_reason: null });
  });
});

describe('GET /generation: BYOK usage and tool calls without a finish reason, from a loopback upstream', () => {
  const MODEL = 'openai/gpt-4o-mini';
  // What a BYOK answer reports: OpenRouter's fee as `cost`, the provider's charge as upstream_inference_cost.
  const BYOK_USAGE = {
    prompt_tokens: 5,
    completion_tokens: 3,
    total_tokens: 8,
    cost: 0.000001,
    is_byok: true,
    cost_details: { upstream_inference_cost: 0.0000215 },
  };
  const CALL = { id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Oslo"}' } };
  let upstream: LoopbackUpstream;
  let gw: TestGateway;
  let sequence = 0;

  /** `byok` in the prompt: a BYOK answer that stopped (natively `end_turn`); else tool calls with finish null. */
  function answer(_req: unknown, res: ServerResponse, body: string): void {
    const request = JSON.parse(body) as Data;
    const byok = JSON.stringify(request.messages).includes('byok');
    const id = `gen-loopback-${++sequence}`;
    const head = { id, created: 1_759_420_128, model: MODEL, provider: 'OpenAI' };
    const finish = byok ? 'stop' : null;
    const native = byok ? 'end_turn' : null;
    const usage = byok ? BYOK_USAGE : { prompt_tokens: 5, completion_tokens: 3, total_tokens: 8, cost: 0.000002 };
    if (!request.stream) {
      const message = byok
        ? { role: 'assistant', content: 'Hi.' }
        : { role: 'assistant', content: '', tool_calls: [CALL] };
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(completionBody(head, message, finish, native, usage));
      return;
    }
    const frames = byok
      ? [chunkFrame(head, { role: 'assistant', content: 'Hi.' }), chunkFrame(head, {}, finish, native)]
      : // The calls and then nothing: no chunk ever names a finish reason.
        [chunkFrame(head, { role: 'assistant', content: null, tool_calls: [{ index: 0, ...CALL }] })];
    frames.push(usageFrame(head, usage));
    frames.push('data: [DONE]\n\n');
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.end(frames.join(''));
  }

  beforeAll(async () => {
    upstream = await startLoopbackUpstream(answer);
    gw = await startTestGateway({
      env: {
        OPENROUTER_API_KEY: 'sk-or-v1-generation-finish-test',
        OPENROUTER_BASE_URL: upstream.baseURL,
      },
    });
  });

  afterAll(async () => {
    await gw?.stop();
    await upstream?.close();
  });

  for (const stream of [false, true]) {
    it(`reports is_byok and the upstream's charge of a BYOK answer (stream: ${stream})`, async () => {
      const data = await answerAndRecord(gw, { model: MODEL, messages: [{ role: 'user', content: 'byok' }], stream });
      expect(data).toMatchObject({
        is_byok: true,
        upstream_inference_cost: 0.0000215,
        usage: 0.000001,
        finish_reason: 'stop',
        native_finish_reason: 'end_turn',
      });
      expect(data.provider_responses).toEqual([expect.objectContaining({ is_byok: true })]);
    });

    it(`reports tool_calls for tool calls that came with no finish reason (stream: ${stream})`, async () => {
      const data = await answerAndRecord(gw, {
        model: MODEL,
        messages: [{ role: 'user', content: 'Use get_weather for Oslo.' }],
        tools: [WEATHER],
        stream,
      });
      expect(data).toMatchObject({ finish_reason: 'tool_calls', native_finish_reason: null, is_byok: false });
      expect(data.upstream_inference_cost).toBeNull();
    });
  }
});

describe('GET /generation of a row recorded before the ledger kept finish reasons', () => {
  it('reports the finish reason as unknown (null), not a guessed stop; not BYOK; no upstream cost', () => {
    const row = makeRow({ generationId: 'gen-old' });
    expect(generationRecord('gen-old', [row])).toMatchObject({
      finish_reason: null,
      native_finish_reason: null,
      is_byok: false,
      upstream_inference_cost: null,
    });
  });
});
