import type { Usage } from '../usage/usage.js';

/** Why the engine left an attempt (or a target) behind. */
export type AttemptOutcome = 'success' | 'retry' | 'fallback' | 'failed' | 'skipped' | 'hedge_lost';

/** One line of the attempt trace carried by every result and every error. */
export interface AttemptRecord {
  /** 1-based position in the trace. */
  index: number;
  /** The model this attempt asked for. */
  model: string;
  /** The model that served it (routers and aliases can differ). */
  servedModel?: string;
  /** The switchyard provider (`openrouter`, `simulator`, …). */
  backend: string;
  /** The upstream provider that served or failed (e.g. `DeepInfra`), when known. */
  provider?: string;
  /** OpenRouter's id of the generation, when the attempt got one (failed attempts: when the error carried it). */
  generationId?: string;
  /** HTTP status or in-band error code. */
  status?: number;
  /** Stable error code (`rate_limited`, `circuit_open`, …); absent on success. */
  code?: string;
  message?: string;
  outcome: AttemptOutcome;
  /** Why the engine moved on (`retryable rate_limited, waiting 2000 ms`, `circuit open`, `price guard: …`). */
  reason?: string;
  startedAt: number;
  latencyMs: number;
  ttftMs?: number;
  /** Time spent waiting before this attempt (backoff or Retry-After). */
  waitedMs: number;
  usage?: Usage;
  costUsd?: number;
}
