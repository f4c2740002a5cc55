/**
 * `POST /responses` with real clients, unchanged: the `openai` npm client (create, stream, parse, function-call
 * round trips) and `@openrouter/sdk`, whose strict zod schemas (generated from OpenRouter's spec) reject a response
 * or event that lacks a required field. Every request goes to a simulator on 127.0.0.1.
 */
import { OpenRouter } from '@openrouter/sdk';
import type { StreamEvents } from '@openrouter/sdk/models';
import OpenAI, { BadRequestError, RateLimitError } from 'openai';
import type { ResponseInputItem, ResponseStreamEvent } from 'openai/resources/responses/responses';
import { describe, expect, it } from 'vitest';
import { KEY, useSimulator } from './helpers.js';
import { fault, MODEL, weatherTool } from './responses-helpers.js';

const tool = { ...weatherTool, type: 'function' as const };

describe('openai client: responses', () => {
  const sim = useSimulator({ seed: 'compat-responses', stream: { processingComments: 1, commentEvery: 2 } });
  const client = () => new OpenAI({ apiKey: 'sk-or-v1-compat', baseURL: sim().url, maxRetries: 0, timeout: 5_000 });

  it('creates a response and reads output_text', async () => {
    const response = await client().responses.create({ model: MODEL, input: 'Say exactly: hello from responses' });
    expect(response.id).toMatch(/^resp_/);
    expect(response.object).toBe('response');
    expect(response.status).toBe('completed');
    expect(response.output_text).toBe('hello from responses');
    expect(response.usage?.output_tokens).toBe(3);
    expect(response.usage?.total_tokens).toBe((response.usage?.input_tokens ?? 0) + 3);
  });

  it('streams with stream: true, every event typed and numbered', async () => {
    const stream = await client().responses.create({ model: MODEL, input: 'Say exactly: a b c d', stream: true });
    const events: ResponseStreamEvent[] = [];
    for await (const event of stream) events.push(event);
    expect(events[0]?.type).toBe('response.created');
    expect(events.at(-1)?.type).toBe('response.completed');
    expect(events.map((e) => e.sequence_number)).toEqual(events.map((_, i) => i));
    const text = events.flatMap((e) => (e.type === 'response.output_text.delta' ? [e.delta] : [])).join('');
    expect(text).toBe('a b c d');
  });

  it('runs responses.stream with delta listeners and finalResponse()', async () => {
    const body = { model: MODEL, input: 'Explain backpressure' };
    const plain = await client().responses.create(body);
    const deltas: string[] = [];
    const stream = client()
      .responses.stream(body)
      .on('response.output_text.delta', (event) => deltas.push(event.delta));
    const final = await stream.finalResponse();
    expect(final.output_text).toBe(plain.output_text);
    expect(deltas.join('')).toBe(plain.output_text);
    expect(final.usage).toEqual(plain.usage);
    expect(final.id).toMatch(/^resp_/);
  });

  it('completes a function-call round trip with a reasoning model, sending the output items back', async () => {
    const model = 'openai/o4-mini';
    const input: ResponseInputItem[] = [{ role: 'user', content: 'Use get_weather for Lisbon' }];
    const first = await client().responses.create({ model, input, tools: [tool] });
    const calls = first.output.filter((item) => item.type === 'function_call');
    expect(first.output[0]?.type).toBe('reasoning');
    expect(calls.map((c) => c.name)).toEqual(['get_weather']);
    input.push(...(first.output as ResponseInputItem[]));
    for (const call of calls)
      input.push({ type: 'function_call_output', call_id: call.call_id, output: '21 C, clear' });
    const second = await client().responses.create({ model, input, tools: [tool] });
    expect(second.output.map((i) => i.type)).toEqual(['reasoning', 'message']);
    expect(second.output_text).toContain('21 C, clear');
  });

  it('streams a function call that finalResponse() assembles', async () => {
    const final = await client()
      .responses.stream({ model: MODEL, input: 'Use get_weather', tools: [tool] })
      .finalResponse();
    const call = final.output[0];
    expect(call?.type).toBe('function_call');
    if (call?.type !== 'function_call') return;
    expect(call.name).toBe('get_weather');
    // A strict tool's arguments are parsed by the client.
    expect(call.parsed_arguments).toMatchObject({ city: expect.any(String) });
  });

  it('parses text.format json_schema output with responses.parse', async () => {
    const response = await client().responses.parse({
      model: MODEL,
      input: 'Describe a city',
      text: {
        format: {
          type: 'json_schema',
          name: 'city',
          strict: true,
          schema: {
            type: 'object',
            properties: { name: { type: 'string' }, population: { type: 'integer', minimum: 1 } },
            required: ['name', 'population'],
            additionalProperties: false,
          },
        },
      },
    });
    const parsed = response.output_parsed as { name: string; population: number } | null;
    expect(typeof parsed?.name).toBe('string');
    expect(Number.isInteger(parsed?.population)).toBe(true);
  });

  it('raises the typed errors: 400 for store: true, 429 with its Retry-After header', async () => {
    const stored = client().responses.create({ model: MODEL, input: 'Hi', store: true });
    await expect(stored).rejects.toBeInstanceOf(BadRequestError);
    const limited = await client()
      .responses.create(
        { model: MODEL, input: 'Hi' },
        { headers: fault({ kind: 'http', status: 429, retryAfter: 3 }).headers },
      )
      .catch((error: unknown) => error);
    expect(limited).toBeInstanceOf(RateLimitError);
    expect((limited as RateLimitError).headers.get('retry-after')).toBe('3');
  });

  it('reports a mid-stream failure as a failed final response', async () => {
    const stream = client().responses.stream(
      { model: MODEL, input: 'Say exactly: one two three four' },
      { headers: fault({ kind: 'mid-stream-error', afterChunks: 2 }).headers },
    );
    const types: string[] = [];
    stream.on('event', (event) => types.push(event.type));
    const final = await stream.finalResponse();
    expect(types.at(-1)).toBe('response.failed');
    expect(final.status).toBe('failed');
    expect(final.error?.code).toBe('server_error');
    expect(final.output_text).toBe('one two');
  });
});

describe('@openrouter/sdk: responses', () => {
  const sim = useSimulator({ seed: 'compat-responses-sdk' });
  const sdk = () =>
    new OpenRouter({ apiKey: KEY, serverURL: sim().url, retryConfig: { strategy: 'none' }, timeoutMs: 5_000 });

  it('validates a response with reasoning, a function call and usage against the SDK schema', async () => {
    const result = await sdk().responses.send({
      responsesRequest: {
        model: 'openai/o4-mini',
        input: 'Use get_weather for Oslo',
        tools: [tool],
        include: ['reasoning.encrypted_content'],
      },
    });
    if (!('output' in result)) throw new Error('expected a response object');
    expect(result.status).toBe('completed');
    expect(result.output.map((item) => item.type)).toEqual(['reasoning', 'function_call']);
    expect(result.usage?.outputTokensDetails.reasoningTokens).toBeGreaterThan(0);
    expect(result.usage?.costDetails?.upstreamInferenceOutputCost).toBeGreaterThan(0);
  });

  it('validates every streamed event against the SDK schema', async () => {
    const result = await sdk().responses.send({
      responsesRequest: { model: 'openai/o4-mini', input: 'Why is the sky blue?', stream: true },
    });
    if ('output' in result) throw new Error('expected a stream');
    const events: StreamEvents[] = [];
    for await (const event of result) events.push(event);
    const types = events.map((e) => e.type);
    expect(types[0]).toBe('response.created');
    expect(types).toContain('response.reasoning_summary_text.delta');
    expect(types).toContain('response.output_text.delta');
    expect(types.at(-1)).toBe('response.completed');
  });

  it('validates a failed stream ending and an incomplete response', async () => {
    const failed = await sdk().responses.send(
      { responsesRequest: { model: MODEL, input: 'Hello there', stream: true } },
      { headers: fault({ kind: 'mid-stream-error', afterChunks: 1, code: 429 }).headers },
    );
    if ('output' in failed) throw new Error('expected a stream');
    const events: StreamEvents[] = [];
    for await (const event of failed) events.push(event);
    const last = events.at(-1);
    expect(last?.type).toBe('response.failed');
    if (last?.type === 'response.failed') expect(last.response.error?.code).toBe('rate_limit_exceeded');
    const incomplete = await sdk().responses.send({
      responsesRequest: { model: MODEL, input: 'Tell me a story', maxOutputTokens: 4 },
    });
    if (!('output' in incomplete)) throw new Error('expected a response object');
    expect(incomplete.status).toBe('incomplete');
    expect(incomplete.incompleteDetails?.reason).toBe('max_output_tokens');
  });
});
