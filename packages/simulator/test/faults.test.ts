import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadScenarioFile, ScenarioError, startSimulator } from '../src/index.js';
import { call, chat, frames, json, streamChat, streamedText, useSimulator } from './helpers.js';

const fault = (value: unknown) => ({
  headers: { 'x-simulator-fault': typeof value === 'string' ? value : JSON.stringify(value) },
});

/** Reads a streaming body until `ms` pass, then aborts; returns what arrived. */
async function readFor(res: Response, ms: number, controller: AbortController): Promise<string> {
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  const timer = setTimeout(() => controller.abort(), ms);
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
  } catch {
    // aborted: expected
  } finally {
    clearTimeout(timer);
  }
  return text;
}

describe('HTTP error faults', () => {
  const sim = useSimulator();

  it.each([
    [400, 'invalid_request'],
    [401, 'authentication'],
    [402, 'payment_required'],
    [404, 'not_found'],
    [408, 'timeout'],
    [413, 'payload_too_large'],
    [422, 'unprocessable'],
    [429, 'rate_limit_exceeded'],
    [500, 'server'],
    [503, 'provider_overloaded'],
    [504, 'timeout'],
    [524, 'timeout'],
  ])('status %i has a realistic envelope', async (status, errorType) => {
    const res = await chat(sim(), {}, fault(status));
    expect(res.status).toBe(status);
    expect(res.body.error.code).toBe(status);
    expect(res.body.error.error_type).toBe(errorType);
    expect(res.body.error.message.length).toBeGreaterThan(5);
    expect(res.body.user_id).toMatch(/^user_/);
    expect(res.headers.get('retry-after')).toBeNull();
  });

  it('status 403 is a moderation block', async () => {
    const res = await chat(sim(), {}, fault(403));
    expect(res.status).toBe(403);
    expect(res.body.error.metadata.reasons).toEqual(['harassment']);
  });

  it.each([502, 529])('status %i is an upstream "Provider returned error" with metadata.raw', async (status) => {
    const res = await chat(sim(), {}, fault(status));
    expect(res.status).toBe(status);
    expect(res.body.error.message).toBe('Provider returned error');
    expect(typeof res.body.error.metadata.raw).toBe('string');
    expect(typeof res.body.error.metadata.provider_name).toBe('string');
  });

  it('sends Retry-After in seconds, as an HTTP date, or as retry-after-ms', async () => {
    const seconds = await chat(sim(), {}, fault({ kind: 'http', status: 429, retryAfter: 7 }));
    expect(seconds.headers.get('retry-after')).toBe('7');
    const date = await chat(
      sim(),
      {},
      fault({ kind: 'http', status: 503, retryAfter: 'date', retryAfterDateOffset: 30 }),
    );
    const when = Date.parse(date.headers.get('retry-after') ?? '');
    expect(when - Date.now()).toBeGreaterThan(20_000);
    expect(when - Date.now()).toBeLessThan(40_000);
    const ms = await chat(sim(), {}, fault({ kind: 'http', status: 429, retryAfterMs: 250 }));
    expect(ms.headers.get('retry-after-ms')).toBe('250');
    expect(ms.headers.get('retry-after')).toBeNull();
  });

  it('adds X-RateLimit-* headers with an epoch-ms reset, copied into metadata', async () => {
    const res = await chat(sim(), {}, fault({ kind: 'http', status: 429, rateLimitReset: true }));
    const reset = Number(res.headers.get('x-ratelimit-reset'));
    expect(reset).toBeGreaterThan(Date.now());
    expect(reset - Date.now()).toBeLessThanOrEqual(60_000);
    expect(res.headers.get('x-ratelimit-limit')).toBe('20');
    expect(res.body.error.metadata.headers['X-RateLimit-Reset']).toBe(String(reset));
  });

  it('blocks with moderation metadata (403)', async () => {
    const res = await chat(
      sim(),
      { messages: [{ role: 'user', content: `something flagged ${'x'.repeat(200)}` }] },
      fault({ kind: 'moderation', reasons: ['violence'] }),
    );
    expect(res.status).toBe(403);
    expect(res.body.error.message).toMatch(/flagged for "violence"/);
    const meta = res.body.error.metadata;
    expect(meta).toMatchObject({ reasons: ['violence'], model_slug: 'openai/gpt-4o-mini' });
    expect(meta.flagged_input.length).toBeLessThanOrEqual(100);
    expect(meta.flagged_input).toContain('...');
    expect(typeof meta.provider_name).toBe('string');
  });

  it('wraps upstream errors with raw as a string or an object', async () => {
    const text = await chat(
      sim(),
      {},
      fault({ kind: 'provider-error', status: 400, raw: 'tool_choice may only be specified while providing tools.' }),
    );
    expect(text.status).toBe(400);
    expect(text.body.error.metadata.raw).toBe('tool_choice may only be specified while providing tools.');
    const object = await chat(
      sim(),
      {},
      fault({ kind: 'provider-error', raw: { error_type: 'overloaded', error_message: 'busy' } }),
    );
    expect(object.status).toBe(502);
    expect(object.body.error.metadata.raw).toEqual({ error_type: 'overloaded', error_message: 'busy' });
  });

  it('answers HTTP 200 with an {error} body', async () => {
    const res = await chat(sim(), {}, fault({ kind: 'error-200', code: 500 }));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ error: { message: 'Internal Server Error', code: 500 }, user_id: expect.any(String) });
    expect(res.body.choices).toBeUndefined();
  });

  it('forces the real context-length error', async () => {
    const res = await chat(sim(), {}, fault('context-length'));
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(
      /^This endpoint's maximum context length is \d+ tokens\. However, you requested about \d+ tokens/,
    );
    expect(res.body.error.message).toContain('"middle-out"');
  });

  it('emits non-JSON text where JSON was asked for (invalid-output)', async () => {
    const res = await chat(
      sim(),
      { response_format: { type: 'json_object' } },
      fault({ kind: 'invalid-output', text: 'Sure! {"a": 1' }),
    );
    expect(res.body.choices[0].message.content).toBe('Sure! {"a": 1');
  });
});

describe('stream faults', () => {
  const sim = useSimulator({ seed: 5 });
  const several = useSimulator({ seed: 5, stream: { chunkTokens: 3 } });

  it('sends a single-chunk mid-stream error after N chunks, then [DONE]', async () => {
    const { chunks, done } = await streamChat(
      sim(),
      {},
      fault({ kind: 'mid-stream-error', afterChunks: 3, code: 502 }),
    );
    expect(streamedText(chunks.slice(0, 3)).length).toBeGreaterThan(0);
    const error = chunks[3];
    expect(error.error).toEqual({
      code: 502,
      message: 'Provider returned error',
      metadata: { error_type: 'provider_unavailable' },
    });
    expect(error.choices[0]).toMatchObject({ finish_reason: 'error', native_finish_reason: 'error' });
    expect(chunks).toHaveLength(4);
    expect(done).toBe(true);
  });

  it("sends the streaming docs' word code on request, error_type naming the failure", async () => {
    const { chunks } = await streamChat(
      sim(),
      {},
      fault({ kind: 'mid-stream-error', afterChunks: 1, code: 429, codeForm: 'word' }),
    );
    expect(chunks[1].error).toEqual({
      code: 'server_error',
      message: 'Provider returned error',
      metadata: { error_type: 'rate_limit_exceeded' },
    });
  });

  it('sends the observed three-chunk form: error with choices [], finish error, usage', async () => {
    const { chunks, done } = await streamChat(
      sim(),
      {},
      fault({ kind: 'mid-stream-error', afterChunks: 2, form: 'three-chunk', done: false }),
    );
    const [error, finish, usage] = chunks.slice(2);
    expect(error.choices).toEqual([]);
    expect(error.error.metadata.error_type).toBe('provider_unavailable');
    expect(finish.choices[0].finish_reason).toBe('error');
    expect(usage.usage.completion_tokens).toBe(2);
    expect(done).toBe(false);
  });

  it('bills and records only what a broken stream delivered', async () => {
    const { chunks, res } = await streamChat(
      sim(),
      {},
      fault({ kind: 'mid-stream-error', afterChunks: 2, form: 'three-chunk' }),
    );
    const id = res.headers.get('x-generation-id');
    const record = (await json(sim(), `/generation?id=${id}`)).body.data;
    expect(record.finish_reason).toBe('error');
    expect(record.tokens_completion).toBe(2);
    expect(record.total_cost).toBe(chunks.at(-1)?.usage.cost);
    const cut = await streamChat(sim(), {}, fault({ kind: 'cut', afterChunks: 1 }));
    const cutRecord = (await json(sim(), `/generation?id=${cut.res.headers.get('x-generation-id')}`)).body.data;
    expect(cutRecord.tokens_completion).toBe(1);
  });

  it('bills a broken stream of several tokens per chunk by tokens, in its usage chunk and its record alike', async () => {
    const { chunks, res } = await streamChat(
      several(),
      {},
      fault({ kind: 'mid-stream-error', afterChunks: 2, form: 'three-chunk' }),
    );
    const usage = chunks.at(-1)?.usage;
    // Two chunks of three tokens each went out before the error.
    expect(usage.completion_tokens).toBe(6);
    const record = (await json(several(), `/generation?id=${res.headers.get('x-generation-id')}`)).body.data;
    expect(record.tokens_completion).toBe(6);
    expect(record.total_cost).toBe(usage.cost);
  });

  it('resets the connection before headers', async () => {
    await expect(
      call(
        sim(),
        '/chat/completions',
        { model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] },
        fault('reset-before-headers'),
      ),
    ).rejects.toThrow();
  });

  it('resets the connection mid-body (stream and non-stream)', async () => {
    const streamRes = await call(
      sim(),
      '/chat/completions',
      { model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'x' }], stream: true },
      fault({ kind: 'reset-mid-body', afterChunks: 2 }),
    );
    expect(streamRes.status).toBe(200);
    await expect(streamRes.text()).rejects.toThrow();
    const plain = await call(
      sim(),
      '/chat/completions',
      { model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] },
      fault('reset-mid-body'),
    );
    await expect(plain.text()).rejects.toThrow();
  });

  it('cuts a stream cleanly without finish, usage or [DONE]', async () => {
    const { chunks, done, res } = await streamChat(sim(), {}, fault({ kind: 'cut', afterChunks: 2 }));
    expect(res.status).toBe(200);
    expect(chunks).toHaveLength(2);
    expect(chunks.some((c) => c.choices[0]?.finish_reason)).toBe(false);
    expect(done).toBe(false);
  });

  it('cuts a non-stream body into invalid JSON', async () => {
    const res = await call(
      sim(),
      '/chat/completions',
      { model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] },
      fault('cut'),
    );
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(() => JSON.parse(text)).toThrow();
  });

  it('inserts a malformed data line and carries on', async () => {
    const res = await call(
      sim(),
      '/chat/completions',
      { model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'x' }], stream: true },
      fault({ kind: 'malformed-chunk', afterChunks: 1 }),
    );
    const { data } = frames(await res.text());
    const broken = data.filter((d) => {
      try {
        JSON.parse(d);
        return false;
      } catch {
        return d !== '[DONE]';
      }
    });
    expect(broken).toHaveLength(1);
    expect(data.at(-1)).toBe('[DONE]');
  });

  it('stalls silently after headers until the client gives up', async () => {
    const controller = new AbortController();
    const res = await call(
      sim(),
      '/chat/completions',
      { model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'x' }], stream: true },
      { ...fault('stall'), signal: controller.signal },
    );
    expect(res.status).toBe(200);
    const text = await readFor(res, 300, controller);
    expect(frames(text).data).toEqual([]);
  });

  it('stalls with keep-alive comments only', async () => {
    const controller = new AbortController();
    const res = await call(
      sim(),
      '/chat/completions',
      { model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'x' }], stream: true },
      { ...fault({ kind: 'stall', mode: 'keepalive', intervalMs: 40 }), signal: controller.signal },
    );
    const text = await readFor(res, 400, controller);
    const parsed = frames(text);
    expect(parsed.data).toEqual([]);
    expect(parsed.comments.length).toBeGreaterThan(2);
  });

  it('stalls mid-stream for a while, then finishes', async () => {
    const { chunks, done } = await streamChat(sim(), {}, fault({ kind: 'stall', afterChunks: 2, durationMs: 100 }));
    expect(done).toBe(true);
    expect(chunks.at(-1)?.usage).toBeDefined();
  });

  it('delays headers', async () => {
    const started = Date.now();
    const res = await chat(sim(), {}, fault({ kind: 'slow-headers', delayMs: 150 }));
    expect(res.status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });

  it('stops a stalled stream when the simulator closes', async () => {
    const own = await startSimulator();
    const res = await fetch(`${own.url}/chat/completions`, {
      method: 'POST',
      headers: { authorization: 'Bearer sk-or-v1-x', 'content-type': 'application/json', 'x-simulator-fault': 'stall' },
      body: JSON.stringify({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'x' }], stream: true }),
    });
    const reading = res.text().then(
      () => 'ended',
      () => 'errored',
    );
    await own.close();
    expect(['ended', 'errored']).toContain(await reading);
  });
});

describe('scenario rules', () => {
  it('selects requests by nth, first, every and after, per rule', async () => {
    const sim = await startSimulator({
      rules: [
        { id: 'nth', match: { model: 'openai/gpt-4o' }, nth: [2, 4], fault: { kind: 'http', status: 500 } },
        { id: 'first', match: { model: 'anthropic/*' }, first: 2, fault: { kind: 'http', status: 503 } },
        { id: 'every', match: { model: 'openai/gpt-4o-mini' }, every: 3, fault: { kind: 'http', status: 429 } },
        { id: 'after', match: { model: 'openai/gpt-4.1' }, after: 2, fault: { kind: 'http', status: 502 } },
      ],
    });
    try {
      const statuses = async (model: string, n: number) => {
        const out: number[] = [];
        for (let i = 0; i < n; i++) out.push((await chat(sim, { model })).status);
        return out;
      };
      expect(await statuses('openai/gpt-4o', 5)).toEqual([200, 500, 200, 500, 200]);
      expect(await statuses('anthropic/claude-3-haiku', 3)).toEqual([503, 503, 200]);
      expect(await statuses('openai/gpt-4o-mini', 6)).toEqual([200, 200, 429, 200, 200, 429]);
      expect(await statuses('openai/gpt-4.1', 4)).toEqual([200, 200, 502, 502]);
      expect(sim.stats.faults).toEqual({ nth: 2, first: 2, every: 2, after: 2 });
    } finally {
      await sim.close();
    }
  });

  it('makes probabilistic faults deterministic by seed', async () => {
    const run = async (seed: number) => {
      const sim = await startSimulator({ seed, rules: [{ probability: 0.5, fault: { kind: 'http', status: 500 } }] });
      try {
        const out: number[] = [];
        for (let i = 0; i < 20; i++) out.push((await chat(sim, {})).status);
        return out;
      } finally {
        await sim.close();
      }
    };
    const a = await run(1);
    expect(await run(1)).toEqual(a);
    expect(a.filter((s) => s === 500).length).toBeGreaterThan(3);
    expect(a.filter((s) => s === 200).length).toBeGreaterThan(3);
    expect(await run(2)).not.toEqual(a);
  });

  it('limits rules to streams, keys or embeddings', async () => {
    const sim = await startSimulator({
      rules: [
        { match: { stream: true }, fault: { kind: 'http', status: 503 } },
        { match: { key: 'sk-or-v1-unlucky' }, fault: { kind: 'http', status: 401 } },
        { match: { endpoint: 'embeddings' }, fault: { kind: 'http', status: 500 } },
      ],
    });
    try {
      expect((await chat(sim, {})).status).toBe(200);
      expect((await streamChat(sim, {})).res.status).toBe(503);
      expect((await chat(sim, {}, { key: 'sk-or-v1-unlucky' })).status).toBe(401);
      const emb = await call(sim, '/embeddings', { model: 'openai/text-embedding-3-small', input: 'x' });
      expect(emb.status).toBe(500);
    } finally {
      await sim.close();
    }
  });

  it('loads a scenario file and reports the first bad field', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sy-scenario-'));
    const good = join(dir, 'good.json');
    writeFileSync(good, JSON.stringify({ seed: 3, pace: 'instant', rules: [{ first: 1, fault: { kind: 'cut' } }] }));
    expect(loadScenarioFile(good).rules).toHaveLength(1);
    const cases: [unknown, RegExp][] = [
      [{ rules: [{ fault: { kind: 'volcano' } }] }, /rules\[0\]\.fault\.kind: unknown kind "volcano"/],
      [{ rules: [{ fault: { kind: 'http' } }] }, /rules\[0\]\.fault\.status: required/],
      [{ rules: [{ fault: { kind: 'http', status: 200 } }] }, /fault\.status: expected a number between 400 and 599/],
      [{ rules: [{ probability: 2, fault: { kind: 'cut' } }] }, /probability/],
      [{ pace: 'warp' }, /pace/],
      [{ stream: { usageChunk: 'sideways' } }, /usageChunk/],
      [{ sede: 1 }, /sede: unknown field/],
    ];
    for (const [content, message] of cases) {
      const file = join(dir, 'bad.json');
      writeFileSync(file, JSON.stringify(content));
      expect(() => loadScenarioFile(file)).toThrow(ScenarioError);
      expect(() => loadScenarioFile(file)).toThrow(message);
    }
    const broken = join(dir, 'broken.json');
    writeFileSync(broken, '{ "seed": ');
    expect(() => loadScenarioFile(broken)).toThrow(/not valid JSON/);
  });

  it('starts from a scenario file, with explicit options winning', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sy-scenario-'));
    const file = join(dir, 's.json');
    writeFileSync(
      file,
      JSON.stringify({
        defaultModel: 'anthropic/claude-3-haiku',
        rules: [{ nth: [1], fault: { kind: 'http', status: 200 } }],
      }),
    );
    await expect(startSimulator({ scenario: file })).rejects.toThrow(/status/);
    writeFileSync(
      file,
      JSON.stringify({
        defaultModel: 'anthropic/claude-3-haiku',
        rules: [{ nth: [1], fault: { kind: 'http', status: 500 } }],
      }),
    );
    const sim = await startSimulator({ scenario: file, defaultModel: 'openai/gpt-4o' });
    try {
      expect((await chat(sim, { model: undefined })).status).toBe(500);
      expect((await chat(sim, { model: undefined })).body.model).toBe('openai/gpt-4o');
    } finally {
      await sim.close();
    }
  });

  it('replaces rules at run time through the admin route', async () => {
    const sim = await startSimulator();
    try {
      const put = await fetch(`${sim.origin}/__simulator/rules`, {
        method: 'PUT',
        body: JSON.stringify([{ fault: { kind: 'http', status: 503 } }]),
      });
      expect(put.status).toBe(200);
      expect((await chat(sim, {})).status).toBe(503);
      const bad = await fetch(`${sim.origin}/__simulator/rules`, {
        method: 'PUT',
        body: JSON.stringify([{ fault: {} }]),
      });
      expect(bad.status).toBe(400);
      const stats = await (await fetch(`${sim.origin}/__simulator/stats`)).json();
      expect(stats.byStatus['503']).toBe(1);
    } finally {
      await sim.close();
    }
  });
});
