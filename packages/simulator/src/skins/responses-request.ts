import { invalid, isObject, NAME, validateChatRequest } from '../chat/validate-chat.js';
import type { SimError } from '../http/sim-error.js';
import { inputMessages } from './responses-input.js';

/**
 * A `POST /responses` body → the chat request the simulator's one pipeline answers. Fields that mean the same in
 * both APIs keep their names (and so their validation messages); the rest are renamed or reshaped here. Unknown
 * fields are accepted and ignored, as OpenRouter does.
 */

type Body = Record<string, unknown>;
type Result<T> = { ok: true; value: T } | { ok: false; error: SimError };

/** Hosted web search in any of its Responses spellings: OpenRouter serves it through its `web` plugin. */
const WEB_SEARCH = new Set([
  'web_search',
  'web_search_preview',
  'web_search_preview_2025_03_11',
  'web_search_2025_08_26',
  'openrouter:web_search',
]);

/** Copied as they are: the same field in both APIs. */
const SAME = [
  'models',
  'provider',
  'transforms',
  'temperature',
  'top_p',
  'top_k',
  'frequency_penalty',
  'presence_penalty',
  'parallel_tool_calls',
  'stream',
  'user',
  'metadata',
  'session_id',
  'prompt_cache_key',
  'cache_control',
  'trace',
];

function fail<T>(error: SimError): Result<T> {
  return { ok: false, error };
}

/** OpenRouter's Responses skin keeps no state: what would need it is refused, with the way out in the message. */
function stateful(body: Body): SimError | undefined {
  const refuse = (field: string, what: string): SimError => ({
    status: 400,
    message: `${what} is not supported: the Responses API on OpenRouter is stateless. Send the whole conversation in 'input' (and 'store' false or unset).`,
    metadata: { field },
    extra: { error_type: 'invalid_request' },
  });
  if (body.store === true) return refuse('store', "'store: true'");
  if (body.previous_response_id !== undefined && body.previous_response_id !== null) {
    return refuse('previous_response_id', "'previous_response_id'");
  }
  if (body.conversation !== undefined && body.conversation !== null) return refuse('conversation', "'conversation'");
  if (body.background === true) return refuse('background', "'background: true'");
  return undefined;
}

/** Flat Responses function tools → chat tools; web search → the `web` plugin; other hosted tools are ignored. */
function tools(value: unknown): Result<{ tools: Body[]; web: boolean }> {
  const out: Body[] = [];
  let web = false;
  if (value === undefined || value === null) return { ok: true, value: { tools: out, web } };
  if (!Array.isArray(value)) return fail(invalid('tools', 'an array', value));
  for (let i = 0; i < value.length; i++) {
    const tool = value[i];
    if (!isObject(tool) || typeof tool.type !== 'string') return fail(invalid(`tools[${i}].type`, 'a string', tool));
    if (WEB_SEARCH.has(tool.type)) web = true;
    if (tool.type !== 'function') continue;
    if (typeof tool.name !== 'string' || !NAME.test(tool.name)) {
      return fail(invalid(`tools[${i}].name`, 'a name of 1-64 characters [a-zA-Z0-9_-]', tool.name));
    }
    if (tool.parameters !== undefined && tool.parameters !== null && !isObject(tool.parameters)) {
      return fail(invalid(`tools[${i}].parameters`, 'a JSON Schema object', tool.parameters));
    }
    const fn: Body = { name: tool.name };
    if (tool.description !== undefined) fn.description = tool.description;
    if (isObject(tool.parameters)) fn.parameters = tool.parameters;
    if (typeof tool.strict === 'boolean') fn.strict = tool.strict;
    out.push({ type: 'function', function: fn });
  }
  return { ok: true, value: { tools: out, web } };
}

/** `tool_choice` in chat's words; undefined leaves the model's default (`auto`). */
function toolChoice(choice: unknown): Result<unknown> {
  if (choice === undefined || choice === null) return { ok: true, value: undefined };
  if (choice === 'auto' || choice === 'none' || choice === 'required') return { ok: true, value: choice };
  if (!isObject(choice)) return fail(invalid('tool_choice', '"auto", "none", "required" or an object', choice));
  if (choice.type === 'function') {
    if (typeof choice.name !== 'string') return fail(invalid('tool_choice.name', 'a string', choice.name));
    return { ok: true, value: { type: 'function', function: { name: choice.name } } };
  }
  if (choice.type === 'allowed_tools' && (choice.mode === 'auto' || choice.mode === 'required')) {
    return { ok: true, value: choice.mode };
  }
  // Forcing a hosted tool: the simulator runs none, so the model chooses freely.
  return { ok: true, value: undefined };
}

/** `text.format` → chat `response_format` (undefined for plain text). */
function responseFormat(text: unknown): Result<Body | undefined> {
  if (text === undefined || text === null) return { ok: true, value: undefined };
  if (!isObject(text)) return fail(invalid('text', 'an object', text));
  const format = text.format;
  if (format === undefined || format === null) return { ok: true, value: undefined };
  if (!isObject(format)) return fail(invalid('text.format', 'an object', format));
  switch (format.type) {
    case 'text':
      return { ok: true, value: undefined };
    case 'json_object':
      return { ok: true, value: { type: 'json_object' } };
    case 'json_schema': {
      if (typeof format.name !== 'string' || !NAME.test(format.name)) {
        return fail(invalid('text.format.name', 'a name of 1-64 characters [a-zA-Z0-9_-]', format.name));
      }
      if (!isObject(format.schema)) return fail(invalid('text.format.schema', 'a JSON Schema object', format.schema));
      const spec: Body = { name: format.name, schema: format.schema };
      if (typeof format.strict === 'boolean') spec.strict = format.strict;
      if (typeof format.description === 'string') spec.description = format.description;
      return { ok: true, value: { type: 'json_schema', json_schema: spec } };
    }
    default:
      return fail(invalid('text.format.type', 'text, json_object or json_schema', format.type));
  }
}

/**
 * The chat request for a Responses body, or the 400 it deserves. Keys are set in chat's usual order and only when
 * given, so a Responses request and the chat request a client would write for the same prompt are the same request:
 * the same answer, tokens and cost.
 */
export function toChatRequest(body: Body): Result<Body> {
  const refused = stateful(body);
  if (refused) return fail(refused);
  if (body.instructions !== undefined && body.instructions !== null && typeof body.instructions !== 'string') {
    return fail(invalid('instructions', 'a string', body.instructions));
  }
  const max = body.max_output_tokens;
  if (max !== undefined && max !== null && (typeof max !== 'number' || !Number.isInteger(max) || max < 1)) {
    return fail(invalid('max_output_tokens', 'an integer >= 1', max));
  }
  if (body.include !== undefined && body.include !== null) {
    if (!Array.isArray(body.include) || body.include.some((v) => typeof v !== 'string')) {
      return fail(invalid('include', 'an array of strings', body.include));
    }
  }
  const input = inputMessages(body.input);
  if (!input.ok) return input;
  const toolList = tools(body.tools);
  if (!toolList.ok) return toolList;
  const choice = toolChoice(body.tool_choice);
  if (!choice.ok) return choice;
  const format = responseFormat(body.text);
  if (!format.ok) return format;

  const chat: Body = {};
  if (body.model !== undefined) chat.model = body.model;
  const system = typeof body.instructions === 'string' ? [{ role: 'system', content: body.instructions }] : [];
  chat.messages = [...system, ...input.value];
  for (const field of SAME) if (body[field] !== undefined) chat[field] = body[field];
  if (typeof max === 'number') chat.max_tokens = max;
  if (toolList.value.tools.length > 0) {
    chat.tools = toolList.value.tools;
    if (choice.value !== undefined) chat.tool_choice = choice.value;
  }
  if (format.value) chat.response_format = format.value;
  const verbosity = isObject(body.text) ? body.text.verbosity : undefined;
  if (verbosity !== undefined && verbosity !== null) chat.verbosity = verbosity;
  if (isObject(body.reasoning)) {
    // `summary` only shapes the Responses output; the rest (effort, max_tokens, exclude, enabled) is chat's.
    const { summary, ...reasoning } = body.reasoning;
    chat.reasoning = reasoning;
  } else if (body.reasoning !== undefined && body.reasoning !== null) chat.reasoning = body.reasoning;
  let plugins = body.plugins;
  const web = (p: unknown) => isObject(p) && p.id === 'web';
  if (toolList.value.web && (plugins === undefined || Array.isArray(plugins)) && !(plugins ?? []).some(web)) {
    plugins = [...((plugins as unknown[] | undefined) ?? []), { id: 'web' }];
  }
  if (plugins !== undefined) chat.plugins = plugins;
  const invalidChat = validateChatRequest(chat);
  return invalidChat ? fail(invalidChat) : { ok: true, value: chat };
}
