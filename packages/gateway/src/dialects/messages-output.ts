import { randomBytes } from 'node:crypto';
import type { ChatResult, Cost, ToolCallResult, Usage } from '@switchyard/sdk';
import { messageCitations } from './messages-citations.js';
import type { MessagesEcho } from './messages-request.js';
import { thinkingBlocks } from './messages-thinking.js';

type Block = Record<string, unknown>;

/** A message id in Anthropic's style (`msg_…`); the generation's own id is in the `x-generation-id` header. */
export function messageId(): string {
  return `msg_${randomBytes(12).toString('hex')}`;
}

/**
 * Anthropic's `stop_reason` (and `stop_sequence`) for a chat finish reason. Chat says `stop` for a stop sequence
 * too, and OpenRouter does not say which sequence matched. An upstream that names it (`stop_reason` on the choice,
 * as vLLM-style servers do; `named` is the one a stream's frames carried) is believed, whatever its native finish
 * reason; else the answer reads as `stop_sequence` only when the provider said so (`native_finish_reason`, as
 * Anthropic's models report it), naming the sequence when only one was asked for — of several, which one matched is
 * not known, and `stop_sequence` stays null rather than a guess.
 */
export function stopReasonOf(
  result: ChatResult,
  echo: MessagesEcho,
  named?: unknown,
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
  const stops = echo.stopSequences;
  const said = named ?? (result.raw.choices?.[0] as { stop_reason?: unknown } | undefined)?.stop_reason;
  if (typeof said === 'string' && stops.includes(said)) return { stop_reason: 'stop_sequence', stop_sequence: said };
  if (result.nativeFinishReason !== 'stop_sequence') return { stop_reason: 'end_turn', stop_sequence: null };
  return { stop_reason: 'stop_sequence', stop_sequence: stops.length === 1 ? (stops[0] as string) : null };
}

/**
 * Chat usage in Anthropic's shape (`message_delta`'s): `input_tokens` are the prompt tokens neither read from nor
 * written to the cache (chat's `prompt_tokens` counts them all), so input + cache read + cache creation is the whole
 * prompt, as Anthropic clients add it up. `output_tokens` include thinking, broken out in `output_tokens_details`
 * when the upstream counted it. No server tools run here. OpenRouter's `cost` (USD) rides along, as on chat.
 */
export function messagesUsage(usage: Usage, cost?: Cost): Record<string, unknown> {
  return {
    input_tokens: Math.max(0, usage.promptTokens - usage.cachedTokens - usage.cacheWriteTokens),
    output_tokens: usage.completionTokens,
    cache_creation_input_tokens: usage.cacheWriteTokens,
    cache_read_input_tokens: usage.cachedTokens,
    output_tokens_details: usage.reasoningTokens > 0 ? { thinking_tokens: usage.reasoningTokens } : null,
    server_tool_use: null,
    ...(cost && !cost.unpriced ? { cost: cost.usd } : {}),
  };
}

/**
 * The fields a whole message's `usage` has beyond `message_delta`'s, which newer Anthropic SDKs type as present:
 * null, since chat reports no cache TTL split, region, service tier or speed.
 */
export const MESSAGE_USAGE_EXTRAS = { cache_creation: null, inference_geo: null, service_tier: null, speed: null };

/**
 * The fields of a `message` (non-streamed, and `message_start`'s) that newer Anthropic SDKs type as always present:
 * no code-execution container, no cache diagnostics, no refusal details beyond `stop_reason`.
 */
export const MESSAGE_EXTRAS = { container: null, diagnostics: null, stop_details: null };

/** A tool call as a `tool_use` block: `input` is an object (`{}` for arguments cut short or not JSON at all). */
export function toolUseBlock(call: ToolCallResult): Block {
  const input = typeof call.input === 'object' && call.input !== null && !Array.isArray(call.input) ? call.input : {};
  return { type: 'tool_use', id: call.id, name: call.name, input };
}

/** A finished, non-streamed chat answer as an Anthropic `message`: thinking, then text, then tool uses. */
export function messageFromResult(id: string, result: ChatResult, echo: MessagesEcho): Block {
  const content: Block[] = thinkingBlocks(result.reasoning ?? '', result.reasoningDetails ?? []);
  if (result.text !== '') {
    const citations = messageCitations(result.raw?.choices?.[0]?.message?.annotations, result.text);
    content.push(
      citations.length > 0 ? { type: 'text', text: result.text, citations } : { type: 'text', text: result.text },
    );
  }
  for (const call of result.toolCalls) content.push(toolUseBlock(call));
  return {
    id,
    type: 'message',
    role: 'assistant',
    model: result.model,
    content,
    ...stopReasonOf(result, echo),
    ...MESSAGE_EXTRAS,
    usage: { ...messagesUsage(result.usage, result.cost), ...MESSAGE_USAGE_EXTRAS },
  };
}
