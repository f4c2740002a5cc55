import type { KeyRecord } from '../account/accounts.js';
import { completeChat, type Served } from '../chat/complete-chat.js';
import { pacingFor } from '../chat/pacing.js';
import { familyOf } from '../chat/reasoning.js';
import { buildFrames, type StreamMeta } from '../chat/stream-frames.js';
import { computeUsage } from '../chat/usage.js';
import { validateChatRequest } from '../chat/validate-chat.js';
import { writeCompletion } from '../chat/write-completion.js';
import { deliveredTokens, writeStream } from '../chat/write-stream.js';
import type { SimContext } from '../context.js';
import type { FaultRule } from '../faults/fault-types.js';
import { sendError, sendJson } from '../http/io.js';
import type { ResponseSession } from '../http/session.js';
import { parseUsd } from '../util/money.js';

function partialUsage(served: Served, completionTokens: number): Record<string, unknown> {
  const details = served.usage.prompt_tokens_details as Record<string, number>;
  return computeUsage({
    endpoint: served.endpoint,
    promptTokens: served.promptTokens,
    cachedTokens: details.cached_tokens ?? 0,
    cacheWriteTokens: details.cache_write_tokens ?? 0,
    completionTokens: Math.min(completionTokens, served.plan.completionTokens),
    reasoningTokens: Math.min(completionTokens, served.plan.reasoningTokens),
    images: 0,
  }).usage;
}

function message(served: Served, contentTokens = served.plan.content.length): Record<string, unknown> {
  const plan = served.plan;
  const out: Record<string, unknown> = {
    role: 'assistant',
    content: plan.content.slice(0, contentTokens).join(''),
    refusal: null,
    reasoning: plan.reasoningVisible ? plan.reasoning.join('') : null,
  };
  if (plan.reasoningDetails) out.reasoning_details = plan.reasoningDetails;
  if (plan.toolCalls.length > 0) {
    out.tool_calls = plan.toolCalls.map((call) => ({
      id: call.id,
      type: 'function',
      function: { name: call.name, arguments: call.arguments },
    }));
  }
  return out;
}

function completionBody(served: Served, meta: StreamMeta): Record<string, unknown> {
  const fault = served.fault;
  const choice: Record<string, unknown> = {
    logprobs: null,
    finish_reason: served.plan.finishReason,
    native_finish_reason: served.plan.nativeFinishReason,
    index: 0,
    message: message(served),
  };
  let usage = served.usage;
  if (fault?.kind === 'mid-stream-error') {
    // Non-streaming form of a failure mid-generation: partial content, finish "error", the error on the choice.
    const kept = Math.min(fault.afterChunks ?? 2, served.plan.content.length);
    const code = fault.code ?? 502;
    choice.message = message(served, kept);
    choice.finish_reason = 'error';
    choice.native_finish_reason = 'error';
    choice.error = {
      code,
      message: fault.message ?? 'Provider returned error',
      metadata: { error_type: fault.errorType ?? (code === 429 ? 'rate_limit_exceeded' : 'provider_unavailable') },
    };
    usage = partialUsage(served, kept);
  }
  return {
    id: meta.id,
    provider: meta.provider,
    model: meta.model,
    object: 'chat.completion',
    created: meta.created,
    choices: [choice],
    system_fingerprint: null,
    usage,
  };
}

/**
 * What a `/generation` record is made of, copied out as plain values when the request is served. The store keeps
 * 20,000 records and most are never read, so the full record is built on first read, and the copy keeps the store
 * from holding on to requests, plans and usage objects (building records eagerly showed in throughput profiles).
 */
interface GenerationFacts {
  id: string;
  created: number;
  model: string;
  provider: string;
  streamed: boolean;
  latency: number;
  cost: number;
  promptTokens: number;
  completionTokens: number;
  reasoningTokens: number;
  cachedTokens: number;
  finishReason: string;
  nativeFinishReason: string;
  sessionId: string | null;
  user: string | null;
  endpointTag: string;
  permaslug: string;
  userId: string;
}

function generationRecord(f: GenerationFacts): Record<string, unknown> {
  return {
    id: f.id,
    upstream_id: `chatcmpl-${f.id.slice(-20)}`,
    total_cost: f.cost,
    cache_discount: null,
    upstream_inference_cost: null,
    created_at: new Date(f.created * 1000).toISOString(),
    model: f.model,
    app_id: null,
    streamed: f.streamed,
    cancelled: false,
    provider_name: f.provider,
    latency: f.latency,
    moderation_latency: null,
    generation_time: f.latency,
    finish_reason: f.finishReason,
    native_finish_reason: f.nativeFinishReason,
    service_tier: null,
    session_id: f.sessionId,
    tokens_prompt: f.promptTokens,
    tokens_completion: f.completionTokens,
    native_tokens_prompt: f.promptTokens,
    native_tokens_completion: f.completionTokens,
    native_tokens_completion_images: 0,
    native_tokens_reasoning: f.reasoningTokens,
    native_tokens_cached: f.cachedTokens,
    num_media_prompt: null,
    num_input_audio_prompt: null,
    num_media_completion: 0,
    num_search_results: null,
    num_fetches: null,
    web_search_engine: null,
    origin: '',
    usage: f.cost,
    is_byok: false,
    external_user: f.user,
    api_type: 'completions',
    preset_id: null,
    router: null,
    provider_responses: [
      {
        id: f.id,
        endpoint_id: `${f.endpointTag}|${f.model}`,
        model_permaslug: f.permaslug,
        provider_name: f.provider,
        status: 200,
        latency: f.latency,
        is_byok: false,
      },
    ],
    user_agent: null,
    http_referer: null,
    data_region: 'global',
    workspace_id: null,
    creator_user_id: f.userId,
  };
}

/** Charges the key and stores the `/generation` record for what the client actually received. */
function record(
  ctx: SimContext,
  served: Served,
  meta: StreamMeta,
  key: KeyRecord,
  usage: Record<string, unknown>,
  stream: boolean,
  latency: number,
  failed: boolean,
): void {
  const cost = usage === served.usage ? served.costFemto : parseUsd(usage.cost);
  ctx.accounts.charge(key, cost);
  const tokens = usage as Record<string, number>;
  const facts: GenerationFacts = {
    id: meta.id,
    created: meta.created,
    model: meta.model,
    provider: meta.provider,
    streamed: stream,
    latency,
    cost: tokens.cost as number,
    promptTokens: tokens.prompt_tokens as number,
    completionTokens: tokens.completion_tokens as number,
    reasoningTokens: (usage.completion_tokens_details as Record<string, number>).reasoning_tokens ?? 0,
    cachedTokens: (usage.prompt_tokens_details as Record<string, number>).cached_tokens ?? 0,
    finishReason: failed ? 'error' : served.plan.finishReason,
    nativeFinishReason: failed ? 'error' : served.plan.nativeFinishReason,
    sessionId: typeof served.request.session_id === 'string' ? served.request.session_id : null,
    user: typeof served.request.user === 'string' ? served.request.user : null,
    endpointTag: served.endpoint.tag,
    permaslug: served.model.canonical_slug,
    userId: key.userId,
  };
  ctx.generations.add(meta.id, key.key, () => generationRecord(facts));
}

/** `POST /chat/completions`. */
export async function handleChat(
  ctx: SimContext,
  session: ResponseSession,
  body: Record<string, unknown>,
  key: KeyRecord,
  headerRule?: FaultRule,
): Promise<void> {
  const res = session.res;
  if (typeof body.prompt === 'string' && body.messages === undefined) {
    body.messages = [{ role: 'user', content: body.prompt }];
  }
  const invalid = validateChatRequest(body);
  if (invalid) return sendError(res, invalid, key.userId);
  const outcome = completeChat(ctx, body, key, headerRule);
  if (!outcome.ok) return sendError(res, outcome.error, key.userId);
  const served = outcome.served;
  const stream = body.stream === true;
  const created = Math.floor(ctx.now() / 1000);
  const meta: StreamMeta = {
    id: ctx.nextGenerationId(created),
    provider: served.endpoint.provider_name,
    model: served.model.id,
    created,
    family: familyOf(served.model),
  };
  const fault = served.fault;
  const headers = { 'x-generation-id': meta.id };
  const outputTokens = served.plan.completionTokens;
  const pacing = pacingFor(ctx.settings.pace, served.endpoint, outputTokens);
  const latency = Math.round(pacing.ttftMs + outputTokens * pacing.msPerToken);

  if (fault?.kind === 'slow-headers') await session.sleep(fault.delayMs);
  if (session.closed) return;
  if (fault?.kind === 'reset-before-headers') return session.reset();
  if (fault?.kind === 'error-200') {
    const code = fault.code ?? 500;
    return sendJson(
      res,
      200,
      { error: { message: fault.message ?? 'Internal Server Error', code }, user_id: key.userId },
      headers,
    );
  }
  if (!stream) {
    const body = completionBody(served, meta);
    record(
      ctx,
      served,
      meta,
      key,
      body.usage as Record<string, unknown>,
      false,
      latency,
      fault?.kind === 'mid-stream-error',
    );
    return writeCompletion(session, body, headers, latency, fault);
  }
  const shape = ctx.settings.stream;
  const frames = buildFrames(meta, served.plan, served.usage, shape);
  // A stream cut short by a fault is billed and recorded for what was delivered, as OpenRouter bills partial output.
  const delivered = deliveredTokens(frames, fault);
  const usage = delivered === undefined ? served.usage : partialUsage(served, delivered);
  record(ctx, served, meta, key, usage, true, latency, fault?.kind === 'mid-stream-error');
  await writeStream({
    session,
    headers,
    frames,
    meta,
    shape,
    pacing,
    fault,
    partialUsage: (sent) => partialUsage(served, sent),
  });
}
