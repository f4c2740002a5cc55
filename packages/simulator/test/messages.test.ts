/**
 * `POST /messages`, the Anthropic Messages skin: Anthropic's request, answer, stream events and error envelope over
 * the chat pipeline (same answers, usage, cost, billing, `/generation` records and faults as chat). Every request
 * goes to a simulator on 127.0.0.1.
 */
import { describe, expect, it } from 'vitest';
import type { SimulatorHandle } from '../src/index.js';
import { type CallOptions, call, json, KEY, useSimulator } from './helpers.js';

const CLAUDE = 'anthropic/claude-sonnet-4.5';
const weather = {
  name: 'get_weather',
  description: 'Current weather for a city',
  input_schema: {
    type: 'object',
    properties: { city: { type: 'string', minLength: 1 }, unit: { type: 'string', enum: ['celsius', 'fahrenheit'] } },
    required: ['city', 'unit'],
  },
};

const fault = (value: unknown): CallOptions => ({
  headers: { 'x-simulator-fault': typeof value === 'string' ? value : JSON.stringify(value) },
});

const request = (body: Record<string, unknown>) => ({
  model: CLAUDE,
  max_tokens: 256,
  messages: [{ role: 'user', content: 'Hello there' }],
  ...body,
});

function send(sim: SimulatorHandle, body: Record<string, unknown>, options: CallOptions = {}) {
  return json(sim, '/messages', request(body), options);
}

/** A streaming request, its body unread. */
function open(sim: SimulatorHandle, body: Record<string, unknown>, options: CallOptions = {}) {
  return call(sim, '/messages', { ...request(body), stream: true }, options);
}

/** Anthropic SSE: `event:` + `data:` blocks (comments kept apart). */
async function stream(sim: SimulatorHandle, body: Record<string, unknown>, options: CallOptions = {}) {
  const res = await open(sim, body, options);
  const raw = await res.text();
  const comments: string[] = [];
  const events: { event: string; data: Record<string, any> }[] = [];
  for (const block of raw.split('\n\n')) {
    if (block === '') continue;
    if (block.startsWith(':')) {
      comments.push(block.slice(1).trim());
      continue;
    }
    const [eventLine, dataLine] = block.split('\n');
    expect(eventLine).toMatch(/^event: /);
    expect(dataLine).toMatch(/^data: /);
    const data = JSON.parse(dataLine!.slice(6));
    expect(data.type).toBe(eventLine!.slice(7));
    events.push({ event: eventLine!.slice(7), data });
  }
  return { res, raw, comments, events, names: events.map((e) => e.event) };
}

const deltas = (events: { data: Record<string, any> }[], type: string, field: string) =>
  events
    .filter((e) => e.data.type === 'content_block_delta' && e.data.delta.type === type)
    .map((e) => e.data.delta[field])
    .join('');

describe('POST /messages', () => {
  const sim = useSimulator({ seed: 'messages' });

  it('answers an Anthropic message with X-Generation-Id', async () => {
    const { status, headers, body } = await send(sim(), {
      messages: [{ role: 'user', content: 'Say exactly: hello from the messages skin' }],
    });
    expect(status).toBe(200);
    const generation = headers.get('x-generation-id')!;
    expect(generation).toMatch(/^gen-\d+-[A-Za-z0-9]{20}$/);
    expect(body).toEqual({
      id: `msg_${generation.slice(-20)}`,
      type: 'message',
      role: 'assistant',
      model: CLAUDE,
      content: [{ type: 'text', text: 'hello from the messages skin' }],
      stop_reason: 'end_turn',
      stop_sequence: null,
      usage: {
        input_tokens: expect.any(Number),
        cache_creation_input_tokens: 0,
        cache_read_input_tokens: 0,
        output_tokens: 5,
      },
    });
  });

  it('gives the answer, token counts and cost chat gives the same conversation, and records it', async () => {
    const conversation = {
      max_tokens: 300,
      messages: [{ role: 'user', content: 'Tell me about sidings' }],
    };
    const message = await send(sim(), { ...conversation, system: 'You are terse.' });
    // Answers are a function of the request's JSON: the chat request has the same fields in the same order.
    const same = await json(sim(), '/chat/completions', {
      model: CLAUDE,
      max_tokens: 300,
      messages: [
        { role: 'system', content: 'You are terse.' },
        { role: 'user', content: 'Tell me about sidings' },
      ],
    });
    expect(message.body.content[0].text).toBe(same.body.choices[0].message.content);
    expect(message.body.usage.input_tokens).toBe(same.body.usage.prompt_tokens);
    expect(message.body.usage.output_tokens).toBe(same.body.usage.completion_tokens);
    const record = await json(sim(), `/generation?id=${message.headers.get('x-generation-id')}`);
    expect(record.status).toBe(200);
    expect(record.body.data).toMatchObject({
      model: CLAUDE,
      total_cost: same.body.usage.cost,
      tokens_prompt: same.body.usage.prompt_tokens,
      tokens_completion: same.body.usage.completion_tokens,
      finish_reason: 'stop',
      native_finish_reason: 'end_turn',
      streamed: false,
    });
  });

  it('reports cache reads and writes as Anthropic does: input_tokens excludes them', async () => {
    const long = `Reference manual. ${'The points are set before the train departs. '.repeat(120)}`;
    const body = {
      system: [{ type: 'text', text: long, cache_control: { type: 'ephemeral' } }],
      messages: [{ role: 'user', content: 'Summarise the manual' }],
    };
    const first = (await send(sim(), body)).body.usage;
    const second = (await send(sim(), body)).body.usage;
    expect(first.cache_creation_input_tokens).toBeGreaterThan(1000);
    expect(first.cache_read_input_tokens).toBe(0);
    expect(second.cache_read_input_tokens).toBe(first.cache_creation_input_tokens);
    expect(second.cache_creation_input_tokens).toBe(0);
    const total = (u: Record<string, number>) =>
      u.input_tokens! + u.cache_creation_input_tokens! + u.cache_read_input_tokens!;
    expect(total(second)).toBe(total(first));
    expect(second.input_tokens).toBeLessThan(100);
  });

  it('stops on stop_sequences (stop_sequence named) and on max_tokens', async () => {
    const stopped = await send(sim(), {
      messages: [{ role: 'user', content: 'Say exactly: red amber green' }],
      stop_sequences: ['nothing', ' green'],
    });
    expect(stopped.body).toMatchObject({
      content: [{ type: 'text', text: 'red amber' }],
      stop_reason: 'stop_sequence',
      stop_sequence: ' green',
    });
    const short = await send(sim(), { max_tokens: 2, messages: [{ role: 'user', content: 'Say exactly: a b c d e' }] });
    expect(short.body).toMatchObject({ content: [{ text: 'a b' }], stop_reason: 'max_tokens', stop_sequence: null });
  });

  it('calls tools with schema-valid input, and answers from tool_result blocks', async () => {
    const ask = { role: 'user', content: 'Use get_weather for Oslo' };
    const first = await send(sim(), { tools: [weather], messages: [ask] });
    expect(first.body.stop_reason).toBe('tool_use');
    const use = first.body.content.find((b: { type: string }) => b.type === 'tool_use');
    expect(use).toMatchObject({ type: 'tool_use', id: expect.stringMatching(/^toolu_01/), name: 'get_weather' });
    expect(['celsius', 'fahrenheit']).toContain(use.input.unit);
    expect(use.input.city.length).toBeGreaterThan(0);
    const second = await send(sim(), {
      tools: [weather],
      messages: [
        ask,
        { role: 'assistant', content: first.body.content },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: use.id, content: 'Sunny, 21 degrees' }] },
      ],
    });
    expect(second.body.stop_reason).toBe('end_turn');
    expect(second.body.content[0].text).toContain('Sunny, 21 degrees');
  });

  it('follows tool_choice: a named tool is forced, none calls nothing', async () => {
    const forced = await send(sim(), { tools: [weather], tool_choice: { type: 'tool', name: 'get_weather' } });
    expect(forced.body.content.at(-1)).toMatchObject({ type: 'tool_use', name: 'get_weather' });
    const none = await send(sim(), {
      tools: [weather],
      tool_choice: { type: 'none' },
      messages: [{ role: 'user', content: 'Use get_weather for Oslo' }],
    });
    expect(none.body.content.map((b: { type: string }) => b.type)).toEqual(['text']);
    expect(none.body.stop_reason).toBe('end_turn');
  });

  it('thinks with a signed thinking block; a replayed block must keep its signature', async () => {
    const ask = { role: 'user', content: 'Plan a timetable' };
    const thinking = { type: 'enabled', budget_tokens: 1024 };
    const first = await send(sim(), { max_tokens: 2000, thinking, messages: [ask] });
    const [block, text] = first.body.content;
    expect(block).toMatchObject({ type: 'thinking', thinking: expect.any(String), signature: expect.any(String) });
    expect(text.type).toBe('text');
    const replay = (signature: string) =>
      send(sim(), {
        max_tokens: 2000,
        thinking,
        messages: [
          ask,
          { role: 'assistant', content: [{ ...block, signature }, text] },
          { role: 'user', content: 'And on Sundays?' },
        ],
      });
    expect((await replay(block.signature)).status).toBe(200);
    const tampered = await replay(`${block.signature}x`);
    expect(tampered.status).toBe(400);
    expect(tampered.body.error).toMatchObject({ type: 'invalid_request_error', message: 'Provider returned error' });
    expect(tampered.body.error.metadata.raw).toContain('Invalid `signature` in `thinking` block');
  });

  it('streams Anthropic events whose text and usage are the non-stream answer', async () => {
    const body = { messages: [{ role: 'user', content: 'Describe a junction' }] };
    const whole = await send(sim(), body);
    const { res, comments, events, names } = await stream(sim(), body);
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    expect(comments).toEqual(['OPENROUTER PROCESSING']);
    const generation = res.headers.get('x-generation-id')!;
    const deltaCount = names.filter((n) => n === 'content_block_delta').length;
    expect(names).toEqual([
      'message_start',
      'ping',
      'content_block_start',
      ...Array(deltaCount).fill('content_block_delta'),
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    expect(deltaCount).toBeGreaterThan(3);
    const start = events[0]!.data.message;
    expect(start).toMatchObject({ id: `msg_${generation.slice(-20)}`, content: [], stop_reason: null, model: CLAUDE });
    expect(start.usage.input_tokens).toBe(whole.body.usage.input_tokens);
    expect(deltas(events, 'text_delta', 'text')).toBe(whole.body.content[0].text);
    const end = events.at(-2)!.data;
    expect(end.delta).toEqual({ stop_reason: 'end_turn', stop_sequence: null });
    expect(end.usage).toEqual(whole.body.usage);
  });

  it('streams thinking, then text, then tool_use input as JSON fragments that assemble to the input', async () => {
    const body = {
      max_tokens: 2000,
      thinking: { type: 'enabled', budget_tokens: 1024 },
      tools: [weather],
      messages: [{ role: 'user', content: 'Use get_weather for Bergen' }],
    };
    const whole = (await send(sim(), body)).body;
    const { events } = await stream(sim(), body);
    const starts = events.filter((e) => e.event === 'content_block_start').map((e) => e.data.content_block);
    expect(starts.map((b) => b.type)).toEqual(whole.content.map((b: { type: string }) => b.type));
    expect(starts.at(-1)).toEqual({ type: 'tool_use', id: whole.content.at(-1).id, name: 'get_weather', input: {} });
    expect(deltas(events, 'thinking_delta', 'thinking')).toBe(whole.content[0].thinking);
    expect(deltas(events, 'signature_delta', 'signature')).toBe(whole.content[0].signature);
    expect(JSON.parse(deltas(events, 'input_json_delta', 'partial_json'))).toEqual(whole.content.at(-1).input);
    expect(events.at(-2)!.data.delta.stop_reason).toBe('tool_use');
  });
});

describe('POST /messages errors (Anthropic envelope)', () => {
  const sim = useSimulator({ seed: 'messages-errors', maxBodyBytes: 4096 });

  it('accepts the key as x-api-key; a missing or unknown key is an authentication_error', async () => {
    const body = { model: CLAUDE, max_tokens: 20, messages: [{ role: 'user', content: 'hi' }] };
    const viaHeader = await json(sim(), '/messages', body, { key: null, headers: { 'x-api-key': KEY } });
    expect(viaHeader.status).toBe(200);
    expect(viaHeader.body.type).toBe('message');
    const missing = await json(sim(), '/messages', body, { key: null });
    expect(missing.status).toBe(401);
    expect(missing.body).toEqual({
      type: 'error',
      error: { type: 'authentication_error', message: 'No auth credentials found', error_type: 'authentication' },
      request_id: null,
    });
    const unknown = await json(sim(), '/messages', body, { key: null, headers: { 'x-api-key': 'not-a-key' } });
    expect(unknown.status).toBe(401);
    expect(unknown.body.error).toMatchObject({ type: 'authentication_error', message: 'User not found.' });
  });

  it('names what is wrong with the request: max_tokens, messages, roles, thinking, fallbacks', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ max_tokens: undefined }, 'max_tokens: Field required'],
      [{ max_tokens: 0 }, 'max_tokens: Input should be an integer greater than or equal to 1'],
      [{ messages: undefined }, 'messages: Field required'],
      [{ messages: [{ role: 'system', content: 'x' }] }, "messages.0.role: Input should be 'user' or 'assistant'"],
      [
        { messages: [{ role: 'user', content: 7 }] },
        'messages.0.content: Input should be a valid string or list of blocks',
      ],
      [
        { thinking: { type: 'enabled', budget_tokens: 10 } },
        'thinking.enabled.budget_tokens: Input should be an integer greater than or equal to 1024',
      ],
      [{ tool_choice: { type: 'sometimes' } }, "tool_choice.type: Input should be 'auto', 'any', 'tool' or 'none'"],
      [{ stop_sequences: ['a', 'b', 'c', 'd', 'e'] }, 'stop_sequences: List should have at most 4 items'],
      [
        { fallbacks: [{ model: 'a/b' }, { model: 'c/d' }, { model: 'e/f' }, { model: 'g/h' }] },
        'fallbacks: List should have at most 3 items',
      ],
    ];
    for (const [change, message] of cases) {
      const { status, body } = await send(sim(), change);
      expect(status, message).toBe(400);
      expect(body).toEqual({
        type: 'error',
        error: { type: 'invalid_request_error', message, error_type: 'invalid_request', metadata: expect.any(Object) },
        request_id: null,
      });
    }
  });

  it('answers bad JSON, non-objects, unknown models, oversized bodies and other methods in the envelope', async () => {
    const badJson = await json(sim(), '/messages', '{"model":', {});
    expect(badJson.status).toBe(400);
    expect(badJson.body.error.type).toBe('invalid_request_error');
    expect(badJson.body.error.message).toMatch(/^Invalid JSON in request body/);
    const list = await json(sim(), '/messages', '[1]');
    expect(list.body.error.message).toBe('Request body must be a JSON object');
    const unknown = await send(sim(), { model: 'acme/nope' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error).toMatchObject({
      type: 'invalid_request_error',
      message: 'acme/nope is not a valid model ID',
    });
    const big = await send(sim(), { messages: [{ role: 'user', content: 'x'.repeat(5000) }] });
    expect(big.status).toBe(413);
    expect(big.body.error).toMatchObject({ type: 'request_too_large', error_type: 'payload_too_large' });
    const get = await json(sim(), '/messages');
    expect(get.status).toBe(405);
    expect(get.body.type).toBe('error');
    expect(get.body.error.type).toBe('invalid_request_error');
  });

  it('maps fault statuses to Anthropic types, with the same statuses and Retry-After as chat', async () => {
    const limited = await send(sim(), {}, fault({ kind: 'http', status: 429, retryAfter: 4 }));
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('4');
    expect(limited.body.error).toMatchObject({ type: 'rate_limit_error', error_type: 'rate_limit_exceeded' });
    expect(limited.body.error.message).toMatch(/^Rate limit exceeded/);
    const cases: [number, string][] = [
      [402, 'billing_error'],
      [403, 'permission_error'],
      [404, 'not_found_error'],
      [500, 'api_error'],
      [502, 'api_error'],
      [503, 'overloaded_error'],
      [529, 'overloaded_error'],
    ];
    for (const [status, type] of cases) {
      const res = await send(sim(), {}, fault(status));
      expect(res.status).toBe(status);
      expect(res.body.error.type).toBe(type);
    }
    expect((await send(sim(), {}, fault(502))).body.error.metadata.provider_name).toEqual(expect.any(String));
  });
});

describe('POST /messages faults', () => {
  const sim = useSimulator({ seed: 'messages-faults' });
  const counting = { messages: [{ role: 'user', content: 'Say exactly: one two three four five six' }] };

  it('sends message_start before the wait for the first token (a stall before any output shows it)', async () => {
    const controller = new AbortController();
    const stalled = fault({ kind: 'stall', afterChunks: 0, durationMs: 30_000 });
    const res = await open(sim(), counting, { ...stalled, signal: controller.signal });
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    let text = '';
    // Bounded: the stall holds the rest for 30 s; what comes before it is the opening events.
    while (!text.includes('event: ping')) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
    controller.abort();
    expect(text).toContain('event: message_start');
    expect(text).not.toContain('content_block_delta');
  });

  it('ends a stream with an error event after N deltas, billing what was delivered', async () => {
    const { res, events, names } = await stream(
      sim(),
      counting,
      fault({ kind: 'mid-stream-error', afterChunks: 2, code: 529, message: 'Overloaded' }),
    );
    const generation = res.headers.get('x-generation-id');
    expect(deltas(events, 'text_delta', 'text')).toBe('one two');
    expect(names.at(-1)).toBe('error');
    expect(names).not.toContain('message_stop');
    expect(events.at(-1)!.data).toEqual({
      type: 'error',
      error: { type: 'overloaded_error', message: 'Overloaded', error_type: 'server' },
      request_id: generation,
    });
    const record = (await json(sim(), `/generation?id=${generation}`)).body.data;
    expect(record).toMatchObject({ finish_reason: 'error', tokens_completion: 2, streamed: true });
  });

  it('answers a non-stream failure mid-generation as an error with the generation id, billed for its part', async () => {
    const { status, headers, body } = await send(sim(), counting, fault({ kind: 'mid-stream-error', afterChunks: 3 }));
    expect(status).toBe(502);
    const generation = headers.get('x-generation-id');
    expect(body).toEqual({
      type: 'error',
      error: { type: 'api_error', message: 'Provider returned error', error_type: 'provider_unavailable' },
      request_id: generation,
    });
    const record = (await json(sim(), `/generation?id=${generation}`)).body.data;
    expect(record).toMatchObject({ finish_reason: 'error', tokens_completion: 3 });
  });

  it('drops or cuts a stream without message_stop', async () => {
    const res = await open(sim(), counting, fault('reset-mid-body'));
    expect(res.status).toBe(200);
    await expect(res.text()).rejects.toThrow();
    const cut = await stream(sim(), counting, fault({ kind: 'cut', afterChunks: 3 }));
    expect(deltas(cut.events, 'text_delta', 'text')).toBe('one two three');
    expect(cut.names.at(-1)).toBe('content_block_delta');
  });

  it('sends a line a client cannot parse for the malformed-chunk fault, then goes on', async () => {
    const res = await open(sim(), counting, fault('malformed-chunk'));
    const raw = await res.text();
    expect(raw).toContain('"text_delta","text":"\n\n');
    expect(raw.trimEnd().endsWith('data: {"type":"message_stop"}')).toBe(true);
  });

  it('answers the error-200 fault with an Anthropic error body at HTTP 200', async () => {
    const { status, headers, body } = await send(sim(), {}, fault('error-200'));
    expect(status).toBe(200);
    expect(body).toEqual({
      type: 'error',
      error: { type: 'api_error', message: 'Internal Server Error', error_type: 'server' },
      request_id: headers.get('x-generation-id'),
    });
  });

  it('falls back to the next model of fallbacks when the first fails', async () => {
    const res = await send(
      sim(),
      { fallbacks: [{ model: 'openai/gpt-4o-mini' }] },
      fault({ kind: 'http', status: 503, model: CLAUDE }),
    );
    expect(res.status).toBe(200);
    expect(res.body.model).toBe('openai/gpt-4o-mini');
  });
});
