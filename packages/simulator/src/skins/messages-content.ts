import { isObject } from '../chat/validate-chat.js';
import type { SimError } from '../http/sim-error.js';
import { problem } from './anthropic-error.js';

/**
 * Anthropic conversation content → chat messages: `system` becomes the first message, `tool_use` blocks become an
 * assistant's `tool_calls`, `tool_result` blocks become `tool` messages (before the rest of their user turn),
 * `thinking` blocks become the `reasoning_details` the provider checks signatures of, images become `image_url` parts.
 */

type Json = Record<string, unknown>;
type Converted = { ok: true; chat: Json[] } | { ok: false; error: SimError };

function withCache(part: Json, block: Json): Json {
  if (block.cache_control !== undefined) part.cache_control = block.cache_control;
  return part;
}

/** A user block as a chat content part (unknown block types pass as they are, as chat's parts do). */
function userPart(block: Json): Json {
  const source = isObject(block.source) ? block.source : {};
  const url = source.type === 'base64' ? `data:${source.media_type};base64,${source.data}` : source.url;
  switch (block.type) {
    case 'text':
      return withCache({ type: 'text', text: block.text }, block);
    case 'image':
      return withCache({ type: 'image_url', image_url: { url } }, block);
    case 'document':
      if (source.type === 'text') return withCache({ type: 'text', text: source.data }, block);
      return withCache({ type: 'file', file: { filename: block.title ?? 'document.pdf', file_data: url } }, block);
    default:
      return block;
  }
}

function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content.map((block) => (isObject(block) && block.type === 'text' ? String(block.text ?? '') : '')).join('');
}

function userTurn(content: string | Json[]): Json[] {
  if (typeof content === 'string') return [{ role: 'user', content }];
  const out: Json[] = [];
  const parts: Json[] = [];
  for (const block of content) {
    if (block.type === 'tool_result') {
      out.push({ role: 'tool', tool_call_id: block.tool_use_id, content: textOf(block.content) });
    } else parts.push(userPart(block));
  }
  if (parts.length > 0) out.push({ role: 'user', content: parts });
  return out;
}

function assistantTurn(content: string | Json[]): Json {
  if (typeof content === 'string') return { role: 'assistant', content };
  const message: Json = { role: 'assistant', content: textOf(content) };
  const calls = content.filter((block) => block.type === 'tool_use');
  if (calls.length > 0) {
    message.tool_calls = calls.map((call) => ({
      id: call.id,
      type: 'function',
      function: { name: call.name, arguments: JSON.stringify(call.input ?? {}) },
    }));
  }
  const details: Json[] = [];
  for (const block of content) {
    const index = details.length;
    if (block.type === 'thinking') {
      details.push({
        type: 'reasoning.text',
        text: block.thinking,
        signature: block.signature,
        format: 'anthropic-claude-v1',
        index,
      });
    } else if (block.type === 'redacted_thinking') {
      details.push({ type: 'reasoning.encrypted', data: block.data, format: 'anthropic-claude-v1', index });
    }
  }
  if (details.length > 0) message.reasoning_details = details;
  return message;
}

function checkContent(content: unknown, at: string): SimError | undefined {
  if (typeof content === 'string') return undefined;
  if (!Array.isArray(content)) return problem(`${at}.content`, 'Input should be a valid string or list of blocks');
  for (let j = 0; j < content.length; j++) {
    const block = content[j];
    if (!isObject(block) || typeof block.type !== 'string') return problem(`${at}.content.${j}.type`, 'Field required');
    if (block.type === 'text' && typeof block.text !== 'string') {
      return problem(`${at}.content.${j}.text`, 'Input should be a valid string');
    }
    if (block.type === 'tool_use' && (typeof block.id !== 'string' || typeof block.name !== 'string')) {
      return problem(`${at}.content.${j}`, 'tool_use blocks need an id and a name');
    }
    if (block.type === 'tool_result' && typeof block.tool_use_id !== 'string') {
      return problem(`${at}.content.${j}.tool_use_id`, 'Field required');
    }
  }
  return undefined;
}

export function anthropicMessages(system: unknown, messages: unknown): Converted {
  const chat: Json[] = [];
  if (typeof system === 'string') chat.push({ role: 'system', content: system });
  else if (Array.isArray(system)) {
    if (system.some((block) => !isObject(block) || block.type !== 'text' || typeof block.text !== 'string')) {
      return { ok: false, error: problem('system', 'Input should be a valid string or a list of text blocks') };
    }
    chat.push({ role: 'system', content: (system as Json[]).map(userPart) });
  } else if (system !== undefined && system !== null) {
    return { ok: false, error: problem('system', 'Input should be a valid string or a list of text blocks') };
  }
  if (messages === undefined || messages === null) return { ok: false, error: problem('messages', 'Field required') };
  if (!Array.isArray(messages) || messages.length === 0) {
    return { ok: false, error: problem('messages', 'Input should be a non-empty list') };
  }
  for (let i = 0; i < messages.length; i++) {
    const message = messages[i];
    const at = `messages.${i}`;
    if (!isObject(message) || (message.role !== 'user' && message.role !== 'assistant')) {
      return { ok: false, error: problem(`${at}.role`, "Input should be 'user' or 'assistant'") };
    }
    const bad = checkContent(message.content, at);
    if (bad) return { ok: false, error: bad };
    const content = message.content as string | Json[];
    if (message.role === 'user') chat.push(...userTurn(content));
    else chat.push(assistantTurn(content));
  }
  return { ok: true, chat };
}
