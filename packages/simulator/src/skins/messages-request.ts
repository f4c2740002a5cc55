import { isObject, NAME } from '../chat/validate-chat.js';
import type { SimError } from '../http/sim-error.js';
import { problem } from './anthropic-error.js';
import { anthropicMessages } from './messages-content.js';

/**
 * The Messages skin's request (reference §6.5), checked in Anthropic's words (`max_tokens: Field required`) and
 * translated into the chat request the pipeline serves. Fields the skin does not know pass through, as on chat.
 */

type Json = Record<string, unknown>;
export type Translated = { ok: true; chat: Json } | { ok: false; error: SimError };

const TOOL_CHOICES: Record<string, unknown> = { auto: 'auto', any: 'required', none: 'none' };

function checkTop(body: Json): SimError | undefined {
  if (typeof body.model !== 'string' || body.model === '') return problem('model', 'Field required');
  const max = body.max_tokens;
  if (max === undefined || max === null) return problem('max_tokens', 'Field required');
  if (typeof max !== 'number' || !Number.isInteger(max) || max < 1) {
    return problem('max_tokens', 'Input should be an integer greater than or equal to 1');
  }
  const stops = body.stop_sequences;
  if (stops !== undefined && (!Array.isArray(stops) || stops.some((s) => typeof s !== 'string'))) {
    return problem('stop_sequences', 'Input should be a list of strings');
  }
  // They become chat's `stop`, which takes at most four.
  if (Array.isArray(stops) && stops.length > 4) return problem('stop_sequences', 'List should have at most 4 items');
  const metadata = body.metadata;
  if (metadata !== undefined && metadata !== null && !isObject(metadata)) {
    return problem('metadata', 'Input should be an object');
  }
  const fallbacks = body.fallbacks;
  if (fallbacks !== undefined && fallbacks !== null) {
    if (!Array.isArray(fallbacks) || fallbacks.some((f) => !isObject(f) || typeof f.model !== 'string')) {
      return problem('fallbacks', 'Input should be a list of {model} objects');
    }
    if (fallbacks.length > 3) return problem('fallbacks', 'List should have at most 3 items');
    if (body.models !== undefined) return problem('fallbacks', "cannot be combined with 'models'");
  }
  return undefined;
}

function checkTools(body: Json): SimError | undefined {
  const tools = body.tools;
  if (tools !== undefined && tools !== null) {
    if (!Array.isArray(tools)) return problem('tools', 'Input should be a valid list');
    for (let i = 0; i < tools.length; i++) {
      const tool = tools[i];
      if (!isObject(tool) || typeof tool.name !== 'string' || !NAME.test(tool.name)) {
        return problem(`tools.${i}.name`, "String should match pattern '^[a-zA-Z0-9_-]{1,64}$'");
      }
      if (tool.input_schema !== undefined && !isObject(tool.input_schema)) {
        return problem(`tools.${i}.input_schema`, 'Input should be an object');
      }
    }
  }
  const choice = body.tool_choice;
  if (choice === undefined || choice === null) return undefined;
  if (!isObject(choice) || !['auto', 'any', 'tool', 'none'].includes(choice.type as string)) {
    return problem('tool_choice.type', "Input should be 'auto', 'any', 'tool' or 'none'");
  }
  if (choice.type === 'tool' && typeof choice.name !== 'string') return problem('tool_choice.name', 'Field required');
  return undefined;
}

function checkThinking(thinking: unknown): SimError | undefined {
  if (thinking === undefined || thinking === null) return undefined;
  if (!isObject(thinking) || !['enabled', 'disabled', 'adaptive'].includes(thinking.type as string)) {
    return problem('thinking.type', "Input should be 'enabled', 'disabled' or 'adaptive'");
  }
  const budget = thinking.budget_tokens;
  if (thinking.type !== 'enabled') return undefined;
  if (typeof budget !== 'number' || !Number.isInteger(budget) || budget < 1024) {
    return problem('thinking.enabled.budget_tokens', 'Input should be an integer greater than or equal to 1024');
  }
  return undefined;
}

function chatTools(tools: Json[]): Json[] {
  return tools.map((tool) =>
    // Server tools (web search, code execution…) have a versioned `type` and no schema: passed on as they are.
    tool.input_schema === undefined && typeof tool.type === 'string' && tool.type !== 'custom'
      ? tool
      : {
          type: 'function',
          function: {
            name: tool.name,
            ...(tool.description === undefined ? {} : { description: tool.description }),
            parameters: tool.input_schema ?? { type: 'object', properties: {} },
          },
        },
  );
}

function chatToolChoice(choice: Json): unknown {
  return choice.type === 'tool'
    ? { type: 'function', function: { name: choice.name } }
    : TOOL_CHOICES[choice.type as string];
}

function reasoning(thinking: Json): Json {
  if (thinking.type === 'enabled') return { max_tokens: thinking.budget_tokens };
  return { enabled: thinking.type !== 'disabled' };
}

/** Checks a Messages request and builds its chat request, each field where it stood (answers are a function of the
 * request's JSON, so the same conversation gets the same answer in both skins). */
export function messagesRequest(body: Json): Translated {
  const bad = checkTop(body) ?? checkTools(body) ?? checkThinking(body.thinking);
  if (bad) return { ok: false, error: bad };
  const messages = anthropicMessages(body.system, body.messages);
  if (!messages.ok) return messages;
  const chat: Json = {};
  for (const field in body) {
    const value = body[field];
    if (value === undefined) continue;
    switch (field) {
      case 'system':
        break; // the first chat message
      case 'messages':
        chat.messages = messages.chat;
        break;
      case 'stop_sequences':
        chat.stop = value;
        break;
      case 'tools':
        if (value !== null) chat.tools = chatTools(value as Json[]);
        break;
      case 'tool_choice':
        if (value === null) break;
        chat.tool_choice = chatToolChoice(value as Json);
        if ((value as Json).disable_parallel_tool_use === true) chat.parallel_tool_calls = false;
        break;
      case 'thinking':
        if (value !== null) chat.reasoning = reasoning(value as Json);
        break;
      case 'metadata':
        if (isObject(value) && typeof value.user_id === 'string') chat.user = value.user_id;
        break;
      case 'fallbacks':
        if (value !== null) chat.models = (value as Json[]).map((f) => f.model);
        break;
      default:
        chat[field] = value;
    }
  }
  return { ok: true, chat };
}
