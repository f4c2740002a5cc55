import type { Served } from '../chat/complete-chat.js';
import { type ChatSkin, type Failure, type InferenceHandler, serveChat } from '../chat/serve-chat.js';
import { buildFrames, type StreamMeta } from '../chat/stream-frames.js';
import { sendError } from '../http/io.js';

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

function completionBody(served: Served, meta: StreamMeta, failure: Failure | undefined): Record<string, unknown> {
  const choice: Record<string, unknown> = {
    logprobs: null,
    finish_reason: served.plan.finishReason,
    native_finish_reason: served.plan.nativeFinishReason,
    index: 0,
    message: message(served),
  };
  if (failure) {
    // Non-streaming form of a failure mid-generation: partial content, finish "error", the error on the choice.
    choice.message = message(served, failure.kept);
    choice.finish_reason = 'error';
    choice.native_finish_reason = 'error';
    choice.error = failure.error;
  }
  return {
    id: meta.id,
    provider: meta.provider,
    model: meta.model,
    object: 'chat.completion',
    created: meta.created,
    choices: [choice],
    system_fingerprint: null,
    usage: failure?.usage ?? served.usage,
  };
}

/** OpenRouter's own skin; the legacy completions skin shares its error forms. */
export const CHAT_SKIN: ChatSkin = {
  fail: sendError,
  body: completionBody,
  frames: (served, meta, shape) => buildFrames(meta, served.plan, served.usage, shape),
  error200: (fault, _meta, userId) => ({
    error: { message: fault.message ?? 'Internal Server Error', code: fault.code ?? 500 },
    user_id: userId,
  }),
};

/** `POST /chat/completions`. */
export const handleChat: InferenceHandler = async (ctx, session, body, key, headerRule) => {
  if (typeof body.prompt === 'string' && body.messages === undefined) {
    body.messages = [{ role: 'user', content: body.prompt }];
  }
  return serveChat(ctx, session, body, key, headerRule, CHAT_SKIN);
};
