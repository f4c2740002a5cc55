import type { ChatResult, SwitchyardError, UsageRecord } from '@switchyard/sdk';
import { usageRecords } from '@switchyard/sdk/routing';
import { callerId } from '../http/auth.js';
import type { RequestRecord } from '../server/services.js';
import type { LedgerRow } from '../stores/ledger-types.js';
import { costToNano, type Nano } from '../stores/nano.js';

const nano = (usd: number | undefined): Nano | undefined =>
  usd === undefined || Number.isNaN(usd) || usd < 0 ? undefined : costToNano(usd);

function toRow(r: UsageRecord, record: RequestRecord): LedgerRow {
  const row: LedgerRow = {
    at: r.at + Math.max(0, r.latencyMs),
    requestId: record.requestId,
    modelRequested: record.requestedModel || r.modelRequested,
    backend: r.backend,
    outcome: r.outcome,
    promptTokens: r.promptTokens,
    completionTokens: r.completionTokens,
    cachedTokens: r.cachedTokens,
    cacheWriteTokens: r.cacheWriteTokens,
    reasoningTokens: r.reasoningTokens,
    latencyMs: Math.max(0, Math.round(r.latencyMs)),
    stream: r.stream,
    fallbackPosition: r.fallbackPosition,
  };
  // Only the fields that have a value (no Object.entries over a partial row: this runs for every attempt).
  if (r.generationId !== undefined) row.generationId = r.generationId;
  if (r.keyId !== undefined) row.keyId = r.keyId;
  if (r.userId !== undefined) row.userId = r.userId;
  if (r.modelServed !== undefined) row.modelServed = r.modelServed;
  if (r.provider !== undefined) row.provider = r.provider;
  if (r.status !== undefined) row.status = r.status;
  if (r.code !== undefined) row.code = r.code;
  const reported = nano(r.costReportedUsd);
  if (reported !== undefined) row.costReportedNano = reported;
  const computed = nano(r.costComputedUsd);
  if (computed !== undefined) row.costComputedNano = computed;
  const savings = nano(r.savingsUsd);
  if (savings !== undefined) row.savingsNano = savings;
  if (r.ttftMs !== undefined) row.ttftMs = Math.max(0, Math.round(r.ttftMs));
  return row;
}

/**
 * The ledger rows of one request, from the SDK's own per-attempt usage records (one per attempt that sent a
 * request: successful, retried, failed over, failed, cut off). The gateway adds what only it knows: the request id,
 * the caller, and — for a stream cut before usage arrived, or an answer whose upstream reported no usage — its
 * estimate of what was spent, as the last attempt's tokens (where the upstream gave none) and computed cost.
 */
export function ledgerRows(record: RequestRecord, now = Date.now()): LedgerRow[] {
  const { caller } = record;
  if (record.embedding) return [embeddingRow(record, record.embedding, now)];
  const tags = {
    requestId: record.requestId,
    keyId: caller.kind === 'key' ? callerId(caller) : undefined,
    userId: caller.userId,
  };
  const error = record.error as SwitchyardError | undefined;
  const records = usageRecords({ stream: record.stream, trace: [...record.trace], result: record.result, error }, tags);
  const last = records[records.length - 1];
  if (last && !record.result && last.costUsd === undefined && record.spentUsd) {
    last.costUsd = record.spentUsd;
    last.costComputedUsd = record.spentUsd;
  }
  const estimate = record.usageEstimate;
  if (last && estimate) {
    last.promptTokens ||= estimate.promptTokens;
    last.completionTokens ||= estimate.completionTokens;
  }
  if (last && record.result && estimate) {
    last.costUsd = estimate.usd;
    last.costComputedUsd = estimate.usd;
  }
  const rows = records.map((r) => toRow(r, record));
  // The SDK's usage records stop at tokens and cost; the answer itself is on the attempt that produced it, which is
  // the last successful one (the same attempt `usageRecords` gives the result's cost to).
  const winner = record.result ? records.findLastIndex((r) => r.outcome === 'success') : -1;
  if (record.result && winner >= 0) withAnswer(rows[winner] as LedgerRow, record.result);
  return rows;
}

/** What only the answer knows: how it ended (`GET /generation`'s finish reasons) and the BYOK facts of its usage. */
function withAnswer(row: LedgerRow, result: ChatResult): void {
  if (result.finishReason) row.finishReason = result.finishReason;
  if (result.nativeFinishReason) row.nativeFinishReason = result.nativeFinishReason;
  if (result.cost.isByok !== undefined) row.isByok = result.cost.isByok;
  const upstream = nano(result.cost.upstreamUsd);
  if (upstream !== undefined) row.upstreamCostNano = upstream;
}

function embeddingRow(record: RequestRecord, e: NonNullable<RequestRecord['embedding']>, now: number): LedgerRow {
  const row: LedgerRow = {
    at: now,
    requestId: record.requestId,
    modelRequested: record.requestedModel,
    modelServed: e.model,
    backend: 'openrouter',
    outcome: e.code ? 'failed' : 'success',
    promptTokens: e.promptTokens,
    completionTokens: 0,
    cachedTokens: 0,
    cacheWriteTokens: 0,
    reasoningTokens: 0,
    latencyMs: Math.max(0, Math.round(e.latencyMs)),
    stream: false,
    fallbackPosition: 0,
  };
  if (record.caller.kind === 'key') row.keyId = callerId(record.caller);
  if (record.caller.userId) row.userId = record.caller.userId;
  if (e.status !== undefined) row.status = e.status;
  if (e.code) row.code = e.code;
  const cost = nano(e.costUsd);
  if (cost !== undefined) {
    if (e.costSource === 'reported') row.costReportedNano = cost;
    else row.costComputedNano = cost;
  }
  return row;
}
