/**
 * Usage reports from the ledger: totals per model, day, key, user or provider (with prompt-cache savings), a grand
 * total, and exports. Money leaves as decimal USD strings with 9 decimals (exact; JSON numbers would round).
 */
import { csvDocument, rawCell, textCell } from './csv.js';
import type { LedgerStore } from './ledger-store.js';
import type { LedgerFilter, LedgerGroupBy, LedgerRow, ReportRow } from './ledger-types.js';
import { nanoToUsdString } from './nano.js';

export interface Report {
  groupBy: LedgerGroupBy;
  filter: LedgerFilter;
  rows: ReportRow[];
  /** Sums over all groups (`group` is `total`). */
  total: ReportRow;
}

export async function buildReport(
  ledger: LedgerStore,
  groupBy: LedgerGroupBy,
  filter: LedgerFilter = {},
): Promise<Report> {
  const rows = await ledger.totals(groupBy, filter);
  return { groupBy, filter, rows, total: sumReport(rows) };
}

/** Adds report rows up. `requests` sums too: a request succeeds once, so it lies in exactly one group. */
export function sumReport(rows: ReportRow[], group = 'total'): ReportRow {
  const total: ReportRow = {
    group,
    requests: 0,
    attempts: 0,
    failures: 0,
    promptTokens: 0,
    completionTokens: 0,
    cachedTokens: 0,
    reasoningTokens: 0,
    costNano: 0n,
    savingsNano: 0n,
  };
  for (const row of rows) {
    total.requests += row.requests;
    total.attempts += row.attempts;
    total.failures += row.failures;
    total.promptTokens += row.promptTokens;
    total.completionTokens += row.completionTokens;
    total.cachedTokens += row.cachedTokens;
    total.reasoningTokens += row.reasoningTokens;
    total.costNano += row.costNano;
    total.savingsNano += row.savingsNano;
  }
  return total;
}

export const REPORT_CSV_HEADER = [
  'group',
  'requests',
  'attempts',
  'failures',
  'prompt_tokens',
  'completion_tokens',
  'cached_tokens',
  'reasoning_tokens',
  'cost_usd',
  'savings_usd',
] as const;

/** Report rows as CSV with a header line. */
export function toCsv(rows: ReportRow[]): string {
  return csvDocument(
    REPORT_CSV_HEADER,
    rows.map((r) => [
      textCell(r.group),
      rawCell(r.requests),
      rawCell(r.attempts),
      rawCell(r.failures),
      rawCell(r.promptTokens),
      rawCell(r.completionTokens),
      rawCell(r.cachedTokens),
      rawCell(r.reasoningTokens),
      rawCell(nanoToUsdString(r.costNano)),
      rawCell(nanoToUsdString(r.savingsNano)),
    ]),
  );
}

/** A report row as plain JSON: money as decimal USD strings (`costUsd`) and exact nano strings (`costNano`). */
export interface ReportRowJson {
  group: string;
  requests: number;
  attempts: number;
  failures: number;
  promptTokens: number;
  completionTokens: number;
  cachedTokens: number;
  reasoningTokens: number;
  costUsd: string;
  costNano: string;
  savingsUsd: string;
  savingsNano: string;
}

export function reportRowToJson(r: ReportRow): ReportRowJson {
  const { costNano, savingsNano, ...counts } = r;
  return {
    ...counts,
    costUsd: nanoToUsdString(costNano),
    costNano: costNano.toString(),
    savingsUsd: nanoToUsdString(savingsNano),
    savingsNano: savingsNano.toString(),
  };
}

/** Report rows as a JSON array (pretty when `indent` is given). */
export function toJson(rows: ReportRow[], indent?: number): string {
  return JSON.stringify(rows.map(reportRowToJson), null, indent);
}

/** A report with its total as JSON (what `switchyard usage --json` prints). */
export function reportToJson(report: Report, indent?: number): string {
  return JSON.stringify(
    {
      groupBy: report.groupBy,
      filter: report.filter,
      rows: report.rows.map(reportRowToJson),
      total: reportRowToJson(report.total),
    },
    null,
    indent,
  );
}

export const LEDGER_CSV_HEADER = [
  'at',
  'request_id',
  'generation_id',
  'key_id',
  'user_id',
  'model_requested',
  'model_served',
  'provider',
  'backend',
  'status',
  'code',
  'outcome',
  'prompt_tokens',
  'completion_tokens',
  'cached_tokens',
  'cache_write_tokens',
  'reasoning_tokens',
  'cost_reported_usd',
  'cost_computed_usd',
  'savings_usd',
  'latency_ms',
  'ttft_ms',
  'stream',
  'fallback_position',
  // Added with schema version 5, last so that readers of the earlier columns by position keep working.
  'finish_reason',
  'native_finish_reason',
  'is_byok',
  'upstream_cost_usd',
] as const;

const usd = (nano: bigint | undefined): string => (nano === undefined ? '' : nanoToUsdString(nano));

/** Raw ledger rows (one per attempt) as CSV; `at` as an ISO-8601 UTC timestamp. */
export function ledgerToCsv(rows: LedgerRow[]): string {
  return csvDocument(
    LEDGER_CSV_HEADER,
    rows.map((r) => [
      rawCell(new Date(r.at).toISOString()),
      textCell(r.requestId),
      textCell(r.generationId),
      textCell(r.keyId),
      textCell(r.userId),
      textCell(r.modelRequested),
      textCell(r.modelServed),
      textCell(r.provider),
      textCell(r.backend),
      rawCell(r.status),
      textCell(r.code),
      textCell(r.outcome),
      rawCell(r.promptTokens),
      rawCell(r.completionTokens),
      rawCell(r.cachedTokens),
      rawCell(r.cacheWriteTokens),
      rawCell(r.reasoningTokens),
      rawCell(usd(r.costReportedNano)),
      rawCell(usd(r.costComputedNano)),
      rawCell(usd(r.savingsNano)),
      rawCell(r.latencyMs),
      rawCell(r.ttftMs),
      rawCell(r.stream),
      rawCell(r.fallbackPosition),
      textCell(r.finishReason),
      textCell(r.nativeFinishReason),
      rawCell(r.isByok),
      rawCell(usd(r.upstreamCostNano)),
    ]),
  );
}
