import { invalid, isObject } from '../chat/validate-chat.js';
import type { SimError } from '../http/sim-error.js';

/**
 * `input` of the Responses skin → chat `messages`: the same conversation in the form the chat pipeline validates,
 * prices and answers. Responses history is a flat list of items; chat groups an assistant turn's text and tool calls
 * into one message, and carries replayed reasoning as `reasoning_details` on it.
 */

type Message = Record<string, unknown>;
type Result<T> = { ok: true; value: T } | { ok: false; error: SimError };

const ROLES = new Set(['user', 'assistant', 'system', 'developer']);
const PART_TYPES = 'input_text, input_image, input_file, input_audio, output_text or refusal';

function fail<T>(error: SimError): Result<T> {
  return { ok: false, error };
}

/** One content part → its chat equivalent. */
function chatPart(part: unknown, at: string): Result<Message> {
  if (!isObject(part)) return fail(invalid(at, 'a content part object', part));
  switch (part.type) {
    case 'input_text':
    case 'output_text':
      if (typeof part.text !== 'string') return fail(invalid(`${at}.text`, 'a string', part.text));
      return { ok: true, value: { type: 'text', text: part.text } };
    case 'refusal':
      return { ok: true, value: { type: 'text', text: String(part.refusal ?? '') } };
    case 'input_image': {
      // An uploaded file's id stands in for the URL: the simulator prices images without fetching them.
      const url = part.image_url ?? part.file_id;
      if (typeof url !== 'string') return fail(invalid(`${at}.image_url`, 'a URL or a file_id', part.image_url));
      const image: Message = { url };
      if (typeof part.detail === 'string') image.detail = part.detail;
      return { ok: true, value: { type: 'image_url', image_url: image } };
    }
    case 'input_file': {
      const data = part.file_data ?? part.file_url ?? part.file_id;
      if (typeof data !== 'string') {
        return fail(invalid(`${at}.file_data`, 'file_data, file_url or file_id', part.file_data));
      }
      return { ok: true, value: { type: 'file', file: { filename: part.filename ?? 'file', file_data: data } } };
    }
    case 'input_audio':
      return { ok: true, value: { type: 'input_audio', input_audio: part.input_audio } };
    default:
      return fail(invalid(`${at}.type`, PART_TYPES, part.type));
  }
}

/** A string, or parts mapped one by one. */
function chatContent(content: unknown, at: string): Result<string | Message[]> {
  if (typeof content === 'string') return { ok: true, value: content };
  if (!Array.isArray(content)) return fail(invalid(at, 'a string or an array of content parts', content));
  const parts: Message[] = [];
  for (let i = 0; i < content.length; i++) {
    const part = chatPart(content[i], `${at}[${i}]`);
    if (!part.ok) return part;
    parts.push(part.value);
  }
  return { ok: true, value: parts };
}

/**
 * What a replayed reasoning item gives the provider to verify: Anthropic's signed thinking text, or an opaque
 * signature / encrypted blob (Gemini's thought signature, OpenAI's encrypted reasoning). A plain summary carries
 * nothing a provider checks and is dropped, as OpenRouter drops it.
 */
function replayedReasoning(item: Message): Message[] {
  const format = typeof item.format === 'string' ? item.format : 'unknown';
  const details: Message[] = [];
  const text = Array.isArray(item.summary)
    ? item.summary.map((s) => (isObject(s) && typeof s.text === 'string' ? s.text : '')).join('')
    : '';
  if (typeof item.signature === 'string') {
    details.push(
      format === 'anthropic-claude-v1'
        ? { type: 'reasoning.text', text, signature: item.signature, format, index: 0 }
        : { type: 'reasoning.encrypted', data: item.signature, format, index: 0 },
    );
  }
  if (typeof item.encrypted_content === 'string') {
    details.push({ type: 'reasoning.encrypted', data: item.encrypted_content, format, index: details.length });
  }
  return details;
}

function message(item: Message, at: string): Result<Message> {
  const role = item.role;
  if (typeof role !== 'string' || !ROLES.has(role)) {
    return fail(invalid(`${at}.role`, 'one of user, assistant, system, developer', role));
  }
  if (role === 'assistant' && (item.content === null || item.content === undefined)) {
    return { ok: true, value: { role, content: '' } };
  }
  // Assistant output items replayed as history keep their id (reference §6.4); easy messages need none.
  const output = Array.isArray(item.content) && item.content.some((p) => isObject(p) && p.type === 'output_text');
  if (role === 'assistant' && output && typeof item.id !== 'string') {
    return fail(invalid(`${at}.id`, 'a string (assistant output items in history keep their id)', item.id));
  }
  const content = chatContent(item.content, `${at}.content`);
  return content.ok ? { ok: true, value: { role, content: content.value } } : content;
}

function toolCall(item: Message, at: string): Result<Message> {
  for (const field of ['call_id', 'name', 'arguments']) {
    if (typeof item[field] !== 'string') return fail(invalid(`${at}.${field}`, 'a string', item[field]));
  }
  return {
    ok: true,
    value: { id: item.call_id, type: 'function', function: { name: item.name, arguments: item.arguments } },
  };
}

function toolResult(item: Message, at: string): Result<Message> {
  if (typeof item.call_id !== 'string') return fail(invalid(`${at}.call_id`, 'a string', item.call_id));
  const content = chatContent(item.output, `${at}.output`);
  return content.ok
    ? { ok: true, value: { role: 'tool', tool_call_id: item.call_id, content: content.value } }
    : content;
}

/** The chat messages of a Responses `input` (a string or a list of items). */
export function inputMessages(input: unknown): Result<Message[]> {
  if (typeof input === 'string') return { ok: true, value: [{ role: 'user', content: input }] };
  if (!Array.isArray(input)) return fail(invalid('input', 'a string or an array of input items', input));
  const messages: Message[] = [];
  let reasoning: Message[] = [];
  // Reasoning replayed before an assistant turn belongs to that turn's message.
  const assistant = (value: Message): Message => {
    if (reasoning.length > 0) value.reasoning_details = reasoning;
    reasoning = [];
    return value;
  };
  for (let i = 0; i < input.length; i++) {
    const item = input[i];
    const at = `input[${i}]`;
    if (!isObject(item)) return fail(invalid(at, 'an input item object', item));
    const type = item.type ?? (item.role !== undefined ? 'message' : undefined);
    if (type === 'message') {
      const result = message(item, at);
      if (!result.ok) return result;
      messages.push(result.value.role === 'assistant' ? assistant(result.value) : result.value);
    } else if (type === 'function_call') {
      const call = toolCall(item, at);
      if (!call.ok) return call;
      // Calls right after the assistant's text (or after other calls) are the same turn: one chat message.
      const last = messages[messages.length - 1];
      if (last?.role === 'assistant') {
        last.tool_calls = [...((last.tool_calls as Message[] | undefined) ?? []), call.value];
        if (reasoning.length > 0) assistant(last);
      } else messages.push(assistant({ role: 'assistant', content: null, tool_calls: [call.value] }));
    } else if (type === 'function_call_output') {
      const result = toolResult(item, at);
      if (!result.ok) return result;
      messages.push(result.value);
    } else if (type === 'reasoning') {
      reasoning.push(...replayedReasoning(item));
    } else if (type === 'item_reference') {
      return fail(invalid(`${at}.type`, 'the item itself (the Responses API is stateless: no references)', type));
    } else {
      return fail(invalid(`${at}.type`, 'message, function_call, function_call_output or reasoning', type));
    }
  }
  if (messages.length === 0) return fail(invalid('input', 'at least one message or tool item', input));
  return { ok: true, value: messages };
}
