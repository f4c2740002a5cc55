import type { Served } from '../chat/complete-chat.js';
import type { CompletionPlan, PlannedToolCall } from '../chat/plan.js';
import { signReasoning } from '../chat/reasoning.js';
import type { Failure } from '../chat/serve-chat.js';
import type { StreamMeta } from '../chat/stream-frames.js';
import { anthropicEnvelope } from './anthropic-error.js';

/** The non-stream Anthropic message, and the pieces its stream shares with it. */

type Json = Record<string, unknown>;

/** `msg_` + the generation id's random part: Anthropic-looking, and traceable to `X-Generation-Id`. */
export function messageId(meta: StreamMeta): string {
  return `msg_${meta.id.slice(-20)}`;
}

/** Chat usage in Anthropic's terms: `input_tokens` are the prompt tokens neither read from nor written to the cache. */
export function anthropicUsage(usage: Json, outputTokens = usage.completion_tokens as number): Json {
  const details = usage.prompt_tokens_details as Record<string, number>;
  const read = details.cached_tokens ?? 0;
  const written = details.cache_write_tokens ?? 0;
  return {
    input_tokens: (usage.prompt_tokens as number) - read - written,
    cache_creation_input_tokens: written,
    cache_read_input_tokens: read,
    output_tokens: outputTokens,
  };
}

export function stopReason(plan: CompletionPlan): string {
  if (plan.finishReason === 'tool_calls') return 'tool_use';
  if (plan.finishReason === 'length') return 'max_tokens';
  return plan.stopSequence === null ? 'end_turn' : 'stop_sequence';
}

/** A tool call's `input` object. Arguments cut by `max_tokens` are not JSON: the input is then empty, the stop reason
 * `max_tokens` says why. */
export function toolInput(call: PlannedToolCall): unknown {
  try {
    return JSON.parse(call.arguments);
  } catch {
    return {};
  }
}

/** The blocks of a served answer: thinking (when shown), text, then tool uses. */
function contentBlocks(plan: CompletionPlan): Json[] {
  const blocks: Json[] = [];
  if (plan.reasoningVisible) {
    const thinking = plan.reasoning.join('');
    blocks.push({ type: 'thinking', thinking, signature: signReasoning(thinking) });
  }
  if (plan.content.length > 0) blocks.push({ type: 'text', text: plan.content.join('') });
  for (const call of plan.toolCalls)
    blocks.push({ type: 'tool_use', id: call.id, name: call.name, input: toolInput(call) });
  return blocks;
}

/** The answer, or, for a failure mid-generation, the error (Anthropic has no partial-answer form). */
export function messageBody(served: Served, meta: StreamMeta, failure: Failure | undefined): Json {
  if (failure) {
    const { code, message, metadata } = failure.error;
    return anthropicEnvelope(code, message, metadata.error_type, meta.id);
  }
  const plan = served.plan;
  return {
    id: messageId(meta),
    type: 'message',
    role: 'assistant',
    model: meta.model,
    content: contentBlocks(plan),
    stop_reason: stopReason(plan),
    stop_sequence: plan.stopSequence,
    usage: anthropicUsage(served.usage),
  };
}
