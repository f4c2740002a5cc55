import type { IncomingMessage, ServerResponse } from 'node:http';
import Anthropic from '@anthropic-ai/sdk';
import { readSse } from '@switchyard/sdk/sse';
import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { post, useGatewayOverUpstream } from '../support/gateway.js';
import { chunkFrame, usageFrame } from '../support/upstream-chunks.js';

// Some providers interleave the deltas of parallel tool calls. Anthropic's Messages and OpenAI's Responses streams
// have one block or item open at a time, and clients act on its end, so the gateway holds a call back while another's
// arguments are incomplete: every delta lands in the open one, and each call is whole when it ends.

const MODEL = 'openai/gpt-4o-mini';
const head = { id: 'gen-interleaved-1', created: 1_759_420_128, model: MODEL, provider: 'OpenAI' };
const USAGE = { prompt_tokens: 9, completion_tokens: 12, total_tokens: 21, cost: 0.00001 };

/** The prompt says how the calls arrive: `interleaved` (a, b, a, b, …) or `sequential` (all of a, then all of b). */
function answer(_req: IncomingMessage, res: ServerResponse, body: string): void {
  const request = JSON.parse(body) as { messages: { content: unknown }[] };
  const interleaved = JSON.stringify(request.messages.at(-1)?.content).includes('interleaved');
  const call = (index: number, fn: Record<string, unknown>, id?: string) =>
    chunkFrame(head, { tool_calls: [{ index, ...(id ? { id, type: 'function' } : {}), function: fn }] });
  const a = ['{"city":', '"Oslo"', '}'];
  const b = ['{"q":', '"snow', ' depth"}'];
  const frames = [
    chunkFrame(head, { role: 'assistant', content: null }),
    call(0, { name: 'get_weather', arguments: '' }, 'call_a'),
  ];
  if (interleaved) {
    frames.push(call(1, { name: 'search', arguments: '' }, 'call_b'));
    for (let i = 0; i < a.length; i++) frames.push(call(0, { arguments: a[i] }), call(1, { arguments: b[i] }));
  } else {
    for (const piece of a) frames.push(call(0, { arguments: piece }));
    frames.push(call(1, { name: 'search', arguments: '' }, 'call_b'));
    for (const piece of b) frames.push(call(1, { arguments: piece }));
  }
  frames.push(chunkFrame(head, {}, 'tool_calls', 'tool_calls'), usageFrame(head, USAGE), 'data: [DONE]\n\n');
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  res.end(frames.join(''));
}

const served = useGatewayOverUpstream(answer);

const TOOLS = [
  { name: 'get_weather', input_schema: { type: 'object' as const, properties: { city: { type: 'string' } } } },
  { name: 'search', input_schema: { type: 'object' as const, properties: { q: { type: 'string' } } } },
];

const request = (how: string) => ({
  model: MODEL,
  max_tokens: 200,
  stream: true,
  tools: TOOLS,
  messages: [{ role: 'user', content: how }],
});

/** The stream's events, checking that blocks open and close one at a time and deltas go to the open one. */
async function events(how: string): Promise<Record<string, any>[]> {
  const response = await post(`${served.gateway.url}/v1/messages`, request(how), { 'anthropic-version': '2023-06-01' });
  expect(response.status).toBe(200);
  const list: Record<string, any>[] = [];
  for await (const item of readSse(response.body as ReadableStream<Uint8Array>))
    if (item.type === 'event') list.push(JSON.parse(item.event.data));
  let open: number | undefined;
  for (const event of list) {
    if (event.type === 'content_block_start') {
      expect(open).toBeUndefined();
      open = event.index;
    } else if (event.type === 'content_block_delta') expect(event.index).toBe(open);
    else if (event.type === 'content_block_stop') {
      expect(event.index).toBe(open);
      open = undefined;
    }
  }
  expect(list.at(-1)?.type).toBe('message_stop');
  return list;
}

/** Each tool_use block's input, from its own deltas only (as a client following blocks in order reads it). */
function inputs(list: Record<string, any>[]): Record<string, unknown> {
  const names = new Map<number, string>();
  const json = new Map<number, string>();
  for (const event of list) {
    if (event.type === 'content_block_start' && event.content_block.type === 'tool_use')
      names.set(event.index, event.content_block.name);
    if (event.type === 'content_block_delta' && event.delta.type === 'input_json_delta')
      json.set(event.index, (json.get(event.index) ?? '') + event.delta.partial_json);
  }
  return Object.fromEntries([...names].map(([index, name]) => [name, JSON.parse(json.get(index) ?? '{}')]));
}

describe('parallel tool calls on the Messages stream', () => {
  it('interleaved upstream deltas become one block at a time, each input whole', async () => {
    const list = await events('interleaved');
    expect(inputs(list)).toEqual({ get_weather: { city: 'Oslo' }, search: { q: 'snow depth' } });
    expect(list.find((e) => e.type === 'message_delta')?.delta.stop_reason).toBe('tool_use');
  });

  it('calls that come one after another still stream live: the second block opens before its last delta', async () => {
    const list = await events('sequential');
    expect(inputs(list)).toEqual({ get_weather: { city: 'Oslo' }, search: { q: 'snow depth' } });
    const second = list.findIndex((e) => e.type === 'content_block_start' && e.content_block.name === 'search');
    const deltas = list.filter((e, i) => i > second && e.type === 'content_block_delta');
    expect(deltas.length).toBeGreaterThan(1);
  });

  it('the Anthropic SDK assembles both calls from the interleaved stream', async () => {
    const client = new Anthropic({ baseURL: `${served.gateway.url}/api`, apiKey: 'anything', maxRetries: 0 });
    const blocks: unknown[] = [];
    const stream = client.messages.stream({ ...request('interleaved'), stream: undefined } as never);
    stream.on('contentBlock', (block) => blocks.push(block));
    const message = await stream.finalMessage();
    const calls = message.content.filter((b) => b.type === 'tool_use');
    expect(calls.map((c) => [c.id, c.name, c.input])).toEqual([
      ['call_a', 'get_weather', { city: 'Oslo' }],
      ['call_b', 'search', { q: 'snow depth' }],
    ]);
    // Each block was whole when the SDK reported it finished.
    expect(blocks).toEqual(calls);
  });
});

describe('parallel tool calls on the Responses stream', () => {
  const FUNCTIONS = TOOLS.map((t) => ({
    type: 'function' as const,
    name: t.name,
    parameters: t.input_schema,
    strict: false,
  }));
  const body = (how: string) => ({ model: MODEL, input: how, tools: FUNCTIONS, stream: true });

  it('interleaved upstream deltas become one function_call item at a time, each whole when it is done', async () => {
    const response = await post(`${served.gateway.url}/v1/responses`, body('interleaved'));
    expect(response.status).toBe(200);
    const list: Record<string, any>[] = [];
    for await (const item of readSse(response.body as ReadableStream<Uint8Array>))
      if (item.type === 'event' && item.event.data !== '[DONE]') list.push(JSON.parse(item.event.data));
    let open: number | undefined;
    const done: Record<string, any>[] = [];
    for (const event of list) {
      if (event.type === 'response.output_item.added') {
        expect(open).toBeUndefined();
        open = event.output_index;
      } else if (event.type === 'response.function_call_arguments.delta') expect(event.output_index).toBe(open);
      else if (event.type === 'response.output_item.done') {
        expect(event.output_index).toBe(open);
        open = undefined;
        done.push(event.item);
      }
    }
    expect(done.map((item) => [item.call_id, item.name, JSON.parse(item.arguments)])).toEqual([
      ['call_a', 'get_weather', { city: 'Oslo' }],
      ['call_b', 'search', { q: 'snow depth' }],
    ]);
  });

  it('the openai client gets both calls whole from the interleaved stream', async () => {
    const client = new OpenAI({ baseURL: `${served.gateway.url}/v1`, apiKey: 'anything', maxRetries: 0 });
    const stream = client.responses.stream({ ...body('interleaved'), stream: undefined } as never);
    const finished: unknown[] = [];
    stream.on('response.output_item.done', (event) => finished.push(event.item));
    const final = await stream.finalResponse();
    const calls = final.output.filter((item) => item.type === 'function_call');
    expect(calls.map((c) => [c.call_id, c.name, JSON.parse(c.arguments)])).toEqual([
      ['call_a', 'get_weather', { city: 'Oslo' }],
      ['call_b', 'search', { q: 'snow depth' }],
    ]);
    // Each item was whole when the stream said it was done.
    const whole = (items: unknown[]) =>
      (items as { type: string; call_id: string; arguments: string }[])
        .filter((item) => item.type === 'function_call')
        .map((item) => [item.call_id, item.arguments]);
    expect(whole(finished)).toEqual(whole(calls));
  });
});
