import type { ChatResult } from '../chat/types.js';
import type { ProviderPreferences } from '../protocol/chat.js';
import type { Message, ToolMessage } from '../protocol/messages.js';
import { conversationRequest, limitHistory, type SystemBlock } from '../providers/conversation.js';

/** The conversation-style inputs shared by `runTools` and `object`. */
export interface ConversationInput {
  /** The conversation so far (system messages included), sent as is. */
  messages?: Message[];
  /** System instructions put first: a string, or blocks whose `cache` adds a `cache_control` breakpoint. */
  system?: string | SystemBlock[];
  /** A new user message appended after `messages`. */
  prompt?: string;
  /** Keep only the last N non-system messages of `messages` (a tool call is never split from its results). */
  messageLimit?: number;
}

/**
 * The messages of a first request, in OpenRouter's format: `system` (string or blocks with `cache_control`), the
 * caller's system messages, the history (limited to `messageLimit`, tool calls kept with their results), then the
 * new user message.
 */
export function conversationMessages(input: ConversationInput): Message[] {
  const history = input.messages ?? [];
  const out: Message[] = [];
  if (input.system !== undefined && input.system.length > 0) {
    // The provider layer's conversion: string → one system message, blocks → text parts with cache_control.
    out.push(...conversationRequest({ system: input.system }, undefined).messages);
  }
  if (input.messageLimit === undefined) out.push(...history);
  else {
    out.push(...history.filter((m) => m.role === 'system' || m.role === 'developer'));
    out.push(
      ...limitHistory(
        history.filter((m) => m.role !== 'system' && m.role !== 'developer'),
        input.messageLimit,
      ),
    );
  }
  if (input.prompt !== undefined) out.push({ role: 'user', content: input.prompt });
  return out;
}

/** Index after the leading system/developer messages: where instructions go without breaking a cached prefix. */
export function afterLeadingSystem(messages: readonly Message[]): number {
  let i = 0;
  while (i < messages.length && (messages[i]?.role === 'system' || messages[i]?.role === 'developer')) i++;
  return i;
}

/** A tool result message. */
export function toolMessage(toolCallId: string, content: string): ToolMessage {
  return { role: 'tool', tool_call_id: toolCallId, content };
}

/** A tool's return value as message content: strings as they are, anything else as JSON. */
export function toolContent(value: unknown): string {
  if (typeof value === 'string') return value;
  try {
    return JSON.stringify(value === undefined ? null : value) ?? String(value);
  } catch {
    return String(value); // BigInt, cycles: still something the model can read
  }
}

/**
 * The provider preferences that pin later requests to the upstream provider that served `result` (its
 * `reasoning_details` signatures are only valid there): `order: [it]`, `allow_fallbacks: false`, the caller's other
 * preferences kept. Undefined when the result names no provider (servers other than OpenRouter).
 */
export function pinnedProvider(
  params: { provider?: ProviderPreferences },
  result: ChatResult,
): ProviderPreferences | undefined {
  if (!result.provider) return undefined;
  return { ...params.provider, order: [result.provider], allow_fallbacks: false };
}
