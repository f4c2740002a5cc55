/**
 * The Anthropic Messages API through the gateway (`POST /v1/messages`, `/api/v1/messages`), with the official
 * `@anthropic-ai/sdk` unchanged: the gateway translates it onto chat completions, so keys, limits, routing and the
 * ledger apply as on chat, while answers, stream events and errors come back in Anthropic's shapes — the client's
 * `messages.stream()` helper rebuilds the message from the events and throws on an `error` event. Every request goes
 * over loopback to 127.0.0.1.
 */
import Anthropic from '@anthropic-ai/sdk';
import type { ContentBlock, MessageParam, RawMessageStreamEvent, Tool } from '@anthropic-ai/sdk/resources/messages';
import { readSse } from '@switchyard/sdk/sse';
import { describe, expect, it } from 'vitest';
import { post } from '../support/gateway.js';
import { MODEL, useCompatGateway, WEATHER_PARAMETERS } from './compat-gateway.js';

const CLAUDE = 'anthropic/claude-sonnet-4.5';
const weather: Tool = {
  name: 'get_weather',
  description: 'Current weather for a city',
  input_schema: WEATHER_PARAMETERS as Tool['input_schema'],
};

const { gateway, simulator } = useCompatGateway();

/** The Anthropic client on the gateway: it appends `/v1/messages` to the base URL, as Claude Code does. */
function client(options: ConstructorParameters<typeof Anthropic>[0] = {}): Anthropic {
  return new Anthropic({
    baseURL: `${gateway().url}/api`,
    apiKey: 'anything',
    maxRetries: 0,
    timeout: 15_000,
    ...options,
  });
}

const fault = (value: object) => ({ 'x-simulator-fault': JSON.stringify(value) });
const textOf = (content: ContentBlock[]) => content.map((b) => (b.type === 'text' ? b.text : '')).join('');

/** Raw SSE of a streamed request: each event's `event:` name and parsed data. */
async function rawEvents(body: Record<string, unknown>, headers: Record<string, string> = {}) {
  const response = await post(`${gateway().baseURL}/messages`, { max_tokens: 300, ...body, stream: true }, headers);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toContain('text/event-stream');
  const events: { event?: string; data: Record<string, any> }[] = [];
  for await (const item of readSse(response.body as ReadableStream<Uint8Array>)) {
    if (item.type === 'event') events.push({ event: item.event.event, data: JSON.parse(item.event.data) });
  }
  return { events, response };
}

/** The ledger's record of a generation, through the gateway's own `GET /generation`. */
async function generation(id: string): Promise<Record<string, any>> {
  const response = await fetch(`${gateway().baseURL}/generation?id=${encodeURIComponent(id)}`);
  expect(response.status).toBe(200);
  return ((await response.json()) as { data: Record<string, any> }).data;
}

describe('anthropic client: messages.create', () => {
  it('answers a plain message: text, stop reason, usage with cost, ids and headers', async () => {
    const { data, response, request_id } = await client()
      .messages.create({
        model: MODEL,
        max_tokens: 200,
        messages: [{ role: 'user', content: 'Say exactly: Hello, Messages' }],
      })
      .withResponse();
    expect(response.status).toBe(200);
    expect(data).toMatchObject({
      type: 'message',
      role: 'assistant',
      model: MODEL,
      stop_reason: 'end_turn',
      stop_sequence: null,
    });
    expect(data.id).toMatch(/^msg_/);
    expect(data.content).toEqual([{ type: 'text', text: 'Hello, Messages' }]);
    expect(data.usage.input_tokens).toBeGreaterThan(0);
    expect(data.usage.output_tokens).toBeGreaterThan(0);
    expect(data.usage).toMatchObject({ cache_read_input_tokens: 0, cache_creation_input_tokens: 0 });
    expect((data.usage as unknown as { cost: number }).cost).toBeGreaterThan(0);
    expect(response.headers.get('x-generation-id')).toMatch(/^gen-/);
    expect(response.headers.get('x-switchyard-model')).toBe(MODEL);
    expect(request_id).toBe(response.headers.get('x-request-id'));
  });

  it('is served under /v1 too (the root as base URL, as ANTHROPIC_BASE_URL=http://host:port)', async () => {
    const answer = await client({ baseURL: gateway().url }).messages.create({
      model: MODEL,
      max_tokens: 100,
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Say exactly: under v1' }] }],
    });
    expect(textOf(answer.content)).toBe('under v1');
    // A base URL ending in /v1 (the OpenAI clients' habit) gets a 404 that says what to change.
    const doubled = await client({ baseURL: `${gateway().url}/api/v1` })
      .messages.create({ model: MODEL, max_tokens: 100, messages: [{ role: 'user', content: 'hi' }] })
      .catch((e: unknown) => e);
    expect(doubled).toBeInstanceOf(Anthropic.NotFoundError);
    expect((doubled as Error).message).toContain('base URL without it');
  });

  it('sends the system prompt (a string or text blocks) to the model', async () => {
    const ask = (system?: string | Anthropic.TextBlockParam[]) =>
      client().messages.create({
        model: MODEL,
        max_tokens: 100,
        ...(system ? { system } : {}),
        messages: [{ role: 'user', content: 'Say exactly: ok' }],
      });
    const plain = await ask();
    const prompt = 'You are a terse assistant who answers in as few words as possible, always.';
    const withString = await ask(prompt);
    const withBlocks = await ask([{ type: 'text', text: prompt, cache_control: { type: 'ephemeral' } }]);
    expect(withString.usage.input_tokens).toBeGreaterThan(plain.usage.input_tokens + 10);
    expect(withBlocks.usage.input_tokens).toBe(withString.usage.input_tokens);
  });

  it('honours max_tokens and stop_sequences with their stop reasons; max_tokens may be left out', async () => {
    const cut = await client().messages.create({
      model: MODEL,
      max_tokens: 3,
      messages: [{ role: 'user', content: 'Tell me a long story' }],
    });
    expect(cut.stop_reason).toBe('max_tokens');
    expect(cut.usage.output_tokens).toBeLessThanOrEqual(3);
    // Anthropic models report the stop sequence as such (chat says only `stop`).
    const stopped = await client().messages.create({
      model: CLAUDE,
      max_tokens: 100,
      stop_sequences: [' three'],
      messages: [{ role: 'user', content: 'Say exactly: one two three four' }],
    });
    expect(textOf(stopped.content)).toBe('one two');
    expect(stopped).toMatchObject({ stop_reason: 'stop_sequence', stop_sequence: ' three' });
    const response = await post(`${gateway().url}/v1/messages`, {
      model: MODEL,
      messages: [{ role: 'user', content: 'Say exactly: no limit given' }],
    });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { content: { text: string }[] }).content[0]?.text).toBe('no limit given');
  });
});

describe('anthropic client: models', () => {
  it('lists the catalog as Anthropic model objects, newest first, auto-paging by after_id', async () => {
    const ids: string[] = [];
    let previous = Number.POSITIVE_INFINITY;
    for await (const model of client().models.list({ limit: 25 })) {
      expect(model.type).toBe('model');
      expect(typeof model.display_name).toBe('string');
      const created = Date.parse(model.created_at);
      expect(created).toBeLessThanOrEqual(previous);
      previous = created;
      ids.push(model.id);
    }
    const total = ((await (await fetch(`${gateway().baseURL}/models`)).json()) as { total_count: number }).total_count;
    expect(ids).toHaveLength(total);
    expect(new Set(ids).size).toBe(total);
    expect(ids).toContain(CLAUDE);
    // Paging back from the second page's first model gives the first page again.
    const second = await client().models.list({ limit: 25, after_id: ids[24] });
    const back = await client().models.list({ limit: 25, before_id: second.data[0]?.id });
    expect(back.data.map((m) => m.id)).toEqual(ids.slice(0, 25));
  });

  it('retrieves one model as an Anthropic model object', async () => {
    const model = await client().models.retrieve(CLAUDE);
    expect(model).toMatchObject({ type: 'model', id: CLAUDE, display_name: expect.any(String) });
    expect(model.max_input_tokens).toBeGreaterThan(0);
    // Clients of the OpenAI family (no anthropic-version header) keep the OpenRouter row.
    const plain = (await (await fetch(`${gateway().baseURL}/models/${CLAUDE}`)).json()) as Record<string, unknown>;
    expect(plain).toMatchObject({ id: CLAUDE, pricing: expect.any(Object) });
  });

  it('refuses in Anthropic’s envelope, so the client raises its own error classes', async () => {
    const missing = await client()
      .models.retrieve('nobody/no-such-model')
      .catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(Anthropic.NotFoundError);
    expect((missing as InstanceType<typeof Anthropic.NotFoundError>).error).toMatchObject({
      type: 'error',
      error: { type: 'not_found_error', message: expect.stringContaining('nobody/no-such-model') },
    });
    const tooMany = await client()
      .models.list({ limit: 5000 })
      .catch((e: unknown) => e);
    expect(tooMany).toBeInstanceOf(Anthropic.BadRequestError);
    expect((tooMany as InstanceType<typeof Anthropic.BadRequestError>).error).toMatchObject({
      type: 'error',
      error: { type: 'invalid_request_error', message: expect.stringContaining('limit') },
    });
    // An unknown path of the Messages API's family, asked by an Anthropic client: the same envelope.
    const batches = await fetch(`${gateway().baseURL}/files`, { headers: { 'anthropic-version': '2023-06-01' } });
    expect(batches.status).toBe(404);
    expect(await batches.json()).toMatchObject({ type: 'error', error: { type: 'not_found_error' } });
  });
});

describe('anthropic client: model ids and count_tokens', () => {
  it("reads Anthropic's own model ids (as Claude Code sends them) as OpenRouter's", async () => {
    for (const [asked, served] of [
      ['claude-haiku-4-5-20251001', 'anthropic/claude-haiku-4.5'],
      ['claude-3-7-sonnet-latest', 'anthropic/claude-3.7-sonnet'],
      ['claude-sonnet-4', 'anthropic/claude-sonnet-4'],
    ]) {
      const answer = await client().messages.create({
        model: asked as string,
        max_tokens: 100,
        fallbacks: [{ model: 'claude-opus-4-1-20250805' }],
        messages: [{ role: 'user', content: 'Say exactly: mapped' }],
      } as never);
      expect({ asked, model: answer.model, text: textOf(answer.content) }).toEqual({
        asked,
        model: served,
        text: 'mapped',
      });
    }
  });

  it('counts input tokens (an estimate) without calling a model', async () => {
    const before = simulator().stats.requests;
    const messages: MessageParam[] = [{ role: 'user', content: 'How many tokens is this?' }];
    const plain = await client().messages.countTokens({ model: MODEL, messages });
    const more = await client().messages.countTokens({
      model: MODEL,
      system: 'You are a careful assistant who counts every token of every request.',
      tools: [weather],
      messages,
    });
    expect(plain.input_tokens).toBeGreaterThan(5);
    expect(more.input_tokens).toBeGreaterThan(plain.input_tokens + 20);
    expect(simulator().stats.requests).toBe(before);
    const bad = await client()
      .messages.countTokens({ model: MODEL, messages: [] })
      .catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(Anthropic.BadRequestError);
  });
});

describe('anthropic client: streaming', () => {
  it('messages.stream: text events add up to the final message, which matches the non-streamed answer', async () => {
    const params = {
      model: MODEL,
      max_tokens: 300,
      messages: [{ role: 'user' as const, content: 'Tell me about streams' }],
    };
    const whole = await client().messages.create(params);
    const stream = client().messages.stream(params);
    const deltas: string[] = [];
    stream.on('text', (text) => deltas.push(text));
    const final = await stream.finalMessage();
    expect(deltas.length).toBeGreaterThan(3);
    expect(deltas.join('')).toBe(textOf(whole.content));
    expect(textOf(final.content)).toBe(textOf(whole.content));
    expect(final.id).toMatch(/^msg_/);
    expect(final.model).toBe(MODEL);
    expect(final.stop_reason).toBe('end_turn');
    expect(final.usage.output_tokens).toBe(whole.usage.output_tokens);
    expect(final.usage.input_tokens).toBe(whole.usage.input_tokens);
  });

  it('stream: true: Anthropic event order, every event named by an `event:` line', async () => {
    const events: RawMessageStreamEvent[] = [];
    const stream = await client().messages.create({
      model: MODEL,
      max_tokens: 100,
      stream: true,
      messages: [{ role: 'user', content: 'Say exactly: one event at a time' }],
    });
    for await (const event of stream) events.push(event);
    const types = events.map((e) => e.type);
    expect(types[0]).toBe('message_start');
    expect(types.slice(1, 2)).toEqual(['content_block_start']);
    expect(types.slice(-3)).toEqual(['content_block_stop', 'message_delta', 'message_stop']);
    const delta = events.find((e) => e.type === 'message_delta');
    expect(delta).toMatchObject({ delta: { stop_reason: 'end_turn' }, usage: { output_tokens: expect.any(Number) } });
    const text = events.map((e) =>
      e.type === 'content_block_delta' && e.delta.type === 'text_delta' ? e.delta.text : '',
    );
    expect(text.join('')).toBe('one event at a time');

    const raw = await rawEvents({ model: MODEL, messages: [{ role: 'user', content: 'Say exactly: named' }] });
    for (const { event, data } of raw.events) expect(event).toBe(data.type);
    expect(raw.events.map((e) => e.event)).toContain('ping');
    expect(raw.response.headers.get('x-generation-id')).toMatch(/^gen-/);
  });
});

describe('anthropic client: tools', () => {
  it('runs a tool round trip: tool_use → tool_result → the final answer', async () => {
    const messages: MessageParam[] = [{ role: 'user', content: 'What is the weather in Paris? Use get_weather.' }];
    const first = await client().messages.create({ model: MODEL, max_tokens: 300, tools: [weather], messages });
    expect(first.stop_reason).toBe('tool_use');
    const use = first.content.find((b) => b.type === 'tool_use');
    if (use?.type !== 'tool_use') throw new Error('expected a tool_use block');
    expect(use.name).toBe('get_weather');
    expect(use.input).toMatchObject({
      city: expect.any(String),
      unit: expect.stringMatching(/^(celsius|fahrenheit)$/),
    });
    messages.push({ role: 'assistant', content: first.content });
    messages.push({
      role: 'user',
      content: [
        { type: 'tool_result', tool_use_id: use.id, content: [{ type: 'text', text: '18 degrees and sunny' }] },
      ],
    });
    const final = await client().messages.create({ model: MODEL, max_tokens: 300, tools: [weather], messages });
    expect(final.stop_reason).toBe('end_turn');
    expect(textOf(final.content)).toContain('18 degrees and sunny');
    expect(final.content.some((b) => b.type === 'tool_use')).toBe(false);
  });

  it('streams a tool call: input_json_delta pieces add up to the input of the final tool_use block', async () => {
    const stream = client().messages.stream({
      model: MODEL,
      max_tokens: 300,
      tools: [weather],
      tool_choice: { type: 'tool', name: 'get_weather' },
      messages: [{ role: 'user', content: 'Weather for Oslo please' }],
    });
    let json = '';
    stream.on('streamEvent', (event) => {
      if (event.type === 'content_block_delta' && event.delta.type === 'input_json_delta')
        json += event.delta.partial_json;
    });
    const final = await stream.finalMessage();
    expect(final.stop_reason).toBe('tool_use');
    const use = final.content.find((b) => b.type === 'tool_use');
    if (use?.type !== 'tool_use') throw new Error('expected a tool_use block');
    expect(use.id).toBeTruthy();
    expect(use.input).toEqual(JSON.parse(json));
  });

  it('maps tool_choice none and any', async () => {
    const ask = (tool_choice: Anthropic.ToolChoice, content: string) =>
      client().messages.create({
        model: MODEL,
        max_tokens: 300,
        tools: [weather],
        tool_choice,
        messages: [{ role: 'user', content }],
      });
    const none = await ask({ type: 'none' }, 'Use get_weather for Rome.');
    expect(none.content.some((b) => b.type === 'tool_use')).toBe(false);
    const any = await ask({ type: 'any' }, 'Hello there');
    expect(any.stop_reason).toBe('tool_use');
  });
});

describe('anthropic client: thinking', () => {
  const ask = (messages: MessageParam[], model = CLAUDE) =>
    client().messages.create({
      model,
      max_tokens: 2000,
      thinking: { type: 'enabled', budget_tokens: 1024 },
      tools: [weather],
      messages,
    });

  /** A first turn that thinks and calls the tool, and the conversation that answers the call. */
  async function toolTurn(model: string, streamed: boolean) {
    const question: MessageParam = { role: 'user', content: 'Use get_weather for Lisbon.' };
    const params = {
      model,
      max_tokens: 2000,
      thinking: { type: 'enabled' as const, budget_tokens: 1024 },
      tools: [weather],
      messages: [question],
    };
    const first = streamed
      ? await client().messages.stream(params).finalMessage()
      : await client().messages.create(params);
    const use = first.content.find((b) => b.type === 'tool_use');
    if (use?.type !== 'tool_use') throw new Error('expected a tool_use block');
    const result: MessageParam = {
      role: 'user',
      content: [{ type: 'tool_result', tool_use_id: use.id, content: 'windy' }],
    };
    return {
      first,
      conversation: (content: ContentBlock[]) => [question, { role: 'assistant' as const, content }, result],
    };
  }

  it('returns a signed thinking block first, with usage counting the thinking', async () => {
    const answer = await client().messages.create({
      model: CLAUDE,
      max_tokens: 2000,
      thinking: { type: 'enabled', budget_tokens: 1024 },
      messages: [{ role: 'user', content: 'Say exactly: thought through' }],
    });
    const [thinking, text] = answer.content;
    if (thinking?.type !== 'thinking') throw new Error('expected a thinking block first');
    expect(thinking.thinking.length).toBeGreaterThan(0);
    expect(thinking.signature.length).toBeGreaterThan(10);
    expect(text).toEqual({ type: 'text', text: 'thought through' });
    expect(answer.usage.output_tokens).toBeGreaterThan(40);
  });

  for (const streamed of [false, true]) {
    it(`replays thinking in a tool loop; the provider refuses a tampered signature (${streamed ? 'streamed' : 'not streamed'})`, async () => {
      const { first, conversation } = await toolTurn(CLAUDE, streamed);
      const thinking = first.content.find((b) => b.type === 'thinking');
      if (thinking?.type !== 'thinking') throw new Error('expected a thinking block');
      expect(thinking.signature).not.toBe('');
      const next = await ask(conversation(first.content));
      expect(next.stop_reason).toBe('end_turn');
      expect(textOf(next.content)).toContain('windy');
      const tampered = first.content.map((b) => (b.type === 'thinking' ? { ...b, signature: `${b.signature}x` } : b));
      const error = await ask(conversation(tampered)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(Anthropic.BadRequestError);
      expect((error as InstanceType<typeof Anthropic.BadRequestError>).type).toBe('invalid_request_error');
      expect((error as Error).message).toContain('signature');
    });
  }

  it("carries another provider's reasoning details through the signature (Gemini 3 needs its thought signature back)", async () => {
    const gemini = 'google/gemini-3-pro-preview';
    const { first, conversation } = await toolTurn(gemini, true);
    const next = await ask(conversation(first.content), gemini);
    expect(textOf(next.content)).toContain('windy');
    const stripped = first.content.filter((b) => b.type !== 'thinking' && b.type !== 'redacted_thinking');
    const error = await ask(conversation(stripped), gemini).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Anthropic.BadRequestError);
    expect((error as Error).message).toContain('thought_signature');
  });
});

describe('errors in Anthropic’s envelope', () => {
  const bad: [string, Record<string, unknown>][] = [
    ['messages', { messages: [] }],
    ['messages[0].role', { messages: [{ role: 'tool', content: 'hi' }] }],
    [
      'messages[0].content[0].type',
      { messages: [{ role: 'user', content: [{ type: 'search_result', source: 'x' }] }] },
    ],
    [
      'messages[0].content[0].source',
      { messages: [{ role: 'user', content: [{ type: 'image', source: { type: 'file', file_id: 'f' } }] }] },
    ],
    [
      'messages[1].content[0].type',
      {
        messages: [
          { role: 'user', content: 'hi' },
          { role: 'assistant', content: [{ type: 'server_tool_use' }] },
        ],
      },
    ],
    ['max_tokens', { max_tokens: 0 }],
    ['tools[0].type', { tools: [{ type: 'code_execution_20250522', name: 'code_execution' }] }],
    ['tool_choice', { tool_choice: { type: 'sometimes' } }],
    ['thinking.budget_tokens', { thinking: { type: 'enabled' } }],
    ['stop_sequences', { stop_sequences: 'END' }],
    ['fallbacks', { fallbacks: [{ model: 'a/b' }], models: ['c/d'] }],
    ['mcp_servers', { mcp_servers: [{ type: 'url', url: 'https://example.invalid', name: 'x' }] }],
  ];

  it.each(bad)('answers 400 invalid_request_error naming %s, before any upstream call', async (name, body) => {
    const before = simulator().stats.requests;
    const error = await client()
      .messages.create({ model: MODEL, max_tokens: 100, messages: [{ role: 'user', content: 'hi' }], ...body } as never)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Anthropic.BadRequestError);
    const typed = error as InstanceType<typeof Anthropic.BadRequestError>;
    expect(typed.type).toBe('invalid_request_error');
    expect(typed.errorCode).toBe('invalid_request');
    expect(typed.error).toMatchObject({ type: 'error', error: { metadata: { field: name } } });
    expect(typed.requestID).toBeTruthy();
    expect(simulator().stats.requests).toBe(before);
  });

  it('answers a body that is not JSON in the envelope too', async () => {
    const response = await fetch(`${gateway().baseURL}/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"model": ',
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      type: 'error',
      error: { type: 'invalid_request_error', details: { error_code: 'invalid_json' } },
    });
  });

  it('answers refusals made before any route — unknown path, browser origin — in the envelope too', async () => {
    // Message Batches are not served: the client's NotFoundError, typed as Anthropic types it.
    const missing = await client()
      .messages.batches.list()
      .catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(Anthropic.NotFoundError);
    expect((missing as InstanceType<typeof Anthropic.NotFoundError>).type).toBe('not_found_error');
    // ANTHROPIC_BASE_URL=…/api/v1 doubles the /v1: the 404 says how to fix it, in words the client shows.
    const doubled = await client({ baseURL: `${gateway().url}/api/v1` })
      .messages.create({ model: MODEL, max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] })
      .catch((e: unknown) => e);
    expect(doubled).toBeInstanceOf(Anthropic.NotFoundError);
    expect((doubled as Error).message).toMatch(/Anthropic clients add \/v1 themselves/);
    const page = await fetch(`${gateway().baseURL}/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: 'https://elsewhere.example' },
      body: JSON.stringify({ model: MODEL, max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(page.status).toBe(403);
    expect(await page.json()).toMatchObject({
      type: 'error',
      error: { type: 'permission_error', details: { error_code: 'origin_not_allowed' } },
    });
    // Every other path keeps the OpenRouter envelope.
    const other = await fetch(`${gateway().baseURL}/nowhere`);
    expect(await other.json()).toMatchObject({ error: { code: 404, type: 'not_found' } });
  });

  it('answers an upstream failure before any content as an HTTP error, streamed or not', async () => {
    for (const stream of [false, true]) {
      const response = await post(
        `${gateway().baseURL}/messages`,
        { model: MODEL, max_tokens: 100, stream, messages: [{ role: 'user', content: 'hi' }] },
        fault({ kind: 'http', status: 403, message: 'blocked by test' }),
      );
      expect({ stream, status: response.status }).toEqual({ stream, status: 403 });
      expect(response.headers.get('content-type')).toContain('application/json');
      expect(await response.json()).toMatchObject({
        type: 'error',
        error: { type: 'permission_error', message: expect.stringContaining('blocked by test') },
      });
    }
  });

  it('ends a stream cut mid-answer with an `error` event, which the client throws', async () => {
    const cut = fault({ kind: 'mid-stream-error', afterChunks: 3, message: 'upstream fell over' });
    const { events } = await rawEvents(
      { model: MODEL, messages: [{ role: 'user', content: 'Tell me a long story' }] },
      cut,
    );
    const last = events.at(-1)!;
    expect(last.event).toBe('error');
    expect(last.data).toMatchObject({
      type: 'error',
      error: { type: 'api_error', message: expect.stringContaining('upstream fell over') },
    });
    expect(events.map((e) => e.event)).not.toContain('message_stop');
    // The text block begun before the error is closed, not left open.
    expect(events.at(-2)).toMatchObject({ event: 'content_block_stop' });
    expect(events.filter((e) => e.data.delta?.type === 'text_delta')).toHaveLength(3);

    const stream = client({ defaultHeaders: cut }).messages.stream({
      model: MODEL,
      max_tokens: 300,
      messages: [{ role: 'user', content: 'Tell me a long story' }],
    });
    const error = await stream.finalMessage().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Anthropic.APIError);
    expect((error as InstanceType<typeof Anthropic.APIError>).type).toBe('api_error');
    expect((error as Error).message).toContain('upstream fell over');
  });
});

describe('the ledger and metrics', () => {
  it('records answers under x-generation-id, streamed or not, readable through GET /generation', async () => {
    const { data, response } = await client()
      .messages.create({
        model: MODEL,
        max_tokens: 100,
        messages: [{ role: 'user', content: 'Say exactly: on the record' }],
      })
      .withResponse();
    const record = await generation(response.headers.get('x-generation-id') as string);
    expect(record).toMatchObject({ model: MODEL, streamed: false, tokens_completion: data.usage.output_tokens });
    expect(record.tokens_prompt).toBe(data.usage.input_tokens + (data.usage.cache_read_input_tokens ?? 0));
    expect(record.total_cost).toBeCloseTo((data.usage as unknown as { cost: number }).cost, 12);
    expect(record.attempts).toHaveLength(1);

    const { events, response: streamed } = await rawEvents({
      model: MODEL,
      messages: [{ role: 'user', content: 'Say exactly: streamed record' }],
    });
    const delta = events.find((e) => e.event === 'message_delta')!.data;
    const streamedRecord = await generation(streamed.headers.get('x-generation-id') as string);
    expect(streamedRecord).toMatchObject({ streamed: true, tokens_completion: delta.usage.output_tokens });

    const metrics = await (await fetch(`${gateway().url}/metrics`)).text();
    expect(metrics).toMatch(/route="\/api\/v1\/messages"/);
  });
});
