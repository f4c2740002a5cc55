import { randomBytes } from 'node:crypto';
import type { ChatResult, Cost, ToolCallResult, Usage } from '@switchyard/sdk';
import type { MessagesEcho } from './messages-request.js';
import { thinkingBlocks } from './messages-thinking.js';

type Block = Record<string, unknown>;

/** A message id in Anthropic's style (`msg_…`); the generation's own id is in the `x-generation-id` header. */
export function messageId(): string {
  return `msg_${randomBytes(12).toString('hex')}`;
}

/**
 * Anthropic's `stop_reason` (and `stop_sequence`) for a chat finish reason. Chat says `stop` for a stop sequence
 * too: it reads as `stop_sequence` only when the provider said so (`native_finish_reason`), and the sequence is
 * named when the upstream did (`stop_reason` on the choice, as vLLM-style servers report it) or only one was asked for.
 */
export function stopReasonOf(
  result: ChatResult,
  echo: MessagesEcho,
): { stop_reason: string; stop_sequence: string | null } {
  switch (result.finishReason) {
    case 'length':
      return { stop_reason: 'max_tokens', stop_sequence: null };
    case 'tool_calls':
      return { stop_reason: 'tool_use', stop_sequence: null };
    case 'content_filter':
      return { stop_reason: 'refusal', stop_sequence: null };
  }
  if (result.nativeFinishReason === 'refusal') return { stop_reason: 'refusal', stop_sequence: null };
  if (result.nativeFinishReason !== 'stop_sequence') return { stop_reason: 'end_turn', stop_sequence: null };
  const named = (result.raw.choices?.[0] as { stop_reason?: unknown } | undefined)?.stop_reason;
  const stops = echo.stopSequences;
  const sequence = typeof named === 'string' && stops.includes(named) ? named : stops.length === 1 ? stops[0] : null;
  return { stop_reason: 'stop_sequence', stop_sequence: sequence ?? null };
}

/**
 * Chat usage in Anthropic's shape: `input_tokens` are the prompt tokens neither read from nor written to the cache
 * (chat's `prompt_tokens` counts them all), so input + cache read + cache creation is the whole prompt, as Anthropic
 * clients add it up. `output_tokens` include thinking. OpenRouter's `cost` (USD) rides along, as on chat.
 */
export function messagesUsage(usage: Usage, cost?: Cost): Record<string, unknown> {
  return {
    input_tokens: Math.max(0, usage.promptTokens - usage.cachedTokens - usage.cacheWriteTokens),
    output_tokens: usage.completionTokens,
    cache_creation_input_tokens: usage.cacheWriteTokens,
    cache_read_input_tokens: usage.cachedTokens,
    ...(cost && !cost.unpriced ? { cost: cost.usd } : {}),
  };
}

/** A tool call as a `tool_use` block: `input` is an object (`{}` for arguments cut short or not JSON at all). */
export function toolUseBlock(call: ToolCallResult): Block {
  const input = typeof call.input === 'object' && call.input !== null && !Array.isArray(call.input) ? call.input : {};
  return { type: 'tool_use', id: call.id, name: call.name, input };
}

/** A finished, non-streamed chat answer as an Anthropic `message`: thinking, then text, then tool uses. */
export function messageFromResult(id: string, result: ChatResult, echo: MessagesEcho): Block {
  const content: Block[] = thinkingBlocks(result.reasoning ?? '', result.reasoningDetails ?? []);
  if (result.text !== '') content.push({ type: 'text', text: result.text });
  for (const call of result.toolCalls) content.push(toolUseBlock(call));
  return {
    id,
    type: 'message',
    role: 'assistant',
    model: result.model,
    content,
    ...stopReasonOf(result, echo),
    usage: messagesUsage(result.usage, result.cost),
  };
}
