import { type Model, PermissionDeniedError, RateLimitError, SwitchyardError } from '@switchyard/sdk';
import type { FastifyRequest } from 'fastify';
import { type WorstCase, worstCaseOn as worstCaseOnRow } from '../accounting/worst-case.js';
import { bodyObject, field } from '../dialects/request-errors.js';
import { authenticate, callerId } from '../http/auth.js';
import type { RenderError } from '../http/error-reply.js';
import type { Caller } from '../keys/key-types.js';
import { modelAllowed } from '../keys/virtual-keys.js';
import type { GatewayServices, Reservation, ReserveOutcome } from '../server/services.js';
import { LedgerOverflowError } from '../stores/store-errors.js';
import { catalogRow } from './catalog-row.js';

/** A request that passed authentication, validation, rate limits and the budget. */
export interface Admitted {
  caller: Caller;
  body: Record<string, unknown>;
  reservation?: Reservation;
  /** Tokens counted against `tokensPerMinute` at admission (corrected once usage is known). */
  estimatedTokens: number;
  rateHeaders: Record<string, string>;
  /** Request headers passed on upstream: only `x-simulator-fault`, and only to the embedded simulator. */
  upstreamHeaders?: Record<string, string>;
  /** The route's error envelope when its dialect has its own (see `serveAdmitted`); OpenRouter's when absent. */
  renderError?: RenderError;
}

export class BudgetExceededError extends SwitchyardError {
  static override readonly kind: string = 'BudgetExceededError';
  override readonly code: string = 'budget_exceeded';
}

/** A cost cap applies but the request cannot be priced: the model catalog could not be had (503, retryable). */
export class PricesUnavailableError extends SwitchyardError {
  static override readonly kind: string = 'PricesUnavailableError';
  override readonly code: string = 'prices_unavailable';
}

/** When a client refused for want of prices may try again: the catalog's remembered failure ends within a minute. */
const PRICES_RETRY_AFTER_MS = 10_000;

/** Shape checks the gateway makes before anything else; the SDK validates parameter ranges on top. */
export function validateChatBody(body: unknown): Record<string, unknown> {
  const b = bodyObject(body);
  if (!Array.isArray(b.messages) || b.messages.length === 0) throw field('messages', 'a non-empty array', b.messages);
  b.messages.forEach((m, i) => {
    if (typeof m !== 'object' || m === null || typeof (m as { role?: unknown }).role !== 'string')
      throw field(`messages[${i}].role`, 'a string', (m as { role?: unknown })?.role);
  });
  if (b.model !== undefined && typeof b.model !== 'string') throw field('model', 'a string', b.model);
  if (b.models !== undefined && (!Array.isArray(b.models) || b.models.some((m) => typeof m !== 'string')))
    throw field('models', 'an array of model ids', b.models);
  if (b.stream !== undefined && typeof b.stream !== 'boolean') throw field('stream', 'a boolean', b.stream);
  return b;
}

/** `worstCaseOn` with the listing in memory (the catalog's, when it could be had). */
function worstCaseOn(
  services: GatewayServices,
  body: Record<string, unknown>,
  model: string | undefined,
  row: Model | undefined,
): WorstCase {
  return worstCaseOnRow(body, model, row, () => {
    const listed = services.upstream.sy.models.peekList();
    return listed && 'value' in listed ? listed.value : undefined;
  });
}

/**
 * Worst-case cost of a request, from catalog prices: on its costliest candidate model (its `model`, and the models
 * of its own `models` fallback list, any of which may end up serving it). Synchronous while the catalog is in memory.
 */
function worstCase(services: GatewayServices, body: Record<string, unknown>): WorstCase | Promise<WorstCase> {
  const { sy } = services.upstream;
  const model = (body.model as string | undefined) ?? sy.config.defaultModel;
  const fallbacks = fallbackModels(body);
  if (fallbacks.length === 0) {
    if (!model) return worstCaseOn(services, body, undefined, undefined);
    const row = catalogRow(services, model);
    return row instanceof Promise
      ? row.then((known) => worstCaseOn(services, body, model, known))
      : worstCaseOn(services, body, model, row);
  }
  const ids = [...new Set(model ? [model, ...fallbacks] : fallbacks)];
  const rows = ids.map((id) => catalogRow(services, id));
  return rows.some((row) => row instanceof Promise)
    ? Promise.all(rows).then((known) => costliest(services, body, ids, known))
    : costliest(services, body, ids, rows as (Model | undefined)[]);
}

function costliest(
  services: GatewayServices,
  body: Record<string, unknown>,
  ids: readonly string[],
  rows: readonly (Model | undefined)[],
): WorstCase {
  const worst: WorstCase = { usd: 0, tokens: 0, rateTokens: 0 };
  rows.forEach((row, i) => {
    const cost = worstCaseOn(services, body, ids[i], row);
    worst.usd = Math.max(worst.usd, cost.usd);
    worst.tokens = Math.max(worst.tokens, cost.tokens);
    worst.rateTokens = Math.max(worst.rateTokens, cost.rateTokens);
    if (cost.unpriced) worst.unpriced ??= cost.unpriced;
    if (cost.pricesUnknown) worst.pricesUnknown = true;
  });
  return worst;
}

/** The models a request names (its `model` and its own `models` fallbacks); empty when it names none. */
function namedModels(body: Record<string, unknown>): string[] {
  const fallbacks = fallbackModels(body);
  return typeof body.model === 'string' ? [body.model, ...fallbacks] : fallbacks;
}

/** The request's own `models` fallback list (validated as strings for chat; ignored when not a list). */
const fallbackModels = (body: Record<string, unknown>): string[] =>
  Array.isArray(body.models) ? body.models.filter((m): m is string => typeof m === 'string') : [];

/** Checks (and may translate) a request body into the chat or embeddings body admitted; knows who calls. */
export type Validate = (body: unknown, caller: Caller) => Record<string, unknown> | Promise<Record<string, unknown>>;

/**
 * Admission of a chat request: who calls, is the body usable, may this key use this model, is it within its rate
 * limits and daily caps, and can its budget afford the worst case. Refusals are typed errors the route turns into
 * the error envelope (401, 400, 403, 429 with Retry-After and X-RateLimit-*, 402); they may be thrown at once or
 * come as a rejection. No promise is made when nothing needs to be waited for (open access, catalog in memory, no
 * budget to reserve): admission runs on every request.
 */
export function admit(
  request: FastifyRequest,
  services: GatewayServices,
  validate: Validate = validateChatBody,
): Admitted | Promise<Admitted> {
  // Fault injection through the gateway is a testing aid of simulator mode; a real upstream never sees the header.
  const fault = request.headers['x-simulator-fault'];
  const headers = services.upstream.simulator && typeof fault === 'string' ? { 'x-simulator-fault': fault } : undefined;
  const withHeaders = (admitted: Admitted) => {
    if (headers) admitted.upstreamHeaders = headers;
    return admitted;
  };
  const admitAs = (caller: Caller) => {
    const body = validate(request.body, caller);
    const admitted =
      body instanceof Promise
        ? body.then((b) => admitCaller(caller, b, services))
        : admitCaller(caller, body, services);
    return admitted instanceof Promise ? admitted.then(withHeaders) : withHeaders(admitted);
  };
  const caller = authenticate(request, services);
  return caller instanceof Promise ? caller.then(admitAs) : admitAs(caller);
}

/** Shape checks of an embeddings request. */
export function validateEmbeddingBody(body: unknown): Record<string, unknown> {
  const b = bodyObject(body);
  if (typeof b.model !== 'string' || b.model === '') throw field('model', 'a model id', b.model);
  if (b.input === undefined || b.input === null || (Array.isArray(b.input) && b.input.length === 0)) {
    throw field('input', 'a string or a non-empty array', b.input);
  }
  return b;
}

/** Admission for an already authenticated caller (the WebSocket authenticates once, at the upgrade). */
export function admitCaller(
  caller: Caller,
  body: Record<string, unknown>,
  services: GatewayServices,
): Admitted | Promise<Admitted> {
  if (caller.kind === 'key' && caller.key.allowedModels.length > 0) {
    // Every model the request names may serve it (its `models` are fallbacks): each must be allowed.
    const named = namedModels(body);
    const denied = named.length === 0 ? '(default)' : named.find((model) => !modelAllowed(caller.key, model));
    if (denied !== undefined) {
      throw new PermissionDeniedError(
        `This key may not use model ${denied}; allowed: ${caller.key.allowedModels.join(', ')}`,
        { status: 403 },
      );
    }
  }
  if (!services.accounting.accepting()) {
    throw new LedgerOverflowError('The usage ledger is not keeping up; refusing new requests until it catches up', {
      status: 503,
      retryable: true,
      retryAfterMs: 1000,
    });
  }
  const cost = worstCase(services, body);
  // Open access has no rate limits: with the cost known, only the budget is left (often nothing to reserve).
  if (caller.kind === 'open' && !(cost instanceof Promise)) {
    const reserved = services.accounting.reserve(caller, reservedUsd(cost), cost.tokens);
    return reserved instanceof Promise
      ? reserved.then((outcome) => admittedOrRefused(caller, body, cost, outcome, {}))
      : admittedOrRefused(caller, body, cost, reserved, {});
  }
  return admitWaiting(caller, body, services, cost);
}

/** The rest of `admitCaller` where something must be waited for: the catalog, the rate limiter, the budget store. */
async function admitWaiting(
  caller: Caller,
  body: Record<string, unknown>,
  services: GatewayServices,
  pendingCost: WorstCase | Promise<WorstCase>,
): Promise<Admitted> {
  const cost = await pendingCost;
  const rateHeaders: Record<string, string> = {};
  if (caller.kind === 'key') {
    const decision = await services.limiter.take({
      subject: callerId(caller),
      limits: caller.key.limits,
      tokens: cost.rateTokens,
    });
    if (decision.limit !== undefined) {
      rateHeaders['x-ratelimit-limit'] = String(decision.limit);
      rateHeaders['x-ratelimit-remaining'] = String(decision.remaining ?? 0);
      rateHeaders['x-ratelimit-reset'] = String(decision.resetAt ?? '');
    }
    if (!decision.ok) {
      const error = new RateLimitError(
        `Rate limit exceeded: ${decision.which} (${decision.limit}) for key ${caller.key.name}`,
        {
          status: 429,
          retryable: true,
          retryAfterMs: decision.retryAfterMs,
          metadata: { headers: rateHeaders, limit_source: decision.which },
        },
      );
      throw Object.assign(error, { headers: rateHeaders });
    }
  }
  const reserved = await services.accounting.reserve(caller, reservedUsd(cost), cost.tokens);
  // A refused request gives back the tokens it was counted for.
  if (!reserved.ok && caller.kind === 'key') await services.limiter.adjustTokens(callerId(caller), -cost.rateTokens);
  return admittedOrRefused(caller, body, cost, reserved, rateHeaders);
}

/** The worst case to reserve; undefined when it could not be priced (see `Accounting.reserve`). */
const reservedUsd = (cost: WorstCase) => (cost.pricesUnknown ? undefined : cost.usd);

function admittedOrRefused(
  caller: Caller,
  body: Record<string, unknown>,
  cost: WorstCase,
  reserved: ReserveOutcome,
  rateHeaders: Record<string, string>,
): Admitted {
  if (!reserved.ok && reserved.pricesUnknown) {
    throw new PricesUnavailableError(
      `Budget (${reserved.scope}) cannot be enforced: the model catalog is unavailable, so the request's worst-case cost is unknown; try again shortly`,
      { status: 503, retryable: true, retryAfterMs: PRICES_RETRY_AFTER_MS, metadata: { scope: reserved.scope } },
    );
  }
  if (!reserved.ok) {
    // Otherwise a typo'd model id refused here would puzzle: say why its worst case is what it is.
    const unpriced = cost.unpriced
      ? `; ${cost.unpriced} has no known price (a router, or a model the catalog does not list), so its worst case is reckoned at the highest catalog prices`
      : '';
    // Without max_tokens the worst case is the longest answer the model allows, often far above what it will cost.
    const unbounded =
      body.input === undefined && body.max_tokens === undefined && body.max_completion_tokens === undefined
        ? '; the request sets no max_tokens, so its worst case is the longest answer the model allows: set max_tokens to reserve less'
        : '';
    throw new BudgetExceededError(`Budget exceeded (${reserved.scope}): ${reserved.reason}${unpriced}${unbounded}`, {
      status: 402,
      metadata: { scope: reserved.scope },
    });
  }
  return { caller, body, reservation: reserved.reservation, estimatedTokens: cost.rateTokens, rateHeaders };
}
