import type { IncomingMessage, ServerResponse } from 'node:http';
import { readSse } from '@switchyard/sdk/sse';
import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { post, useGatewayOverUpstream } from '../support/gateway.js';
import { chunkFrame, completionBody, usageFrame } from '../support/upstream-chunks.js';

// Providers end tool calls with finish_reason "stop" or with none at all; the gateway's clients get "tool_calls"
// whenever the answer has tool calls (native_finish_reason keeps the provider's word), and nothing else changes.

type Data = Record<string, any>;

const MODEL = 'openai/gpt-4o-mini';
const CALL = { id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Oslo"}' } };
const USAGE = { prompt_tokens: 5, completion_tokens: 3, total_tokens: 8, cost: 0.000002 };
const TOOLS = [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object' } } }];

/** The prompt names the case: how the upstream ends its answer. */
type Case = 'calls-stop' | 'calls-null' | 'calls-one-frame' | 'calls-object-args' | 'text-empty-calls' | 'text-stop';

let sequence = 0;
function answer(_req: IncomingMessage, res: ServerResponse, body: string): void {
  const request = JSON.parse(body) as Data;
  const which = request.messages[0].content as Case;
  const head = { id: `gen-finish-${++sequence}`, created: 1_759_420_128, model: MODEL, provider: 'Google' };
  const calls = which.startsWith('calls');
  const finish = which === 'calls-null' ? null : 'stop';
  const native = which === 'calls-null' ? null : 'STOP';
  if (!request.stream) {
    // Some providers send the arguments as an object, and none at all for a tool without parameters.
    const odd = [
      { ...CALL, function: { name: 'get_weather', arguments: { city: 'Oslo' } } },
      { id: 'call_2', type: 'function', function: { name: 'get_time' } },
      null,
    ];
    const message = calls
      ? { role: 'assistant', content: null, tool_calls: which === 'calls-object-args' ? odd : [CALL] }
      : { role: 'assistant', content: 'Hi.' };
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(completionBody(head, message, finish, native, USAGE));
    return;
  }
  const frames: string[] = [];
  if (which === 'calls-object-args') {
    const call = { index: 0, ...CALL, function: { name: 'get_weather', arguments: { city: 'Oslo' } } };
    frames.push(chunkFrame(head, { role: 'assistant', tool_calls: [call] }), chunkFrame(head, {}, 'tool_calls'));
  } else if (which === 'calls-one-frame')
    frames.push(chunkFrame(head, { role: 'assistant', tool_calls: [{ index: 0, ...CALL }] }, 'stop', 'STOP'));
  else if (calls) {
    frames.push(chunkFrame(head, { role: 'assistant', content: null, tool_calls: [{ index: 0, ...CALL }] }));
    if (finish) frames.push(chunkFrame(head, {}, finish, native));
  } else {
    const delta =
      which === 'text-empty-calls' ? { role: 'assistant', content: 'Hi.', tool_calls: [] } : { content: 'Hi.' };
    frames.push(chunkFrame(head, delta), chunkFrame(head, {}, 'stop', 'STOP'));
  }
  frames.push(usageFrame(head, USAGE));
  frames.push('data: [DONE]\n\n');
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  res.end(frames.join(''));
}

const served = useGatewayOverUpstream(answer);

const ask = (which: Case, stream: boolean) =>
  post(`${served.gateway.baseURL}/chat/completions`, {
    model: MODEL,
    messages: [{ role: 'user', content: which }],
    tools: TOOLS,
    stream,
  });

/** The stream's chunks (parsed), checking it ends with [DONE]. */
async function chunks(response: Response): Promise<Data[]> {
  expect(response.status).toBe(200);
  const payloads: string[] = [];
  for await (const item of readSse(response.body as ReadableStream<Uint8Array>))
    if (item.type === 'event') payloads.push(item.event.data);
  expect(payloads.at(-1)).toBe('[DONE]');
  return payloads.slice(0, -1).map((data) => JSON.parse(data) as Data);
}

const finishes = (list: Data[]) =>
  list.flatMap((c) => (c.choices ?? []).filter((choice: Data) => choice.finish_reason != null));

describe('finish_reason of tool calls through the gateway', () => {
  it('non-stream: "stop" and null with tool calls become "tool_calls"; the native reason is kept', async () => {
    for (const which of ['calls-stop', 'calls-null'] as const) {
      const data = (await (await ask(which, false)).json()) as Data;
      expect(data.choices[0]).toMatchObject({ finish_reason: 'tool_calls', message: { tool_calls: [CALL] } });
      expect(data.choices[0].native_finish_reason).toBe(which === 'calls-stop' ? 'STOP' : null);
    }
  });

  it('non-stream: tool-call arguments sent as an object, or not at all, reach the client as JSON text (no null calls)', async () => {
    const data = (await (await ask('calls-object-args', false)).json()) as Data;
    expect(data.choices[0].finish_reason).toBe('tool_calls');
    expect(data.choices[0].message.tool_calls).toEqual([
      CALL,
      { id: 'call_2', type: 'function', function: { name: 'get_time', arguments: '{}' } },
    ]);
  });

  it('stream: tool-call arguments sent as an object reach the client as JSON text', async () => {
    const list = await chunks(await ask('calls-object-args', true));
    const calls = list.flatMap((c) => c.choices?.[0]?.delta?.tool_calls ?? []);
    expect(calls).toMatchObject([{ id: 'call_1', function: { name: 'get_weather', arguments: '{"city":"Oslo"}' } }]);
  });

  it('non-stream: a text answer keeps its "stop"', async () => {
    const data = (await (await ask('text-stop', false)).json()) as Data;
    expect(data.choices[0]).toMatchObject({ finish_reason: 'stop', native_finish_reason: 'STOP' });
  });

  it('stream: the finish chunk of tool calls says "tool_calls", in a separate frame or in the calls\' own', async () => {
    for (const which of ['calls-stop', 'calls-one-frame'] as const) {
      const list = await chunks(await ask(which, true));
      expect(finishes(list)).toEqual([
        expect.objectContaining({ finish_reason: 'tool_calls', native_finish_reason: 'STOP' }),
      ]);
      expect(list.at(-1)?.usage).toMatchObject({ total_tokens: 8 });
    }
  });

  it('stream: tool calls that never named a finish reason get a closing chunk with "tool_calls" before [DONE]', async () => {
    const list = await chunks(await ask('calls-null', true));
    expect(finishes(list)).toEqual([expect.objectContaining({ finish_reason: 'tool_calls', index: 0 })]);
    expect(list.at(-1)).toMatchObject({ model: MODEL, object: 'chat.completion.chunk', choices: [{ delta: {} }] });
    expect(list.at(-1)?.id).toBe(list[0]?.id);
  });

  it('stream: text with an empty tool_calls array keeps "stop", and its frames pass unchanged', async () => {
    const list = await chunks(await ask('text-empty-calls', true));
    expect(finishes(list)).toEqual([expect.objectContaining({ finish_reason: 'stop' })]);
    expect(list).toHaveLength(3);
  });

  it('the openai client sees "tool_calls" from a streamed answer that ended with "stop"', async () => {
    const client = new OpenAI({ apiKey: 'unused', baseURL: served.gateway.baseURL, maxRetries: 0 });
    const stream = client.chat.completions.stream({
      model: MODEL,
      messages: [{ role: 'user', content: 'calls-stop' }],
      tools: TOOLS as never,
    });
    const completion = await stream.finalChatCompletion();
    expect(completion.choices[0]?.finish_reason).toBe('tool_calls');
    expect(completion.choices[0]?.message.tool_calls?.[0]).toMatchObject({ id: 'call_1' });
  });
});
