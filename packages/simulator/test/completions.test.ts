/**
 * `POST /completions`, the legacy text-completions skin: text choices over the chat pipeline, so answers, usage,
 * cost, billing, `/generation` records and faults are chat's. Every request goes to a simulator on 127.0.0.1.
 */
import { describe, expect, it } from 'vitest';
import type { SimulatorHandle } from '../src/index.js';
import { type CallOptions, call, chat, frames, json, useSimulator } from './helpers.js';

const MODEL = 'openai/gpt-4o-mini';

const fault = (value: unknown): CallOptions => ({
  headers: { 'x-simulator-fault': typeof value === 'string' ? value : JSON.stringify(value) },
});

function complete(sim: SimulatorHandle, body: Record<string, unknown>, options: CallOptions = {}) {
  return json(sim, '/completions', { model: MODEL, prompt: 'Write about trains', ...body }, options);
}

async function streamComplete(sim: SimulatorHandle, body: Record<string, unknown>, options: CallOptions = {}) {
  const res = await call(
    sim,
    '/completions',
    { model: MODEL, prompt: 'Write about trains', ...body, stream: true },
    options,
  );
  const raw = await res.text();
  const parsed = frames(raw);
  const chunks = parsed.data.filter((d) => d !== '[DONE]').map((d) => JSON.parse(d) as Record<string, any>);
  return { res, raw, ...parsed, chunks, done: parsed.data.at(-1) === '[DONE]' };
}

const streamedText = (chunks: Record<string, any>[]) => chunks.map((c) => c.choices?.[0]?.text ?? '').join('');

describe('POST /completions', () => {
  const sim = useSimulator({ seed: 'completions' });

  it('answers a text_completion with text choices, provider and a full usage', async () => {
    const { status, headers, body } = await complete(sim(), { prompt: 'Say exactly: the quick brown fox' });
    expect(status).toBe(200);
    expect(headers.get('x-generation-id')).toBe(body.id);
    expect(body.id).toMatch(/^gen-\d+-[A-Za-z0-9]{20}$/);
    expect(Object.keys(body)).toEqual([
      'id',
      'object',
      'created',
      'model',
      'provider',
      'system_fingerprint',
      'choices',
      'usage',
    ]);
    expect(body).toMatchObject({ object: 'text_completion', model: MODEL, system_fingerprint: null });
    expect(typeof body.provider).toBe('string');
    expect(body.choices).toEqual([
      { text: 'the quick brown fox', index: 0, logprobs: null, finish_reason: 'stop', native_finish_reason: 'stop' },
    ]);
    expect(body.usage.total_tokens).toBe(body.usage.prompt_tokens + body.usage.completion_tokens);
    expect(body.usage.cost).toBeGreaterThan(0);
    expect(body.usage).toHaveProperty('prompt_tokens_details.cached_tokens');
    expect(body.usage).toHaveProperty('cost_details.upstream_inference_prompt_cost');
  });

  it('gives the text, usage and cost chat gives the same prompt as a user message', async () => {
    const text = await complete(sim(), { prompt: 'Tell me about signal boxes', max_tokens: 40 });
    const same = await chat(sim(), {
      max_tokens: 40,
      messages: [{ role: 'user', content: 'Tell me about signal boxes' }],
    });
    expect(text.body.choices[0].text).toBe(same.body.choices[0].message.content);
    expect(text.body.usage).toEqual(same.body.usage);
  });

  it('stores a /generation record billed at the answer cost', async () => {
    const { body } = await complete(sim(), { prompt: 'Describe a timetable' });
    const record = await json(sim(), `/generation?id=${body.id}`);
    expect(record.status).toBe(200);
    expect(record.body.data).toMatchObject({
      id: body.id,
      model: MODEL,
      total_cost: body.usage.cost,
      tokens_prompt: body.usage.prompt_tokens,
      tokens_completion: body.usage.completion_tokens,
      streamed: false,
      finish_reason: 'stop',
      api_type: 'completions',
    });
  });

  it('honours stop (finish stop, text cut) and max_tokens (finish length)', async () => {
    const stopped = await complete(sim(), { prompt: 'Say exactly: one two three four', stop: [' three'] });
    expect(stopped.body.choices[0]).toMatchObject({ text: 'one two', finish_reason: 'stop' });
    const short = await complete(sim(), { prompt: 'Say exactly: one two three four five six', max_tokens: 2 });
    expect(short.body.choices[0]).toMatchObject({ text: 'one two', finish_reason: 'length' });
    expect(short.body.usage.completion_tokens).toBe(2);
  });

  it('takes an array holding one prompt like the prompt itself', async () => {
    const one = await complete(sim(), { prompt: ['Say exactly: in an array'] });
    expect(one.body.choices[0].text).toBe('in an array');
  });

  it('echoes the prompt before the completion, without billing it as output', async () => {
    const plain = await complete(sim(), { prompt: 'Say exactly: echo me' });
    const echoed = await complete(sim(), { prompt: 'Say exactly: echo me', echo: true });
    expect(echoed.body.choices[0].text).toBe('Say exactly: echo meecho me');
    expect(echoed.body.usage).toEqual(plain.body.usage);
    const stream = await streamComplete(sim(), { prompt: 'Say exactly: echo me', echo: true });
    expect(streamedText(stream.chunks)).toBe('Say exactly: echo meecho me');
  });

  it('streams chat.completion.chunk frames with text choices, a finish chunk, a usage chunk and [DONE]', async () => {
    const body = { prompt: 'Say exactly: streams of text arrive here' };
    const whole = await complete(sim(), body);
    const { res, comments, chunks, done } = await streamComplete(sim(), body);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    expect(comments).toEqual(['OPENROUTER PROCESSING']);
    expect(done).toBe(true);
    for (const chunk of chunks) {
      expect(chunk).toMatchObject({
        id: res.headers.get('x-generation-id'),
        object: 'chat.completion.chunk',
        model: MODEL,
      });
      expect(typeof chunk.provider).toBe('string');
      for (const choice of chunk.choices) {
        expect(choice).not.toHaveProperty('delta');
        expect(Object.keys(choice).sort()).toEqual([
          'finish_reason',
          'index',
          'logprobs',
          'native_finish_reason',
          'text',
        ]);
      }
    }
    expect(streamedText(chunks)).toBe(whole.body.choices[0].text);
    const finish = chunks.filter((c) => c.choices[0]?.finish_reason);
    expect(finish.map((c) => c.choices[0].finish_reason)).toEqual(['stop']);
    const last = chunks.at(-1)!;
    expect(last.choices).toEqual([]);
    expect(last.usage).toEqual(whole.body.usage);
  });

  it('answers errors in OpenRouter envelope: bad prompt, batches, unknown model, wrong types, no key', async () => {
    const missing = await json(sim(), '/completions', { model: MODEL });
    expect(missing.status).toBe(400);
    expect(missing.body.error.message).toMatch(/^Invalid value for 'prompt'/);
    const batch = await complete(sim(), { prompt: ['first', 'second'] });
    expect(batch.status).toBe(400);
    expect(batch.body.error.message).toMatch(/Batched prompts are not supported/);
    const unknown = await complete(sim(), { model: 'acme/nope' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.message).toBe('acme/nope is not a valid model ID');
    const temperature = await complete(sim(), { temperature: 9 });
    expect(temperature.status).toBe(400);
    expect(temperature.body.error.metadata.field).toBe('temperature');
    const echo = await complete(sim(), { echo: 'yes' });
    expect(echo.body.error.metadata.field).toBe('echo');
    const noKey = await json(sim(), '/completions', { model: MODEL, prompt: 'x' }, { key: null });
    expect(noKey.status).toBe(401);
    expect(noKey.body.error).toMatchObject({ code: 401, message: 'No auth credentials found' });
    const get = await json(sim(), '/completions');
    expect(get.status).toBe(405);
    expect(get.body.error.code).toBe(405);
  });

  it('counts its requests under the completions area of the stats', async () => {
    const before = sim().stats.byEndpoint.completions ?? 0;
    await complete(sim(), {});
    expect(sim().stats.byEndpoint.completions).toBe(before + 1);
  });
});

describe('POST /completions faults', () => {
  const sim = useSimulator({ seed: 'completions-faults' });

  it('answers an HTTP 429 fault with Retry-After', async () => {
    const { status, headers, body } = await complete(sim(), {}, fault({ kind: 'http', status: 429, retryAfter: 3 }));
    expect(status).toBe(429);
    expect(headers.get('retry-after')).toBe('3');
    expect(body.error).toMatchObject({ code: 429, error_type: 'rate_limit_exceeded' });
    expect(body.user_id).toMatch(/^user_/);
  });

  it('sends a mid-stream error in-band after N chunks and bills only what was delivered', async () => {
    const { res, chunks, done } = await streamComplete(
      sim(),
      { prompt: 'Say exactly: alpha beta gamma delta epsilon' },
      fault({ kind: 'mid-stream-error', afterChunks: 2 }),
    );
    expect(streamedText(chunks)).toBe('alpha beta');
    const error = chunks.at(-1)!;
    expect(error.error).toEqual({
      code: 502,
      message: 'Provider returned error',
      metadata: { error_type: 'provider_unavailable' },
    });
    expect(error.choices).toEqual([
      { index: 0, text: '', finish_reason: 'error', native_finish_reason: 'error', logprobs: null },
    ]);
    expect(done).toBe(true);
    const record = (await json(sim(), `/generation?id=${res.headers.get('x-generation-id')}`)).body.data;
    expect(record).toMatchObject({ finish_reason: 'error', tokens_completion: 2, streamed: true });
  });

  it('answers a non-stream failure mid-generation with the partial text and the error on the choice', async () => {
    const { status, body } = await complete(
      sim(),
      { prompt: 'Say exactly: alpha beta gamma delta' },
      fault({ kind: 'mid-stream-error', afterChunks: 3 }),
    );
    expect(status).toBe(200);
    expect(body.choices[0]).toMatchObject({ text: 'alpha beta gamma', finish_reason: 'error' });
    expect(body.choices[0].error.code).toBe(502);
    expect(body.usage.completion_tokens).toBe(3);
  });

  it('drops the stream mid-body without a finish, usage or [DONE]', async () => {
    const res = await call(
      sim(),
      '/completions',
      { model: MODEL, prompt: 'Say exactly: one two three four five', stream: true },
      fault({ kind: 'reset-mid-body', afterChunks: 2 }),
    );
    expect(res.status).toBe(200);
    await expect(res.text()).rejects.toThrow();
    const cut = await streamComplete(sim(), { prompt: 'Say exactly: one two three four' }, fault('cut'));
    expect(streamedText(cut.chunks)).toBe('one two');
    expect(cut.done).toBe(false);
    expect(cut.chunks.some((c) => c.usage || c.choices[0]?.finish_reason)).toBe(false);
  });

  it('answers the error-200 fault with an {error} body at HTTP 200', async () => {
    const { status, body } = await complete(sim(), {}, fault('error-200'));
    expect(status).toBe(200);
    expect(body).toEqual({ error: { message: 'Internal Server Error', code: 500 }, user_id: expect.any(String) });
  });

  it('applies scenario rules for chat to completions too (they share the pipeline)', async () => {
    sim().setRules([{ match: { model: MODEL }, first: 1, fault: { kind: 'http', status: 503 } }]);
    try {
      expect((await complete(sim(), {})).status).toBe(503);
      expect((await complete(sim(), {})).status).toBe(200);
    } finally {
      sim().setRules([]);
    }
  });
});
