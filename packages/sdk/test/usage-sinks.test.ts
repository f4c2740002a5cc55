import { startSimulator } from '@switchyard/simulator';
import { describe, expect, it } from 'vitest';
import { UsageAggregator, type UsageRecord, type UsageSink } from '../src/index.js';
import { clientFor, hello } from './helpers.js';

function collector() {
  const records: UsageRecord[] = [];
  const sink: UsageSink = { record: (entry) => void records.push(entry) };
  return { records, sink };
}

const quickRetry = { attempts: 2, backoffBaseMs: 1, backoffMaxMs: 2, jitter: 0 };

describe('usage sinks: one record per attempt', () => {
  it('records a retried, failed-over call attempt by attempt, with fallback positions', async () => {
    const sim = await startSimulator({
      rules: [{ match: { model: 'openai/gpt-4o-mini' }, first: 2, fault: { kind: 'http', status: 503 } }],
    });
    try {
      const { records, sink } = collector();
      const ledger = new UsageAggregator();
      const sy = clientFor(sim, {
        retry: quickRetry,
        fallbackModels: ['meta-llama/llama-3.3-70b-instruct'],
        usageSinks: [sink, ledger],
      });
      const r = await sy.chat(
        { model: 'openai/gpt-4o-mini', messages: hello, user: 'end-user-7' },
        { usageTags: { requestId: 'req-1', keyId: 'key-a' } },
      );
      expect(records.map((e) => [e.outcome, e.fallbackPosition, e.attempt, e.status])).toEqual([
        ['retry', 0, 1, 503],
        ['fallback', 0, 2, 503],
        ['success', 1, 3, 200],
      ]);
      for (const entry of records) {
        expect(entry).toMatchObject({
          requestId: 'req-1',
          keyId: 'key-a',
          userId: 'end-user-7',
          backend: 'openrouter',
          stream: false,
        });
      }
      expect(records[0]).toMatchObject({ modelRequested: 'openai/gpt-4o-mini', code: 'provider_overloaded' });
      expect(records[0]!.promptTokens).toBe(0);
      const won = records[2]!;
      expect(won).toMatchObject({
        modelRequested: 'meta-llama/llama-3.3-70b-instruct',
        modelServed: r.model,
        provider: r.provider,
        generationId: r.generationId,
        promptTokens: r.usage.promptTokens,
        completionTokens: r.usage.completionTokens,
        costUsd: r.cost.usd,
        costReportedUsd: r.cost.usd,
        costComputedUsd: r.cost.computedUsd,
      });
      expect(won.latencyMs).toBeGreaterThanOrEqual(0);
      expect(records).toHaveLength(r.attempts!.length);

      expect(ledger.totals()).toMatchObject({
        requests: 1,
        attempts: 3,
        failures: 2,
        failedRequests: 0,
        promptTokens: r.usage.promptTokens,
        costUsd: r.cost.usd,
        sinkErrors: 0,
      });
      expect(records.map((e) => e.final)).toEqual([false, false, true]);
      expect(ledger.byModel()['openai/gpt-4o-mini']).toMatchObject({ requests: 0, attempts: 2, failures: 2 });
      expect(ledger.byModel()[r.model]).toMatchObject({ requests: 1, attempts: 1, failures: 0 });
      expect(ledger.byKey()['key-a']).toMatchObject({ requests: 1, attempts: 3 });
    } finally {
      await sim.close();
    }
  });

  it('records a call that fails for good, and a stream cut off after content', async () => {
    const sim = await startSimulator({
      rules: [
        { match: { model: 'openai/gpt-4o' }, fault: { kind: 'http', status: 500 } },
        {
          match: { model: 'openai/gpt-4o-mini', stream: true },
          first: 1,
          fault: { kind: 'mid-stream-error', afterChunks: 3 },
        },
      ],
    });
    try {
      const { records, sink } = collector();
      const ledger = new UsageAggregator();
      const sy = clientFor(sim, { retry: quickRetry, usageSinks: [sink, ledger] });
      await expect(sy.chat({ model: 'openai/gpt-4o', messages: hello })).rejects.toMatchObject({ status: 500 });
      expect(ledger.totals()).toMatchObject({ requests: 1, attempts: 2, failures: 2, failedRequests: 1 });
      expect(records.map((e) => [e.outcome, e.code, e.status, e.final])).toEqual([
        ['retry', 'server_error', 500, false],
        ['failed', 'server_error', 500, true],
      ]);

      records.length = 0;
      const stream = sy.stream({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'Tell a story' }] });
      await expect(stream.final()).rejects.toMatchObject({ code: 'stream_error' });
      expect(records).toHaveLength(1);
      expect(records[0]).toMatchObject({
        outcome: 'failed',
        code: 'stream_error',
        stream: true,
        modelServed: 'openai/gpt-4o-mini',
      });
      expect(['OpenAI', 'Azure']).toContain(records[0]!.provider);
      expect(records[0]!.generationId).toMatch(/^gen-/);
      expect(records[0]!.ttftMs).toBeGreaterThanOrEqual(0);
    } finally {
      await sim.close();
    }
  });

  it('records streamed answers with their usage and cost once the stream ends', async () => {
    const sim = await startSimulator();
    try {
      const { records, sink } = collector();
      const sy = clientFor(sim, { usageSinks: [sink] });
      const stream = sy.stream({ model: 'anthropic/claude-3.5-haiku', messages: hello });
      let seenBeforeEnd = -1;
      for await (const event of stream) if (event.type === 'text' && seenBeforeEnd < 0) seenBeforeEnd = records.length;
      const r = await stream.final();
      expect(seenBeforeEnd).toBe(0);
      expect(records).toHaveLength(1);
      expect(records[0]).toMatchObject({
        outcome: 'success',
        stream: true,
        promptTokens: r.usage.promptTokens,
        completionTokens: r.usage.completionTokens,
        costUsd: r.cost.usd,
        generationId: r.generationId,
        fallbackPosition: 0,
      });
      expect(records[0]!.ttftMs).toBeGreaterThanOrEqual(0);
    } finally {
      await sim.close();
    }
  });

  it('a sink that throws or rejects never fails a request; aggregators count the errors', async () => {
    const sim = await startSimulator();
    try {
      const ledger = new UsageAggregator();
      const sy = clientFor(sim, {
        usageSinks: [
          {
            record() {
              throw new Error('sink down');
            },
          },
          { record: async () => Promise.reject(new Error('async sink down')) },
          ledger,
        ],
      });
      const r = await sy.chat({ model: 'openai/gpt-4o-mini', messages: hello });
      expect(r.text.length).toBeGreaterThan(0);
      const s = await sy.stream({ model: 'openai/gpt-4o-mini', messages: hello }).final();
      expect(s.text.length).toBeGreaterThan(0);
      await new Promise((resolve) => setTimeout(resolve, 0));
      expect(ledger.totals()).toMatchObject({ requests: 2, attempts: 2, sinkErrors: 4 });
    } finally {
      await sim.close();
    }
  });

  it('rejects sinks without a record method', () => {
    expect(() => clientFor({ url: 'http://127.0.0.1:1/api/v1' } as never, { usageSinks: [{} as never] })).toThrow(
      /usageSinks\[0\]/,
    );
  });
});

describe('UsageAggregator', () => {
  const base = {
    backend: 'openrouter',
    outcome: 'success' as const,
    promptTokens: 100,
    completionTokens: 10,
    cachedTokens: 0,
    cacheWriteTokens: 0,
    reasoningTokens: 0,
    latencyMs: 5,
    stream: false,
    fallbackPosition: 0,
    attempt: 1,
  };

  it('sums money exactly and groups by model, UTC day, provider and key', () => {
    const ledger = new UsageAggregator();
    const late = Date.UTC(2026, 0, 1, 23, 59, 59);
    const early = Date.UTC(2026, 0, 2, 0, 0, 1);
    ledger.record({ ...base, at: late, modelRequested: 'a/x', provider: 'P', keyId: 'k1', costUsd: 0.1 });
    ledger.record({ ...base, at: early, modelRequested: 'a/x', provider: 'P', keyId: 'k2', costUsd: 0.2 });
    ledger.record({
      ...base,
      at: early,
      modelRequested: 'a/x',
      modelServed: 'b/y',
      outcome: 'failed',
      attempt: 2,
      promptTokens: 0,
      completionTokens: 0,
      code: 'server_error',
    });
    ledger.record({
      ...base,
      at: early,
      modelRequested: 'b/y',
      cachedTokens: 80,
      savingsUsd: 0.0000001,
      costUsd: 0.0000002,
    });

    expect(ledger.totals()).toEqual({
      requests: 3,
      attempts: 4,
      failures: 1,
      failedRequests: 1,
      promptTokens: 300,
      completionTokens: 30,
      cachedTokens: 80,
      cacheWriteTokens: 0,
      reasoningTokens: 0,
      costUsd: 0.3000002, // exact: 0.1 + 0.2 in floats is 0.30000000000000004
      savingsUsd: 0.0000001,
      sinkErrors: 0,
    });
    expect(Object.keys(ledger.byDay())).toEqual(['2026-01-01', '2026-01-02']);
    expect(ledger.byDay()['2026-01-01']).toMatchObject({ requests: 1, costUsd: 0.1 });
    expect(ledger.byModel()['b/y']).toMatchObject({ attempts: 2, failures: 1, costUsd: 0.0000002 });
    expect(ledger.byModel()['a/x']).toMatchObject({ attempts: 2, costUsd: 0.3 });
    expect(ledger.byProvider()).toMatchObject({ P: { attempts: 2 }, '(unknown)': { attempts: 2 } });
    expect(ledger.byKey()).toMatchObject({ k1: { costUsd: 0.1 }, k2: { costUsd: 0.2 }, '(none)': { attempts: 2 } });
    expect(JSON.parse(JSON.stringify(ledger))).toEqual({
      totals: ledger.totals(),
      byModel: ledger.byModel(),
      byDay: ledger.byDay(),
      byProvider: ledger.byProvider(),
      byKey: ledger.byKey(),
    });
  });

  it('writes CSV with exact decimal money and escaped keys', () => {
    const ledger = new UsageAggregator();
    const at = Date.UTC(2026, 10, 1, 12);
    ledger.record({ ...base, at, modelRequested: 'a/x', provider: 'Acme, Inc. "AI"', keyId: 'k1', costUsd: 0.1 });
    ledger.record({ ...base, at, modelRequested: 'a/x', provider: 'P', keyId: 'k1', costUsd: 0.2, savingsUsd: 0.05 });
    expect(ledger.toCsv()).toBe(
      [
        'dimension,key,requests,attempts,failures,failed_requests,prompt_tokens,completion_tokens,cached_tokens,cache_write_tokens,reasoning_tokens,cost_usd,savings_usd',
        'total,,2,2,0,0,200,20,0,0,0,0.3,0.05',
        'model,a/x,2,2,0,0,200,20,0,0,0,0.3,0.05',
        'day,2026-11-01,2,2,0,0,200,20,0,0,0,0.3,0.05',
        'provider,"Acme, Inc. ""AI""",1,1,0,0,100,10,0,0,0,0.1,0',
        'provider,P,1,1,0,0,100,10,0,0,0,0.2,0.05',
        'key,k1,2,2,0,0,200,20,0,0,0,0.3,0.05',
        '',
      ].join('\n'),
    );
    expect(ledger.toCsv(['provider']).split('\n')).toHaveLength(4);
    ledger.reset();
    expect(ledger.totals().attempts).toBe(0);
  });

  it('applies a back-filled cost to every grouping of the recorded attempt', () => {
    const ledger = new UsageAggregator();
    const at = Date.UTC(2026, 10, 1);
    ledger.record({
      ...base,
      at,
      modelRequested: 'a/x',
      generationId: 'gen-1',
      costUsd: 0.001,
      costComputedUsd: 0.001,
    });
    ledger.record({ ...base, at, modelRequested: 'a/x', generationId: 'gen-2', costUsd: 0.5, costReportedUsd: 0.5 });
    ledger.costBackfilled({ generationId: 'gen-1', usd: 0.0012, previousUsd: 0.001, at });
    ledger.costBackfilled({ generationId: 'gen-2', usd: 9, at }); // already reported: unchanged
    ledger.costBackfilled({ generationId: 'gen-unknown', usd: 9, at });
    expect(ledger.totals().costUsd).toBe(0.5012);
    expect(ledger.byModel()['a/x']!.costUsd).toBe(0.5012);
    expect(ledger.byDay()['2026-11-01']!.costUsd).toBe(0.5012);
  });
});
