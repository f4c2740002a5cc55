import { type SimError, simError } from '../http/sim-error.js';

/**
 * Validation of a chat request, to the depth OpenRouter validates: wrong types and out-of-range values get a 400
 * that names the field; unknown top-level fields pass through (OpenRouter forwards or ignores them), while unknown
 * keys inside `provider` are rejected with the real message.
 */

const ROLES = new Set(['system', 'developer', 'user', 'assistant', 'tool']);
const EFFORTS = new Set(['max', 'xhigh', 'high', 'medium', 'low', 'minimal', 'none']);
const FORMAT_TYPES = new Set(['text', 'json_object', 'json_schema', 'grammar', 'python']);
const TOOL_CHOICES = new Set(['none', 'auto', 'required']);
const PROVIDER_KEYS = new Set([
  'order',
  'allow_fallbacks',
  'require_parameters',
  'data_collection',
  'zdr',
  'enforce_distillable_text',
  'only',
  'ignore',
  'quantizations',
  'sort',
  'preferred_min_throughput',
  'preferred_max_latency',
  'max_price',
]);
/** Names of tools and JSON schemas, as providers accept them. */
export const NAME = /^[a-zA-Z0-9_-]{1,64}$/;

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value === 'string' ? `string (${JSON.stringify(value.slice(0, 40))})` : typeof value;
}

/** The 400 for a field of the wrong type or range, naming the field (also used by the API skins). */
export function invalid(field: string, expected: string, value: unknown): SimError {
  return {
    status: 400,
    message: `Invalid value for '${field}': expected ${expected}, received ${describe(value)}`,
    metadata: { field },
    extra: { error_type: 'invalid_request' },
  };
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function numberIn(body: Record<string, unknown>, field: string, min: number, max: number, integer = false) {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  const ok = typeof value === 'number' && Number.isFinite(value) && value >= min && value <= max;
  if (!ok || (integer && !Number.isInteger(value))) {
    const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `between ${min} and ${max}`;
    return invalid(field, `${integer ? 'an integer' : 'a number'} ${range}`, value);
  }
  return undefined;
}

/** What the common parts must hold, as OpenRouter refuses them: a text part's text, an image part's URL. */
function checkParts(parts: Record<string, unknown>[], at: string): SimError | undefined {
  for (let j = 0; j < parts.length; j++) {
    const part = parts[j] as Record<string, unknown>;
    if (part.type === 'text' && typeof part.text !== 'string')
      return invalid(`${at}[${j}].text`, 'a string', part.text);
    if (part.type === 'image_url') {
      const image = part.image_url;
      const url = typeof image === 'string' ? image : isObject(image) ? image.url : undefined;
      if (typeof url !== 'string' || url === '') {
        return invalid(`${at}[${j}].image_url`, 'an object with a url', image);
      }
    }
  }
  return undefined;
}

function checkMessages(messages: unknown): SimError | undefined {
  if (!Array.isArray(messages) || messages.length === 0) return invalid('messages', 'a non-empty array', messages);
  for (let i = 0; i < messages.length; i++) {
    const m = messages[i];
    const at = `messages[${i}]`;
    if (!isObject(m)) return invalid(at, 'an object', m);
    if (typeof m.role !== 'string' || !ROLES.has(m.role)) {
      return invalid(`${at}.role`, 'one of system, developer, user, assistant, tool', m.role);
    }
    const content = m.content;
    const contentOk =
      typeof content === 'string' ||
      (Array.isArray(content) && content.every((part) => isObject(part) && typeof part.type === 'string')) ||
      (m.role === 'assistant' && (content === null || content === undefined));
    if (!contentOk) return invalid(`${at}.content`, 'a string or an array of content parts', content);
    if (Array.isArray(content)) {
      const wrong = checkParts(content as Record<string, unknown>[], `${at}.content`);
      if (wrong) return wrong;
    }
    if (m.role === 'tool' && typeof m.tool_call_id !== 'string') {
      return invalid(`${at}.tool_call_id`, 'a string', m.tool_call_id);
    }
    if (m.tool_calls !== undefined) {
      if (!Array.isArray(m.tool_calls)) return invalid(`${at}.tool_calls`, 'an array', m.tool_calls);
      for (let j = 0; j < m.tool_calls.length; j++) {
        const call = m.tool_calls[j];
        if (!isObject(call)) return invalid(`${at}.tool_calls[${j}]`, 'a tool call object', call);
        if (typeof call.id !== 'string') return invalid(`${at}.tool_calls[${j}].id`, 'a string', call.id);
        if (!isObject(call.function) || typeof call.function.name !== 'string') {
          return invalid(`${at}.tool_calls[${j}].function.name`, 'a string', call.function);
        }
      }
    }
  }
  return undefined;
}

function checkTools(tools: unknown, choice: unknown): SimError | undefined {
  if (tools !== undefined && tools !== null) {
    if (!Array.isArray(tools)) return invalid('tools', 'an array', tools);
    for (let i = 0; i < tools.length; i++) {
      const tool = tools[i];
      if (!isObject(tool) || typeof tool.type !== 'string') return invalid(`tools[${i}].type`, 'a string', tool);
      if (tool.type !== 'function') continue; // server tools (openrouter:web_search, …) are accepted as-is
      const fn = tool.function;
      if (!isObject(fn) || typeof fn.name !== 'string' || !NAME.test(fn.name)) {
        return invalid(
          `tools[${i}].function.name`,
          'a name of 1-64 characters [a-zA-Z0-9_-]',
          isObject(fn) ? fn.name : fn,
        );
      }
      if (fn.parameters !== undefined && !isObject(fn.parameters)) {
        return invalid(`tools[${i}].function.parameters`, 'a JSON Schema object', fn.parameters);
      }
    }
  }
  if (choice === undefined || choice === null) return undefined;
  if (typeof choice === 'string') {
    return TOOL_CHOICES.has(choice)
      ? undefined
      : invalid('tool_choice', '"none", "auto", "required" or an object', choice);
  }
  if (!isObject(choice) || typeof choice.type !== 'string')
    return invalid('tool_choice', 'a string or an object', choice);
  if (choice.type === 'function' && (!isObject(choice.function) || typeof choice.function.name !== 'string')) {
    return invalid(
      'tool_choice.function.name',
      'a string',
      isObject(choice.function) ? choice.function.name : undefined,
    );
  }
  return undefined;
}

function checkProvider(provider: unknown): SimError | undefined {
  if (provider === undefined || provider === null) return undefined;
  if (!isObject(provider)) return invalid('provider', 'an object', provider);
  const unknown = Object.keys(provider).filter((key) => !PROVIDER_KEYS.has(key));
  if (unknown.length > 0) {
    return simError(400, `Unrecognized key(s) in object: ${unknown.map((k) => `'${k}'`).join(', ')}`);
  }
  for (const list of ['order', 'only', 'ignore', 'quantizations']) {
    const value = provider[list];
    if (value !== undefined && (!Array.isArray(value) || value.some((v) => typeof v !== 'string'))) {
      return invalid(`provider.${list}`, 'an array of strings', value);
    }
  }
  for (const flag of ['allow_fallbacks', 'require_parameters', 'zdr', 'enforce_distillable_text']) {
    const value = provider[flag];
    if (value !== undefined && value !== null && typeof value !== 'boolean') {
      return invalid(`provider.${flag}`, 'a boolean', value);
    }
  }
  const dc = provider.data_collection;
  if (dc !== undefined && dc !== 'allow' && dc !== 'deny')
    return invalid('provider.data_collection', '"allow" or "deny"', dc);
  const sort = provider.sort;
  const sorts = ['price', 'throughput', 'latency', 'exacto'];
  const sortOk =
    sort === undefined ||
    sort === null ||
    (typeof sort === 'string' && sorts.includes(sort)) ||
    (isObject(sort) && (sort.by === undefined || sort.by === null || sorts.includes(sort.by as string)));
  if (!sortOk) return invalid('provider.sort', '"price", "throughput", "latency", "exacto" or {by, partition}', sort);
  const max = provider.max_price;
  if (max !== undefined) {
    if (!isObject(max)) return invalid('provider.max_price', 'an object', max);
    for (const [key, value] of Object.entries(max)) {
      if (
        !(
          typeof value === 'number' ||
          (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value)))
        )
      ) {
        return invalid(`provider.max_price.${key}`, 'a number or numeric string', value);
      }
    }
  }
  return undefined;
}

function checkReasoning(body: Record<string, unknown>): SimError | undefined {
  const reasoning = body.reasoning;
  if (reasoning !== undefined && reasoning !== null) {
    if (!isObject(reasoning)) return invalid('reasoning', 'an object', reasoning);
    if (reasoning.effort !== undefined && !EFFORTS.has(reasoning.effort as string)) {
      return invalid('reasoning.effort', [...EFFORTS].join(', '), reasoning.effort);
    }
    const max = reasoning.max_tokens;
    if (max !== undefined && (typeof max !== 'number' || !Number.isInteger(max) || max < 0)) {
      return invalid('reasoning.max_tokens', 'a non-negative integer', max);
    }
  }
  const effort = body.reasoning_effort;
  if (effort !== undefined && effort !== null) {
    if (!EFFORTS.has(effort as string)) return invalid('reasoning_effort', [...EFFORTS].join(', '), effort);
    if (isObject(reasoning) && reasoning.effort !== undefined && reasoning.effort !== effort) {
      return simError(400, "Conflicting reasoning effort: 'reasoning_effort' and 'reasoning.effort' differ");
    }
  }
  return undefined;
}

function checkResponseFormat(format: unknown): SimError | undefined {
  if (format === undefined || format === null) return undefined;
  if (!isObject(format) || !FORMAT_TYPES.has(format.type as string)) {
    return invalid('response_format.type', [...FORMAT_TYPES].join(', '), isObject(format) ? format.type : format);
  }
  if (format.type !== 'json_schema') return undefined;
  const spec = format.json_schema;
  if (!isObject(spec)) return invalid('response_format.json_schema', 'an object', spec);
  if (typeof spec.name !== 'string' || !NAME.test(spec.name)) {
    return invalid('response_format.json_schema.name', 'a name of 1-64 characters [a-zA-Z0-9_-]', spec.name);
  }
  if (spec.schema !== undefined && !isObject(spec.schema)) {
    return invalid('response_format.json_schema.schema', 'a JSON Schema object', spec.schema);
  }
  return undefined;
}

/** Returns the first problem of a chat request, or undefined when it is acceptable. */
export function validateChatRequest(body: Record<string, unknown>): SimError | undefined {
  const modelError =
    body.model !== undefined && typeof body.model !== 'string' ? invalid('model', 'a string', body.model) : undefined;
  if (modelError) return modelError;
  if (body.models !== undefined) {
    if (!Array.isArray(body.models) || body.models.some((m) => typeof m !== 'string')) {
      return invalid('models', 'an array of model ids', body.models);
    }
    if (body.models.length > 3) return simError(400, "'models' array must have 3 items or fewer.");
  }
  for (const flag of ['stream', 'logprobs', 'parallel_tool_calls', 'include_reasoning']) {
    const value = body[flag];
    if (value !== undefined && value !== null && typeof value !== 'boolean') return invalid(flag, 'a boolean', value);
  }
  const max = Number.MAX_SAFE_INTEGER;
  const numeric =
    numberIn(body, 'temperature', 0, 2) ??
    numberIn(body, 'top_p', 0, 1) ??
    numberIn(body, 'top_k', 0, max, true) ??
    numberIn(body, 'frequency_penalty', -2, 2) ??
    numberIn(body, 'presence_penalty', -2, 2) ??
    numberIn(body, 'repetition_penalty', 0, 2) ??
    numberIn(body, 'min_p', 0, 1) ??
    numberIn(body, 'top_a', 0, 1) ??
    numberIn(body, 'seed', Number.MIN_SAFE_INTEGER, max, true) ??
    numberIn(body, 'max_tokens', 1, max, true) ??
    numberIn(body, 'max_completion_tokens', 1, max, true) ??
    numberIn(body, 'top_logprobs', 0, 20, true);
  if (numeric) return numeric;
  const stop = body.stop;
  if (stop !== undefined && stop !== null) {
    const ok =
      typeof stop === 'string' || (Array.isArray(stop) && stop.length <= 4 && stop.every((s) => typeof s === 'string'));
    if (!ok) return invalid('stop', 'a string or an array of at most 4 strings', stop);
  }
  if (body.plugins !== undefined && (!Array.isArray(body.plugins) || body.plugins.some((p) => !isObject(p)))) {
    return invalid('plugins', 'an array of plugin objects', body.plugins);
  }
  const routerLists = pluginModelLists(body.plugins as Record<string, unknown>[] | undefined);
  if (routerLists) return routerLists;
  if (
    body.transforms !== undefined &&
    (!Array.isArray(body.transforms) || body.transforms.some((t) => typeof t !== 'string'))
  ) {
    return invalid('transforms', 'an array of strings', body.transforms);
  }
  return (
    checkMessages(body.messages) ??
    checkTools(body.tools, body.tool_choice) ??
    checkProvider(body.provider) ??
    checkReasoning(body) ??
    checkResponseFormat(body.response_format)
  );
}

/** The Auto Router's model lists (`allowed_models`, `excluded_models`): arrays of model patterns, or absent. */
function pluginModelLists(plugins: Record<string, unknown>[] | undefined) {
  for (const [i, plugin] of (plugins ?? []).entries()) {
    for (const key of ['allowed_models', 'excluded_models']) {
      const list = plugin[key];
      if (list !== undefined && (!Array.isArray(list) || list.some((m) => typeof m !== 'string')))
        return invalid(`plugins[${i}].${key}`, 'an array of model ids or patterns', list);
    }
  }
  return undefined;
}
