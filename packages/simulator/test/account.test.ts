import { describe, expect, it } from 'vitest';
import { startSimulator } from '../src/index.js';
import { chat, json, useSimulator } from './helpers.js';

describe('authentication', () => {
  const sim = useSimulator({ keys: [{ key: 'sk-or-v1-revoked', disabled: true }] });

  it.each([['/chat/completions'], ['/key'], ['/credits'], ['/generation?id=gen-1'], ['/providers'], ['/embeddings']])(
    '%s needs a key',
    async (path) => {
      const body = path.startsWith('/chat') || path.startsWith('/emb') ? {} : undefined;
      const res = await json(sim(), path, body, { key: null });
      expect(res.status).toBe(401);
      expect(res.body.error).toMatchObject({ message: 'No auth credentials found', code: 401 });
    },
  );

  it('rejects unknown shapes and disabled keys with "User not found."', async () => {
    for (const key of ['not-a-key', 'sk-or-v1-revoked', '']) {
      const res = await json(sim(), '/key', undefined, {
        key,
        headers: key === '' ? { authorization: 'Bearer ' } : {},
      });
      expect(res.status).toBe(401);
      expect(res.body.error.message).toBe(key === '' ? 'No auth credentials found' : 'User not found.');
    }
  });
});

describe('key, credits and generation', () => {
  const sim = useSimulator({
    keys: [
      { key: 'sk-or-v1-capped', limit: 0.001, label: 'capped key' },
      { key: 'sk-or-v1-mgmt', management: true },
    ],
    credits: 50,
    generationDelayMs: 200,
  });

  it('shows usage and limit on /key and the legacy /auth/key', async () => {
    const before = await json(sim(), '/key', undefined, { key: 'sk-or-v1-capped' });
    expect(before.body.data).toMatchObject({
      label: 'capped key',
      limit: 0.001,
      limit_remaining: 0.001,
      usage: 0,
      is_management_key: false,
      is_free_tier: false,
    });
    const done = await chat(sim(), { max_tokens: 20 }, { key: 'sk-or-v1-capped' });
    const after = await json(sim(), '/auth/key', undefined, { key: 'sk-or-v1-capped' });
    expect(after.body.data.usage).toBeCloseTo(done.body.usage.cost, 12);
    expect(after.body.data.usage_daily).toBeCloseTo(done.body.usage.cost, 12);
    expect(after.body.data.limit_remaining).toBeCloseTo(0.001 - done.body.usage.cost, 12);
    expect(after.body.data.free_model_daily_requests).toEqual({ limit: 1000, used: 0, remaining: 1000 });
  });

  it('refuses with 402 when a request could cost more than the key has left', async () => {
    const res = await chat(sim(), { model: 'anthropic/claude-3-opus', max_tokens: 4000 }, { key: 'sk-or-v1-capped' });
    expect(res.status).toBe(402);
    expect(res.body.error.message).toMatch(
      /^This request requires more credits, or fewer max_tokens\. You requested up to 4000 tokens, but can only afford \d+\./,
    );
  });

  it('answers /credits only for management keys', async () => {
    const denied = await json(sim(), '/credits');
    expect(denied.status).toBe(403);
    expect(denied.body.error.message).toBe('Only management keys can perform this operation');
    const ok = await json(sim(), '/credits', undefined, { key: 'sk-or-v1-mgmt' });
    expect(ok.body.data.total_credits).toBe(50);
    expect(ok.body.data.total_usage).toBeGreaterThan(0);
  });

  it('answers /generation with 404 until the record is available, then the record', async () => {
    const done = await chat(sim(), {});
    const id = done.body.id;
    const early = await json(sim(), `/generation?id=${id}`);
    expect(early.status).toBe(404);
    expect(early.body.error.message).toBe('Generation not found');
    let record: any;
    for (let i = 0; i < 20 && !record; i++) {
      await new Promise((r) => setTimeout(r, 50));
      const res = await json(sim(), `/generation?id=${id}`);
      if (res.status === 200) record = res.body.data;
    }
    expect(record).toMatchObject({
      id,
      model: 'openai/gpt-4o-mini',
      provider_name: done.body.provider,
      tokens_prompt: done.body.usage.prompt_tokens,
      tokens_completion: done.body.usage.completion_tokens,
      streamed: false,
      finish_reason: 'stop',
    });
    expect(record.total_cost).toBe(done.body.usage.cost);
    const other = await json(sim(), `/generation?id=${id}`, undefined, { key: 'sk-or-v1-someone-else' });
    expect(other.status).toBe(404);
    expect((await json(sim(), '/generation')).status).toBe(400);
  });
});

describe('limits', () => {
  it('limits free variants to 20 requests per minute per key, with X-RateLimit-* and no Retry-After', async () => {
    let clock = Date.UTC(2026, 10, 21, 12, 0, 0);
    const sim = await startSimulator({ now: () => clock });
    try {
      const model = 'meta-llama/llama-3.3-70b-instruct:free';
      for (let i = 0; i < 20; i++) expect((await chat(sim, { model })).status).toBe(200);
      const limited = await chat(sim, { model });
      expect(limited.status).toBe(429);
      expect(limited.body.error.message).toMatch(/^Rate limit exceeded: free-models-per-min/);
      expect(limited.headers.get('retry-after')).toBeNull();
      expect(limited.headers.get('x-ratelimit-limit')).toBe('20');
      expect(limited.headers.get('x-ratelimit-remaining')).toBe('0');
      expect(Number(limited.headers.get('x-ratelimit-reset'))).toBe(clock + 60_000);
      expect(limited.body.error.metadata.headers['X-RateLimit-Reset']).toBe(String(clock + 60_000));
      expect((await chat(sim, { model }, { key: 'sk-or-v1-another' })).status).toBe(200);
      expect((await chat(sim, { model: 'openai/gpt-4o-mini' })).status).toBe(200);
      // A free model that is limited falls back to the next model in models[].
      const fallback = await chat(sim, { model, models: ['openai/gpt-4o-mini'] });
      expect(fallback.body.model).toBe('openai/gpt-4o-mini');
      clock += 60_000;
      expect((await chat(sim, { model })).status).toBe(200);
    } finally {
      await sim.close();
    }
  });

  it('caps free requests per day at 50 when less than $10 of credits were bought', async () => {
    const clock = Date.UTC(2026, 10, 21, 12, 0, 0);
    const sim = await startSimulator({ credits: 5, freeTier: { perMinute: 1000 }, now: () => clock });
    try {
      for (let i = 0; i < 50; i++) expect((await chat(sim, { model: 'openai/gpt-oss-20b:free' })).status).toBe(200);
      const limited = await chat(sim, { model: 'openai/gpt-oss-20b:free' });
      expect(limited.status).toBe(429);
      expect(limited.body.error.message).toMatch(/free-models-per-day\. Add 10 credits/);
      expect(limited.headers.get('x-ratelimit-reset')).toBe(String(Date.UTC(2026, 10, 22)));
      const key = await json(sim, '/key');
      expect(key.body.data.is_free_tier).toBe(true);
      expect(key.body.data.free_model_daily_requests).toEqual({ limit: 50, used: 50, remaining: 0 });
    } finally {
      await sim.close();
    }
  });

  it('answers 402 once the account balance is spent, even for free models when negative', async () => {
    const sim = await startSimulator({ credits: -1 });
    try {
      const paid = await chat(sim, {});
      expect(paid.status).toBe(402);
      expect(paid.body.error.message).toMatch(/Insufficient credits/);
      expect((await chat(sim, { model: 'meta-llama/llama-3.3-70b-instruct:free' })).status).toBe(402);
    } finally {
      await sim.close();
    }
  });
});
