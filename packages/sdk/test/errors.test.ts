import { describe, expect, it, vi } from 'vitest';
import { lazyModule } from '../src/errors/chunk-load.js';
import { errorFromWire } from '../src/errors/from-response.js';
import {
  AuthenticationError,
  ConnectionError,
  ContextLengthError,
  InsufficientCreditsError,
  InvalidModelError,
  InvalidRequestError,
  ModerationError,
  NoEndpointsError,
  NotFoundError,
  OverloadedError,
  PayloadTooLargeError,
  PermissionDeniedError,
  ProviderError,
  RateLimitError,
  ServerError,
  StreamError,
  SwitchyardError,
  TimeoutError,
} from '../src/errors/index.js';
import { parseResetAt, parseRetryAfter, rateLimitInfo } from '../src/errors/retry-after.js';
import type { WireError } from '../src/protocol/chat.js';
import { isRetryable } from '../src/routing/retry-policy.js';

const headers = (values: Record<string, string>) => new Headers(values);

describe('error classes', () => {
  it('carry stable codes and work with instanceof up the chain', () => {
    const error = new ContextLengthError('too long', { status: 400, model: 'openai/gpt-4' });
    expect(error.code).toBe('context_length_exceeded');
    expect(error.name).toBe('ContextLengthError');
    expect(error).toBeInstanceOf(ContextLengthError);
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect(error).toBeInstanceOf(SwitchyardError);
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(RateLimitError);
    expect(error.toJSON()).toMatchObject({ code: 'context_length_exceeded', model: 'openai/gpt-4', status: 400 });
  });

  it('instanceof survives a duplicate copy of the package', async () => {
    // A second, independently evaluated copy of the modules (as two bundled copies of the package would be).
    vi.resetModules();
    const copy = await import('../src/errors/http-errors.js');
    expect(copy.RateLimitError).not.toBe(RateLimitError);
    const foreign = new copy.RateLimitError('slow down');
    expect(foreign).toBeInstanceOf(RateLimitError);
    expect(foreign).toBeInstanceOf(SwitchyardError);
    expect(foreign).not.toBeInstanceOf(ProviderError);
    expect(new RateLimitError('x')).toBeInstanceOf(copy.RateLimitError);
  });
});

describe('errorFromWire', () => {
  it.each([
    [400, 'Invalid value for temperature', InvalidRequestError, 'invalid_request', false],
    [
      400,
      "This endpoint's maximum context length is 8192 tokens. However, you requested about 9000 tokens",
      ContextLengthError,
      'context_length_exceeded',
      false,
    ],
    [400, 'openai/gpt-99 is not a valid model ID', InvalidModelError, 'invalid_model', false],
    [401, 'User not found.', AuthenticationError, 'authentication_failed', false],
    [402, 'Insufficient credits', InsufficientCreditsError, 'insufficient_credits', false],
    [403, 'Only management keys can perform this operation', PermissionDeniedError, 'permission_denied', false],
    [404, 'No endpoints found that support tool use.', NoEndpointsError, 'no_endpoints', false],
    [404, 'Generation not found', NotFoundError, 'not_found', false],
    [408, 'Operation timed out. Please try again later.', TimeoutError, 'timeout', true],
    [413, 'Request payload too large', PayloadTooLargeError, 'payload_too_large', false],
    [429, 'Rate limit exceeded', RateLimitError, 'rate_limited', true],
    [500, 'Internal Server Error', ServerError, 'server_error', true],
    [502, 'Provider returned error', ProviderError, 'provider_error', true],
    [503, 'No instances available', OverloadedError, 'provider_overloaded', true],
    [504, 'Gateway timeout', TimeoutError, 'timeout', true],
    [524, 'Request timed out. Please try again later.', TimeoutError, 'timeout', true],
    [529, 'Provider returned error', OverloadedError, 'provider_overloaded', true],
  ])('%i %s → %o', (status, message, cls, code, retryable) => {
    const error = errorFromWire({ code: status, message }, status);
    expect(error).toBeInstanceOf(cls);
    expect(error.code).toBe(code);
    expect(error.status).toBe(status);
    expect(error.retryable).toBe(retryable);
  });

  it('maps HTTP 200 bodies and in-band errors by their own code, string codes included', () => {
    expect(errorFromWire({ code: 500, message: 'Internal Server Error' }, 200)).toBeInstanceOf(ServerError);
    expect(errorFromWire({ code: '429', message: 'Rate limit exceeded: free-models-per-day' }, 200)).toBeInstanceOf(
      RateLimitError,
    );
    expect(errorFromWire({ code: 'server_error', message: 'boom' }, 200)).toBeInstanceOf(ServerError);
  });

  it('maps a 200 body or in-band error without a numeric code by its type name (metadata.error_type, or a word in code)', () => {
    const typed = (error: Record<string, unknown>) =>
      errorFromWire({ message: 'Upstream said no', ...error } as unknown as WireError, 200);
    const limited = typed({ code: 'server_error', metadata: { error_type: 'rate_limit_exceeded' } });
    expect(limited).toBeInstanceOf(RateLimitError);
    expect(limited.status).toBe(429);
    expect(limited.retryable).toBe(true);
    expect(typed({ code: 'rate_limit_exceeded' })).toBeInstanceOf(RateLimitError);
    expect(typed({ code: null, metadata: { error_type: 'provider_overloaded' } })).toBeInstanceOf(OverloadedError);
    expect(typed({ metadata: { error_type: 'provider_unavailable' } })).toBeInstanceOf(ProviderError);
    expect(typed({ metadata: { error_type: 'timeout' } }).code).toBe('timeout');
    expect(typed({ code: 'context_length_exceeded' })).toBeInstanceOf(ContextLengthError);
    expect(typed({ error_type: 'payment_required' })).toBeInstanceOf(InsufficientCreditsError);
    expect(typed({ code: 'authentication' })).toBeInstanceOf(AuthenticationError);
    // An unknown type name falls back to a server error; a known word in code still counts then.
    expect(typed({ code: 'weird', metadata: { error_type: 'unmapped' } })).toBeInstanceOf(ServerError);
    expect(typed({ code: 'rate_limit_exceeded', metadata: { error_type: 'finish_reason_error' } })).toBeInstanceOf(
      RateLimitError,
    );
    // A numeric code, and an HTTP error status, win over the type name.
    expect(typed({ code: 503, metadata: { error_type: 'rate_limit_exceeded' } })).toBeInstanceOf(OverloadedError);
    const http = errorFromWire({ code: 'x', message: 'm', metadata: { error_type: 'rate_limit_exceeded' } }, 502);
    expect(http).toBeInstanceOf(ProviderError);
    // Names from the prototype chain are no type names.
    expect(typed({ code: 'constructor' })).toBeInstanceOf(ServerError);
  });

  it('explains provider errors with metadata.raw, string or object', () => {
    const text = errorFromWire(
      {
        code: 502,
        message: 'Provider returned error',
        metadata: { raw: 'upstream exploded', provider_name: 'DeepInfra' },
      },
      502,
    );
    expect(text.message).toBe('Provider returned error (DeepInfra): upstream exploded');
    expect(text.provider).toBe('DeepInfra');
    expect((text as ProviderError).raw).toBe('upstream exploded');
    const object = errorFromWire(
      { code: 502, message: 'Provider returned error', metadata: { raw: { error_type: 'x' } } },
      502,
    );
    expect(object.message).toContain('{"error_type":"x"}');
  });

  it('reads moderation reasons and flagged input', () => {
    const error = errorFromWire(
      {
        code: 403,
        message: 'flagged',
        metadata: {
          reasons: ['violence'],
          flagged_input: 'abc...xyz',
          provider_name: 'OpenAI',
          model_slug: 'openai/gpt-4o',
        },
      },
      403,
    );
    expect(error).toBeInstanceOf(ModerationError);
    expect((error as ModerationError).reasons).toEqual(['violence']);
    expect((error as ModerationError).flaggedInput).toBe('abc...xyz');
  });

  it("honours a server's x-should-retry: false (the switchyard gateway, OpenAI): no retry of a 5xx it marks", () => {
    const marked = errorFromWire({ code: 502, message: 'Upstream refused the key' }, 502, {
      headers: headers({ 'x-should-retry': 'false' }),
    });
    expect(marked).toBeInstanceOf(ProviderError);
    expect(marked.retryable).toBe(false);
    expect(isRetryable(marked)).toBe(false);
    for (const value of ['true', undefined]) {
      const plain = errorFromWire({ code: 502, message: 'x' }, 502, {
        headers: headers(value === undefined ? {} : { 'x-should-retry': value }),
      });
      expect(isRetryable(plain), String(value)).toBe(true);
    }
    // Timeouts stay retryable, as their class says (the header only vetoes retries decided by status).
    const timeout = errorFromWire({ code: 504, message: 'x' }, 504, {
      headers: headers({ 'x-should-retry': 'false' }),
    });
    expect(isRetryable(timeout)).toBe(true);
  });

  it('reads every retry hint', () => {
    const now = Date.UTC(2026, 0, 1);
    const seconds = errorFromWire({ code: 429, message: 'x' }, 429, { headers: headers({ 'retry-after': '7' }), now });
    expect(seconds.retryAfterMs).toBe(7000);
    const date = errorFromWire({ code: 503, message: 'x' }, 503, {
      headers: headers({ 'retry-after': new Date(now + 30_000).toUTCString() }),
      now,
    });
    expect(date.retryAfterMs).toBe(30_000);
    const ms = errorFromWire({ code: 429, message: 'x' }, 429, {
      headers: headers({ 'retry-after-ms': '250', 'retry-after': '9' }),
      now,
    });
    expect(ms.retryAfterMs).toBe(250);
    const reset = errorFromWire({ code: 429, message: 'x' }, 429, {
      headers: headers({
        'x-ratelimit-reset': String(now + 42_000),
        'x-ratelimit-limit': '20',
        'x-ratelimit-remaining': '0',
      }),
      now,
    }) as RateLimitError;
    expect(reset.retryAfterMs).toBe(42_000);
    expect(reset).toMatchObject({ limit: 20, remaining: 0, resetAt: now + 42_000 });
    const copied = errorFromWire(
      { code: 429, message: 'x', metadata: { headers: { 'X-RateLimit-Reset': String(now + 5000) } } },
      429,
      { now },
    );
    expect(copied.retryAfterMs).toBe(5000);
    const availability = errorFromWire({ code: 429, message: 'x', availability: { retry_after: 40 } } as never, 429, {
      now,
    });
    expect(availability.retryAfterMs).toBe(40_000);
  });

  it('parses Retry-After and reset forms', () => {
    expect(parseRetryAfter('3')).toBe(3000);
    expect(parseRetryAfter('1.5')).toBe(1500);
    expect(parseRetryAfter('garbage')).toBeUndefined();
    expect(parseRetryAfter(new Date(Date.now() - 5000).toUTCString())).toBe(0);
    expect(parseResetAt('1788825600000')).toBe(1788825600000);
    expect(parseResetAt('1788825600')).toBe(1788825600000);
    expect(rateLimitInfo(undefined)).toEqual({});
  });

  it('keeps partial output on stream errors', () => {
    const error = new StreamError('cut', { partial: { text: 'Hel', reasoning: '', toolCalls: [] } });
    expect(error.partial.text).toBe('Hel');
    expect(error.code).toBe('stream_error');
  });
});

describe('lazyModule (the loader of split-off chunks)', () => {
  it('loads once for concurrent callers, turns a failed load into a retryable ConnectionError and tries again', async () => {
    let loads = 0;
    const load = lazyModule('the test chunk', async () => {
      loads++;
      if (loads === 1) throw new TypeError('Failed to fetch dynamically imported module: /chunk-x.js');
      return { value: 42 };
    });
    const failed = await load().catch((error: unknown) => error);
    expect(failed).toBeInstanceOf(ConnectionError);
    expect(failed).toMatchObject({ code: 'connection_error', retryable: true });
    expect((failed as Error).message).toBe(
      'Could not load the test chunk: Failed to fetch dynamically imported module: /chunk-x.js',
    );
    const [a, b] = await Promise.all([load(), load()]);
    expect(a).toEqual({ value: 42 });
    expect(b).toBe(a);
    expect(await load()).toBe(a);
    expect(loads).toBe(2);
  });
});
