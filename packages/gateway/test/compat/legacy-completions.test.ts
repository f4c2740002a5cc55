/**
 * `POST /completions`, OpenRouter's legacy text-completions endpoint, as the real clients call it: the `openai`
 * client's `completions.create` and `@openrouter/ai-sdk-provider`'s completion model (which parses answers and chunks
 * with its own zod schemas). The gateway serves it with the chat pipeline on its embedded simulator; every request
 * goes over loopback to 127.0.0.1.
 */
import { createOpenRouter } from '@openrouter/ai-sdk-provider';
import { readSse } from '@switchyard/sdk/sse';
import { generateText, streamText } from 'ai';
import OpenAI from 'openai';
import type { Completion } from 'openai/resources/completions';
import { describe, expect, it } from 'vitest';
import { post } from '../support/gateway.js';
import { MODEL, useCompatGateway } from './compat-gateway.js';

const { gateway, simulator } = useCompatGateway();

/** No client-side retries: a rejected response must fail at once. */
function client(options: ConstructorParameters<typeof OpenAI>[0] = {}): OpenAI {
  return new OpenAI({ baseURL: gateway().baseURL, apiKey: 'anything', maxRetries: 0, timeout: 15_000, ...options });
}

async function collect(stream: AsyncIterable<Completion>): Promise<Completion[]> {
  const chunks: Completion[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return chunks;
}

const textOf = (chunks: Completion[]) => chunks.map((c) => c.choices[0]?.text ?? '').join('');

/** The SSE `data:` payloads of a response, in order. */
async function dataFrames(response: Response): Promise<string[]> {
  const out: string[] = [];
  for await (const item of readSse(response.body as ReadableStream<Uint8Array>))
    if (item.type === 'event') out.push(item.event.data);
  return out;
}

/** The ledger's record of a generation, through the gateway's own `GET /generation`. */
async function generation(id: string): Promise<Record<string, any>> {
  const response = await fetch(`${gateway().baseURL}/generation?id=${encodeURIComponent(id)}`);
  expect(response.status).toBe(200);
  return ((await response.json()) as { data: Record<string, any> }).data;
}

async function until(check: () => boolean, ms = 5_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

const fault = (value: object) => ({ 'x-simulator-fault': JSON.stringify(value) });

describe('openai client: completions.create through the gateway', () => {
  it('answers a text_completion with the text, finish reason, usage and the chat headers', async () => {
    const { data, response } = await client()
      .completions.create({ model: MODEL, prompt: 'Say exactly: Hello through completions ✓' })
      .withResponse();
    expect(response.status).toBe(200);
    expect(data.object).toBe('text_completion');
    expect(data.id).toMatch(/^gen-/);
    expect(response.headers.get('x-generation-id')).toBe(data.id);
    expect(response.headers.get('x-switchyard-model')).toBe(MODEL);
    expect(response.headers.get('x-switchyard-attempts')).toBe('1');
    expect(data.model).toBe(MODEL);
    expect(typeof data.created).toBe('number');
    expect(data.choices).toHaveLength(1);
    expect(data.choices[0]).toMatchObject({ text: 'Hello through completions ✓', index: 0, logprobs: null });
    expect(data.choices[0]!.finish_reason).toBe('stop');
    const usage = data.usage as NonNullable<Completion['usage']> & { cost?: number };
    expect(usage.prompt_tokens).toBeGreaterThan(0);
    expect(usage.completion_tokens).toBeGreaterThan(0);
    expect(usage.total_tokens).toBe(usage.prompt_tokens + usage.completion_tokens);
    expect(usage.cost).toBeGreaterThan(0);
  });

  it('takes a prompt given as an array of one string, also under /v1', async () => {
    const v1 = client({ baseURL: `${gateway().url}/v1` });
    const data = await v1.completions.create({ model: MODEL, prompt: ['Say exactly: one of one'] });
    expect(data.choices[0]!.text).toBe('one of one');
  });

  it('carries the sampling parameters over to the chat request (max_tokens cuts, a bad temperature is named)', async () => {
    const cut = await client().completions.create({ model: MODEL, prompt: 'Tell me a long story', max_tokens: 3 });
    expect(cut.choices[0]!.finish_reason).toBe('length');
    expect(cut.usage!.completion_tokens).toBeLessThanOrEqual(3);
    const error = await client()
      .completions.create({ model: MODEL, prompt: 'hi', temperature: 7 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect((error as InstanceType<typeof OpenAI.BadRequestError>).error).toMatchObject({
      metadata: { field: 'temperature' },
    });
  });

  it('streams text_completion chunks whose text is the answer, then the finish chunk, usage and [DONE]', async () => {
    const stream = await client().completions.create({
      model: MODEL,
      prompt: 'Say exactly: streamed through completions',
      stream: true,
    });
    const chunks = await collect(stream);
    expect(textOf(chunks)).toBe('streamed through completions');
    for (const chunk of chunks) {
      expect(chunk.object).toBe('text_completion');
      expect(chunk.id).toBe(chunks[0]!.id);
      expect(chunk.model).toBe(MODEL);
    }
    expect(chunks[0]!.id).toMatch(/^gen-/);
    const finishes = chunks.filter((c) => c.choices[0]?.finish_reason);
    expect(finishes.map((c) => c.choices[0]!.finish_reason)).toEqual(['stop']);
    // OpenRouter always sends usage on a stream (`stream_options.include_usage` has no effect): so does the gateway.
    const last = chunks.at(-1)!;
    expect(last.choices).toEqual([]);
    expect(last.usage!.completion_tokens).toBeGreaterThan(0);
    expect(last.usage!.total_tokens).toBe(last.usage!.prompt_tokens + last.usage!.completion_tokens);
    expect(chunks.filter((c) => c.usage)).toHaveLength(1);
  });

  it('streams deltas that add up to the non-streamed answer, usage included when asked for', async () => {
    const prompt = 'Tell me about streams';
    const whole = await client().completions.create({ model: MODEL, prompt });
    const chunks = await collect(
      await client().completions.create({
        model: MODEL,
        prompt,
        stream: true,
        stream_options: { include_usage: true },
      }),
    );
    expect(chunks.filter((c) => c.choices[0]?.text).length).toBeGreaterThan(3);
    expect(textOf(chunks)).toBe(whole.choices[0]!.text);
    expect(chunks.at(-1)!.usage!.completion_tokens).toBe(whole.usage!.completion_tokens);
    expect(chunks.at(-1)!.usage!.prompt_tokens).toBe(whole.usage!.prompt_tokens);
  });

  it('throws a typed APIError for an upstream error in the middle of a stream, after the text before it', async () => {
    const faulty = client({ defaultHeaders: fault({ kind: 'mid-stream-error', afterChunks: 2 }) });
    const stream = await faulty.completions.create({ model: MODEL, prompt: 'Tell me a long story', stream: true });
    const chunks: Completion[] = [];
    const error = await (async () => {
      for await (const chunk of stream) chunks.push(chunk);
    })().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect((error as InstanceType<typeof OpenAI.APIError>).code).toBe(502);
    expect(chunks.filter((c) => c.choices[0]?.text)).toHaveLength(2);
  });
});

describe('@openrouter/ai-sdk-provider: the completion model through the gateway', () => {
  const completion = () => createOpenRouter({ baseURL: gateway().baseURL, apiKey: 'x' }).completion(MODEL);

  it('generateText: text, finish reason, usage and cost', async () => {
    const result = await generateText({
      model: completion(),
      prompt: 'Say exactly: Hello from the completion model',
      maxRetries: 0,
    });
    expect(result.text).toBe('Hello from the completion model');
    expect(result.finishReason).toBe('stop');
    expect(result.usage.inputTokens).toBeGreaterThan(0);
    expect(result.usage.outputTokens).toBeGreaterThan(0);
    const metadata = result.providerMetadata?.openrouter as { usage?: { cost?: number }; provider?: string };
    expect(metadata.usage?.cost).toBeGreaterThan(0);
    expect(metadata.provider).toBeTruthy();
  });

  it('streamText: the text stream is the answer; finish reason and usage arrive on finish', async () => {
    const errors: unknown[] = [];
    const result = streamText({
      model: completion(),
      prompt: 'Say exactly: streamed from the completion model',
      maxRetries: 0,
      onError: ({ error }) => {
        errors.push(error);
      },
    });
    const parts: string[] = [];
    for await (const part of result.textStream) parts.push(part);
    expect(errors).toEqual([]);
    expect(parts.join('')).toBe('streamed from the completion model');
    expect(await result.finishReason).toBe('stop');
    const usage = await result.usage;
    expect(usage.inputTokens).toBeGreaterThan(0);
    expect(usage.outputTokens).toBeGreaterThan(0);
  });

  it('streamText: an error mid-stream reaches the caller as an error, not as a finished answer', async () => {
    const errors: unknown[] = [];
    const result = streamText({
      model: completion(),
      prompt: 'Tell me a long story',
      headers: fault({ kind: 'mid-stream-error', afterChunks: 2, message: 'provider fell over' }),
      maxRetries: 0,
      onError: ({ error }) => {
        errors.push(error);
      },
    });
    for await (const _ of result.textStream) {
      // drain
    }
    expect(errors).toHaveLength(1);
    expect(JSON.stringify(errors[0])).toContain('provider fell over');
    expect(await result.finishReason).toBe('error');
  });
});

describe('what the translation refuses', () => {
  const cases: [string, Record<string, unknown>][] = [
    ['n', { n: 2 }],
    ['best_of', { best_of: 3 }],
    ['echo', { echo: true }],
    ['suffix', { suffix: ' and that is all.' }],
    ['logprobs', { logprobs: 2 }],
    ['logprobs', { logprobs: 0 }],
    ['prompt', { prompt: ['first prompt', 'second prompt'] }],
    ['prompt', { prompt: [1734, 374, 264] }],
    ['prompt', { prompt: [[1734, 374]] }],
    ['prompt', { prompt: '' }],
    ['prompt', { prompt: undefined }],
    ['prompt', { prompt: 42 }],
    ['messages', { messages: [{ role: 'user', content: 'hi' }] }],
    ['tools', { tools: [{ type: 'function', function: { name: 'f', parameters: {} } }] }],
  ];

  it.each(cases)('answers 400 invalid_request naming %s (%j), before any upstream call', async (name, extra) => {
    const before = simulator().stats.requests;
    const response = await post(`${gateway().baseURL}/completions`, { model: MODEL, prompt: 'hi', ...extra });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: { code: number; type: string; message: string; metadata: any } };
    expect(body.error).toMatchObject({ code: 400, type: 'invalid_request', metadata: { field: name } });
    expect(body.error.message).toContain(name);
    expect(simulator().stats.requests).toBe(before);
  });

  it('accepts the values that ask for nothing more (n: 1, best_of: 1, echo: false, logprobs: null, suffix: "")', async () => {
    const response = await post(`${gateway().baseURL}/completions`, {
      model: MODEL,
      prompt: 'Say exactly: fine',
      n: 1,
      best_of: 1,
      echo: false,
      logprobs: null,
      suffix: '',
    });
    expect(response.status).toBe(200);
    expect(((await response.json()) as any).choices[0].text).toBe('fine');
  });

  it('gives the openai client a BadRequestError it can read the field from', async () => {
    const error = await client()
      .completions.create({ model: MODEL, prompt: 'hi', echo: true })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect((error as InstanceType<typeof OpenAI.BadRequestError>).error).toMatchObject({ metadata: { field: 'echo' } });
  });
});

describe('errors and the ledger', () => {
  it('answers an upstream error before any text as an HTTP error in the envelope, streamed or not', async () => {
    for (const stream of [false, true]) {
      const response = await post(
        `${gateway().baseURL}/completions`,
        { model: MODEL, prompt: 'hi', stream },
        fault({ kind: 'http', status: 403, message: 'blocked by test' }),
      );
      expect({ stream, status: response.status }).toEqual({ stream, status: 403 });
      expect(response.headers.get('content-type')).toContain('application/json');
      const body = (await response.json()) as { error: { code: number; message: string } };
      expect(body.error.code).toBe(403);
      expect(body.error.message).toContain('blocked by test');
    }
  });

  it('ends a stream cut by an upstream error with an in-band error chunk and [DONE], never silently', async () => {
    const response = await post(
      `${gateway().baseURL}/completions`,
      { model: MODEL, prompt: 'Tell me a long story', stream: true },
      fault({ kind: 'mid-stream-error', afterChunks: 3, message: 'provider fell over' }),
    );
    expect(response.status).toBe(200);
    const frames = await dataFrames(response);
    expect(frames.at(-1)).toBe('[DONE]');
    const chunks = frames.slice(0, -1).map((f) => JSON.parse(f));
    const errors = chunks.filter((c) => c.error);
    expect(errors).toHaveLength(1);
    const [errorChunk] = errors;
    expect(errorChunk).toBe(chunks.at(-1));
    expect(errorChunk.object).toBe('text_completion');
    expect(errorChunk.id).toBe(chunks[0].id);
    expect(errorChunk.error.code).toBeGreaterThanOrEqual(500);
    expect(errorChunk.error.message).toContain('provider fell over');
    expect(errorChunk.choices).toEqual([
      { text: '', index: 0, logprobs: null, finish_reason: 'error', native_finish_reason: 'error' },
    ]);
    expect(chunks.filter((c) => c.choices[0]?.text)).toHaveLength(3);
    // No finish chunk of a complete answer before the error.
    expect(chunks.filter((c) => c.choices[0]?.finish_reason === 'stop')).toHaveLength(0);
  });

  it('records answers in the ledger, readable through GET /generation, streamed or not', async () => {
    const whole = await client().completions.create({ model: MODEL, prompt: 'Say exactly: on the record' });
    const record = await generation(whole.id);
    expect(record).toMatchObject({ id: whole.id, model: MODEL, streamed: false });
    expect(record.tokens_completion).toBe(whole.usage!.completion_tokens);
    expect(record.total_cost).toBeGreaterThan(0);
    expect(record.attempts).toHaveLength(1);
    expect(record.attempts[0]).toMatchObject({ outcome: 'success', model: MODEL });

    const chunks = await collect(
      await client().completions.create({ model: MODEL, prompt: 'Say exactly: streamed record', stream: true }),
    );
    const streamed = await generation(chunks[0]!.id);
    expect(streamed).toMatchObject({ id: chunks[0]!.id, streamed: true });
    expect(streamed.tokens_completion).toBe(chunks.at(-1)!.usage!.completion_tokens);
  });

  it('aborts the upstream when the client disconnects and still records what the attempt cost', async () => {
    const gw = gateway();
    const controller = new AbortController();
    const response = await fetch(`${gw.baseURL}/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...fault({ kind: 'stall', afterChunks: 2 }) },
      body: JSON.stringify({ model: MODEL, prompt: 'Tell me a long story', stream: true }),
      signal: controller.signal,
    });
    expect(response.status).toBe(200);
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    const id = (JSON.parse(first.slice(first.indexOf('{'), first.indexOf('\n'))) as { id: string }).id;
    expect(gw.services.lifecycle.inflight).toBe(1);
    controller.abort();
    await reader.read().catch(() => undefined);
    // The stall never ends by itself: the request can only finish because the gateway aborted the upstream.
    await until(() => gw.services.lifecycle.inflight === 0);
    await gw.services.accounting.report('key', {});
    const record = await generation(id);
    expect(record.streamed).toBe(true);
    expect(record.attempts.at(-1)).toMatchObject({ outcome: 'failed' });
    expect(record.total_cost).toBeGreaterThan(0);
  });
});
