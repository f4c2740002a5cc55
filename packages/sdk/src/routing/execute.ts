import type { ResolvedConfig } from '../config/options.js';
import { estimateRequestTokens } from '../context/token-estimator.js';
import { lazyModule } from '../errors/chunk-load.js';
import { AbortError } from '../errors/client-errors.js';
import { ContextLengthError, TimeoutError } from '../errors/http-errors.js';
import { SwitchyardError } from '../errors/switchyard-error.js';
import type { Model } from '../protocol/catalog.js';
import type { ChatRequest, ProviderPreferences } from '../protocol/chat.js';
import type { ProviderBackend } from '../providers/provider.js';
import type { Usage } from '../usage/usage.js';
import { findModel } from './catalog-lookup.js';
import { breakerKey, type CircuitBreakers } from './circuit-breaker.js';
import { CircuitOpenError } from './circuit-open-error.js';
import { lowerToAffordable } from './credit-recovery.js';
import type { RoutingEvents } from './events.js';
import type { HealthTracker } from './health.js';
import { withModelSuggestion } from './model-suggestion.js';
import type { OpenBreakers } from './open-upstreams.js';
import type { Target } from './plan.js';
import { preflightProblems } from './preflight.js';
import { listedPrices, priceCeiling, routerCandidates } from './price-ceiling.js';
import { priceGuardProblem } from './price-guard.js';
import { isRetryable, isTargetSpecific, type RetryOn, retryDelayMs, sleep } from './retry-policy.js';
import { PreflightError, PriceGuardError } from './routing-errors.js';
import type { AttemptRecord } from './trace.js';

/** Shrinking a prompt that is too long: loaded on the first context-length problem (most apps never meet one). */
const loadContextRecovery = lazyModule("the SDK's context-length recovery", () => import('./context-recovery.js'));

export interface EngineDeps {
  config: ResolvedConfig;
  backend: ProviderBackend;
  breakers: CircuitBreakers;
  /** Which breakers are open (a cached view of the store). */
  openBreakers: OpenBreakers;
  health: HealthTracker;
  events: RoutingEvents;
  retryOn?: RetryOn;
  /** Remaining budget in USD for the price guard (undefined = no budget). */
  budget?: () => number | undefined | Promise<number | undefined>;
  random?: () => number;
}

/** What a successful attempt reports for the trace and the health/breaker bookkeeping. */
export interface AttemptInfo {
  servedModel?: string;
  provider?: string;
  usage?: Usage;
  costUsd?: number;
  ttftMs?: number;
}

/** One attempt of `request` with `deadlineMs` left. */
export type AttemptFn<T> = (request: ChatRequest, deadlineMs: number) => Promise<T>;

/** What a successful attempt's value tells the trace (kept apart from `AttemptFn` so an attempt needs no wrapper
 * promise to report it). */
export type DescribeFn<T> = (value: T, request: ChatRequest, startedAt: number) => AttemptInfo;

export interface Executed<T> {
  value: T;
  trace: AttemptRecord[];
  /** The trace record of the winning attempt (streams complete it when the stream ends). */
  record: AttemptRecord;
  /** The breaker key of the winning target, for outcome bookkeeping after a stream's first token. */
  key: string;
}

function attach(error: SwitchyardError, trace: AttemptRecord[]): SwitchyardError {
  error.attempts = trace;
  return error;
}

export function typedError(error: unknown): SwitchyardError {
  return error instanceof SwitchyardError ? error : new SwitchyardError(String(error), { cause: error });
}

/** Failures that say something about the target's health (server trouble), not about the request. */
export function countsAgainstTarget(error: SwitchyardError): boolean {
  return isRetryable(error);
}

/**
 * The routing loop shared by chat and stream: for each target, the price guard, the preflight, the circuit
 * breaker, then attempts with retries (Retry-After honoured, backoff with jitter, one deadline across everything),
 * context-length recovery, a lower `max_tokens` when a 402 names what the balance affords, and the move to the next
 * target when retrying cannot help.
 */
export async function executeTargets<T>(
  deps: EngineDeps,
  targets: Target[],
  catalog: readonly Model[] | undefined,
  deadlineAt: number,
  signal: AbortSignal | undefined,
  attempt: AttemptFn<T>,
  describe: DescribeFn<T>,
): Promise<Executed<T>> {
  const { config, backend, breakers, health, events } = deps;
  const trace: AttemptRecord[] = [];
  const retryOn = deps.retryOn ?? ((error: SwitchyardError) => isRetryable(error));
  const random = deps.random ?? Math.random;
  const routing = config.routing;
  const remainingBudget = deps.budget ? await deps.budget() : undefined;
  const open: { key: string; retryAt?: number }[] = [];
  let priceRefusals = 0;
  let lastError: SwitchyardError | undefined;
  const add = (full: AttemptRecord): AttemptRecord => {
    trace.push(full);
    events.emit('attempt', full);
    return full;
  };
  const push = (record: Omit<AttemptRecord, 'index'>): AttemptRecord => add({ index: trace.length + 1, ...record });
  const skip = (target: Target, reason: string, code: string) =>
    push({
      model: target.model,
      backend: backend.name,
      outcome: 'skipped',
      reason,
      code,
      startedAt: Date.now(),
      latencyMs: 0,
      waitedMs: 0,
    });

  for (let t = 0; t < targets.length; t++) {
    const target = targets[t] as Target;
    const next = targets[t + 1]?.model;
    let request = target.request;
    const row = catalog && target.model ? findModel(catalog, target.model) : undefined;
    const family = row?.architecture.tokenizer;
    if (row) {
      // Only catalog-backed checks need the estimate; without a catalog row it is not computed at all.
      let promptTokens = estimateRequestTokens(request, family).total;
      const worst = { promptTokens, maxOutputTokens: request.max_completion_tokens ?? request.max_tokens };
      // A router lists no price: judged at the dearest models it may pick, or it would pass any cap or budget.
      const ceiling = listedPrices(row) ? undefined : priceCeiling(catalog ?? [], routerCandidates(request));
      const refused = priceGuardProblem(row, routing, worst, remainingBudget, !target.requested, ceiling);
      if (refused) {
        priceRefusals++;
        skip(target, `price guard: ${refused}`, 'price_guard');
        if (next) events.emit('fallback', { from: target.model, to: next, reason: 'price guard' });
        continue;
      }
      if (routing.preflight !== 'off') {
        const context = row.context_length ?? row.top_provider.context_length ?? undefined;
        const output = request.max_completion_tokens ?? request.max_tokens ?? 0;
        if (context && (promptTokens + output) / context >= routing.contextWarnAt) {
          events.emit('context_warning', {
            model: target.model,
            promptTokens,
            contextLength: context,
            share: (promptTokens + output) / context,
          });
        }
        let problems = preflightProblems(request, row, promptTokens);
        if (problems.some((p) => p.kind === 'context') && routing.onContextLengthError !== 'fail' && context) {
          const { shrinkForContext } = await loadContextRecovery();
          const shrunk = shrinkForContext(request, routing.onContextLengthError, context, family);
          if (shrunk) {
            request = shrunk;
            promptTokens = estimateRequestTokens(request, family).total;
            problems = preflightProblems(request, row, promptTokens);
          }
        }
        if (problems.length > 0) {
          const detail = problems.map((p) => p.detail).join('; ');
          if (routing.preflight === 'reroute' && t + 1 < targets.length) {
            skip(target, `preflight: ${detail}`, 'preflight_failed');
            if (next) events.emit('fallback', { from: target.model, to: next, reason: 'preflight' });
            continue;
          }
          const error = problems.every((p) => p.kind === 'context')
            ? new ContextLengthError(`Preflight: ${detail}`, { model: target.model, status: 400 })
            : new PreflightError(`Preflight: ${detail}`, { model: target.model, status: 400, problems });
          skip(target, `preflight: ${detail}`, error.code);
          throw attach(error, trace);
        }
      }
    }

    const key = breakerKey(backend.name, target.model || '(default)');
    // The synchronous forms answer for an in-memory breaker store: a promise per check costs latency on every call.
    const admission = breakers.acquireNow(key) ?? (await breakers.acquire(key));
    if (!admission.allowed) {
      open.push({ key, retryAt: admission.retryAt });
      skip(
        target,
        `circuit open${admission.retryAt ? ` until ${new Date(admission.retryAt).toISOString()}` : ''}`,
        'circuit_open',
      );
      if (next) events.emit('fallback', { from: target.model, to: next, reason: 'circuit open' });
      continue;
    }
    const avoiding = avoidOpenUpstreams(deps, request, target.model);
    const routed = avoiding instanceof Promise ? await avoiding : avoiding;
    if ('open' in routed) {
      await breakers.release(key);
      open.push({ key: breakerKey(backend.name, target.model, routed.open[0]) });
      skip(target, `circuit open for every allowed upstream provider (${routed.open.join(', ')})`, 'circuit_open');
      if (next) events.emit('fallback', { from: target.model, to: next, reason: 'circuit open' });
      continue;
    }
    request = routed.request;

    let waited = 0;
    let contextRecovered = false;
    let creditsLowered = false;
    for (let tries = 1; ; tries++) {
      const startedAt = Date.now();
      const remaining = deadlineAt - startedAt;
      if (remaining <= 0) {
        await breakers.release(key);
        const error = new TimeoutError('The overall deadline passed before an answer arrived', {
          retryable: true,
          model: target.model,
        });
        error.phase = 'deadline';
        throw attach(lastError ? Object.assign(error, { cause: lastError }) : error, trace);
      }
      try {
        const value = await attempt(request, remaining);
        const info = describe(value, request, startedAt);
        if (!breakers.successNow(key)) await breakers.success(key);
        if (info.provider) {
          const upstream = breakerKey(backend.name, target.model, info.provider);
          if (!breakers.successNow(upstream)) await breakers.success(upstream);
        }
        const latencyMs = Date.now() - startedAt;
        health.record(key, { ok: true, latencyMs, ttftMs: info.ttftMs });
        const record = add({
          index: trace.length + 1,
          model: target.model,
          servedModel: info.servedModel,
          backend: backend.name,
          provider: info.provider,
          outcome: 'success',
          startedAt,
          latencyMs,
          ttftMs: info.ttftMs,
          waitedMs: waited,
          usage: info.usage,
          costUsd: info.costUsd,
        });
        return { value, trace, record, key };
      } catch (caught) {
        const error = typedError(caught);
        lastError = error;
        const latencyMs = Date.now() - startedAt;
        if (error instanceof AbortError || signal?.aborted) {
          await breakers.release(key);
          push({
            model: target.model,
            backend: backend.name,
            provider: error.provider,
            outcome: 'failed',
            code: error.code,
            message: error.message,
            reason: 'aborted',
            startedAt,
            latencyMs,
            waitedMs: waited,
          });
          throw attach(error, trace);
        }
        if (countsAgainstTarget(error)) {
          // A failure that names its upstream provider is that provider's: OpenRouter can route around it, so only
          // its own breaker counts it. Anonymous failures count against the model.
          const detail = { code: error.code, status: error.status, message: error.message };
          await breakers.failure(error.provider ? breakerKey(backend.name, target.model, error.provider) : key, detail);
        }
        health.record(key, { ok: false, latencyMs });
        const base = {
          model: target.model,
          backend: backend.name,
          provider: error.provider,
          generationId: error.generationId ?? error.partial?.generationId,
          status: error.status,
          code: error.code,
          message: error.message,
          startedAt,
          latencyMs,
          waitedMs: waited,
          // What a failure mid-answer was billed for (a partial completion), so ledgers summing attempts see it.
          costUsd: error.partial?.costUsd,
        };

        if (error instanceof ContextLengthError && !contextRecovered && routing.onContextLengthError !== 'fail') {
          const { contextLimitFromMessage, shrinkForContext } = await loadContextRecovery();
          const shrunk = shrinkForContext(
            request,
            routing.onContextLengthError,
            contextLimitFromMessage(error.message),
            family,
          );
          contextRecovered = true;
          if (shrunk) {
            push({
              ...base,
              outcome: 'retry',
              reason: `context length: retrying with ${routing.onContextLengthError === 'prune' ? 'pruned history' : 'the extra context dropped'}`,
            });
            request = shrunk;
            waited = 0;
            continue;
          }
        }
        const affordable =
          creditsLowered || routing.onInsufficientCredits === 'fail' ? undefined : lowerToAffordable(error, request);
        if (affordable) {
          creditsLowered = true;
          push({
            ...base,
            outcome: 'retry',
            reason: `insufficient credits: retrying with max_tokens ${affordable.tokens}`,
          });
          request = affordable.request;
          waited = 0;
          continue;
        }
        if (retryOn(error, tries) && tries < config.retry.attempts) {
          const wait = retryDelayMs(error, tries, config.retry, random);
          if (Date.now() + wait < deadlineAt) {
            push({
              ...base,
              outcome: 'retry',
              reason: `${error.code}: retrying in ${wait} ms${error.retryAfterMs !== undefined ? ' (server hint)' : ''}`,
            });
            events.emit('retry', { model: target.model, attempt: tries, waitMs: wait, code: error.code });
            await sleep(wait, signal);
            waited = wait;
            continue;
          }
          push({
            ...base,
            outcome: next ? 'fallback' : 'failed',
            reason: `${error.code}: waiting ${wait} ms would pass the deadline`,
          });
          if (next) events.emit('fallback', { from: target.model, to: next, reason: 'deadline' });
          break;
        }
        const canFallBack = isRetryable(error) || isTargetSpecific(error);
        if (!canFallBack || !next) {
          push({
            ...base,
            outcome: 'failed',
            reason: canFallBack ? 'no fallback left' : `${error.code} cannot succeed on another model`,
          });
          throw attach(withModelSuggestion(error, catalog), trace);
        }
        push({ ...base, outcome: 'fallback', reason: `${error.code}${tries > 1 ? ` after ${tries} tries` : ''}` });
        events.emit('fallback', { from: target.model, to: next, reason: error.code });
        break;
      }
    }
  }
  if (lastError) throw attach(withModelSuggestion(lastError, catalog), trace);
  if (open.length > 0) throw attach(CircuitOpenError.fromTargets(open), trace);
  if (priceRefusals > 0) {
    throw attach(
      new PriceGuardError('The price guard refused every target (see attempts for the reasons)', { retryable: false }),
      trace,
    );
  }
  throw attach(new SwitchyardError('No target to try'), trace);
}

/**
 * OpenRouter routes around upstream providers whose breakers are open for this model (`provider.ignore`). When the
 * caller's hard constraints (`only`, or `order` without fallbacks) leave nothing but open upstreams, the target is
 * skipped like an open breaker: `{ open: [...] }`.
 */
function avoidOpenUpstreams(deps: EngineDeps, request: ChatRequest, model: string): Routed | Promise<Routed> {
  if (!deps.backend.openRouterApi || !model || deps.openBreakers.noneOpen()) return { request };
  const prefix = breakerKey(deps.backend.name, model, '\u0000').slice(0, -1);
  // The cached view answers at once unless it is due for its refresh from the store.
  const keys = deps.openBreakers.underNow(prefix);
  if (keys) return routeAround(request, prefix, keys);
  return deps.openBreakers.under(prefix).then((under) => routeAround(request, prefix, under));
}

type Routed = { request: ChatRequest } | { open: string[] };

function routeAround(request: ChatRequest, prefix: string, keys: string[]): Routed {
  if (keys.length === 0) return { request };
  const open = keys.map((key) => decodeURIComponent(key.slice(prefix.length)));
  const isOpen = (name: string) => open.some((o) => o.toLowerCase() === name.toLowerCase());
  const preferences: ProviderPreferences = { ...request.provider };
  const hard = preferences.only ?? (preferences.allow_fallbacks === false ? preferences.order : undefined);
  if (hard?.every(isOpen)) return { open };
  if (preferences.only) preferences.only = preferences.only.filter((p) => !isOpen(p));
  if (preferences.order) preferences.order = preferences.order.filter((p) => !isOpen(p));
  preferences.ignore = [...new Set([...(preferences.ignore ?? []), ...open])];
  return { request: { ...request, provider: preferences } };
}
