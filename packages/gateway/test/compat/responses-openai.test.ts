/**
 * The OpenAI Responses API through the gateway, with the real `openai` client unchanged: the gateway translates it
 * onto chat completions (routing, limits, budgets and the ledger apply as on chat). Shapes and event order must be
 * what the client parses — its `responses.stream()` helper rebuilds the response from the events and throws on one
 * out of place. Every request goes over loopback to 127.0.0.1.
 */
import { readSse } from '@switchyard/sdk/sse';
import OpenAI from 'openai';
import type { FunctionTool, ResponseInputItem } from 'openai/resources/responses/responses';
import { describe, expect, it } from 'vitest';
import { post } from '../support/gateway.js';
import { MODEL, useCompatGateway, WEATHER_PARAMETERS } from './compat-gateway.js';

const weather: FunctionTool = {
  type: 'function',
  name: 'get_weather',
  description: 'Current weather for a city',
  parameters: WEATHER_PARAMETERS,
  strict: true,
};

const { gateway } = useCompatGateway();

function client(): OpenAI {
  return new OpenAI({ baseURL: gateway().baseURL, apiKey: 'anything', maxRetries: 0, timeout: 15_000 });
}

/** A response that asks for the weather in `city`, and its function call. */
async function weatherCall(city: string, extra: { store?: boolean } = {}) {
  const first = await client().responses.create({
    model: MODEL,
    input: `Use get_weather for ${city}.`,
    tools: [weather],
    ...extra,
  });
  const call = first.output.find((item) => item.type === 'function_call');
  if (call?.type !== 'function_call') throw new Error('expected a function call');
  return { first, call };
}

/** Raw SSE of a streamed Responses request: `[event type, parsed data]` pairs, and whether `[DONE]` came last. */
async function rawEvents(body: Record<string, unknown>, headers: Record<string, string> = {}) {
  const response = await post(`${gateway().baseURL}/responses`, { ...body, stream: true }, headers);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toContain('text/event-stream');
  const events: { event?: string; data: Record<string, unknown> }[] = [];
  let done = false;
  for await (const item of readSse(response.body as ReadableStream<Uint8Array>)) {
    if (item.type !== 'event') continue;
    expect(done).toBe(false);
    const { event, data } = item.event;
    if (data === '[DONE]') done = true;
    else events.push({ event, data: JSON.parse(data) as Record<string, unknown> });
  }
  return { events, done, response };
}

describe('openai client: responses.create', () => {
  it('answers a string input: output_text, usage, status and the echoed parameters', async () => {
    const { data, response } = await client()
      .responses.create({
        model: MODEL,
        input: 'Say exactly: Responses through the gateway',
        instructions: 'Be brief.',
        max_output_tokens: 200,
        metadata: { ticket: 'T-1' },
      })
      .withResponse();
    expect(data.id).toMatch(/^resp_/);
    expect(data.object).toBe('response');
    expect(data.status).toBe('completed');
    expect(data.model).toBe(MODEL);
    expect(data.output_text).toBe('Responses through the gateway');
    expect(data.output).toHaveLength(1);
    const message = data.output[0]!;
    expect(message).toMatchObject({ type: 'message', role: 'assistant', status: 'completed' });
    expect(data.instructions).toBe('Be brief.');
    expect(data.max_output_tokens).toBe(200);
    expect(data.metadata).toEqual({ ticket: 'T-1' });
    const usage = data.usage!;
    expect(usage.input_tokens).toBeGreaterThan(0);
    expect(usage.output_tokens).toBeGreaterThan(0);
    expect(usage.total_tokens).toBe(usage.input_tokens + usage.output_tokens);
    // Recorded in the ledger like any chat, under the generation id the header names.
    const generationId = response.headers.get('x-generation-id');
    expect(generationId).toMatch(/^gen-/);
    const record = await fetch(`${gateway().baseURL}/generation?id=${generationId}`);
    expect(record.status).toBe(200);
    const { data: row } = (await record.json()) as { data: { model: string; tokens_completion: number } };
    expect(row.model).toBe(MODEL);
    expect(row.tokens_completion).toBe(usage.output_tokens);
  });

  it('turns message items with content parts and a developer message into the chat the model sees', async () => {
    const response = await client().responses.create({
      model: MODEL,
      input: [
        { role: 'developer', content: 'Answer plainly.' },
        { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Say exactly: parts work' }] },
      ],
    });
    expect(response.output_text).toBe('parts work');
  });

  it('marks an answer cut by max_output_tokens as incomplete', async () => {
    const response = await client().responses.create({
      model: MODEL,
      input: 'Write a long essay about rivers and the sea and everything in between.',
      max_output_tokens: 5,
    });
    expect(response.status).toBe('incomplete');
    expect(response.incomplete_details).toEqual({ reason: 'max_output_tokens' });
    expect(response.usage!.output_tokens).toBeLessThanOrEqual(5);
  });

  it('answers json_schema structured output with JSON that fits the schema', async () => {
    const response = await client().responses.create({
      model: MODEL,
      input: 'Describe a city.',
      text: {
        format: {
          type: 'json_schema',
          name: 'city',
          strict: true,
          schema: {
            type: 'object',
            properties: { name: { type: 'string' }, population: { type: 'integer', minimum: 0 } },
            required: ['name', 'population'],
            additionalProperties: false,
          },
        },
      },
    });
    const city = JSON.parse(response.output_text) as { name: string; population: number };
    expect(typeof city.name).toBe('string');
    expect(Number.isInteger(city.population)).toBe(true);
    expect(response.text?.format).toMatchObject({ type: 'json_schema', name: 'city' });
  });

  it('runs a function-call round trip with the full history sent back (store: false)', async () => {
    const input: ResponseInputItem[] = [{ role: 'user', content: 'Use get_weather for Oslo.' }];
    const first = await client().responses.create({ model: MODEL, input, tools: [weather], store: false });
    const calls = first.output.filter((item) => item.type === 'function_call');
    expect(calls).toHaveLength(1);
    const call = calls[0]!;
    expect(call.name).toBe('get_weather');
    expect(call.call_id).toMatch(/^call_/);
    expect(call.id).toMatch(/^fc_/);
    const args = JSON.parse(call.arguments) as { city: string; unit: string };
    expect(['celsius', 'fahrenheit']).toContain(args.unit);

    const second = await client().responses.create({
      model: MODEL,
      tools: [weather],
      store: false,
      input: [
        ...input,
        ...(first.output as ResponseInputItem[]),
        { type: 'function_call_output', call_id: call.call_id, output: JSON.stringify({ conditions: 'sunny' }) },
      ],
    });
    expect(second.output.some((item) => item.type === 'function_call')).toBe(false);
    // The simulated model quotes the tool result in its final answer: the output reached it as a tool message.
    expect(second.output_text).toContain('sunny');
  });

  it('continues from previous_response_id, and refuses an id it does not know', async () => {
    const { first, call } = await weatherCall('Paris');
    const second = await client().responses.create({
      model: MODEL,
      tools: [weather],
      previous_response_id: first.id,
      input: [{ type: 'function_call_output', call_id: call.call_id, output: 'rainy, 12 degrees' }],
    });
    expect(second.previous_response_id).toBe(first.id);
    expect(second.output_text).toContain('rainy');

    const unknown = await post(`${gateway().baseURL}/responses`, {
      model: MODEL,
      input: 'hello',
      previous_response_id: 'resp_000000000000000000000000',
    });
    expect(unknown.status).toBe(400);
    const body = (await unknown.json()) as { error: { message: string; metadata: { field: string } } };
    expect(body.error.metadata.field).toBe('previous_response_id');
    expect(body.error.message).toContain('send the full history');
  });

  it('resolves item_reference inputs to stored output items', async () => {
    const { call } = await weatherCall('Rome');
    const second = await client().responses.create({
      model: MODEL,
      tools: [weather],
      input: [
        { role: 'user', content: 'Use get_weather for Rome.' },
        { type: 'item_reference', id: call.id! },
        { type: 'function_call_output', call_id: call.call_id, output: 'foggy' },
      ],
    });
    expect(second.output_text).toContain('foggy');

    // A response made with store: false is not kept.
    const unstored = await weatherCall('Bern', { store: false });
    const refused = await post(`${gateway().baseURL}/responses`, {
      model: MODEL,
      input: [{ type: 'item_reference', id: unstored.call.id }],
    });
    expect(refused.status).toBe(400);
    const body = (await refused.json()) as { error: { metadata: { field: string } } };
    expect(body.error.metadata.field).toBe('input[0].id');
  });

  it('refuses what it cannot honour with a 400 naming the field', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ input: 'x', tools: [{ type: 'file_search', vector_store_ids: ['vs_1'] }] }, 'tools[0].type'],
      [{ input: 'x', background: true }, 'background'],
      [{ input: [] }, 'input'],
      [{ input: [{ type: 'reasoning', summary: [] }], instructions: 'Be brief.' }, 'input'],
      [{ input: [{ type: 'computer_call_output', call_id: 'c' }] }, 'input[0].type'],
      [
        { input: [{ role: 'user', content: [{ type: 'input_image', file_id: 'file-1' }] }] },
        'input[0].content[0].image_url',
      ],
      [{ input: [{ role: 'user', content: [null] }] }, 'input[0].content[0]'],
      [{ input: 'x', text: { format: { type: 'yaml' } } }, 'text.format.type'],
      [{ input: 'x', tool_choice: { type: 'file_search' } }, 'tool_choice'],
    ];
    for (const [body, field] of cases) {
      const response = await post(`${gateway().baseURL}/responses`, { model: MODEL, ...body });
      expect(response.status, field).toBe(400);
      const envelope = (await response.json()) as { error: { type: string; metadata: { field: string } } };
      expect(envelope.error.type).toBe('invalid_request');
      expect(envelope.error.metadata.field).toBe(field);
    }
  });
});

describe('openai client: streamed responses', () => {
  it('streams text whose events rebuild the non-streamed answer, in order, ending with [DONE]', async () => {
    const input = 'Tell me about streams';
    const whole = await client().responses.create({ model: MODEL, input });
    const stream = client().responses.stream({ model: MODEL, input });
    const types: string[] = [];
    let deltas = '';
    for await (const event of stream) {
      types.push(event.type);
      if (event.type === 'response.output_text.delta') deltas += event.delta;
    }
    const final = await stream.finalResponse();
    expect(final.status).toBe('completed');
    expect(final.output_text).toBe(whole.output_text);
    expect(deltas).toBe(whole.output_text);
    expect(final.usage!.output_tokens).toBe(whole.usage!.output_tokens);
    expect(types.slice(0, 4)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
    ]);
    expect(types.slice(-4)).toEqual([
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.completed',
    ]);

    const raw = await rawEvents({ model: MODEL, input });
    expect(raw.done).toBe(true);
    raw.events.forEach(({ event, data }, i) => {
      expect(event).toBe(data.type);
      expect(data.sequence_number).toBe(i);
    });
    expect(raw.response.headers.get('x-generation-id')).toMatch(/^gen-/);
  });

  it('streams a function call: argument deltas add up to the arguments of the done item', async () => {
    const stream = client().responses.stream({ model: MODEL, input: 'Use get_weather for Lisbon.', tools: [weather] });
    let args = '';
    for await (const event of stream) if (event.type === 'response.function_call_arguments.delta') args += event.delta;
    const final = await stream.finalResponse();
    const call = final.output.find((item) => item.type === 'function_call');
    if (call?.type !== 'function_call') throw new Error('expected a function call');
    expect(call.name).toBe('get_weather');
    expect(call.status).toBe('completed');
    expect(args).toBe(call.arguments);
    expect(JSON.parse(call.arguments)).toMatchObject({ city: expect.any(String) });
  });

  it('answers a failure before any content as an HTTP error in the envelope', async () => {
    const fault = JSON.stringify({ kind: 'http', status: 400, message: 'bad things' });
    const response = await post(
      `${gateway().baseURL}/responses`,
      { model: MODEL, input: 'hi', stream: true },
      { 'x-simulator-fault': fault },
    );
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toContain('application/json');
    const body = (await response.json()) as { error: { message: string } };
    expect(body.error.message).toContain('bad things');
  });

  it('ends a stream cut mid-answer with response.failed and [DONE], never silently', async () => {
    const fault = JSON.stringify({ kind: 'mid-stream-error', afterChunks: 2, message: 'upstream fell over' });
    const { events, done } = await rawEvents(
      { model: MODEL, input: 'Tell me a long story' },
      { 'x-simulator-fault': fault },
    );
    expect(done).toBe(true);
    const last = events.at(-1)!.data as {
      type: string;
      response: { status: string; error: { code: string; message: string } };
    };
    expect(last.type).toBe('response.failed');
    expect(last.response.status).toBe('failed');
    expect(last.response.error.message).toContain('upstream fell over');
    expect(last.response.error.code).toBe('server_error');
    // The message begun before the error is closed as incomplete, not left open.
    const closed = events.find((e) => e.data.type === 'response.output_item.done')?.data.item as { status: string };
    expect(closed.status).toBe('incomplete');
    expect(events.some((e) => e.data.type === 'response.completed')).toBe(false);
  });
});
