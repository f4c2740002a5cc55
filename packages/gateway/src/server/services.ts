import type { AttemptRecord, ChatResult } from '@switchyard/sdk';
import type { GatewayConfig } from '../config/gateway-config.js';
import type { Caller, VirtualKey } from '../keys/key-types.js';
import type { VirtualKeys } from '../keys/virtual-keys.js';
import type { RateLimiter } from '../limits/rate-limiter.js';
import type { Logger } from '../logging/logger.js';
import type { GatewayMetrics } from '../metrics/metrics.js';
import type { ResponsesStore } from '../responses-store/responses-store.js';
import type { BudgetLimit, BudgetPeriod, BudgetScope } from '../stores/budget-types.js';
import type { LedgerFilter, LedgerGroupBy } from '../stores/ledger-types.js';
import type { Report } from '../stores/reports.js';
import type { Upstream } from '../upstream/upstream.js';
import type { Lifecycle } from './lifecycle.js';

/** A budget reservation held while a request runs (settled to the actual cost, or released). */
export interface Reservation {
  id: string;
}

export type ReserveOutcome =
  | { ok: true; reservation?: Reservation }
  /** `pricesUnknown`: a cost cap applies but the request's worst case could not be priced (no model catalog). */
  | { ok: false; reason: string; scope: string; pricesUnknown?: true };

/** Tokens and cost of an answer estimated by the gateway, when its upstream reported none. */
export interface UsageEstimate {
  promptTokens: number;
  completionTokens: number;
  usd: number;
}

/** What one finished (or failed) request leaves in the ledger. */
export interface RequestRecord {
  requestId: string;
  caller: Caller;
  requestedModel: string;
  stream: boolean;
  trace: readonly AttemptRecord[];
  result?: ChatResult;
  /** Cost known to have been spent when there is no result (a cut stream's estimate). */
  spentUsd?: number;
  /**
   * The gateway's estimate for a result whose upstream reported no usage, or for a stream cut before its usage came
   * (tokens and cost are then not 0).
   */
  usageEstimate?: UsageEstimate;
  /** Why the request failed, when it did. */
  error?: unknown;
  /** An embeddings call (no routing trace): recorded as one ledger row. */
  embedding?: {
    model: string;
    promptTokens: number;
    costUsd?: number;
    costSource?: 'reported' | 'computed';
    latencyMs: number;
    status?: number;
    code?: string;
  };
}

/**
 * Usage accounting behind the gateway: budget reservations (reserve the worst case at admission, settle to the
 * actual cost, release on failure) and the append-only ledger of attempts.
 */
export interface Accounting {
  /**
   * Synchronous when no store needs asking (no limit applies to the caller, and the set of limits is cached).
   * `worstCaseUsd` undefined: the request could not be priced (no catalog) — refused where a cost cap applies.
   */
  reserve(caller: Caller, worstCaseUsd: number | undefined, tokens: number): ReserveOutcome | Promise<ReserveOutcome>;
  settle(reservation: Reservation | undefined, actualUsd: number, tokens: number): Promise<void>;
  release(reservation: Reservation | undefined): Promise<void>;
  /** Queues the ledger rows of a request (never waits on the disk). */
  record(record: RequestRecord): void;
  /** False while the ledger queue is too full to take more rows: admission refuses rather than lose records. */
  accepting(): boolean;
  /** Makes the budget limits of a key match its `budget` setting (after create or update). */
  applyKeyBudget(key: VirtualKey): Promise<void>;
  /** Budgets per key, user and global (admin API). */
  limits(): Promise<BudgetLimit[]>;
  setLimit(limit: BudgetLimit): Promise<void>;
  removeLimit(scope: BudgetScope, scopeId: string, period: BudgetPeriod): Promise<void>;
  /** Totals from the ledger, grouped (admin API and exports). */
  report(groupBy: LedgerGroupBy, filter: LedgerFilter): Promise<Report>;
  /** The ledger's view of a generation: its attempts, keyed by generation id. */
  generation(id: string, caller: Caller): Promise<Record<string, unknown> | undefined>;
  /** Usage of the caller's key for `GET /key`. */
  usage(
    caller: Caller,
  ): Promise<{ todayUsd: number; weekUsd: number; monthUsd: number; totalUsd: number; requestsToday: number }>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface GatewayServices {
  config: GatewayConfig;
  logger: Logger;
  upstream: Upstream;
  keys: VirtualKeys;
  limiter: RateLimiter;
  metrics: GatewayMetrics;
  accounting: Accounting;
  /** The Responses API's stored responses: in memory, or in Redis with `REDIS_URL`. */
  responses: ResponsesStore;
  /**
   * True when no virtual key exists and the gateway is loopback-only (or --insecure-no-auth). Synchronous while the
   * last answer is fresh (a second): it is asked on every request.
   */
  openAccess: () => boolean | Promise<boolean>;
  lifecycle: Lifecycle;
  /** Extra readiness checks (Redis). */
  readiness: { name: string; check: () => Promise<void> }[];
}
