import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StreamError, Switchyard, type SwitchyardError, type UsageRecord } from '../src/index.js';
import { type FakeOpenRouter, listing, startFakeOpenRouter, writeSse } from './fake-openrouter.js';
import { KEY } from './helpers.js';

/**
 * A stream that fails after content reached the consumer: its attempt in `error.attempts` (recorded a success at
 * the first token) carries what the error knows — status, served model, provider, generation, usage and billed
 * cost — as the usage sinks and `error.partial` do, so a ledger built from the trace misses nothing.
 */

const MODEL = 'openai/gpt-4o-mini';
const BILLED = { prompt_tokens: 10, completion_tokens: 3, total_tokens: 13, cost: 0.00002 };

let up: FakeOpenRouter;
beforeAll(async () => {
  up = await startFakeOpenRouter();
  up.routes.models = listing();
  // OpenRouter's in-band failure: content, then an error chunk, a finish chunk "error", and the billed usage.
  up.routes.chat = (_req, res) => {
    const base = { id: 'gen-cut-1', object: 'chat.completion.chunk', created: 1, model: MODEL, provider: 'OpenAI' };
    const chunk = (extra: object) => JSON.stringify({ ...base, ...extra });
    writeSse(res, [
      chunk({ choices: [{ index: 0, delta: { role: 'assistant', content: 'Hello' }, finish_reason: null }] }),
      chunk({ error: { code: 502, message: 'Provider returned error' }, choices: [] }),
      chunk({ choices: [{ index: 0, delta: {}, finish_reason: 'error' }] }),
      chunk({ choices: [], usage: BILLED }),
      '[DONE]',
    ]);
  };
});
afterAll(async () => {
  await up.close();
});

describe('a stream failing after content', () => {
  it('leaves its attempt record with the status, usage, cost and generation the error carries', async () => {
    const records: UsageRecord[] = [];
    const sy = new Switchyard({
      apiKey: KEY,
      baseURL: up.baseURL,
      env: {},
      retry: { attempts: 1 },
      usageSinks: [{ record: (r) => void records.push(r) }],
    });
    const stream = sy.stream({ model: MODEL, messages: [{ role: 'user', content: 'Hello' }] });
    let caught: SwitchyardError | undefined;
    try {
      for await (const _ of stream);
    } catch (error) {
      caught = error as SwitchyardError;
    }
    expect(caught).toBeInstanceOf(StreamError);
    expect(caught?.partial).toMatchObject({ text: 'Hello', costUsd: 0.00002, generationId: 'gen-cut-1' });

    const attempt = caught?.attempts?.at(-1);
    expect(attempt).toMatchObject({
      outcome: 'failed',
      code: 'stream_error',
      status: 502,
      servedModel: MODEL,
      provider: 'OpenAI',
      generationId: 'gen-cut-1',
      costUsd: 0.00002,
      usage: { promptTokens: 10, completionTokens: 3, totalTokens: 13 },
    });
    // What the usage sink recorded for the attempt is what the trace now says.
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({
      status: 502,
      generationId: 'gen-cut-1',
      costUsd: 0.00002,
      promptTokens: 10,
      completionTokens: 3,
    });
    await sy.close();
  });
});
