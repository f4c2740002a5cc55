import type { ServerResponse } from 'node:http';
import type { KeyRecord } from '../account/accounts.js';
import { type GenerationFacts, generationRecord } from '../account/generation-record.js';
import type { SimContext } from '../context.js';
import type { ErrorBody200Fault, FaultRule, MidStreamErrorFault } from '../faults/fault-types.js';
import { sendJson } from '../http/io.js';
import type { ResponseSession } from '../http/session.js';
import type { SimError } from '../http/sim-error.js';
import type { StreamShape } from '../options.js';
import { parseUsd } from '../util/money.js';
import { completeChat, type Served } from './complete-chat.js';
import { pacingFor } from './pacing.js';
import { familyOf } from './reasoning.js';
import type { Frame, StreamMeta } from './stream-frames.js';
import { computeUsage } from './usage.js';
import { validateChatRequest } from './validate-chat.js';
import { writeCompletion } from './write-completion.js';
import { deliveredTokens, type StreamJob, writeStream } from './write-stream.js';

/** Answers an error before any output, in a skin's envelope (`sendError`'s signature). */
export type ErrorSender = (
  res: ServerResponse,
  error: SimError,
  userId?: string,
  headers?: Record<string, string>,
) => void;

/** A non-stream answer that failed mid-generation (the `mid-stream-error` fault): what came before the failure. */
export interface Failure {
  /** Content tokens generated before the failure. */
  kept: number;
  /** Usage of that part, which is what gets billed. */
  usage: Record<string, unknown>;
  error: { code: number; message: string; metadata: { error_type: string } };
}

/**
 * How one inference skin (chat completions, legacy completions, Anthropic messages) renders what the chat pipeline
 * served. Every skin shares validation, routing, faults, usage, pacing, billing and `/generation` records; only the
 * words on the wire differ.
 */
export interface ChatSkin {
  /** The choice form of chat-shaped chunks (legacy completions: `text`). */
  form?: StreamMeta['form'];
  fail: ErrorSender;
  /** The non-stream answer's body. */
  body(served: Served, meta: StreamMeta, failure: Failure | undefined): Record<string, unknown>;
  /** HTTP status of a failed non-stream answer; without it the failure rides in a 200 (OpenRouter's chat form). */
  failureStatus?(failure: Failure): number;
  /** The healthy stream, complete. */
  frames(served: Served, meta: StreamMeta, shape: StreamShape): Frame[];
  /** The body of the `error-200` fault. */
  error200(fault: ErrorBody200Fault, meta: StreamMeta, userId: string): Record<string, unknown>;
  errorFrames?: StreamJob['errorFrames'];
  malformedFrame?: StreamJob['malformedFrame'];
}

/** Usage of the first `completionTokens` output tokens of a served answer (partial output is billed). */
export function partialUsage(served: Served, completionTokens: number): Record<string, unknown> {
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

function failureOf(served: Served, fault: MidStreamErrorFault): Failure {
  const kept = Math.min(fault.afterChunks ?? 2, served.plan.content.length);
  const code = fault.code ?? 502;
  return {
    kept,
    usage: partialUsage(served, kept),
    error: {
      code,
      message: fault.message ?? 'Provider returned error',
      metadata: { error_type: fault.errorType ?? (code === 429 ? 'rate_limit_exceeded' : 'provider_unavailable') },
    },
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

/** An inference route's handler: the parsed JSON body of an authenticated request, and a fault rule from its header. */
export type InferenceHandler = (
  ctx: SimContext,
  session: ResponseSession,
  body: Record<string, unknown>,
  key: KeyRecord,
  headerRule?: FaultRule,
) => Promise<void>;

/** Runs a chat-shaped request through the whole pipeline and answers it in `skin`'s words. */
export async function serveChat(
  ctx: SimContext,
  session: ResponseSession,
  body: Record<string, unknown>,
  key: KeyRecord,
  headerRule: FaultRule | undefined,
  skin: ChatSkin,
): Promise<void> {
  const res = session.res;
  const invalid = validateChatRequest(body);
  if (invalid) return skin.fail(res, invalid, key.userId);
  const outcome = completeChat(ctx, body, key, headerRule);
  if (!outcome.ok) return skin.fail(res, outcome.error, key.userId);
  const served = outcome.served;
  const stream = body.stream === true;
  const created = Math.floor(ctx.now() / 1000);
  const meta: StreamMeta = {
    id: ctx.nextGenerationId(created),
    provider: served.endpoint.provider_name,
    model: served.model.id,
    created,
    family: familyOf(served.model),
    form: skin.form,
  };
  const fault = served.fault;
  const headers = { 'x-generation-id': meta.id };
  const outputTokens = served.plan.completionTokens;
  const pacing = pacingFor(ctx.settings.pace, served.endpoint, outputTokens);
  const latency = Math.round(pacing.ttftMs + outputTokens * pacing.msPerToken);

  if (fault?.kind === 'slow-headers') await session.sleep(fault.delayMs);
  if (session.closed) return;
  if (fault?.kind === 'reset-before-headers') return session.reset();
  if (fault?.kind === 'error-200') return sendJson(res, 200, skin.error200(fault, meta, key.userId), headers);
  if (!stream) {
    const failure = fault?.kind === 'mid-stream-error' ? failureOf(served, fault) : undefined;
    const answer = skin.body(served, meta, failure);
    record(ctx, served, meta, key, failure?.usage ?? served.usage, false, latency, failure !== undefined);
    const status = failure && skin.failureStatus ? skin.failureStatus(failure) : 200;
    const keepAliveMs = ctx.settings.nonStreamKeepAliveMs;
    return writeCompletion(session, { body: answer, headers, status, delayMs: latency, keepAliveMs }, fault);
  }
  const shape = ctx.settings.stream;
  const frames = skin.frames(served, meta, shape);
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
    errorFrames: skin.errorFrames,
    malformedFrame: skin.malformedFrame,
  });
}
