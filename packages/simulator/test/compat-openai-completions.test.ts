/**
 * The real `openai` npm client's `completions.create` (legacy text completions) against the simulator's
 * `/completions` skin, unchanged: if the skin's shapes drift from what the client parses, these tests fail. Every
 * request goes to a simulator on 127.0.0.1.
 */
import OpenAI from 'openai';
import type { Completion } from 'openai/resources/completions';
import { describe, expect, it } from 'vitest';
import { useSimulator } from './helpers.js';

const MODEL = 'openai/gpt-4o-mini';

function fault(value: unknown): { headers: Record<string, string> } {
  return { headers: { 'x-simulator-fault': typeof value === 'string' ? value : JSON.stringify(value) } };
}

async function collect(stream: AsyncIterable<Completion>): Promise<Completion[]> {
  const chunks: Completion[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return chunks;
}

describe('openai client completions.create against the simulator', () => {
  const sim = useSimulator({ seed: 'compat-completions', stream: { processingComments: 2, commentEvery: 2 } });
  const client = () => new OpenAI({ apiKey: 'sk-or-v1-compat', baseURL: sim().url, maxRetries: 0, timeout: 5_000 });

  it('parses a non-streaming text completion, with its headers', async () => {
    const { data, response } = await client()
      .completions.create({ model: MODEL, prompt: 'Say exactly: plain old completions', max_tokens: 50 })
      .withResponse();
    expect(data.object).toBe('text_completion');
    expect(data.id).toBe(response.headers.get('x-generation-id'));
    expect(data.choices[0]).toMatchObject({ text: 'plain old completions', finish_reason: 'stop', index: 0 });
    expect(data.usage?.total_tokens).toBe(data.usage!.prompt_tokens + data.usage!.completion_tokens);
  });

  it('streams text chunks through keep-alive comments to the non-streamed text and usage', async () => {
    const prompt = 'Tell me about freight yards';
    const whole = await client().completions.create({ model: MODEL, prompt });
    const chunks = await collect(await client().completions.create({ model: MODEL, prompt, stream: true }));
    expect(chunks.map((c) => c.choices[0]?.text ?? '').join('')).toBe(whole.choices[0]!.text);
    expect(chunks.filter((c) => c.choices[0]?.finish_reason).map((c) => c.choices[0]!.finish_reason)).toEqual(['stop']);
    const usage = chunks.filter((c) => c.usage);
    expect(usage).toHaveLength(1);
    expect(usage[0]!.usage).toEqual(whole.usage);
  });

  it('raises RateLimitError with Retry-After, and BadRequestError for an unknown model', async () => {
    const limited = await client()
      .completions.create({ model: MODEL, prompt: 'hi' }, fault({ kind: 'http', status: 429, retryAfter: 2 }))
      .catch((e: unknown) => e);
    expect(limited).toBeInstanceOf(OpenAI.RateLimitError);
    expect((limited as InstanceType<typeof OpenAI.RateLimitError>).headers?.get('retry-after')).toBe('2');
    const bad = await client()
      .completions.create({ model: 'nope/none', prompt: 'hi' })
      .catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(OpenAI.BadRequestError);
    expect((bad as Error).message).toBe('400 nope/none is not a valid model ID');
  });

  it('throws an APIError for an in-band mid-stream error after yielding the text before it', async () => {
    const stream = await client().completions.create(
      { model: MODEL, prompt: 'Say exactly: red orange yellow green blue', stream: true },
      fault({ kind: 'mid-stream-error', afterChunks: 3 }),
    );
    const chunks: Completion[] = [];
    const error = await (async () => {
      for await (const chunk of stream) chunks.push(chunk);
    })().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect((error as InstanceType<typeof OpenAI.APIError>).message).toBe('Provider returned error');
    expect(chunks.map((c) => c.choices[0]?.text).join('')).toBe('red orange yellow');
  });

  it('fails with the raw fetch TypeError when the connection drops mid-stream', async () => {
    const stream = await client().completions.create(
      { model: MODEL, prompt: 'Say exactly: one two three four five', stream: true },
      fault({ kind: 'reset-mid-body', afterChunks: 2 }),
    );
    const error = await collect(stream).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).message).toBe('terminated');
  });
});
