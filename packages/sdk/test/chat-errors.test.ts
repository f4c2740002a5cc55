import { describe, expect, it } from 'vitest';
import {
  AbortError,
  AuthenticationError,
  ConnectionError,
  ContextLengthError,
  InsufficientCreditsError,
  InvalidModelError,
  InvalidRequestError,
  ModerationError,
  NoEndpointsError,
  OverloadedError,
  PayloadTooLargeError,
  ProviderError,
  RateLimitError,
  ServerError,
  type SwitchyardError,
  TimeoutError,
  UnexpectedResponseError,
} from '../src/index.js';
import { clientFor, fault, hello, useSimulator } from './helpers.js';

describe('chat errors are typed, whatever form they arrive in', () => {
  const sim = useSimulator({ maxBodyBytes: 32 * 1024 });
  const chat = (header?: unknown, extra: Record<string, unknown> = {}, timeoutMs?: number): Promise<SwitchyardError> =>
    clientFor(sim())
      .chat(
        { model: 'openai/gpt-4o-mini', messages: hello, ...extra },
        { headers: header === undefined ? {} : { 'x-simulator-fault': fault(header) }, timeoutMs },
      )
      .then(
        () => {
          throw new Error('expected the chat to fail');
        },
        (e: unknown) => e as SwitchyardError,
      );

  it.each([
    [401, AuthenticationError, false],
    [402, InsufficientCreditsError, false],
    [403, ModerationError, false],
    [408, TimeoutError, true],
    [429, RateLimitError, true],
    [500, ServerError, true],
    [502, ProviderError, true],
    [503, OverloadedError, true],
    [524, TimeoutError, true],
    [529, OverloadedError, true],
  ])('HTTP %i → %o', async (status, cls, retryable) => {
    const error = await chat({ kind: 'http', status });
    expect(error).toBeInstanceOf(cls);
    expect(error.status).toBe(status);
    expect(error.retryable).toBe(retryable);
    expect(error.model).toBe('openai/gpt-4o-mini');
  });

  it('carries moderation reasons, provider raw bodies and retry hints', async () => {
    const moderation = (await chat({ kind: 'moderation', reasons: ['self-harm'] })) as ModerationError;
    expect(moderation.reasons).toEqual(['self-harm']);
    expect(moderation.flaggedInput).toBe('Hello, world!');
    const provider = (await chat({ kind: 'provider-error', raw: 'upstream said no' })) as ProviderError;
    expect(provider.raw).toBe('upstream said no');
    expect(provider.provider).toBeTruthy();
    expect(provider.message).toContain('upstream said no');
    const limited = await chat({ kind: 'http', status: 429, retryAfter: 'date', retryAfterDateOffset: 20 });
    expect(limited.retryAfterMs).toBeGreaterThan(15_000);
    const reset = (await chat({ kind: 'http', status: 429, rateLimitReset: true })) as RateLimitError;
    expect(reset.resetAt).toBeGreaterThan(Date.now());
    expect(reset.remaining).toBe(0);
  });

  it('types the errors OpenRouter returns for bad requests', async () => {
    expect(await chat(undefined, { model: 'openai/gpt-99' })).toBeInstanceOf(InvalidModelError);
    expect(await chat('context-length')).toBeInstanceOf(ContextLengthError);
    const routing = await chat(undefined, {
      model: 'meta-llama/llama-3.3-70b-instruct',
      provider: { only: ['nobody'] },
    });
    expect(routing).toBeInstanceOf(NoEndpointsError);
    const big = await chat(undefined, { messages: [{ role: 'user', content: 'x'.repeat(40 * 1024) }] });
    expect(big).toBeInstanceOf(PayloadTooLargeError);
  });

  it('treats an HTTP 200 {error} body as the error it names', async () => {
    const error = await chat({ kind: 'error-200', code: 503, message: 'busy' });
    expect(error).toBeInstanceOf(OverloadedError);
    expect(error.message).toBe('busy');
  });

  it('keeps the partial answer of a completion that failed mid-generation', async () => {
    const error = await chat({ kind: 'mid-stream-error', afterChunks: 3 });
    expect(error).toBeInstanceOf(ProviderError);
    expect(error.partial?.text.length).toBeGreaterThan(0);
    expect(error.generationId).toMatch(/^gen-/);
  });

  it('reports broken and garbled bodies as unexpected responses, resets as connection errors', async () => {
    expect(await chat('cut')).toBeInstanceOf(UnexpectedResponseError);
    expect(await chat('malformed-chunk')).toBeInstanceOf(UnexpectedResponseError);
    const reset = await chat('reset-before-headers');
    expect(reset).toBeInstanceOf(ConnectionError);
    expect(reset.retryable).toBe(true);
    expect(await chat('reset-mid-body')).toBeInstanceOf(ConnectionError);
  });

  it('enforces the deadline on a stalled non-stream answer', async () => {
    const error = (await chat('stall', {}, 200)) as TimeoutError;
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error.phase).toBe('deadline');
    expect(error.message).toMatch(/^No complete answer before the request's deadline \(this attempt had \d+ ms left\)/);
  });

  it('enforces the deadline on a non-stream answer kept alive with whitespace (no read ever waits long)', async () => {
    const error = (await chat({ kind: 'stall', mode: 'keepalive', intervalMs: 20 }, {}, 250)) as TimeoutError;
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error.phase).toBe('deadline');
  });

  it('aborts through the caller signal', async () => {
    const controller = new AbortController();
    const pending = clientFor(sim())
      .chat(
        { model: 'openai/gpt-4o-mini', messages: hello },
        { signal: controller.signal, headers: { 'x-simulator-fault': 'stall' } },
      )
      .catch((e: unknown) => e);
    setTimeout(() => controller.abort(), 50);
    expect(await pending).toBeInstanceOf(AbortError);
    const already = AbortSignal.abort();
    expect(
      await clientFor(sim())
        .chat({ model: 'openai/gpt-4o-mini', messages: hello }, { signal: already })
        .catch((e: unknown) => e),
    ).toBeInstanceOf(AbortError);
  });

  it("refuses a call's header that HTTP cannot carry as an invalid request, never sent nor retried", async () => {
    const secret = 'sk-or-v1-secret-value-0123456789';
    const sy = clientFor(sim(), { retry: { attempts: 3 } });
    const before = sim().stats.byEndpoint.chat ?? 0;
    const odd: Record<string, string>[] = [
      { 'bad name': 'v' },
      { 'x-token': `${secret}\nx-evil: 1` },
      { 'x-n': 5 as unknown as string },
    ];
    for (const headers of odd) {
      for (const call of [
        () => sy.chat({ model: 'openai/gpt-4o-mini', messages: hello }, { headers }),
        () => sy.stream({ model: 'openai/gpt-4o-mini', messages: hello }, { headers }).final(),
      ]) {
        const error = await call().catch((e: unknown) => e);
        expect(error).toBeInstanceOf(InvalidRequestError);
        expect((error as Error).message).toContain("Invalid header in the call's headers");
        expect((error as Error).message).not.toContain(secret);
      }
    }
    expect(sim().stats.byEndpoint.chat ?? 0).toBe(before);
    // An optional header left undefined is left out, not refused.
    const optional = { 'x-optional': undefined as unknown as string };
    expect((await sy.chat({ model: 'openai/gpt-4o-mini', messages: hello }, { headers: optional })).text).not.toBe('');
  });

  it("refuses a call's signal that is no AbortSignal as an invalid request (not a bare TypeError)", async () => {
    const sy = clientFor(sim());
    const signal = 5 as unknown as AbortSignal;
    const request = { model: 'openai/gpt-4o-mini', messages: hello };
    await expect(sy.chat(request, { signal })).rejects.toBeInstanceOf(InvalidRequestError);
    expect(() => sy.stream(request, { signal })).toThrow(InvalidRequestError);
    await expect(sy.embed({ model: 'openai/text-embedding-3-small', input: 'a' }, { signal })).rejects.toThrow(
      "Invalid call option 'signal': expected an AbortSignal",
    );
  });

  it('names the refused key, without printing it', async () => {
    const error = await clientFor(sim(), { apiKey: 'not-a-real-key-shape' })
      .chat({ model: 'openai/gpt-4o-mini', messages: hello })
      .catch((e: unknown) => e as SwitchyardError);
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(error.message).toBe('User not found.');
    expect(JSON.stringify(error)).not.toContain('not-a-real-key-shape');
  });

  it('reads at most 64 KiB of an error body', async () => {
    const huge = 'x'.repeat(500_000);
    const sy = clientFor(sim(), {
      fetch: async () => new Response(huge, { status: 500, headers: { 'content-type': 'text/plain' } }),
    });
    const error = await sy
      .chat({ model: 'openai/gpt-4o-mini', messages: hello })
      .catch((e: unknown) => e as SwitchyardError);
    expect(error).toBeInstanceOf(ServerError);
    expect(error.message.length).toBeLessThan(300);
  });
});
