/**
 * Virtual keys on the Messages API: the key in `x-api-key`, as the Anthropic SDKs and Claude Code send it, and
 * admission's refusals — no or a wrong key, a model the key may not use, a rate limit, a budget — in Anthropic's
 * envelope and error classes. Every request goes over loopback to 127.0.0.1.
 */
import Anthropic from '@anthropic-ai/sdk';
import type { ContentBlock } from '@anthropic-ai/sdk/resources/messages';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { post, startTestGateway, type TestGateway } from '../support/gateway.js';
import { MODEL } from './compat-gateway.js';

const CLAUDE = 'anthropic/claude-sonnet-4.5';
const textOf = (content: ContentBlock[]) => content.map((b) => (b.type === 'text' ? b.text : '')).join('');

describe('keys: x-api-key, and admission refusals in Anthropic’s envelope', () => {
  let gw: TestGateway;
  let secret: string;
  let limited: string;
  let poor: string;
  beforeAll(async () => {
    gw = await startTestGateway();
    secret = (await gw.services.keys.create({ name: 'anthropic-client', allowedModels: ['openai/*'] })).secret;
    limited = (await gw.services.keys.create({ name: 'one-a-minute', limits: { requestsPerMinute: 1 } })).secret;
    const broke = await gw.services.keys.create({ name: 'poor', budget: { usd: 0.000001, period: 'day' } });
    await gw.services.accounting.applyKeyBudget(broke.key); // what the admin API does on creation
    poor = broke.secret;
    // Open access is re-checked at most once a second: from now on a key is required.
    await new Promise((r) => setTimeout(r, 1100));
  });
  afterAll(() => gw?.stop());

  const anthropic = (apiKey: string) =>
    new Anthropic({ baseURL: `${gw.url}/api`, apiKey, maxRetries: 0, timeout: 15_000 });
  const hello = { model: MODEL, max_tokens: 100, messages: [{ role: 'user' as const, content: 'Say exactly: keyed' }] };

  it('accepts a virtual key sent as x-api-key (what the Anthropic SDKs send)', async () => {
    const answer = await anthropic(secret).messages.create(hello);
    expect(textOf(answer.content)).toBe('keyed');
  });

  it('refuses a request without a key, or with a wrong one, as authentication_error', async () => {
    const none = await post(`${gw.baseURL}/messages`, hello);
    expect(none.status).toBe(401);
    expect(await none.json()).toMatchObject({
      type: 'error',
      error: { type: 'authentication_error', details: { error_code: 'authentication_failed' } },
    });
    const uncounted = await anthropic('sk-sy-v1-not-a-real-key')
      .messages.countTokens({ model: MODEL, messages: hello.messages })
      .catch((e: unknown) => e);
    expect(uncounted).toBeInstanceOf(Anthropic.AuthenticationError);
    const counted = await anthropic(secret).messages.countTokens({ model: MODEL, messages: hello.messages });
    expect(counted.input_tokens).toBeGreaterThan(0);
    const wrong = await anthropic('sk-sy-v1-not-a-real-key')
      .messages.create(hello)
      .catch((e: unknown) => e);
    expect(wrong).toBeInstanceOf(Anthropic.AuthenticationError);
    expect(JSON.stringify((wrong as InstanceType<typeof Anthropic.AuthenticationError>).error)).not.toContain(
      'sk-sy-v1-not',
    );
  });

  it('refuses a model the key may not use (permission_error) and a rate limit (rate_limit_error)', async () => {
    const denied = await anthropic(secret)
      .messages.create({ ...hello, model: CLAUDE })
      .catch((e: unknown) => e);
    expect(denied).toBeInstanceOf(Anthropic.PermissionDeniedError);
    expect((denied as InstanceType<typeof Anthropic.APIError>).type).toBe('permission_error');
    expect(await anthropic(limited).messages.create(hello)).toMatchObject({ type: 'message' });
    const limitedOut = await anthropic(limited)
      .messages.create(hello)
      .catch((e: unknown) => e);
    expect(limitedOut).toBeInstanceOf(Anthropic.RateLimitError);
    const typed = limitedOut as InstanceType<typeof Anthropic.RateLimitError>;
    expect(typed.type).toBe('rate_limit_error');
    expect(typed.errorCode).toBe('rate_limited');
    expect(typed.headers?.get('retry-after')).toMatch(/^\d+$/);
  });

  it('refuses a request its budget cannot afford as billing_error (402), before any upstream call', async () => {
    const before = gw.services.upstream.simulator?.stats.requests;
    const refused = await anthropic(poor)
      .messages.create(hello)
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(Anthropic.APIError);
    const typed = refused as InstanceType<typeof Anthropic.APIError>;
    expect({ status: typed.status, type: typed.type, code: typed.errorCode }).toEqual({
      status: 402,
      type: 'billing_error',
      code: 'budget_exceeded',
    });
    expect(gw.services.upstream.simulator?.stats.requests).toBe(before);
  });
});
