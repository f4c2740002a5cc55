import { ConfigError } from '../errors/client-errors.js';
import type { Settings } from './settings.js';

/** How the routing engine picks, retries and falls back (see the SDK README, "Routing"). */
export interface RoutingOptions {
  /**
   * Who walks the fallback chain: `client` (default: switchyard tries each model itself, behind its own circuit
   * breaker, with the attempt trace), `server` (sends OpenRouter's `models[]`, at most 3, and lets it fall back), or
   * `both` (server-side `models[]` inside each client-side attempt).
   */
  fallbackStrategy?: 'client' | 'server' | 'both';
  /** Order of the catalog's models when a request names no model and no default/fallbacks apply:
   * `context` (largest context first, default), `price` (cheapest first) or `health` (best recent latency and errors). */
  selection?: 'context' | 'price' | 'health';
  /** Never fall back to a model priced above this, in USD per million prompt tokens. */
  maxPromptPrice?: number;
  /** Never fall back to a model priced above this, in USD per million completion tokens. */
  maxCompletionPrice?: number;
  /** Check each request against the model's catalog entry before sending it: `reject` (default) throws a typed error
   * naming what does not fit, `reroute` moves to the first fallback that fits, `off` skips the check. */
  preflight?: 'reject' | 'reroute' | 'off';
  /** Emit a `context_warning` event when prompt + max_tokens reach this share of the context (default 0.8). */
  contextWarnAt?: number;
  /** On a context-length error: `prune` (default: retry once with the oldest turns dropped), `drop-context` (retry
   * once without the request's `context` messages, e.g. retrieved documents), or `fail`. */
  onContextLengthError?: 'prune' | 'drop-context' | 'fail';
  /**
   * On OpenRouter's 402 "requires more credits, or fewer max_tokens … can only afford N": `lower-max-tokens`
   * (default: retry once with `max_tokens` = N, so the answer fits the balance and may end with `finish_reason:
   * "length"`) or `fail`. A 402 without an affordable count (the balance is gone) always fails.
   */
  onInsufficientCredits?: 'lower-max-tokens' | 'fail';
  /** Start the next target when no content arrived within this many ms (stream hedging; 0 = off, the default). */
  hedgeAfterMs?: number;
}

/** Circuit breakers, one per (provider, model) and per upstream provider where known. */
export interface BreakerConfig {
  /** Consecutive failures that open a breaker (default 5). */
  failureThreshold?: number;
  /** Failure share over the window that opens a breaker (default 0.5) … */
  failureRate?: number;
  /** … once the window holds at least this many requests (default 10). */
  minRequests?: number;
  /** Window of the failure-rate rule in ms (default 60 000). */
  windowMs?: number;
  /** How long an open breaker waits before admitting one probe, in ms (default 60 000). */
  recoveryMs?: number;
  /** How long a probe may take before another one is admitted, in ms (default 60 000). */
  probeTimeoutMs?: number;
}

export const ROUTING_DEFAULTS = {
  fallbackStrategy: 'client',
  selection: 'context',
  maxPromptPrice: Number.POSITIVE_INFINITY,
  maxCompletionPrice: Number.POSITIVE_INFINITY,
  preflight: 'reject',
  contextWarnAt: 0.8,
  onContextLengthError: 'prune',
  onInsufficientCredits: 'lower-max-tokens',
  hedgeAfterMs: 0,
} as const satisfies Required<RoutingOptions>;

export const BREAKER_DEFAULTS: Required<BreakerConfig> = {
  failureThreshold: 5,
  failureRate: 0.5,
  minRequests: 10,
  windowMs: 60_000,
  recoveryMs: 60_000,
  probeTimeoutMs: 60_000,
};

function oneOf<T extends string>(s: Settings, path: string, label: string, allowed: readonly T[], fallback: T): T {
  const value = s.string(path, label);
  if (value === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(value)) {
    throw s.fail(label, s.layer.get(path)!, `must be one of ${allowed.map((a) => `"${a}"`).join(', ')}`);
  }
  return value as T;
}

const positive = (n: number) => (n > 0 ? undefined : 'must be more than 0');
const wholePositive = (n: number) => (Number.isInteger(n) && n > 0 ? undefined : 'must be a whole number, 1 or more');
const share = (n: number) => (n > 0 && n <= 1 ? undefined : 'must be more than 0 and at most 1');

export function resolveRouting(s: Settings): Required<RoutingOptions> {
  const d = ROUTING_DEFAULTS;
  return {
    fallbackStrategy: oneOf(
      s,
      'routing.fallbackStrategy',
      'fallback strategy',
      ['client', 'server', 'both'],
      d.fallbackStrategy,
    ),
    selection: oneOf(s, 'routing.selection', 'selection policy', ['context', 'price', 'health'], d.selection),
    maxPromptPrice: s.number('routing.maxPromptPrice', 'max prompt price', d.maxPromptPrice, (n) =>
      n >= 0 ? undefined : 'must be 0 or more',
    ),
    maxCompletionPrice: s.number('routing.maxCompletionPrice', 'max completion price', d.maxCompletionPrice, (n) =>
      n >= 0 ? undefined : 'must be 0 or more',
    ),
    preflight: oneOf(s, 'routing.preflight', 'preflight policy', ['reject', 'reroute', 'off'], d.preflight),
    contextWarnAt: s.number('routing.contextWarnAt', 'context warning share', d.contextWarnAt, share),
    onContextLengthError: oneOf(
      s,
      'routing.onContextLengthError',
      'context-length policy',
      ['prune', 'drop-context', 'fail'],
      d.onContextLengthError,
    ),
    onInsufficientCredits: oneOf(
      s,
      'routing.onInsufficientCredits',
      'insufficient-credits policy',
      ['lower-max-tokens', 'fail'],
      d.onInsufficientCredits,
    ),
    hedgeAfterMs: s.duration('routing.hedgeAfterMs', 'hedge delay', d.hedgeAfterMs),
  };
}

export function resolveBreaker(s: Settings): Required<BreakerConfig> {
  const d = BREAKER_DEFAULTS;
  const out = {
    failureThreshold: s.number(
      'breaker.failureThreshold',
      'breaker failure threshold',
      d.failureThreshold,
      wholePositive,
    ),
    failureRate: s.number('breaker.failureRate', 'breaker failure rate', d.failureRate, share),
    minRequests: s.number('breaker.minRequests', 'breaker minimum requests', d.minRequests, wholePositive),
    windowMs: s.number('breaker.windowMs', 'breaker window', d.windowMs, positive),
    recoveryMs: s.number('breaker.recoveryMs', 'breaker recovery time', d.recoveryMs, positive),
    probeTimeoutMs: s.number('breaker.probeTimeoutMs', 'breaker probe timeout', d.probeTimeoutMs, positive),
  };
  if (!Number.isFinite(out.windowMs)) throw new ConfigError('Invalid breaker window: must be finite');
  return out;
}
