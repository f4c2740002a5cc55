/**
 * The ledger's column layout, shared by the SQLite and PostgreSQL stores so both write and read rows identically.
 * `day` is derived (UTC date of `at`) and stored so day reports group on an indexed column.
 */
import type { LedgerRow } from './ledger-types.js';
import { MAX_NANO } from './nano.js';

export const LEDGER_COLUMNS = [
  'at',
  'day',
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
  'cost_reported_nano',
  'cost_computed_nano',
  'savings_nano',
  'latency_ms',
  'ttft_ms',
  'stream',
  'fallback_position',
  'row_key',
  // Schema version 5: how the answer ended and what a BYOK upstream charged (NULL on older rows).
  'finish_reason',
  'native_finish_reason',
  'is_byok',
  'upstream_cost_nano',
] as const;

export type LedgerColumn = (typeof LEDGER_COLUMNS)[number];

/** UTC calendar day of an epoch-ms instant, `YYYY-MM-DD`. */
export function utcDay(at: number): string {
  return new Date(at).toISOString().slice(0, 10);
}

/** The largest |epoch ms| a JS Date can represent. */
const MAX_TIME = 8.64e15;

/** Text columns whose values may come from outside (the upstream's answer, the client's request). */
const OPTIONAL_TEXT = [
  'generationId',
  'keyId',
  'userId',
  'modelServed',
  'provider',
  'code',
  'finishReason',
  'nativeFinishReason',
] as const;
const REQUIRED_TEXT = ['requestId', 'modelRequested', 'backend', 'outcome'] as const;

const MONEY = ['costReportedNano', 'costComputedNano', 'savingsNano', 'upstreamCostNano'] as const;
/** PostgreSQL's INTEGER bound (token counts, latencies, status); money's is `MAX_NANO` (BIGINT). */
const MAX_INTEGER = 2_147_483_647;

/**
 * A count within an INTEGER column. What is no count at all (an upstream's `"x"` for its tokens) is 0: the row is
 * kept, its cost stands; a numeric string is read as its number.
 */
function count(value: unknown): number {
  const n = typeof value === 'number' ? value : Number(value);
  if (!Number.isFinite(n) || n < 0) return 0;
  return n > MAX_INTEGER ? MAX_INTEGER : n;
}

/** Longest text kept in a column: ids, model names and codes are short; a runaway upstream value is cut. */
const MAX_TEXT = 512;

function cleanText(value: string): string {
  // PostgreSQL refuses NUL in text: one such row would fail its batch on every retry.
  return value.length > MAX_TEXT || value.includes('\u0000')
    ? value.replaceAll('\u0000', '').slice(0, MAX_TEXT)
    : value;
}

/**
 * Makes a row storable where it can be without losing it: optional columns holding what no column can store (an
 * upstream's id or model that is a number or a list, a status that is no number) are left empty, NUL characters
 * are dropped and runaway texts cut. What is left to reject (`assertLedgerRow`) is a bug in the gateway itself.
 */
export function cleanLedgerRow(row: LedgerRow): void {
  for (const field of OPTIONAL_TEXT) {
    const value = row[field];
    if (value === undefined) continue;
    if (typeof value === 'string') row[field] = cleanText(value);
    else delete row[field];
  }
  for (const field of REQUIRED_TEXT) {
    const value = row[field];
    if (typeof value === 'string') row[field] = cleanText(value);
  }
  // Counts beyond PostgreSQL's INTEGER columns (an upstream's runaway usage) would fail the batch: kept at the bound.
  row.promptTokens = count(row.promptTokens);
  row.completionTokens = count(row.completionTokens);
  row.cachedTokens = count(row.cachedTokens);
  row.cacheWriteTokens = count(row.cacheWriteTokens);
  row.reasoningTokens = count(row.reasoningTokens);
  row.latencyMs = count(row.latencyMs);
  if (row.status !== undefined) {
    if (Number.isFinite(row.status)) row.status = count(row.status);
    else delete row.status;
  }
  if (row.ttftMs !== undefined) {
    if (Number.isFinite(row.ttftMs)) row.ttftMs = count(row.ttftMs);
    else delete row.ttftMs;
  }
  for (const field of MONEY) {
    const value = row[field];
    if (typeof value === 'bigint' && value > MAX_NANO) row[field] = MAX_NANO;
  }
}

/**
 * Rejects a malformed row when it is produced, with a message naming the field. A row the database would refuse
 * must never reach the write queue: it would fail its batch on every retry and block every row behind it.
 * Written as straight-line checks (no allocation): it runs on the request path, inside `enqueue`.
 */
export function assertLedgerRow(row: LedgerRow): void {
  // Math.abs(NaN) <= x is false: this also rejects NaN and non-numbers.
  if (!(Math.abs(row.at) <= MAX_TIME)) throw new TypeError('ledger row: at must be epoch ms');
  finite(row.promptTokens, 'promptTokens');
  finite(row.completionTokens, 'completionTokens');
  finite(row.cachedTokens, 'cachedTokens');
  finite(row.cacheWriteTokens, 'cacheWriteTokens');
  finite(row.reasoningTokens, 'reasoningTokens');
  finite(row.latencyMs, 'latencyMs');
  finite(row.fallbackPosition, 'fallbackPosition');
  if (row.status !== undefined) finite(row.status, 'status');
  if (row.ttftMs !== undefined) finite(row.ttftMs, 'ttftMs');
  text(row.requestId, 'requestId');
  text(row.modelRequested, 'modelRequested');
  text(row.backend, 'backend');
  text(row.outcome, 'outcome');
  nano(row.costReportedNano, 'costReportedNano');
  nano(row.costComputedNano, 'costComputedNano');
  nano(row.savingsNano, 'savingsNano');
  nano(row.upstreamCostNano, 'upstreamCostNano');
  if (row.finishReason !== undefined) text(row.finishReason, 'finishReason');
  if (row.nativeFinishReason !== undefined) text(row.nativeFinishReason, 'nativeFinishReason');
  if (row.isByok !== undefined && typeof row.isByok !== 'boolean') {
    throw new TypeError('ledger row: isByok must be a boolean');
  }
}

function finite(value: number, field: string): void {
  if (!Number.isFinite(value)) throw new TypeError(`ledger row: ${field} must be a finite number`);
}

function text(value: string, field: string): void {
  if (typeof value !== 'string') throw new TypeError(`ledger row: ${field} must be a string`);
}

function nano(value: bigint | undefined, field: string): void {
  if (value !== undefined && typeof value !== 'bigint') {
    throw new TypeError(`ledger row: ${field} must be a bigint (nano-dollars)`);
  }
}

const int = (value: number): number => Math.round(value);
const optInt = (value: number | undefined): number | null => (value === undefined ? null : Math.round(value));

/** Values in {@link LEDGER_COLUMNS} order; `undefined` becomes `null`, integers are rounded (latencies may be fractional). */
export function rowToValues(row: LedgerRow): (string | number | bigint | boolean | null)[] {
  return [
    int(row.at),
    utcDay(row.at),
    row.requestId,
    row.generationId ?? null,
    row.keyId ?? null,
    row.userId ?? null,
    row.modelRequested,
    row.modelServed ?? null,
    row.provider ?? null,
    row.backend,
    optInt(row.status),
    row.code ?? null,
    row.outcome,
    int(row.promptTokens),
    int(row.completionTokens),
    int(row.cachedTokens),
    int(row.cacheWriteTokens),
    int(row.reasoningTokens),
    row.costReportedNano ?? null,
    row.costComputedNano ?? null,
    row.savingsNano ?? null,
    int(row.latencyMs),
    optInt(row.ttftMs),
    row.stream,
    int(row.fallbackPosition),
    row.rowKey ?? null,
    row.finishReason ?? null,
    row.nativeFinishReason ?? null,
    row.isByok ?? null,
    row.upstreamCostNano ?? null,
  ];
}

const num = (value: unknown): number => Number(value);
const str = (value: unknown): string | undefined => (value === null || value === undefined ? undefined : String(value));
const optNum = (value: unknown): number | undefined =>
  value === null || value === undefined ? undefined : Number(value);
/** SQLite (safe integers) gives bigint, pg gives int8 as a decimal string: both convert exactly. */
const optBig = (value: unknown): bigint | undefined =>
  value === null || value === undefined ? undefined : BigInt(value as bigint | string);

/** SQLite stores booleans as 0/1 (bigint under safe integers); PostgreSQL returns a boolean. */
const bool = (value: unknown): boolean => value === true || value === 1 || value === 1n;
const optBool = (value: unknown): boolean | undefined =>
  value === null || value === undefined ? undefined : bool(value);

/** A database record (either driver) back to a row; absent optional fields stay absent rather than `undefined`. */
export function recordToRow(r: Record<string, unknown>): LedgerRow {
  const row: LedgerRow = {
    at: num(r.at),
    requestId: String(r.request_id),
    modelRequested: String(r.model_requested),
    backend: String(r.backend),
    outcome: String(r.outcome),
    promptTokens: num(r.prompt_tokens),
    completionTokens: num(r.completion_tokens),
    cachedTokens: num(r.cached_tokens),
    cacheWriteTokens: num(r.cache_write_tokens),
    reasoningTokens: num(r.reasoning_tokens),
    latencyMs: num(r.latency_ms),
    stream: bool(r.stream),
    fallbackPosition: num(r.fallback_position),
  };
  const optional: Partial<LedgerRow> = {
    generationId: str(r.generation_id),
    keyId: str(r.key_id),
    userId: str(r.user_id),
    modelServed: str(r.model_served),
    provider: str(r.provider),
    status: optNum(r.status),
    code: str(r.code),
    costReportedNano: optBig(r.cost_reported_nano),
    costComputedNano: optBig(r.cost_computed_nano),
    savingsNano: optBig(r.savings_nano),
    ttftMs: optNum(r.ttft_ms),
    rowKey: str(r.row_key),
    finishReason: str(r.finish_reason),
    nativeFinishReason: str(r.native_finish_reason),
    isByok: optBool(r.is_byok),
    upstreamCostNano: optBig(r.upstream_cost_nano),
  };
  for (const [name, value] of Object.entries(optional)) {
    if (value !== undefined) (row as unknown as Record<string, unknown>)[name] = value;
  }
  return row;
}
