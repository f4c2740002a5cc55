import type { KeyRecord } from '../account/accounts.js';
import type { ResolvedModel } from '../catalog/catalog.js';
import type { SimContext } from '../context.js';
import { faultError, isStatusFault } from '../faults/fault-errors.js';
import type { FaultContext } from '../faults/fault-matcher.js';
import type { Fault, FaultRule } from '../faults/fault-types.js';
import { type SimError, simError } from '../http/sim-error.js';
import { bump, bumpTarget } from '../stats.js';
import type { CatalogEndpoint, CatalogModel } from '../types.js';
import { parseUsd } from '../util/money.js';
import { hash32, Rng } from '../util/prng.js';
import { compressMiddleOut, middleOutEnabled } from './middle-out.js';
import { type CompletionPlan, planCompletion, textOf } from './plan.js';
import { checkReplayedReasoning, checkThinkingBudget, decideReasoning } from './reasoning.js';
import { type ProviderPreferences, routeEndpoints } from './route-endpoints.js';
import { countImages, promptTokens } from './tokens.js';
import { orphanToolResult } from './tool-history.js';
import { computeUsage } from './usage.js';

/** A request that found a model and an endpoint to serve it. */
export interface Served {
  model: CatalogModel;
  endpoint: CatalogEndpoint;
  request: Record<string, unknown>;
  plan: CompletionPlan;
  usage: Record<string, unknown>;
  costFemto: bigint;
  promptTokens: number;
  /** A transport or body fault to apply while answering. */
  fault?: Fault;
}

export type ChatOutcome = { ok: true; served: Served } | { ok: false; error: SimError };

type Message = Record<string, unknown>;

/** The request fields requestHash leaves out (keep in step with its destructuring). */
const UNHASHED = ['stream', 'stream_options', 'provider', 'models', 'usage', 'user', 'metadata', 'session_id', 'trace'];

function requestHash(seed: string, request: Record<string, unknown>): string {
  // `stream` and routing fields do not change what the model says. A request without any of them serialises the
  // same as the copy without them, so the copy (visible in throughput profiles) is only made when needed.
  let hashed = request;
  if (UNHASHED.some((name) => Object.hasOwn(request, name))) {
    const { stream, stream_options, provider, models, usage, user, metadata, session_id, trace, ...rest } = request;
    hashed = rest;
  }
  return `${seed}|${hash32(JSON.stringify(hashed)).toString(36)}`;
}

function note(ctx: SimContext, rule: FaultRule, fault: Fault): void {
  bump(ctx.stats.faults, rule.id ?? fault.kind);
}

/** Picks a concrete model for `openrouter/auto`: a popular paid chat model that fits the request. */
function autoRoute(ctx: SimContext, request: Record<string, unknown>, rng: Rng): ResolvedModel | undefined {
  const needsTools = Array.isArray(request.tools) && request.tools.length > 0;
  const plugin = (request.plugins as Message[] | undefined)?.find((p) => p.id === 'auto-router');
  const allowed = (plugin?.allowed_models as string[] | undefined)?.map(
    (glob) => new RegExp(`^${glob.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`),
  );
  const candidates = ctx.catalog.models
    .filter(
      (m) =>
        m.endpoints.length > 0 &&
        !m.id.endsWith(':free') &&
        m.architecture.output_modalities.includes('text') &&
        (!needsTools || m.supported_parameters.includes('tools')) &&
        (!allowed || allowed.some((re) => re.test(m.id))),
    )
    .slice(0, 8);
  if (candidates.length === 0) return undefined;
  const row = rng.pick(candidates);
  return { requested: 'openrouter/auto', row, variants: [] };
}

/** Runs a chat request through model fallback, limits, routing and provider fallback, as OpenRouter does. */
export function completeChat(
  ctx: SimContext,
  input: Record<string, unknown>,
  key: KeyRecord,
  headerRule?: FaultRule,
): ChatOutcome {
  const stream = input.stream === true;
  const faultCtx: FaultContext = { endpoint: 'chat', stream, key: key.key };
  const requested = typeof input.model === 'string' && input.model !== '' ? input.model : undefined;
  const extra = ((input.models as string[] | undefined) ?? []).filter((id) => id !== requested);
  const ids = requested ? [requested, ...extra] : extra.length > 0 ? extra : [ctx.settings.defaultModel];
  const rng = new Rng(requestHash(ctx.settings.seed, input));

  const resolved: ResolvedModel[] = [];
  for (const id of ids) {
    const found = id === 'openrouter/auto' ? autoRoute(ctx, input, rng.fork('auto')) : ctx.catalog.resolve(id);
    if (!found)
      return {
        ok: false,
        error: { ...simError(400, `${id} is not a valid model ID`), extra: { error_type: 'invalid_request' } },
      };
    if (!found.row.architecture.output_modalities.includes('text')) {
      return {
        ok: false,
        error: simError(400, `${id} is not a chat model. Use the /api/v1/embeddings endpoint with this model.`),
      };
    }
    resolved.push(found);
  }

  let pending: Fault | undefined;
  const request = ctx.faults.check('request', faultCtx, headerRule);
  if (request) {
    note(ctx, request.rule, request.fault);
    if (!isStatusFault(request.fault)) pending = request.fault;
  }
  const userText = textOf([...(input.messages as Message[])].reverse().find((m) => m.role === 'user')?.content);
  let lastError: SimError | undefined;

  for (const model of resolved) {
    const row = model.row;
    bumpTarget(ctx.stats.models, row.id, false);
    let effective = input;
    let tokens = promptTokens(input);
    const output = Number(input.max_completion_tokens ?? input.max_tokens ?? 0);
    const widest = Math.max(...row.endpoints.map((e) => e.context_length));
    if (tokens.total + output > widest && middleOutEnabled(input, widest)) {
      effective = compressMiddleOut(input, widest - output);
      tokens = promptTokens(effective);
    }
    const scene = {
      model: row.id,
      provider: row.endpoints[0]?.provider_name ?? 'OpenRouter',
      now: ctx.now(),
      promptTokens: tokens.total,
      contextLength: widest,
      userText,
    };
    if (request && isStatusFault(request.fault))
      return { ok: false, error: faultError(request.fault, scene, false) as SimError };
    let modelFault = pending;
    // Literals, not `{ ...faultCtx, model }`: spreading plus extra properties is a slow path in V8 (~0.5 µs each).
    const modelCtx: FaultContext = { endpoint: 'chat', stream, key: key.key, model: row.id };
    const hit = ctx.faults.check('model', modelCtx, headerRule);
    if (hit) {
      note(ctx, hit.rule, hit.fault);
      if (isStatusFault(hit.fault)) {
        lastError = faultError(hit.fault, scene, false);
        continue;
      }
      modelFault = hit.fault;
    }
    if (row.id.endsWith(':free')) {
      const limited = ctx.freeTier.take(key.key);
      if (limited) {
        lastError = limited;
        continue;
      }
    }
    const reasoning = decideReasoning(row, input);
    if (typeof reasoning === 'string') {
      lastError = simError(400, reasoning);
      continue;
    }
    const replay =
      checkThinkingBudget(row, input, reasoning.tokens) ??
      checkReplayedReasoning(row, input.messages as Message[]) ??
      orphanToolResult(input.messages as Message[]);
    if (replay) {
      lastError = simError(400, 'Provider returned error', { raw: replay, provider_name: scene.provider });
      continue;
    }
    const routed = routeEndpoints({
      catalog: ctx.catalog,
      model,
      request: effective,
      prefs: input.provider as ProviderPreferences | undefined,
      promptTokens: tokens.total,
      rng: rng.fork('route'),
    });
    if (!routed.ok) {
      lastError = routed.error;
      continue;
    }
    const prefs = input.provider as ProviderPreferences | undefined;
    const stickyKey = ctx.sticky.key(key.key, row.id, effective);
    const endpoints = prefs?.order?.length ? routed.endpoints : ctx.sticky.apply(stickyKey, routed.endpoints);
    const remaining = ctx.accounts.remaining(key);
    const free = row.id.endsWith(':free');
    if (remaining <= 0n && (!free || remaining < 0n)) {
      return {
        ok: false,
        error: {
          ...simError(402, 'Insufficient credits. Add more using https://openrouter.ai/credits'),
          extra: { error_type: 'payment_required' },
        },
      };
    }
    for (const endpoint of endpoints) {
      bumpTarget(ctx.stats.providers, endpoint.provider_name, false);
      const names = [endpoint.provider_name, endpoint.tag, ctx.catalog.provider(endpoint.provider_name)?.slug ?? ''];
      const providerCtx: FaultContext = { endpoint: 'chat', stream, key: key.key, model: row.id, providerNames: names };
      const providerHit = ctx.faults.check('provider', providerCtx, headerRule);
      let fault = modelFault;
      if (providerHit) {
        note(ctx, providerHit.rule, providerHit.fault);
        if (isStatusFault(providerHit.fault)) {
          lastError = faultError(providerHit.fault, { ...scene, provider: endpoint.provider_name }, true);
          // OpenRouter moves to the next provider on 5xx, 429 and timeouts; other upstream errors end this model.
          if (lastError?.retryable && prefs?.allow_fallbacks !== false) continue;
          break;
        }
        fault = providerHit.fault;
      }
      const affordable = affordability(ctx, key, endpoint, tokens.total, effective, free);
      if (affordable) return { ok: false, error: affordable };
      const plan = planCompletion({
        model: row,
        endpoint,
        request: effective,
        rng: rng.fork(`model:${row.id}`),
        reasoningBudget: reasoning,
        replyRange: ctx.settings.replyRange,
        forcedText: fault?.kind === 'invalid-output' ? (fault.text ?? '{"answer": "unfinished') : undefined,
      });
      const cache = ctx.promptCache.apply(row.id, endpoint, effective, tokens.cumulative);
      const { usage, costFemto } = computeUsage({
        endpoint,
        promptTokens: tokens.total,
        cachedTokens: cache.cachedTokens,
        cacheWriteTokens: cache.cacheWriteTokens,
        completionTokens: plan.completionTokens,
        reasoningTokens: plan.reasoningTokens,
        images: countImages(effective.messages as Message[]),
      });
      ctx.sticky.remember(stickyKey, endpoint);
      bumpTarget(ctx.stats.models, row.id, true);
      bumpTarget(ctx.stats.providers, endpoint.provider_name, true);
      return {
        ok: true,
        served: { model: row, endpoint, request: effective, plan, usage, costFemto, promptTokens: tokens.total, fault },
      };
    }
  }
  return { ok: false, error: lastError ?? simError(404, 'No endpoints found for the requested models.') };
}

/** OpenRouter refuses a request whose worst-case cost exceeds what the key can still spend (402). */
function affordability(
  ctx: SimContext,
  key: KeyRecord,
  endpoint: CatalogEndpoint,
  prompt: number,
  request: Record<string, unknown>,
  free: boolean,
): SimError | undefined {
  if (free) return undefined;
  const remaining = ctx.accounts.remaining(key);
  const promptPrice = parseUsd(endpoint.pricing.prompt);
  const completionPrice = parseUsd(endpoint.pricing.completion);
  const maxOut = Number(
    request.max_completion_tokens ??
      request.max_tokens ??
      endpoint.max_completion_tokens ??
      endpoint.context_length - prompt,
  );
  const worst =
    BigInt(prompt) * promptPrice + BigInt(Math.max(0, maxOut)) * completionPrice + parseUsd(endpoint.pricing.request);
  if (worst <= remaining) return undefined;
  const affordable = completionPrice > 0n ? (remaining - BigInt(prompt) * promptPrice) / completionPrice : 0n;
  return {
    status: 402,
    message:
      `This request requires more credits, or fewer max_tokens. You requested up to ${maxOut} tokens, but can only ` +
      `afford ${affordable > 0n ? affordable : 0n}. To increase, visit https://openrouter.ai/settings/credits and upgrade to a paid account`,
    metadata: { provider_name: null },
    extra: { error_type: 'payment_required' },
  };
}
