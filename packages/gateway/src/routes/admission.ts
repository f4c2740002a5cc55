import { InvalidRequestError, PermissionDeniedError, RateLimitError, SwitchyardError } from '@switchyard/sdk';
import { estimateRequestTokens, estimateTextTokens } from '@switchyard/sdk/context';
import type { FastifyRequest } from 'fastify';
import { authenticate, callerId } from '../http/auth.js';
import type { Caller } from '../keys/key-types.js';
import { modelAllowed } from '../keys/virtual-keys.js';
import type { GatewayServices, Reservation } from '../server/services.js';
import { LedgerOverflowError } from '../stores/store-errors.js';

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
}

export class BudgetExceededError extends SwitchyardError {
  static override readonly kind: string = 'BudgetExceededError';
  override readonly code: string = 'budget_exceeded';
}

function field(name: string, expected: string, value: unknown): InvalidRequestError {
  const got = Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value;
  return new InvalidRequestError(`Invalid value for '${name}': expected ${expected}, received ${got}`, {
    status: 400,
    metadata: { field: name },
  });
}

/** Shape checks the gateway makes before anything else; the SDK validates parameter ranges on top. */
export function validateChatBody(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new InvalidRequestError('Request body must be a JSON object', { status: 400 });
  }
  const b = body as Record<string, unknown>;
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

/** Worst-case cost of a request on its model, from catalog prices (0 when the price is unknown). */
async function worstCase(
  services: GatewayServices,
  body: Record<string, unknown>,
): Promise<{ usd: number; tokens: number }> {
  const { sy } = services.upstream;
  const model = (body.model as string | undefined) ?? sy.config.defaultModel;
  const row = model ? await sy.models.get(model).catch(() => undefined) : undefined;
  const embedding = body.input !== undefined;
  const prompt = embedding
    ? estimateTextTokens(
        typeof body.input === 'string' ? body.input : JSON.stringify(body.input),
        row?.architecture.tokenizer,
      )
    : estimateRequestTokens(body as never, row?.architecture.tokenizer).total;
  const output = embedding
    ? 0
    : Number(body.max_completion_tokens ?? body.max_tokens ?? row?.top_provider.max_completion_tokens ?? 4096);
  if (!row) return { usd: 0, tokens: prompt + output };
  const price = (value: unknown) => Math.max(0, Number(value) || 0);
  return {
    usd: prompt * price(row.pricing.prompt) + output * price(row.pricing.completion) + price(row.pricing.request),
    tokens: prompt + output,
  };
}

/**
 * Admission of a chat request: who calls, is the body usable, may this key use this model, is it within its rate
 * limits and daily caps, and can its budget afford the worst case. Refusals are typed errors the route turns into
 * the error envelope (401, 400, 403, 429 with Retry-After and X-RateLimit-*, 402).
 */
export async function admit(
  request: FastifyRequest,
  services: GatewayServices,
  validate: (body: unknown) => Record<string, unknown> = validateChatBody,
): Promise<Admitted> {
  const caller = await authenticate(request, services);
  const admitted = await admitCaller(caller, validate(request.body), services);
  // Fault injection through the gateway is a testing aid of simulator mode; a real upstream never sees the header.
  const fault = request.headers['x-simulator-fault'];
  if (services.upstream.simulator && typeof fault === 'string')
    admitted.upstreamHeaders = { 'x-simulator-fault': fault };
  return admitted;
}

/** Shape checks of an embeddings request. */
export function validateEmbeddingBody(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new InvalidRequestError('Request body must be a JSON object', { status: 400 });
  }
  const b = body as Record<string, unknown>;
  if (typeof b.model !== 'string' || b.model === '') throw field('model', 'a model id', b.model);
  if (b.input === undefined || b.input === null || (Array.isArray(b.input) && b.input.length === 0)) {
    throw field('input', 'a string or a non-empty array', b.input);
  }
  return b;
}

/** Admission for an already authenticated caller (the WebSocket authenticates once, at the upgrade). */
export async function admitCaller(
  caller: Caller,
  body: Record<string, unknown>,
  services: GatewayServices,
): Promise<Admitted> {
  if (caller.kind === 'key' && !modelAllowed(caller.key, body.model as string | undefined)) {
    throw new PermissionDeniedError(
      `This key may not use model ${String(body.model ?? '(default)')}; allowed: ${caller.key.allowedModels.join(', ')}`,
      { status: 403 },
    );
  }
  if (!services.accounting.accepting()) {
    throw new LedgerOverflowError('The usage ledger is not keeping up; refusing new requests until it catches up', {
      status: 503,
      retryable: true,
      retryAfterMs: 1000,
    });
  }
  const cost = await worstCase(services, body);
  const rateHeaders: Record<string, string> = {};
  if (caller.kind === 'key') {
    const decision = await services.limiter.take({
      subject: callerId(caller),
      limits: caller.key.limits,
      tokens: cost.tokens,
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
  const reserved = await services.accounting.reserve(caller, cost.usd, cost.tokens);
  if (!reserved.ok) {
    if (caller.kind === 'key') await services.limiter.adjustTokens(callerId(caller), -cost.tokens);
    throw new BudgetExceededError(`Budget exceeded (${reserved.scope}): ${reserved.reason}`, {
      status: 402,
      metadata: { scope: reserved.scope },
    });
  }
  return { caller, body, reservation: reserved.reservation, estimatedTokens: cost.tokens, rateHeaders };
}
