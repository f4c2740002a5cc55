import type { SwitchyardError } from '../errors/switchyard-error.js';
import type { CallEnd } from '../routing/router.js';
import type { AttemptRecord } from '../routing/trace.js';
import type { UsageRecord, UsageTags } from './sink.js';

/** The records of one call: one per attempt that sent a request. */
export function usageRecords(end: CallEnd, tags: UsageTags = {}): UsageRecord[] {
  const { trace, result, error } = end;
  const positions = new Map<string, number>();
  for (const record of trace) if (!positions.has(record.model)) positions.set(record.model, positions.size);
  const winner = result ? trace.findLast((r) => r.outcome === 'success') : undefined;
  const last = trace[trace.length - 1];
  const records: UsageRecord[] = [];
  for (const attempt of trace) {
    if (attempt.outcome === 'skipped') continue;
    const entry = baseRecord(attempt, end.stream, positions.get(attempt.model) ?? 0, records.length + 1, tags);
    if (attempt === winner && result) {
      const cost = result.cost;
      entry.generationId ??= result.generationId;
      entry.modelServed ??= result.model;
      entry.provider ??= result.provider;
      if (cost.unpriced) delete entry.costUsd;
      else entry.costUsd = cost.usd;
      if (cost.source === 'reported') entry.costReportedUsd = cost.usd;
      if (cost.computedUsd !== undefined) entry.costComputedUsd = cost.computedUsd;
      if (cost.savingsUsd !== undefined) entry.savingsUsd = cost.savingsUsd;
      if (cost.listPrices) entry.listPrices = true;
    } else if (attempt === last && error) {
      withPartial(entry, error);
    } else if (entry.costUsd !== undefined) {
      entry.costReportedUsd = entry.costUsd; // a partial answer's cost, as OpenRouter reported it
    }
    records.push(entry);
  }
  for (const [i, entry] of records.entries()) entry.final = i === records.length - 1;
  return records;
}

function baseRecord(
  attempt: AttemptRecord,
  stream: boolean,
  fallbackPosition: number,
  number: number,
  tags: UsageTags,
): UsageRecord {
  const usage = attempt.usage;
  const entry: UsageRecord = {
    at: attempt.startedAt,
    modelRequested: attempt.model,
    backend: attempt.backend,
    outcome: attempt.outcome,
    promptTokens: usage?.promptTokens ?? 0,
    completionTokens: usage?.completionTokens ?? 0,
    cachedTokens: usage?.cachedTokens ?? 0,
    cacheWriteTokens: usage?.cacheWriteTokens ?? 0,
    reasoningTokens: usage?.reasoningTokens ?? 0,
    latencyMs: attempt.latencyMs,
    stream,
    fallbackPosition,
    attempt: number,
  };
  if (tags.requestId !== undefined) entry.requestId = tags.requestId;
  if (tags.keyId !== undefined) entry.keyId = tags.keyId;
  if (tags.userId !== undefined) entry.userId = tags.userId;
  if (attempt.generationId !== undefined) entry.generationId = attempt.generationId;
  if (attempt.servedModel !== undefined) entry.modelServed = attempt.servedModel;
  if (attempt.provider !== undefined) entry.provider = attempt.provider;
  const status = attempt.status ?? (attempt.outcome === 'success' ? 200 : undefined);
  if (status !== undefined) entry.status = status;
  if (attempt.code !== undefined) entry.code = attempt.code;
  if (attempt.costUsd !== undefined) entry.costUsd = attempt.costUsd;
  if (attempt.ttftMs !== undefined) entry.ttftMs = attempt.ttftMs;
  return entry;
}

/** The call's final error may carry what the failed attempt delivered and was billed for. */
function withPartial(entry: UsageRecord, error: SwitchyardError): void {
  const partial = error.partial;
  entry.generationId ??= error.generationId ?? partial?.generationId;
  entry.provider ??= error.provider ?? partial?.provider;
  if (partial?.model && !entry.modelServed) entry.modelServed = partial.model;
  if (partial?.usage && entry.promptTokens === 0 && entry.completionTokens === 0) {
    entry.promptTokens = partial.usage.promptTokens;
    entry.completionTokens = partial.usage.completionTokens;
  }
  const cost = entry.costUsd ?? partial?.costUsd;
  if (cost !== undefined) {
    entry.costUsd = cost;
    entry.costReportedUsd = cost;
  }
  if (entry.generationId === undefined) delete entry.generationId;
  if (entry.provider === undefined) delete entry.provider;
}
