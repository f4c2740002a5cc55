/**
 * The usage ledger: one append-only row per upstream ATTEMPT (successful, failed, partial, skipped, hedge losers),
 * so every token and every nano-dollar that an attempt cost is on record, not just the winning one.
 */

/** How an attempt ended. `retry`/`fallback`/`failed` are errors; `skipped` (breaker open) and `hedge_lost` are not. */
export type LedgerOutcome = 'success' | 'retry' | 'fallback' | 'failed' | 'skipped' | 'hedge_lost';

export interface LedgerRow {
  /** Epoch ms when the attempt ended. */
  at: number;
  /** The gateway request; several attempts (retries, fallbacks, hedges) share it. */
  requestId: string;
  generationId?: string;
  /** Virtual key id. */
  keyId?: string;
  userId?: string;
  modelRequested: string;
  modelServed?: string;
  /** Upstream provider (e.g. DeepInfra), when the backend reported one. */
  provider?: string;
  /** switchyard provider (openrouter, simulator, …). */
  backend: string;
  status?: number;
  /** Stable error code; absent on success. */
  code?: string;
  /** A {@link LedgerOutcome}; kept as `string` so new outcomes never fail a write. */
  outcome: string;
  promptTokens: number;
  completionTokens: number;
  cachedTokens: number;
  cacheWriteTokens: number;
  reasoningTokens: number;
  /** Integer nano-dollars (1e-9 USD), exact. Convert from femto with `femtoToNano` (rounds half-up). */
  costReportedNano?: bigint;
  costComputedNano?: bigint;
  /** Prompt-cache savings. */
  savingsNano?: bigint;
  latencyMs: number;
  ttftMs?: number;
  stream: boolean;
  /** 0 = the requested model, 1 = first fallback, … */
  fallbackPosition: number;
  /**
   * How the answer ended, as the SDK normalised it (`stop`, `length`, `tool_calls`, `content_filter`, …; `tool_calls`
   * also when the model called tools but reported `stop` or nothing). Only the attempt that produced the answer has
   * one; rows from before schema version 5 have none.
   */
  finishReason?: string;
  /** The provider's own finish reason (`end_turn`, `MAX_TOKENS`, …), when the upstream reported one. */
  nativeFinishReason?: string;
  /** The upstream reported the attempt as bring-your-own-key (`usage.is_byok`); absent when it did not say. */
  isByok?: boolean;
  /** What the upstream provider charged (`usage.cost_details.upstream_inference_cost`), in nano-dollars; BYOK answers. */
  upstreamCostNano?: bigint;
  /**
   * Unique key of the row, given when it is queued (`BatchWriter.enqueue`). A batch written again after a commit
   * whose acknowledgement was lost (the ledger worker or the database connection died just then) does not store
   * its rows twice: a row whose key is already stored is skipped. Rows written before keys existed have none.
   */
  rowKey?: string;
}

/**
 * Row selection shared by `query` and `totals`. `from` is inclusive and `to` exclusive (epoch ms), so consecutive
 * windows never count a row twice. `model` matches either the requested or the served model.
 */
export interface LedgerFilter {
  from?: number;
  to?: number;
  keyId?: string;
  userId?: string;
  model?: string;
  /** Every attempt of one gateway request. */
  requestId?: string;
  /** The attempt(s) with this upstream generation id (`/generation?id=` lookups). */
  generationId?: string;
}

export interface LedgerQuery extends LedgerFilter {
  /** At most this many rows (default: all). */
  limit?: number;
  /** By `at` then insertion order; `asc` (default) or `desc` (newest first). */
  order?: 'asc' | 'desc';
}

export type LedgerGroupBy = 'model' | 'day' | 'key' | 'provider' | 'user';

/**
 * One line of a report. Group values: `model` = the served model (the requested one when nothing was served);
 * `day` = UTC `YYYY-MM-DD` of `at`; `key`/`user` = the id or `(none)`; `provider` = the upstream provider, or the
 * backend when the attempt never reached one.
 */
export interface ReportRow {
  group: string;
  /** Distinct `requestId`s with a `success` attempt in this group (a request that fell back counts once, where it succeeded). */
  requests: number;
  /** Every ledger row in the group. */
  attempts: number;
  /** Attempts that ended in an error: outcome `retry`, `fallback` or `failed`. */
  failures: number;
  promptTokens: number;
  completionTokens: number;
  cachedTokens: number;
  reasoningTokens: number;
  /** Per row the reported cost when present, else the computed one, else 0; summed exactly. */
  costNano: bigint;
  savingsNano: bigint;
}

/** Label used for rows without a key or user id in `key`/`user` reports. */
export const NO_ID = '(none)';

/** Outcomes counted in `ReportRow.failures`. */
export const FAILURE_OUTCOMES: readonly string[] = ['retry', 'fallback', 'failed'];
