import type { ChatResult } from '../chat/types.js';
import type { ChatRequest } from '../protocol/chat.js';
import type { CacheControl, Message, SystemMessage, TextPart, Tool, ToolChoice } from '../protocol/messages.js';
import type { ProviderMetadata } from './provider.js';

/** A block of system instructions; `cache` marks a prompt-caching breakpoint (Anthropic-style `cache_control`). */
export interface SystemBlock {
  text: string;
  cache?: boolean | CacheControl;
}

export interface ConversationRequest {
  /** Instructions: a string or blocks (blocks keep their cache breakpoints). */
  system?: string | SystemBlock[];
  /** Earlier turns, oldest first, in the chat format (assistant tool calls and tool results included). */
  history?: Message[];
  tools?: Tool[];
  /** The new user message, if any. */
  newMessage?: string;
  /** Keep only the last N history messages (never splitting a tool call from its results). */
  messageLimit?: number;
  toolChoice?: ToolChoice;
  /** Any other request parameter. */
  params?: Omit<ChatRequest, 'messages'>;
}

/** The interface every provider offers to conversation-style code (as the requirement documents describe it). */
export interface Provider {
  readonly name: string;
  readonly model: string;
  readonly metadata: ProviderMetadata;
  isAvailable(): Promise<boolean>;
  sendMessage(content: string): Promise<ChatResult>;
  sendConversation(request: ConversationRequest): Promise<ChatResult>;
}

function systemMessage(system: string | SystemBlock[]): SystemMessage {
  if (typeof system === 'string') return { role: 'system', content: system };
  const parts: TextPart[] = system.map((block) => {
    const part: TextPart = { type: 'text', text: block.text };
    if (block.cache) part.cache_control = block.cache === true ? { type: 'ephemeral' } : block.cache;
    return part;
  });
  return { role: 'system', content: parts };
}

/** The last `limit` messages of `history`, dropping leading tool results whose call was cut off. */
export function limitHistory(history: Message[], limit: number | undefined): Message[] {
  if (limit === undefined || history.length <= limit) return history;
  const kept = limit <= 0 ? [] : history.slice(-limit);
  let start = 0;
  while (start < kept.length && kept[start]?.role === 'tool') start++;
  return kept.slice(start);
}

/** Builds the chat request of a conversation turn: system, limited history, then the new message. */
export function conversationRequest(request: ConversationRequest, model: string | undefined): ChatRequest {
  const messages: Message[] = [];
  if (request.system !== undefined && request.system.length > 0) messages.push(systemMessage(request.system));
  messages.push(
    ...limitHistory(
      (request.history ?? []).filter((m) => m.role !== 'system'),
      request.messageLimit,
    ),
  );
  if (request.newMessage !== undefined) messages.push({ role: 'user', content: request.newMessage });
  const chat: ChatRequest = { ...request.params, messages };
  if (model !== undefined) chat.model ??= model;
  if (request.tools && request.tools.length > 0) chat.tools = request.tools;
  if (request.toolChoice !== undefined) chat.tool_choice = request.toolChoice;
  return chat;
}
