import { invalidField as invalid } from './request-errors.js';
import { reasoningFromItem } from './responses-reasoning.js';
import type { ResponsesHistory } from './responses-request.js';

type Item = Record<string, unknown>;
type Message = Record<string, unknown> & { role: string };

/**
 * A content part of a Responses message as a chat content part, keeping its `cache_control` breakpoint (OpenRouter
 * takes one on any part and hands it to the providers that cache explicitly, Anthropic and Gemini): dropped, a
 * Responses client's prompt caching would silently never hit.
 */
function chatPart(part: Item, field: string): Item {
  if (typeof part !== 'object' || part === null) throw invalid(field, `'${field}' must be a content part object`);
  const converted = convertedPart(part, field);
  return part.cache_control === undefined || part.cache_control === null
    ? converted
    : { ...converted, cache_control: part.cache_control };
}

function convertedPart(part: Item, field: string): Item {
  switch (part.type) {
    case 'input_text':
    case 'output_text':
    case 'text':
      if (typeof part.text !== 'string') throw invalid(`${field}.text`, `'${field}.text' must be a string`);
      return { type: 'text', text: part.text };
    case 'refusal':
      return { type: 'text', text: String(part.refusal ?? '') };
    case 'input_image': {
      if (typeof part.image_url !== 'string') {
        throw invalid(
          `${field}.image_url`,
          `'${field}.image_url' must be a URL or data URL (file ids are not supported)`,
        );
      }
      return { type: 'image_url', image_url: { url: part.image_url, ...(part.detail ? { detail: part.detail } : {}) } };
    }
    case 'input_file': {
      const data = part.file_data ?? part.file_url;
      if (typeof data !== 'string') {
        throw invalid(`${field}.file_data`, `'${field}' needs 'file_data' or 'file_url' (file ids are not supported)`);
      }
      return { type: 'file', file: { filename: part.filename ?? 'file', file_data: data } };
    }
    case 'input_audio':
      return { type: 'input_audio', input_audio: part.input_audio };
    default:
      throw invalid(`${field}.type`, `Content part type '${String(part.type)}' is not supported`);
  }
}

/** Text parts joined into one string (what every upstream takes), unless one carries a cache breakpoint (a string
 * has nowhere to keep it; chat takes text parts in every role). */
function joinable(parts: Item[]): boolean {
  return parts.every((p) => p.type === 'text' && p.cache_control === undefined);
}

/** A message's content: a string stays a string; parts become chat parts (text-only ones are joined for roles that
 * take only text). */
function contentOf(content: unknown, role: string, field: string): unknown {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) throw invalid(`${field}.content`, `'${field}.content' must be a string or an array`);
  const parts = content.map((part, j) => chatPart(part as Item, `${field}.content[${j}]`));
  if (role === 'user') return parts;
  if (joinable(parts)) return parts.map((p) => p.text).join('');
  if (parts.every((p) => p.type === 'text')) return parts;
  throw invalid(`${field}.content`, `Only text content is supported in ${role} messages`);
}

function toolOutput(output: unknown, field: string): unknown {
  if (typeof output === 'string') return output;
  if (!Array.isArray(output)) return JSON.stringify(output ?? '');
  const parts = output.map((part, j) => chatPart(part as Item, `${field}.output[${j}]`));
  return joinable(parts) ? parts.map((p) => p.text).join('') : parts;
}

/**
 * Chat messages for a list of Responses input items: messages keep their role (`developer` becomes `system`, which
 * every upstream knows), consecutive `function_call` items join one assistant message's `tool_calls`, and
 * `function_call_output` items become `tool` messages. A reasoning item this gateway produced is replayed as the
 * next assistant message's `reasoning_details`; others are dropped (they are opaque to other providers). Items
 * before `offset` come from the stored history of `previous_response_id`.
 */
export function messagesOf(items: Item[], history: ResponsesHistory, offset = 0): Message[] {
  const messages: Message[] = [];
  let pendingReasoning: unknown[] | undefined;
  let turn: Message | undefined; // the assistant message function calls attach to
  const assistant = (content: unknown): Message => {
    const message: Message = { role: 'assistant', content };
    if (pendingReasoning) message.reasoning_details = pendingReasoning;
    pendingReasoning = undefined;
    messages.push(message);
    return message;
  };
  const add = (raw: Item, field: string): void => {
    const item = raw.type === 'item_reference' ? resolve(raw, field) : raw;
    const type = item.type ?? 'message';
    if (type === 'message') {
      const role = item.role;
      if (role !== 'user' && role !== 'system' && role !== 'developer' && role !== 'assistant') {
        throw invalid(`${field}.role`, `'${field}.role' must be 'user', 'system', 'developer' or 'assistant'`);
      }
      const content = contentOf(item.content, role, field);
      if (role === 'assistant') turn = assistant(content);
      else {
        messages.push({ role: role === 'developer' ? 'system' : role, content });
        turn = undefined;
      }
    } else if (type === 'function_call') {
      if (typeof item.call_id !== 'string' || typeof item.name !== 'string') {
        throw invalid(field, `'${field}' needs a string 'call_id' and 'name'`);
      }
      turn ??= assistant(null);
      turn.tool_calls ??= [];
      const calls = turn.tool_calls as Item[];
      const args = typeof item.arguments === 'string' ? item.arguments : JSON.stringify(item.arguments ?? {});
      calls.push({ id: item.call_id, type: 'function', function: { name: item.name, arguments: args } });
    } else if (type === 'function_call_output') {
      if (typeof item.call_id !== 'string') throw invalid(`${field}.call_id`, `'${field}.call_id' must be a string`);
      messages.push({ role: 'tool', tool_call_id: item.call_id, content: toolOutput(item.output, field) });
      turn = undefined;
    } else if (type === 'reasoning') {
      pendingReasoning = reasoningFromItem(item) ?? pendingReasoning;
    } else {
      throw invalid(
        `${field}.type`,
        `Input item type '${String(type)}' is not supported by the gateway's Responses API`,
      );
    }
  };
  const resolve = (ref: Item, field: string): Item => {
    const found = typeof ref.id === 'string' ? history.item(ref.id) : undefined;
    if (!found) {
      throw invalid(
        `${field}.id`,
        `Item '${String(ref.id)}' is not known to this gateway (items are kept for a limited time, and only when 'store' was not false); send the item itself instead`,
      );
    }
    return found;
  };
  items.forEach((item, i) => {
    add(item, i < offset ? 'previous_response_id' : `input[${i - offset}]`);
  });
  return messages;
}
