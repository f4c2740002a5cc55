/** Ledger rows for tests: a complete successful attempt, overridable field by field. */
import type { LedgerRow } from '../../src/stores/ledger-types.js';

let sequence = 0;

export function makeRow(overrides: Partial<LedgerRow> = {}): LedgerRow {
  sequence++;
  return {
    at: Date.UTC(2026, 10, 21, 12, 0, 0),
    requestId: `req-${sequence}`,
    modelRequested: 'openai/gpt-4o-mini',
    modelServed: 'openai/gpt-4o-mini',
    provider: 'OpenAI',
    backend: 'openrouter',
    status: 200,
    outcome: 'success',
    promptTokens: 100,
    completionTokens: 20,
    cachedTokens: 0,
    cacheWriteTokens: 0,
    reasoningTokens: 0,
    costReportedNano: 1_000n,
    latencyMs: 120,
    ttftMs: 40,
    stream: true,
    fallbackPosition: 0,
    ...overrides,
  };
}
