/**
 * The real `@anthropic-ai/sdk` client, unchanged, against the simulator's `/messages` skin: `messages.create`
 * (stream and not), the `messages.stream()` helper, a tool-use round trip, thinking, and the SDK's error classes for
 * HTTP and in-band failures. Base URL `<origin>/api`: the SDK appends `/v1/messages`, as with OpenRouter. Every
 * request goes to a simulator on 127.0.0.1.
 */
import Anthropic from '@anthropic-ai/sdk';
import type { MessageStreamEvent, Tool } from '@anthropic-ai/sdk/resources/messages';
import { describe, expect, it } from 'vitest';
import { json, useSimulator } from './helpers.js';

const CLAUDE = 'anthropic/claude-sonnet-4.5';
const KEY = 'sk-or-v1-anthropic';
const weather: Tool = {
  name: 'get_weather',
  description: 'Current weather for a city',
  input_schema: {
    type: 'object',
    properties: { city: { type: 'string' }, unit: { type: 'string', enum: ['celsius', 'fahrenheit'] } },
    required: ['city', 'unit'],
  },
};

function fault(value: unknown): { headers: Record<string, string> } {
  return { headers: { 'x-simulator-fault': typeof value === 'string' ? value : JSON.stringify(value) } };
}

describe('@anthropic-ai/sdk against the simulator', () => {
  const sim = useSimulator({ seed: 'compat-anthropic', stream: { processingComments: 2, commentEvery: 3 } });
  const client = (apiKey = KEY) =>
    new Anthropic({ apiKey, baseURL: `${sim().origin}/api`, maxRetries: 0, timeout: 5_000 });

  it('creates a message, with X-Generation-Id on the raw response', async () => {
    const { data, response } = await client()
      .messages.create({
        model: CLAUDE,
        max_tokens: 100,
        messages: [{ role: 'user', content: 'Say exactly: all aboard' }],
      })
      .withResponse();
    expect(data.id).toBe(`msg_${response.headers.get('x-generation-id')!.slice(-20)}`);
    expect(data.content).toEqual([{ type: 'text', text: 'all aboard' }]);
    expect(data.stop_reason).toBe('end_turn');
    expect(data.usage.output_tokens).toBe(2);
    expect(data.usage.input_tokens).toBeGreaterThan(0);
  });

  it('streams raw events (create with stream: true) through keep-alive comments', async () => {
    const stream = await client().messages.create({
      model: CLAUDE,
      max_tokens: 100,
      messages: [{ role: 'user', content: 'Say exactly: mind the gap please' }],
      stream: true,
    });
    const events: MessageStreamEvent[] = [];
    for await (const event of stream) events.push(event);
    // The SDK drops `ping` and comments itself.
    expect(events[0]!.type).toBe('message_start');
    expect(events.at(-1)!.type).toBe('message_stop');
    const text = events
      .map((e) => (e.type === 'content_block_delta' && e.delta.type === 'text_delta' ? e.delta.text : ''))
      .join('');
    expect(text).toBe('mind the gap please');
    const delta = events.find((e) => e.type === 'message_delta');
    expect(delta?.type === 'message_delta' && delta.usage.output_tokens).toBe(4);
  });

  it('assembles the same message with the messages.stream() helper as create() returns', async () => {
    const params = {
      model: CLAUDE,
      max_tokens: 300,
      messages: [{ role: 'user' as const, content: 'Explain signals' }],
    };
    const whole = await client().messages.create(params);
    const stream = client().messages.stream(params);
    const pieces: string[] = [];
    stream.on('text', (text) => pieces.push(text));
    const final = await stream.finalMessage();
    expect(pieces.length).toBeGreaterThan(3);
    expect(pieces.join('')).toBe((whole.content[0] as { text: string }).text);
    expect(final.content).toEqual(whole.content);
    expect(final.usage).toEqual(whole.usage);
    expect(final.stop_reason).toBe(whole.stop_reason);
  });

  it('round-trips tool use: tool_use (streamed input parsed by the helper), tool_result, final answer', async () => {
    const ask = { role: 'user' as const, content: 'Use get_weather for Tromsø' };
    const first = await client()
      .messages.stream({ model: CLAUDE, max_tokens: 300, tools: [weather], messages: [ask] })
      .finalMessage();
    expect(first.stop_reason).toBe('tool_use');
    const use = first.content.find((block) => block.type === 'tool_use');
    if (use?.type !== 'tool_use') throw new Error('no tool_use block');
    expect(use.name).toBe('get_weather');
    expect(use.input).toMatchObject({
      city: expect.any(String),
      unit: expect.stringMatching(/^(celsius|fahrenheit)$/),
    });
    const second = await client().messages.create({
      model: CLAUDE,
      max_tokens: 300,
      tools: [weather],
      messages: [
        ask,
        { role: 'assistant', content: first.content },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: use.id, content: 'Snow, -4 degrees' }] },
      ],
    });
    expect(second.stop_reason).toBe('end_turn');
    expect(second.content[0]).toMatchObject({ type: 'text', text: expect.stringContaining('Snow, -4 degrees') });
  });

  it('streams thinking with its signature through the helper, and accepts the block back', async () => {
    const ask = { role: 'user' as const, content: 'Plan the night shift' };
    const thinking = { type: 'enabled' as const, budget_tokens: 1024 };
    const stream = client().messages.stream({ model: CLAUDE, max_tokens: 2000, thinking, messages: [ask] });
    const signatures: string[] = [];
    stream.on('signature', (signature) => signatures.push(signature));
    const final = await stream.finalMessage();
    const block = final.content[0];
    if (block?.type !== 'thinking') throw new Error('no thinking block first');
    expect(signatures).toEqual([block.signature]);
    expect(block.thinking.length).toBeGreaterThan(100);
    const next = await client().messages.create({
      model: CLAUDE,
      max_tokens: 2000,
      thinking,
      messages: [ask, { role: 'assistant', content: final.content }, { role: 'user', content: 'Shorter, please' }],
    });
    expect(next.content[0]?.type).toBe('thinking');
  });

  it('raises the SDK error classes for HTTP errors, reading Anthropic error types', async () => {
    const params = { model: CLAUDE, max_tokens: 50, messages: [{ role: 'user' as const, content: 'hi' }] };
    const limited = await client()
      .messages.create(params, fault({ kind: 'http', status: 429, retryAfter: 5 }))
      .catch((e: unknown) => e);
    expect(limited).toBeInstanceOf(Anthropic.RateLimitError);
    const rate = limited as InstanceType<typeof Anthropic.RateLimitError>;
    expect(rate.status).toBe(429);
    expect(rate.type).toBe('rate_limit_error');
    expect(rate.headers?.get('retry-after')).toBe('5');
    const denied = await client('not-an-openrouter-key')
      .messages.create(params)
      .catch((e: unknown) => e);
    expect(denied).toBeInstanceOf(Anthropic.AuthenticationError);
    expect((denied as InstanceType<typeof Anthropic.APIError>).type).toBe('authentication_error');
    const noMax = await client()
      .messages.create({ model: CLAUDE, messages: params.messages } as unknown as typeof params)
      .catch((e: unknown) => e);
    expect(noMax).toBeInstanceOf(Anthropic.BadRequestError);
    expect((noMax as Error).message).toContain('max_tokens: Field required');
    const overloaded = await client()
      .messages.create(params, fault(529))
      .catch((e: unknown) => e);
    expect((overloaded as InstanceType<typeof Anthropic.APIError>).type).toBe('overloaded_error');
    expect((overloaded as InstanceType<typeof Anthropic.APIError>).status).toBe(529);
  });

  it('throws an APIError for an error event mid-stream, after the text before it', async () => {
    const stream = client().messages.stream(
      { model: CLAUDE, max_tokens: 100, messages: [{ role: 'user', content: 'Say exactly: one two three four' }] },
      fault({ kind: 'mid-stream-error', afterChunks: 2 }),
    );
    const pieces: string[] = [];
    stream.on('text', (text) => pieces.push(text));
    const error = await stream.finalMessage().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Anthropic.APIError);
    const apiError = error as InstanceType<typeof Anthropic.APIError>;
    expect(apiError.type).toBe('api_error');
    expect(apiError.message).toContain('Provider returned error');
    expect(pieces.join('')).toBe('one two');
  });

  it('fails, rather than returning a message, when the stream is dropped or cut', async () => {
    const params = {
      model: CLAUDE,
      max_tokens: 100,
      messages: [{ role: 'user' as const, content: 'Say exactly: a b c d' }],
    };
    const dropped = await client()
      .messages.stream(params, fault('reset-mid-body'))
      .finalMessage()
      .catch((e: unknown) => e);
    expect(dropped).toBeInstanceOf(Error);
    const cut = await client()
      .messages.stream(params, fault('cut'))
      .finalMessage()
      .catch((e: unknown) => e);
    expect(cut).toBeInstanceOf(Anthropic.AnthropicError);
    expect((cut as Error).message).toMatch(/stream ended without producing a Message/i);
  });

  it('bills what the SDK was told: the /generation record has the message usage', async () => {
    const { data, response } = await client()
      .messages.create({ model: CLAUDE, max_tokens: 200, messages: [{ role: 'user', content: 'Count to five' }] })
      .withResponse();
    const record = await json(sim(), `/generation?id=${response.headers.get('x-generation-id')}`, undefined, {
      key: KEY,
    });
    expect(record.body.data).toMatchObject({
      tokens_prompt: data.usage.input_tokens,
      tokens_completion: data.usage.output_tokens,
      model: CLAUDE,
    });
    expect(record.body.data.total_cost).toBeGreaterThan(0);
  });
});
