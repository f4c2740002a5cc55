import type { ServerResponse } from 'node:http';
import type { Served } from '../chat/complete-chat.js';
import { pacingFor } from '../chat/pacing.js';
import { type ChatSkin, partialUsage } from '../chat/serve-chat.js';
import { DONE_FRAME, type Frame, inBandError, type StreamMeta } from '../chat/stream-frames.js';
import type { SimContext } from '../context.js';
import { CHAT_SKIN } from '../handlers/chat.js';
import { CORS_ANSWER } from '../http/cors.js';
import { sendError, sendJson } from '../http/io.js';
import type { SimError } from '../http/sim-error.js';
import {
  echoFields,
  outputItems,
  type ResponseHead,
  type ResponseIds,
  type ResponseState,
  responseIds,
  responseObject,
  responsesError,
  responsesUsage,
} from './responses-output.js';
import { type EventFrames, outputSoFar, responseStream } from './responses-stream.js';

type Body = Record<string, unknown>;

/** Errors the Responses skin answers as a successful, incomplete response instead (reference §6.4). */
const TOKEN_LIMITS = new Set([
  'context_length_exceeded',
  'max_tokens_exceeded',
  'token_limit_exceeded',
  'string_too_long',
]);

const NO_USAGE: Body = {
  input_tokens: 0,
  input_tokens_details: { cached_tokens: 0, cache_write_tokens: 0 },
  output_tokens: 0,
  output_tokens_details: { reasoning_tokens: 0 },
  total_tokens: 0,
  cost: 0,
  is_byok: false,
  cost_details: { upstream_inference_cost: null, upstream_inference_input_cost: 0, upstream_inference_output_cost: 0 },
};

/**
 * The Responses skin for one request: it renders the chat pipeline's plan as a response object, its stream as
 * Responses events. Made per request because the echo fields and `include` come from the Responses body, and a
 * failing stream's `response.failed` is built from the events already sent.
 */
export function responsesSkin(ctx: SimContext, request: Body): ChatSkin {
  const echo = echoFields(request);
  const encrypted = Array.isArray(request.include) && request.include.includes('reasoning.encrypted_content');
  let streamed: { served: Served; head: ResponseHead; events: EventFrames } | undefined;

  function answer(served: Served, meta: StreamMeta): { head: ResponseHead; ids: ResponseIds; state: ResponseState } {
    const ids = responseIds(meta.id, served.plan.toolCalls.length);
    const head: ResponseHead = { id: ids.response, createdAt: meta.created, model: meta.model, echo };
    const cut = served.plan.finishReason === 'length';
    const pacing = pacingFor(ctx.settings.pace, served.endpoint, served.plan.completionTokens);
    const state: ResponseState = {
      status: cut ? 'incomplete' : 'completed',
      output: outputItems(served, ids, encrypted),
      usage: responsesUsage(served.usage),
      completedAt: meta.created + Math.round((pacing.ttftMs + served.plan.completionTokens * pacing.msPerToken) / 1000),
    };
    if (cut) state.incomplete = 'max_output_tokens';
    return { head, ids, state };
  }

  /** Token-limit errors: a response that ends before any output, incomplete; nothing was generated or billed. */
  function incomplete(res: ServerResponse, error: SimError): void {
    const created = Math.floor(ctx.now() / 1000);
    const head: ResponseHead = {
      id: responseIds(ctx.nextGenerationId(created), 0).response,
      createdAt: created,
      model: typeof request.model === 'string' ? request.model : ctx.settings.defaultModel,
      echo,
    };
    const errorType = String(error.extra?.error_type);
    const state: ResponseState = { status: 'incomplete', output: [], usage: NO_USAGE, incomplete: 'max_output_tokens' };
    const body = responseObject(head, { ...state, errorType });
    if (request.stream !== true) return sendJson(res, 200, body);
    const start = responseObject(head, { status: 'in_progress', output: [], usage: null });
    const events = [
      { type: 'response.created', response: start },
      { type: 'response.in_progress', response: start },
      { type: 'response.incomplete', response: body },
    ];
    const text = events.map((e, i) => `event: ${e.type}\ndata: ${JSON.stringify({ ...e, sequence_number: i })}\n\n`);
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', ...CORS_ANSWER });
    res.end(`${text.join('')}${DONE_FRAME.text}`);
  }

  return {
    fail(res, error, userId, headers) {
      if (TOKEN_LIMITS.has(error.extra?.error_type as string)) return incomplete(res, error);
      sendError(res, error, userId, headers);
    },
    body(served, meta, failure) {
      const { head, ids, state } = answer(served, meta);
      if (!failure) return responseObject(head, state);
      const { error, errorType } = responsesError(failure.error);
      const output = outputItems(served, ids, encrypted, failure.kept);
      return responseObject(head, { status: 'failed', output, usage: responsesUsage(failure.usage), error, errorType });
    },
    frames(served, meta, shape) {
      const { head, state } = answer(served, meta);
      const { frames, events } = responseStream(head, served, state, shape);
      streamed = { served, head, events };
      return frames;
    },
    error200: CHAT_SKIN.error200,
    errorFrames(_meta, fault, _usage, _shape, kept: Frame[]) {
      // Built by `frames` for this same request before the stream is shaped.
      const { served, head, events } = streamed as NonNullable<typeof streamed>;
      const { error, errorType } = responsesError(inBandError(fault));
      // Billed as the pipeline bills it: the output tokens of the deltas sent.
      const tokens = kept.reduce((sum, frame) => sum + (frame.kind === 'chunk' ? frame.tokens : 0), 0);
      const state: ResponseState = {
        status: 'failed',
        output: outputSoFar(kept, events.events),
        usage: responsesUsage(partialUsage(served, tokens)),
        error,
        errorType,
      };
      const sequence = kept.filter((frame) => events.events.has(frame)).length;
      const failed = events.frame('response.failed', { response: responseObject(head, state) }, 'error', 0, sequence);
      return fault.done === false ? [failed] : [failed, DONE_FRAME];
    },
  };
}
