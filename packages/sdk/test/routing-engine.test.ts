import { startSimulator } from '@switchyard/simulator';
import { afterEach, describe, expect, it } from 'vitest';
import {
  AuthenticationError,
  CircuitOpenError,
  ContextLengthError,
  InsufficientCreditsError,
  PayloadTooLargeError,
  PreflightError,
  PriceGuardError,
  RateLimitError,
  type RoutingEventMap,
  type SwitchyardOptions,
} from '../src/index.js';
import { clientFor, failure, fault, hello } from './helpers.js';

type Sim = Awaited<ReturnType<typeof startSimulator>>;
const sims: Sim[] = [];
afterEach(async () => {
  await Promise.all(sims.splice(0).map((s) => s.close()));
});

async function setup(rules: unknown[] = [], options: SwitchyardOptions = {}, simOptions: Record<string, unknown> = {}) {
  const sim = await startSimulator({ seed: 1, rules: rules as never, ...simOptions });
  sims.push(sim);
  const sy = clientFor(sim, { retry: { attempts: 3, backoffBaseMs: 10, backoffMaxMs: 40, jitter: 0 }, ...options });
  const events: { name: string; event: unknown }[] = [];
  for (const name of [
    'attempt',
    'retry',
    'fallback',
    'breaker_open',
    'breaker_half_open',
    'breaker_close',
    'context_warning',
    'hedge',
  ] as const) {
    sy.on(name, (event: RoutingEventMap[typeof name]) => events.push({ name, event }));
  }
  return { sim, sy, events };
}

describe('retries', () => {
  it('retries retryable errors with backoff and records the trace', async () => {
    const { sy, sim, events } = await setup([
      { match: { model: 'openai/gpt-4o-mini' }, first: 2, fault: { kind: 'http', status: 503 } },
    ]);
    const result = await sy.chat({ model: 'openai/gpt-4o-mini', messages: hello });
    expect(result.model).toBe('openai/gpt-4o-mini');
    expect(result.attempts?.map((a) => [a.outcome, a.status ?? null])).toEqual([
      ['retry', 503],
      ['retry', 503],
      ['success', null],
    ]);
    expect(result.attempts?.[1]?.waitedMs).toBe(10);
    expect(result.attempts?.[2]?.waitedMs).toBe(20);
    expect(result.attempts?.[2]).toMatchObject({
      provider: result.provider,
      backend: 'openrouter',
      model: 'openai/gpt-4o-mini',
    });
    expect(result.attempts?.[2]?.costUsd).toBe(result.cost.usd);
    expect(events.filter((e) => e.name === 'retry')).toHaveLength(2);
    expect(sim.stats.models['openai/gpt-4o-mini']).toEqual({ attempts: 3, served: 1 });
  });

  it('honours retry-after-ms and a zero Retry-After instead of its own backoff', async () => {
    const { sy } = await setup([
      { match: { model: 'openai/gpt-4o-mini' }, nth: [1], fault: { kind: 'http', status: 429, retryAfterMs: 120 } },
      // Counted per rule: this one is first reached by the second request.
      { match: { model: 'openai/gpt-4o-mini' }, nth: [1], fault: { kind: 'http', status: 429, retryAfter: 0 } },
    ]);
    const result = await sy.chat({ model: 'openai/gpt-4o-mini', messages: hello });
    expect(result.attempts?.map((a) => a.waitedMs)).toEqual([0, 120, 0]);
    expect(result.attempts?.[0]?.reason).toMatch(/server hint/);
  });

  it('moves on instead of sleeping past the deadline (Retry-After seconds, HTTP date, X-RateLimit-Reset)', async () => {
    for (const hint of [
      { retryAfter: 5 },
      { retryAfter: 'date', retryAfterDateOffset: 30 },
      { rateLimitReset: true },
    ]) {
      // X-RateLimit-Reset is the next minute boundary: too close to it, the hint would fit in the deadline.
      const toNextMinute = 60_000 - (Date.now() % 60_000);
      if ('rateLimitReset' in hint && toNextMinute < 3_000) await new Promise((r) => setTimeout(r, toNextMinute + 50));
      const { sy } = await setup(
        [{ match: { model: 'openai/gpt-4o-mini' }, fault: { kind: 'http', status: 429, ...hint } }],
        {
          fallbackModels: ['anthropic/claude-3-haiku'],
        },
      );
      const result = await sy.chat({ model: 'openai/gpt-4o-mini', messages: hello }, { timeoutMs: 2000 });
      expect(result.model, JSON.stringify(hint)).toBe('anthropic/claude-3-haiku');
      const first = result.attempts?.[0];
      expect(first?.outcome).toBe('fallback');
      const wait = Number(/waiting (\d+) ms/.exec(first?.reason ?? '')?.[1]);
      expect(wait, JSON.stringify(hint)).toBeGreaterThan(2000);
      expect(wait).toBeLessThanOrEqual(60_000);
    }
  });

  it('fails with the attempt trace when the deadline leaves no room and no fallback exists', async () => {
    const { sy } = await setup([
      { match: { model: 'openai/gpt-4o-mini' }, fault: { kind: 'http', status: 429, retryAfter: 9 } },
    ]);
    const error = await failure(sy.chat({ model: 'openai/gpt-4o-mini', messages: hello }, { timeoutMs: 1000 }));
    expect(error).toBeInstanceOf(RateLimitError);
    expect(error.attempts).toHaveLength(1);
    expect(error.attempts?.[0]?.reason).toMatch(/would pass the deadline/);
  });

  it.each([
    [400, 'invalid_request'],
    [401, 'authentication_failed'],
    [402, 'insufficient_credits'],
    [413, 'payload_too_large'],
  ])('never retries or falls back on %i', async (status, code) => {
    const { sy, sim } = await setup([{ match: { model: 'openai/gpt-4o-mini' }, fault: { kind: 'http', status } }], {
      fallbackModels: ['anthropic/claude-3-haiku'],
    });
    const error = await failure(sy.chat({ model: 'openai/gpt-4o-mini', messages: hello }));
    expect(error.code).toBe(code);
    expect(error.attempts?.map((a) => a.outcome)).toEqual(['failed']);
    expect(sim.stats.models['anthropic/claude-3-haiku']).toBeUndefined();
    expect(
      [AuthenticationError, InsufficientCreditsError, PayloadTooLargeError].some((c) => error instanceof c) ||
        status === 400,
    ).toBe(true);
  });

  it('lets retryOn replace the rule', async () => {
    const { sy } = await setup(
      [{ match: { model: 'openai/gpt-4o-mini' }, first: 1, fault: { kind: 'http', status: 503 } }],
      {
        retryOn: () => false,
        fallbackModels: ['anthropic/claude-3-haiku'],
      },
    );
    const result = await sy.chat({ model: 'openai/gpt-4o-mini', messages: hello });
    expect(result.model).toBe('anthropic/claude-3-haiku');
    expect(result.attempts?.[0]?.outcome).toBe('fallback');
  });
});

describe('fallbacks', () => {
  it('walks the client-side chain and names requested and served models', async () => {
    const { sy, events } = await setup(
      [
        { match: { model: 'openai/gpt-4o' }, fault: { kind: 'http', status: 502 } },
        { match: { model: 'anthropic/claude-3-haiku' }, fault: { kind: 'moderation' } },
      ],
      {
        fallbackModels: ['anthropic/claude-3-haiku', 'meta-llama/llama-3.1-8b-instruct'],
        retry: { attempts: 2, backoffBaseMs: 1, backoffMaxMs: 1, jitter: 0 },
      },
    );
    const result = await sy.chat({ model: 'openai/gpt-4o', messages: hello });
    expect(result.requestedModel).toBe('openai/gpt-4o');
    expect(result.model).toBe('meta-llama/llama-3.1-8b-instruct');
    expect(result.attempts?.map((a) => `${a.model}:${a.outcome}`)).toEqual([
      'openai/gpt-4o:retry',
      'openai/gpt-4o:fallback',
      'anthropic/claude-3-haiku:fallback',
      'meta-llama/llama-3.1-8b-instruct:success',
    ]);
    expect(events.filter((e) => e.name === 'fallback').map((e) => (e.event as { to: string }).to)).toEqual([
      'anthropic/claude-3-haiku',
      'meta-llama/llama-3.1-8b-instruct',
    ]);
  });

  it('uses OpenRouter models[] for the server strategy: one request, the server falls back', async () => {
    const { sy, sim } = await setup([{ match: { model: 'openai/gpt-4o' }, fault: { kind: 'http', status: 503 } }], {
      fallbackModels: [
        'anthropic/claude-3-haiku',
        'meta-llama/llama-3.1-8b-instruct',
        'openai/gpt-4.1',
        'openai/gpt-4o-mini',
      ],
      routing: { fallbackStrategy: 'server' },
    });
    const result = await sy.chat({ model: 'openai/gpt-4o', messages: hello });
    expect(result.model).toBe('anthropic/claude-3-haiku');
    expect(result.attempts).toHaveLength(1);
    expect(sim.stats.byEndpoint.chat).toBe(1);
  });

  it('combines both strategies: each client-side attempt carries the next fallbacks as models[]', async () => {
    const { sy, sim } = await setup(
      [
        { match: { model: 'openai/gpt-4o' }, fault: { kind: 'http', status: 503 } },
        { match: { model: 'anthropic/claude-3-haiku' }, fault: { kind: 'http', status: 503 } },
      ],
      {
        fallbackModels: ['anthropic/claude-3-haiku', 'meta-llama/llama-3.1-8b-instruct'],
        routing: { fallbackStrategy: 'both' },
        retry: { attempts: 1 },
      },
    );
    const result = await sy.chat({ model: 'openai/gpt-4o', messages: hello });
    // The first request already named both fallbacks in models[], so the server fell back to the third model.
    expect(result.model).toBe('meta-llama/llama-3.1-8b-instruct');
    expect(result.attempts).toHaveLength(1);
    expect(sim.stats.models['anthropic/claude-3-haiku']).toEqual({ attempts: 1, served: 0 });
  });

  it('selects by recent health: a failing model drops down the order', async () => {
    const { sy } = await setup(
      [{ match: { model: 'meta-llama/llama-3.2-3b-instruct' }, fault: { kind: 'http', status: 500 } }],
      {
        routing: { selection: 'health' },
        retry: { attempts: 1 },
      },
    );
    const first = await sy.chat({ messages: hello });
    expect(first.attempts?.[0]).toMatchObject({ model: 'meta-llama/llama-3.2-3b-instruct', outcome: 'fallback' });
    const second = await sy.chat({ messages: hello });
    expect(second.attempts).toHaveLength(1);
    expect(second.model).not.toBe('meta-llama/llama-3.2-3b-instruct');
  });

  it('selects catalog models when no model is configured, by policy', async () => {
    const context = await setup([], { routing: { selection: 'context' } });
    // Largest context first (2M tokens: gemini-1.5-pro and grok-4-fast), cheaper first on a tie.
    expect((await context.sy.chat({ messages: hello })).model).toBe('x-ai/grok-4-fast');
    const price = await setup([], { routing: { selection: 'price' } });
    expect((await price.sy.chat({ messages: hello })).model).toBe('meta-llama/llama-3.2-3b-instruct');
    const configured = await setup([], { defaultModel: 'openai/gpt-4o' });
    expect((await configured.sy.chat({ messages: hello })).model).toBe('openai/gpt-4o');
  });
});

describe('price guard', () => {
  it('never falls back to a model above maxPrice', async () => {
    const { sy } = await setup([{ match: { model: 'openai/gpt-4o-mini' }, fault: { kind: 'http', status: 503 } }], {
      fallbackModels: ['anthropic/claude-3-opus', 'meta-llama/llama-3.1-8b-instruct'],
      routing: { maxCompletionPrice: 20 },
    });
    const result = await sy.chat({ model: 'openai/gpt-4o-mini', messages: hello });
    expect(result.model).toBe('meta-llama/llama-3.1-8b-instruct');
    const skipped = result.attempts?.find((a) => a.model === 'anthropic/claude-3-opus');
    expect(skipped).toMatchObject({ outcome: 'skipped', code: 'price_guard' });
    expect(skipped?.reason).toMatch(/above maxCompletionPrice \$20\/M/);
  });

  it('refuses targets whose worst case exceeds the remaining budget', async () => {
    const { sy, sim } = await setup([], { budget: () => 0.0001 });
    const error = await failure(sy.chat({ model: 'anthropic/claude-3-opus', messages: hello, max_tokens: 1000 }));
    expect(error).toBeInstanceOf(PriceGuardError);
    expect(error.attempts?.[0]?.reason).toMatch(/worst-case cost \$0\.075\d* is above the remaining budget/);
    expect(sim.stats.byEndpoint.chat).toBeUndefined();
    expect(
      (await sy.chat({ model: 'openai/gpt-4o-mini', messages: hello, max_tokens: 10 })).text.length,
    ).toBeGreaterThan(0);
  });

  it('judges a router (price "-1") at the dearest models it may pick, for budgets and price caps', async () => {
    const { sy, sim } = await setup([], { budget: () => 0.001 });
    // openrouter/auto may pick claude-opus-4.1 ($75/M out): 100 tokens could cost $0.0075.
    const error = await failure(sy.chat({ model: 'openrouter/auto', messages: hello, max_tokens: 100 }));
    expect(error).toBeInstanceOf(PriceGuardError);
    expect(error.attempts?.[0]?.reason).toMatch(/above the remaining budget .*openrouter\/auto lists no price/);
    expect(sim.stats.byEndpoint.chat).toBeUndefined();
    // Narrowed by the Auto Router's allowed_models, it fits.
    const plugins = [{ id: 'auto-router', allowed_models: ['openai/gpt-4o'] }];
    const narrowed = await sy.chat({ model: 'openrouter/auto', messages: hello, max_tokens: 50, plugins });
    expect(narrowed.model).toBe('openai/gpt-4o');
    // As a fallback it meets the price cap too: it might switch to a $75/M model.
    const fallback = await setup([{ match: { model: 'openai/gpt-4o-mini' }, fault: { kind: 'http', status: 503 } }], {
      fallbackModels: ['openrouter/auto'],
      routing: { maxCompletionPrice: 20 },
    });
    const capped = await failure(fallback.sy.chat({ model: 'openai/gpt-4o-mini', messages: hello }));
    const skipped = capped.attempts?.find((a) => a.model === 'openrouter/auto');
    expect(skipped).toMatchObject({ outcome: 'skipped', code: 'price_guard' });
    expect(skipped?.reason).toMatch(/above maxCompletionPrice \$20\/M \(openrouter\/auto lists no price/);
  });
});

describe('circuit breakers', () => {
  it('opens after the threshold, skips the target, probes after recovery, and closes on success', async () => {
    const { sy, events } = await setup(
      [{ match: { model: 'openai/gpt-4o' }, first: 2, fault: { kind: 'http', status: 500 } }],
      {
        fallbackModels: ['anthropic/claude-3-haiku'],
        retry: { attempts: 1 },
        breaker: { failureThreshold: 2, recoveryMs: 150 },
      },
    );
    await sy.chat({ model: 'openai/gpt-4o', messages: hello });
    await sy.chat({ model: 'openai/gpt-4o', messages: hello });
    expect(events.some((e) => e.name === 'breaker_open')).toBe(true);
    const skipped = await sy.chat({ model: 'openai/gpt-4o', messages: hello });
    expect(skipped.attempts?.[0]).toMatchObject({ outcome: 'skipped', code: 'circuit_open' });
    expect(skipped.model).toBe('anthropic/claude-3-haiku');
    const health = await sy.health();
    expect(health.breakers.find((b) => b.key === 'openrouter|openai/gpt-4o')?.state).toBe('open');
    expect(health.targets.find((t) => t.key === 'openrouter|openai/gpt-4o')?.failures).toBe(2);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const probe = await sy.chat({ model: 'openai/gpt-4o', messages: hello });
    expect(probe.model).toBe('openai/gpt-4o');
    expect(events.map((e) => e.name).filter((n) => n.startsWith('breaker'))).toEqual([
      'breaker_open',
      'breaker_half_open',
      'breaker_close',
    ]);
  });

  it('throws CircuitOpenError when every target is open', async () => {
    const { sy } = await setup([{ match: { model: 'openai/gpt-4o' }, fault: { kind: 'http', status: 500 } }], {
      retry: { attempts: 1 },
      breaker: { failureThreshold: 1, recoveryMs: 60_000 },
    });
    await failure(sy.chat({ model: 'openai/gpt-4o', messages: hello }));
    const error = await failure(sy.chat({ model: 'openai/gpt-4o', messages: hello }));
    expect(error).toBeInstanceOf(CircuitOpenError);
    expect(error.retryable).toBe(true);
    expect(error.retryAfterMs).toBeGreaterThan(50_000);
  });

  it('routes around an upstream provider whose breaker is open', async () => {
    const { sy, sim } = await setup([{ match: { provider: 'Groq' }, fault: { kind: 'http', status: 502 } }], {
      retry: { attempts: 1 },
      breaker: { failureThreshold: 1 },
    });
    const params = {
      model: 'meta-llama/llama-3.3-70b-instruct',
      messages: hello,
      provider: { order: ['groq'], allow_fallbacks: false },
    };
    const first = await failure(sy.chat(params));
    expect(first.provider).toBe('Groq');
    // Groq is the only upstream this request allows and its breaker is open: skipped without a request.
    const second = await failure(sy.chat(params));
    expect(second.code).toBe('circuit_open');
    expect(second.attempts?.[0]?.reason).toMatch(/every allowed upstream provider \(Groq\)/);
    // Without the hard order, the open Groq breaker becomes `provider.ignore` and another upstream serves.
    const third = await sy.chat({
      model: 'meta-llama/llama-3.3-70b-instruct',
      messages: hello,
      provider: { sort: 'latency' },
    });
    expect(third.provider).not.toBe('Groq');
    expect(sim.stats.providers.Groq?.attempts).toBe(1);
  });
});

describe('preflight', () => {
  const tools = [
    { type: 'function' as const, function: { name: 'f', parameters: { type: 'object', properties: {} } } },
  ];

  it('rejects what the model cannot take, naming it, before any chat request', async () => {
    const { sy, sim } = await setup();
    const error = await failure(sy.chat({ model: 'microsoft/phi-4', messages: hello, tools }));
    expect(error).toBeInstanceOf(PreflightError);
    expect(error.message).toBe('Preflight: microsoft/phi-4 does not support tools');
    const image = await failure(
      sy.chat({
        model: 'openai/gpt-4',
        messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://example.com/a.png' } }] }],
      }),
    );
    expect((image as PreflightError).problems[0]?.kind).toBe('modality');
    expect(sim.stats.byEndpoint.chat).toBeUndefined();
  });

  it('reroutes to the first fallback that fits', async () => {
    const { sy } = await setup([], {
      routing: { preflight: 'reroute' },
      fallbackModels: ['microsoft/wizardlm-2-8x22b', 'openai/gpt-4o-mini'],
    });
    const result = await sy.chat({ model: 'microsoft/phi-4', messages: hello, tools });
    expect(result.model).toBe('openai/gpt-4o-mini');
    expect(result.attempts?.slice(0, 2).map((a) => a.code)).toEqual(['preflight_failed', 'preflight_failed']);
  });

  it('prunes a too-long conversation to fit, keeping tool calls with their results', async () => {
    const { sy } = await setup();
    const filler = 'abcd '.repeat(1500); // ≈ 1500+ tokens per turn
    const messages = [
      { role: 'system' as const, content: 'be brief' },
      { role: 'user' as const, content: filler },
      {
        role: 'assistant' as const,
        content: null,
        tool_calls: [{ id: 'call_1', type: 'function' as const, function: { name: 'f', arguments: '{}' } }],
      },
      { role: 'tool' as const, tool_call_id: 'call_1', content: filler },
      { role: 'assistant' as const, content: filler },
      { role: 'user' as const, content: filler },
      { role: 'assistant' as const, content: filler },
      { role: 'user' as const, content: 'Say exactly: fits now' },
    ];
    const result = await sy.chat({ model: 'openai/gpt-4', messages });
    expect(result.text).toBe('fits now');
    expect(result.usage.promptTokens).toBeLessThanOrEqual(8191);
    const strict = await setup([], { routing: { onContextLengthError: 'fail' } });
    expect(await failure(strict.sy.chat({ model: 'openai/gpt-4', messages }))).toBeInstanceOf(ContextLengthError);
  });

  it('warns when a request fills most of the context', async () => {
    const { sy, events } = await setup([], { routing: { contextWarnAt: 0.5 } });
    await sy.chat({ model: 'openai/gpt-4', messages: [{ role: 'user', content: 'abcd '.repeat(5000) }] });
    const warning = events.find((e) => e.name === 'context_warning')?.event as { share: number };
    expect(warning.share).toBeGreaterThan(0.5);
  });
});

describe('402 "can only afford N tokens"', () => {
  // gpt-4 at $60 per million completion tokens: one cent affords about 160 of them, far below the 4096 asked.
  const ask = {
    model: 'openai/gpt-4',
    max_tokens: 4096,
    messages: [{ role: 'user' as const, content: 'Say exactly: fits the balance' }],
  };

  it('retries once with max_tokens lowered to what the balance affords, and says so in the trace', async () => {
    const { sy } = await setup([], {}, { credits: 0.01 });
    const result = await sy.chat(ask);
    expect(result.text).toBe('fits the balance');
    const [first, second] = result.attempts ?? [];
    expect(first).toMatchObject({ outcome: 'retry', code: 'insufficient_credits', status: 402 });
    const lowered = Number(/retrying with max_tokens (\d+)/.exec(first?.reason ?? '')?.[1]);
    expect(lowered).toBeGreaterThan(0);
    expect(lowered).toBeLessThan(4096);
    expect(second?.outcome).toBe('success');
    expect(result.cost.usd).toBeLessThanOrEqual(0.01);
  });

  it('fails as before with onInsufficientCredits: "fail", and when the balance affords nothing', async () => {
    const strict = await setup([], { routing: { onInsufficientCredits: 'fail' } }, { credits: 0.01 });
    const refused = await failure(strict.sy.chat(ask));
    expect(refused).toBeInstanceOf(InsufficientCreditsError);
    expect(refused.attempts?.map((a) => a.outcome)).toEqual(['failed']);

    const broke = await setup([], {}, { credits: 0 });
    const none = await failure(broke.sy.chat(ask));
    expect(none).toBeInstanceOf(InsufficientCreditsError);
    // An empty balance is refused with OpenRouter's plain message: no count, nothing to lower to.
    expect(none.message).not.toMatch(/can only afford [1-9]/);
    expect(none.attempts).toHaveLength(1);
  });

  it('halves a thinking budget that no longer fits under the lowered cap (Anthropic refuses budget >= max_tokens)', async () => {
    // claude-sonnet-4.5 at $15 per million completion tokens: five cents afford about 3,300, under the 4,000 budget.
    const { sy } = await setup([], {}, { credits: 0.05 });
    const result = await sy.chat({
      model: 'anthropic/claude-sonnet-4.5',
      max_tokens: 8000,
      reasoning: { max_tokens: 4000 },
      messages: [{ role: 'user', content: 'Say exactly: thought it through' }],
    });
    expect(result.text).toBe('thought it through');
    expect(result.attempts?.map((a) => a.outcome)).toEqual(['retry', 'success']);
    expect(result.usage.reasoningTokens).toBeGreaterThan(0);
  });

  it('streams the same way (the 402 comes before the first byte)', async () => {
    const { sy } = await setup([], {}, { credits: 0.01 });
    const stream = sy.stream(ask);
    const final = await stream.final();
    expect(final.text).toBe('fits the balance');
    expect(final.attempts?.[0]?.reason).toMatch(/insufficient credits: retrying with max_tokens \d+/);
  });
});

describe('context-length recovery', () => {
  it('retries once with pruned history when the server says the prompt is too long', async () => {
    const { sy } = await setup([], { routing: { preflight: 'off' } });
    const filler = 'abcd '.repeat(2000);
    const messages = [
      { role: 'user' as const, content: filler },
      { role: 'assistant' as const, content: filler },
      { role: 'user' as const, content: filler },
      { role: 'assistant' as const, content: filler },
      { role: 'user' as const, content: 'Say exactly: pruned' },
    ];
    const result = await sy.chat({ model: 'openai/gpt-4', messages, transforms: [] });
    expect(result.text).toBe('pruned');
    expect(result.attempts?.[0]?.reason).toMatch(/context length: retrying with pruned history/);
  });

  it('drops the extra context first when configured ("retry without RAG context")', async () => {
    const { sy } = await setup([], { routing: { preflight: 'off', onContextLengthError: 'drop-context' } });
    const documents = [{ role: 'system' as const, content: `Reference: ${'abcd '.repeat(9000)}` }];
    const result = await sy.chat(
      {
        model: 'openai/gpt-4',
        messages: [{ role: 'user', content: 'Say exactly: without documents' }],
        transforms: [],
      },
      { context: documents },
    );
    expect(result.text).toBe('without documents');
    expect(result.attempts?.[0]?.reason).toMatch(/extra context dropped/);
  });
});

describe('stream failover', () => {
  const stream = async (sy: Awaited<ReturnType<typeof setup>>['sy'], header?: unknown) => {
    const texts: string[] = [];
    const s = sy.stream(
      { model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'Say exactly: from the survivor' }] },
      header ? { headers: { 'x-simulator-fault': fault(header) } } : {},
    );
    for await (const event of s) if (event.type === 'text') texts.push(event.text);
    return { text: texts.join(''), result: await s.final() };
  };

  it.each([
    ['an HTTP error', { kind: 'http', status: 503 }],
    ['an in-band error before content', { kind: 'mid-stream-error', afterChunks: 0 }],
    ['a stall with keep-alive comments', { kind: 'stall', mode: 'keepalive', intervalMs: 20 }],
  ])('fails over invisibly on %s before the first token', async (_label, f) => {
    const { sy } = await setup([{ match: { model: 'openai/gpt-4o-mini' }, fault: f }], {
      fallbackModels: ['anthropic/claude-3-haiku'],
      retry: { attempts: 1 },
      timeouts: { firstTokenMs: 200 },
    });
    const { text, result } = await stream(sy);
    expect(text).toBe('from the survivor');
    expect(result.model).toBe('anthropic/claude-3-haiku');
    expect(result.attempts?.map((a) => `${a.model}:${a.outcome}`)).toEqual([
      'openai/gpt-4o-mini:fallback',
      'anthropic/claude-3-haiku:success',
    ]);
    expect(result.attempts?.[1]?.usage?.completionTokens).toBe(result.usage.completionTokens);
  });

  it('throws StreamError with the partial output and the trace after content', async () => {
    const { sy } = await setup(
      [{ match: { model: 'openai/gpt-4o-mini' }, fault: { kind: 'mid-stream-error', afterChunks: 2 } }],
      {
        fallbackModels: ['anthropic/claude-3-haiku'],
      },
    );
    const error = await failure(stream(sy));
    expect(error.code).toBe('stream_error');
    expect(error.partial?.text).toBe('from the');
    expect(error.attempts?.map((a) => a.outcome)).toEqual(['failed']);
  });

  it('hedges: a silent primary is raced by the next target and the first content wins', async () => {
    const { sy, events } = await setup([{ match: { model: 'openai/gpt-4o-mini' }, fault: { kind: 'stall' } }], {
      fallbackModels: ['anthropic/claude-3-haiku'],
      routing: { hedgeAfterMs: 100 },
    });
    const { text, result } = await stream(sy);
    expect(text).toBe('from the survivor');
    expect(result.model).toBe('anthropic/claude-3-haiku');
    expect(events.find((e) => e.name === 'hedge')?.event).toMatchObject({
      from: 'openai/gpt-4o-mini',
      to: 'anthropic/claude-3-haiku',
    });
  });
});
