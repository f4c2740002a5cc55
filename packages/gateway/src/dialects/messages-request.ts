import { chatMessages, systemMessage } from './messages-content.js';
import { fallbackModels, openRouterModel } from './messages-models.js';
import { bodyObject, field, invalidField as invalid } from './request-errors.js';
import { addWebPlugin, isMessagesSearch, messagesSearchPlugin } from './web-search.js';

/** What the answer needs from the request: its model (a stream announces it first) and the stop sequences. */
export interface MessagesEcho {
  model?: string;
  stopSequences: string[];
}

/** An Anthropic Messages request as the chat request it maps to, and what the answer echoes. */
export interface TranslatedMessages {
  chat: Record<string, unknown>;
  echo: MessagesEcho;
}

/**
 * Parameters with the same name and meaning on chat completions: Anthropic's sampling parameters (which newer
 * Anthropic SDKs no longer type, but older ones and other tools send) and OpenRouter's extras, passed on unchanged.
 */
const CARRIED = [
  'model',
  'models',
  'stream',
  'temperature',
  'top_p',
  'top_k',
  'seed',
  'frequency_penalty',
  'presence_penalty',
  'repetition_penalty',
  'min_p',
  'top_a',
  'provider',
  'plugins',
  'transforms',
  'route',
  'session_id',
  'reasoning',
  'cache_control',
] as const;

/** Anthropic features a translation onto chat completions cannot honour: refused, never silently dropped. */
const REFUSED: Record<string, string> = {
  mcp_servers: 'MCP servers are not supported by the gateway; run the MCP client on your side and send its tools',
  container: 'code-execution containers are not supported by the gateway',
};

/**
 * Anthropic custom tools as chat function tools. Web search is left out here (it becomes OpenRouter's `web` plugin:
 * see web-search.ts); Anthropic's other server tools have no chat counterpart.
 */
function chatTools(tools: unknown[]): Record<string, unknown>[] {
  return tools.flatMap((tool, i) => {
    if (typeof tool !== 'object' || tool === null) throw invalid(`tools[${i}]`, `'tools[${i}]' must be an object`);
    if (isMessagesSearch(tool)) return [];
    const t = tool as Record<string, unknown>;
    if (t.type !== undefined && t.type !== null && t.type !== 'custom') {
      const why = 'only custom tools (name, description, input_schema) and web search are';
      throw invalid(
        `tools[${i}].type`,
        `Tool type '${String(t.type)}' is not supported by the gateway's Messages API; ${why}`,
      );
    }
    if (typeof t.name !== 'string' || t.name === '') throw field(`tools[${i}].name`, 'a non-empty string', t.name);
    if (t.input_schema !== undefined && (typeof t.input_schema !== 'object' || t.input_schema === null)) {
      throw field(`tools[${i}].input_schema`, 'a JSON Schema object', t.input_schema);
    }
    const fn: Record<string, unknown> = { name: t.name };
    if (typeof t.description === 'string') fn.description = t.description;
    fn.parameters = t.input_schema ?? { type: 'object', properties: {} };
    if (typeof t.strict === 'boolean') fn.strict = t.strict;
    return [{ type: 'function', function: fn, ...(t.cache_control ? { cache_control: t.cache_control } : {}) }];
  });
}

/** Chat's `tool_choice` (and `parallel_tool_calls`) for Anthropic's `tool_choice`. */
function toolChoice(choice: unknown, chat: Record<string, unknown>): void {
  const c = (typeof choice === 'object' && choice !== null ? choice : {}) as Record<string, unknown>;
  if (c.type === 'auto') chat.tool_choice = 'auto';
  else if (c.type === 'any') chat.tool_choice = 'required';
  else if (c.type === 'none') chat.tool_choice = 'none';
  else if (c.type === 'tool' && typeof c.name === 'string')
    chat.tool_choice = { type: 'function', function: { name: c.name } };
  else {
    throw invalid(
      'tool_choice',
      '\'tool_choice\' must be {"type":"auto"}, {"type":"any"}, {"type":"none"} or {"type":"tool","name":…}',
    );
  }
  if (c.disable_parallel_tool_use === true) chat.parallel_tool_calls = false;
}

/**
 * A request without tools sends no `tool_choice` or `parallel_tool_calls` (some providers refuse them alone):
 * `auto` and `none` ask for nothing then. `any` and `tool` demand a tool call no tool could answer — refused, not
 * quietly turned into a text answer.
 */
function withoutTools(chat: Record<string, unknown>): void {
  if (chat.tool_choice === 'required' || typeof chat.tool_choice === 'object') {
    throw invalid('tool_choice', "'tool_choice' asks for a tool call, but the request has no 'tools'");
  }
  delete chat.tool_choice;
  delete chat.parallel_tool_calls;
}

/**
 * OpenRouter's `reasoning` for Anthropic's `thinking`: a budget becomes `reasoning.max_tokens`, adaptive thinking lets
 * the model decide. `disabled` (Anthropic's default) sends nothing rather than `enabled: false`, which a model whose
 * reasoning cannot be turned off would refuse; `display` has no chat counterpart (thinking is returned when given).
 */
function reasoningOf(thinking: unknown): Record<string, unknown> | undefined {
  const t = (typeof thinking === 'object' && thinking !== null ? thinking : {}) as Record<string, unknown>;
  switch (t.type) {
    case 'enabled': {
      const budget = t.budget_tokens;
      if (typeof budget !== 'number' || !Number.isInteger(budget) || budget < 1) {
        throw field('thinking.budget_tokens', 'a positive integer', budget);
      }
      return { max_tokens: budget };
    }
    case 'adaptive':
    case 'between_tools':
      return { enabled: true };
    case 'disabled':
      return undefined;
    default:
      throw invalid('thinking.type', "'thinking.type' must be 'enabled', 'adaptive' or 'disabled'");
  }
}

/** `output_config`: `effort` is chat's `verbosity` (OpenRouter maps one onto the other), `format` its
 * `response_format`. */
function outputConfig(config: unknown, chat: Record<string, unknown>): void {
  if (typeof config !== 'object' || config === null) throw field('output_config', 'an object', config);
  const { effort, format } = config as Record<string, unknown>;
  if (effort !== undefined && effort !== null) chat.verbosity = effort;
  if (format === undefined || format === null) return;
  const f = format as Record<string, unknown>;
  if (f.type !== 'json_schema' || typeof f.schema !== 'object' || f.schema === null) {
    throw invalid('output_config.format', '\'output_config.format\' must be {"type":"json_schema","schema":{…}}');
  }
  chat.response_format = { type: 'json_schema', json_schema: { name: 'response', schema: f.schema, strict: true } };
}

function stopSequences(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || value.some((s) => typeof s !== 'string')) {
    throw field('stop_sequences', 'an array of strings', value);
  }
  return value as string[];
}

/**
 * Checks an Anthropic Messages body and translates it into a chat completion body; throws `InvalidRequestError`
 * naming the field. `named` tells the caller's own model names (aliases), which are never rewritten (see
 * `openRouterModel`). `max_tokens`, which Anthropic requires, is optional here (as every other route's limit is)
 * and honoured when given. Other top-level fields are ignored: newer Anthropic fields such as `service_tier` or
 * `inference_geo` ask for nothing the gateway could honour, and refusing them would break clients that send them
 * on every request.
 */
export function translateMessagesRequest(body: unknown, named?: (name: string) => boolean): TranslatedMessages {
  const b = bodyObject(body);
  for (const [name, why] of Object.entries(REFUSED)) {
    const value = b[name];
    if (value !== undefined && value !== null && !(Array.isArray(value) && value.length === 0))
      throw invalid(name, why);
  }
  const messages = chatMessages(b.messages, systemMessage(b.system, 'system'));

  const chat: Record<string, unknown> = { messages };
  for (const name of CARRIED) if (b[name] !== undefined && b[name] !== null) chat[name] = b[name];
  if (typeof chat.model === 'string') chat.model = openRouterModel(chat.model, named);
  if (Array.isArray(chat.models))
    chat.models = chat.models.map((m) => (typeof m === 'string' ? openRouterModel(m, named) : m));
  if (b.max_tokens !== undefined && b.max_tokens !== null) {
    if (typeof b.max_tokens !== 'number' || !Number.isInteger(b.max_tokens) || b.max_tokens < 1) {
      throw field('max_tokens', 'a positive integer', b.max_tokens);
    }
    chat.max_tokens = b.max_tokens;
  }
  const stops = stopSequences(b.stop_sequences);
  if (stops.length > 0) chat.stop = stops;
  const metadata = b.metadata as { user_id?: unknown } | undefined | null;
  if (metadata?.user_id !== undefined && metadata.user_id !== null) {
    if (typeof metadata.user_id !== 'string') throw field('metadata.user_id', 'a string', metadata.user_id);
    chat.user = metadata.user_id;
  }
  let search: Record<string, unknown> | undefined;
  if (b.tools !== undefined && b.tools !== null) {
    if (!Array.isArray(b.tools)) throw invalid('tools', "'tools' must be an array");
    const tools = chatTools(b.tools);
    if (tools.length > 0) chat.tools = tools;
    search = b.tools.find(isMessagesSearch) as Record<string, unknown> | undefined;
  }
  if (b.tool_choice !== undefined && b.tool_choice !== null) toolChoice(b.tool_choice, chat);
  // `tool_choice: {type: "none"}` rules out searching too.
  if (chat.tool_choice === 'none') search = undefined;
  if (search) addWebPlugin(chat, messagesSearchPlugin(search));
  // A choice of web search (by name, or `any` with nothing else to call) needs no tool: the plugin searches anyway.
  const forced = chat.tool_choice as { function?: { name?: unknown } } | undefined;
  if (search && (!chat.tools || forced?.function?.name === search.name)) {
    delete chat.tool_choice;
    delete chat.parallel_tool_calls;
  }
  if (!chat.tools) withoutTools(chat);
  if (b.thinking !== undefined && b.thinking !== null) {
    const reasoning = reasoningOf(b.thinking);
    if (reasoning) chat.reasoning = reasoning;
  }
  if (b.output_config !== undefined && b.output_config !== null) outputConfig(b.output_config, chat);
  if (b.fallbacks !== undefined && b.fallbacks !== null) {
    const models = fallbackModels(b.fallbacks, b).map((model) => openRouterModel(model, named));
    if (models.length > 0) chat.models = models;
  }

  return { chat, echo: { model: chat.model as string | undefined, stopSequences: stops } };
}
