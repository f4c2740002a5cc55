import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HELLO, post, startTestGateway, type TestGateway } from '../support/gateway.js';

const ADMIN = 'admin-token-limits-0123456789';
let gw: TestGateway;

beforeAll(async () => {
  gw = await startTestGateway({ env: { SWITCHYARD_ADMIN_TOKEN: ADMIN } });
});
afterAll(() => gw?.stop());

async function createKey(body: Record<string, unknown>): Promise<{ id: string; secret: string }> {
  const response = await post(`${gw.url}/admin/keys`, body, { authorization: `Bearer ${ADMIN}` });
  const json = (await response.json()) as any;
  return { id: json.data.id, secret: json.secret };
}

const chat = (secret: string, body: unknown = HELLO, headers: Record<string, string> = {}) =>
  post(`${gw.baseURL}/chat/completions`, body, { authorization: `Bearer ${secret}`, ...headers });

const chatRequests = () => gw.services.upstream.simulator?.stats.byEndpoint.chat ?? 0;

describe('rate limits and daily caps (memory store)', () => {
  it('answers 429 with Retry-After and X-RateLimit-* once requests per minute are used up', async () => {
    const { secret } = await createKey({ name: 'rpm', limits: { requests_per_minute: 3 } });
    const statuses: number[] = [];
    let last: Response | undefined;
    for (let i = 0; i < 4; i++) {
      last = await chat(secret);
      statuses.push(last.status);
    }
    expect(statuses).toEqual([200, 200, 200, 429]);
    const refused = last as Response;
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(Number(refused.headers.get('retry-after'))).toBeLessThanOrEqual(60);
    const ms = Number(refused.headers.get('retry-after-ms'));
    expect(ms).toBeGreaterThan(0);
    expect(Math.ceil(ms / 1000)).toBe(Number(refused.headers.get('retry-after')));
    expect(refused.headers.get('x-ratelimit-limit')).toBe('3');
    expect(refused.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(Number(refused.headers.get('x-ratelimit-reset'))).toBeGreaterThan(Date.now());
    const body = (await refused.json()) as any;
    expect(body.error).toMatchObject({
      code: 429,
      type: 'rate_limited',
      metadata: { limit_source: 'requestsPerMinute' },
    });
  });

  it('caps requests per day', async () => {
    const { secret } = await createKey({ name: 'rpd', limits: { requests_per_day: 2 } });
    expect((await chat(secret)).status).toBe(200);
    expect((await chat(secret)).status).toBe(200);
    const third = await chat(secret);
    expect(third.status).toBe(429);
    expect(((await third.json()) as any).error.metadata.limit_source).toBe('requestsPerDay');
  });

  it('limits tokens per minute by the worst case of each request', async () => {
    const { secret } = await createKey({ name: 'tpm', limits: { tokens_per_minute: 120 } });
    const small = { ...HELLO, max_tokens: 50 };
    expect((await chat(secret, small)).status).toBe(200);
    // The first request's estimate was corrected to its real usage; a second worst case of ≈ 60 tokens must not fit.
    const big = await chat(secret, { ...HELLO, max_tokens: 110 });
    expect(big.status).toBe(429);
    expect(((await big.json()) as any).error.metadata.limit_source).toBe('tokensPerMinute');
  });

  it('keeps limits per key', async () => {
    const a = await createKey({ name: 'a', limits: { requests_per_minute: 1 } });
    const b = await createKey({ name: 'b', limits: { requests_per_minute: 1 } });
    expect((await chat(a.secret)).status).toBe(200);
    expect((await chat(b.secret)).status).toBe(200);
    expect((await chat(a.secret)).status).toBe(429);
  });
});

describe('budgets', () => {
  it('refuses with 402 before anything is sent upstream when the budget cannot afford the worst case', async () => {
    const { secret } = await createKey({ name: 'poor', budget: { usd: 0.000001, period: 'day' } });
    const before = chatRequests();
    const response = await chat(secret, { ...HELLO, max_tokens: 1000 });
    expect(response.status).toBe(402);
    expect(await response.json()).toMatchObject({ error: { code: 402, type: 'budget_exceeded' } });
    expect(chatRequests()).toBe(before);
  });

  it('reckons a model without an output limit at what its context leaves (budgets), not at 4,096 tokens (rate limits)', async () => {
    // x-ai/grok-3 lists no max_completion_tokens: without max_tokens it may write ≈ 131k tokens at $15/M (≈ $1.97).
    const grok = { ...HELLO, model: 'x-ai/grok-3' };
    const { secret } = await createKey({ name: 'no-output-limit', budget: { usd: 1, period: 'day' } });
    const before = chatRequests();
    const open = await chat(secret, grok);
    expect(open.status).toBe(402);
    // The refusal says why the worst case is so high, and what to do about it.
    expect(((await open.json()) as any).error.message).toContain('set max_tokens to reserve less');
    expect(chatRequests()).toBe(before);
    const bounded = await chat(secret, { ...grok, max_tokens: 100 });
    expect(bounded.status).toBe(200);
    await bounded.arrayBuffer();
    // Tokens per minute count such a request at its prompt + 4,096, not a whole context: it fits 20,000 a minute.
    const limited = await createKey({ name: 'no-output-limit-tpm', limits: { tokens_per_minute: 20_000 } });
    for (let i = 0; i < 2; i++) {
      const response = await chat(limited.secret, grok);
      expect(response.status).toBe(200);
      await response.arrayBuffer();
    }
  });

  it('reserves for the costliest model a request may fall back to (its own models list)', async () => {
    const { secret } = await createKey({ name: 'fallbacks', budget: { usd: 0.001, period: 'day' } });
    const cheap = { ...HELLO, max_tokens: 100 };
    // 100 tokens of claude-opus-4.1 at $75/M could cost $0.0075: more than the budget, though gpt-4o-mini would not.
    const pricey = await chat(secret, { ...cheap, models: ['anthropic/claude-opus-4.1'] });
    expect(pricey.status).toBe(402);
    expect(await pricey.json()).toMatchObject({ error: { type: 'budget_exceeded' } });
    const alone = await chat(secret, cheap);
    expect(alone.status).toBe(200);
    await alone.arrayBuffer();
  });

  it('reserves a router (price "-1") at the highest price of the models it may pick, never at $0', async () => {
    const { id, secret } = await createKey({ name: 'router', budget: { usd: 0.001, period: 'total' } });
    const before = chatRequests();
    // openrouter/auto may pick claude-opus-4.1 ($75/M out): 100 tokens could cost $0.0075, more than the budget.
    const auto = await chat(secret, { ...HELLO, model: 'openrouter/auto', max_tokens: 100 });
    expect(auto.status).toBe(402);
    expect(await auto.json()).toMatchObject({ error: { type: 'budget_exceeded' } });
    expect(chatRequests()).toBe(before);
    // Narrowed by the Auto Router's allowed_models to gpt-4o-mini ($0.6/M out), the same request fits the budget.
    const narrowed = await chat(secret, {
      ...HELLO,
      model: 'openrouter/auto',
      max_tokens: 100,
      plugins: [{ id: 'auto-router', allowed_models: ['openai/gpt-4o-mini'] }],
    });
    expect(narrowed.status).toBe(200);
    expect(((await narrowed.json()) as any).model).toBe('openai/gpt-4o-mini');
    const report = (await (
      await fetch(`${gw.url}/admin/usage?group_by=key&key=${id}`, { headers: { authorization: `Bearer ${ADMIN}` } })
    ).json()) as any;
    expect(report.total.requests).toBe(1);
    expect(Number(report.total.costUsd)).toBeGreaterThan(0);
  });

  it('reserves a model the catalog does not list at the catalog ceiling', async () => {
    const { secret } = await createKey({ name: 'unlisted', budget: { usd: 0.001, period: 'total' } });
    const before = chatRequests();
    const unknown = await chat(secret, { ...HELLO, model: 'acme/brand-new-model', max_tokens: 100 });
    expect(unknown.status).toBe(402);
    expect(((await unknown.json()) as any).error.message).toContain(
      'acme/brand-new-model has no known price (a router, or a model the catalog does not list)',
    );
    expect(chatRequests()).toBe(before);
  });

  it('never lets concurrent router requests overspend a budget', async () => {
    // Reserved at gpt-4o's prices (≈ $0.0006 each), one or two fit at a time; reserved at $0, all 20 would be sent.
    const usd = 0.001;
    const { id, secret } = await createKey({ name: 'router-concurrent', budget: { usd, period: 'total' } });
    const request = {
      ...HELLO,
      model: 'openrouter/auto',
      max_tokens: 60,
      plugins: [{ id: 'auto-router', allowed_models: ['openai/gpt-4o'] }],
    };
    const responses = await Promise.all(Array.from({ length: 20 }, () => chat(secret, request)));
    const ok = responses.filter((r) => r.status === 200).length;
    expect(ok).toBeGreaterThan(0);
    expect(responses.filter((r) => r.status === 402).length).toBe(20 - ok);
    await Promise.all(responses.map((r) => r.arrayBuffer()));
    const report = (await (
      await fetch(`${gw.url}/admin/usage?group_by=key&key=${id}`, { headers: { authorization: `Bearer ${ADMIN}` } })
    ).json()) as any;
    expect(report.total.requests).toBe(ok);
    expect(Number(report.total.costUsd)).toBeLessThanOrEqual(usd);
  });

  it('never lets concurrent requests overspend a budget', async () => {
    const usd = 0.0004;
    const { id, secret } = await createKey({ name: 'concurrent', budget: { usd, period: 'total' } });
    const request = { ...HELLO, max_tokens: 200 };
    const responses = await Promise.all(Array.from({ length: 30 }, () => chat(secret, request)));
    const statuses = responses.map((r) => r.status);
    const ok = statuses.filter((s) => s === 200).length;
    expect(ok).toBeGreaterThan(0);
    expect(statuses.filter((s) => s === 402).length).toBe(30 - ok);
    await Promise.all(responses.map((r) => r.arrayBuffer()));
    const report = (await (
      await fetch(`${gw.url}/admin/usage?group_by=key&key=${id}`, { headers: { authorization: `Bearer ${ADMIN}` } })
    ).json()) as any;
    expect(report.total.requests).toBe(ok);
    expect(Number(report.total.costUsd)).toBeGreaterThan(0);
    expect(Number(report.total.costUsd)).toBeLessThanOrEqual(usd);
  });

  it('applies per-user and global budgets set through the admin API', async () => {
    const auth = { authorization: `Bearer ${ADMIN}` };
    const set = await fetch(`${gw.url}/admin/budgets`, {
      method: 'PUT',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ scope: 'user', scope_id: 'alice', period: 'day', requests: 1 }),
    });
    expect(set.status).toBe(200);
    const { secret } = await createKey({ name: 'shared-by-users' });
    expect((await chat(secret, HELLO, { 'x-switchyard-user': 'alice' })).status).toBe(200);
    const second = await chat(secret, HELLO, { 'x-switchyard-user': 'alice' });
    expect(second.status).toBe(402);
    expect(((await second.json()) as any).error.message).toContain('user "alice" day budget');
    expect((await chat(secret, HELLO, { 'x-switchyard-user': 'bob' })).status).toBe(200);

    const listed = (await (await fetch(`${gw.url}/admin/budgets`, { headers: auth })).json()) as any;
    expect(listed.data).toContainEqual({
      scope: 'user',
      scope_id: 'alice',
      period: 'day',
      usd: null,
      tokens: null,
      requests: 1,
    });
    const bad = await fetch(`${gw.url}/admin/budgets`, {
      method: 'PUT',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ scope: 'team', period: 'day', usd: 1 }),
    });
    expect(((await bad.json()) as any).error.metadata.field).toBe('scope');
    // Amounts no budget store can hold, or that are no amount: a 400 naming the field (they were 500s).
    for (const [patch, field] of [
      [{ usd: 1e20 }, 'usd'],
      [{ usd: '' }, 'usd'],
      [{ usd: '1e3' }, 'usd'],
      [{ tokens: 1e20 }, 'tokens'],
      [{ requests: 1e20 }, 'requests'],
    ] as const) {
      const huge = await fetch(`${gw.url}/admin/budgets`, {
        method: 'PUT',
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify({ scope: 'global', period: 'day', ...patch }),
      });
      expect(huge.status).toBe(400);
      expect(((await huge.json()) as any).error.metadata.field).toBe(field);
    }
    const hugeKey = await post(`${gw.url}/admin/keys`, { name: 'rich', budget: { usd: 1e20 } }, auth);
    expect(hugeKey.status).toBe(400);
    expect(((await hugeKey.json()) as any).error.metadata.field).toBe('budget.usd');
    // A JSON content type with no body (as some HTTP libraries send every request) is fine.
    const removed = await fetch(`${gw.url}/admin/budgets/user/alice/day`, {
      method: 'DELETE',
      headers: { ...auth, 'content-type': 'application/json' },
    });
    expect(removed.status).toBe(200);
    expect((await chat(secret, HELLO, { 'x-switchyard-user': 'alice' })).status).toBe(200);
  });

  it('logs and counts threshold alerts, and exports usage as CSV', async () => {
    const { secret } = await createKey({ name: 'alerts', budget: { usd: 0.0001, period: 'month' } });
    const alerted = () =>
      gw.logLines().some((l) => String(l.msg).startsWith('budget threshold: 50 % of the key month budget'));
    for (let i = 0; i < 40 && !alerted(); i++) {
      const response = await chat(secret, { ...HELLO, max_tokens: 10 });
      await response.arrayBuffer();
      if (response.status !== 200) break;
    }
    expect(alerted()).toBe(true);
    const metrics = await (await fetch(`${gw.url}/metrics`)).text();
    expect(metrics).toMatch(/switchyard_budget_alerts_total\{scope="key",period="month",percent="50"\} 1/);
    const csv = await (
      await fetch(`${gw.url}/admin/usage?group_by=model&format=csv`, { headers: { authorization: `Bearer ${ADMIN}` } })
    ).text();
    expect(csv.split('\r\n')[0]).toBe(
      'group,requests,attempts,failures,prompt_tokens,completion_tokens,cached_tokens,reasoning_tokens,cost_usd,savings_usd',
    );
    expect(csv).toContain('openai/gpt-4o-mini');
  });
});

describe('the ledger', () => {
  it('holds one row per attempt with key, tokens and cost', async () => {
    const { id, secret } = await createKey({ name: 'ledger' });
    const response = await chat(secret);
    const body = (await response.json()) as any;
    await gw.services.accounting.report('key', {});
    const db = new Database(gw.sqlitePath, { readonly: true });
    try {
      const rows = db.prepare('SELECT * FROM ledger WHERE generation_id = ?').all(body.id) as Record<string, unknown>[];
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({
        key_id: id,
        outcome: 'success',
        model_requested: 'openai/gpt-4o-mini',
        prompt_tokens: body.usage.prompt_tokens,
      });
      expect(Number(rows[0]?.cost_reported_nano)).toBe(Math.round(body.usage.cost * 1e9));
    } finally {
      db.close();
    }
  });
});

describe('budgets under open access (no virtual keys)', () => {
  let open: TestGateway;
  beforeAll(async () => {
    open = await startTestGateway({ env: { SWITCHYARD_ADMIN_TOKEN: ADMIN } });
  });
  afterAll(() => open?.stop());

  it('reserves once per request: a global budget of 2 requests admits exactly 2', async () => {
    const set = await fetch(`${open.url}/admin/budgets`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ scope: 'global', period: 'day', requests: 2 }),
    });
    expect(set.status).toBe(200);
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) {
      const response = await post(`${open.baseURL}/chat/completions`, HELLO);
      statuses.push(response.status);
      await response.arrayBuffer();
    }
    expect(statuses).toEqual([200, 200, 402]);
    // Without a limit, open traffic reserves nothing and is still admitted and recorded.
    const removed = await fetch(`${open.url}/admin/budgets/global/*/day`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${ADMIN}` },
    });
    expect(removed.status).toBe(200);
    expect((await post(`${open.baseURL}/chat/completions`, HELLO)).status).toBe(200);
  });
});
