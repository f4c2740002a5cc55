import { bodyObject, invalidField as invalid } from './request-errors.js';
import { echoOf, nullableNumber, type ResponsesEcho } from './responses-echo.js';
import { messagesOf } from './responses-input.js';
import { chatTools, type ResponsesTool, toolChoiceOf } from './responses-tools.js';
import { addWebPlugin, isResponsesSearch, responsesSearchPlugin } from './web-search.js';

/** A Responses request as the chat request it maps to, what the answer must echo, and the input items it carried. */
export interface TranslatedResponses {
  chat: Record<string, unknown>;
  echo: ResponsesEcho;
  /**
   * The request's own input items (without the history of `previous_response_id`), for the response store: item
   * references are replaced by the items they name, so a stored conversation never depends on another response
   * still being kept, and its input items list as what they were.
   */
  input: Record<string, unknown>[];
}

export type { ResponsesEcho } from './responses-echo.js';

/**
 * Resolves `previous_response_id` (its whole history, or the id of the link of its chain that is gone) and
 * `item_reference` ids (undefined when unknown) from the response store.
 */
export interface ResponsesHistory {
  conversation(responseId: string): { items: Record<string, unknown>[] } | { missing: string };
  item(itemId: string): Record<string, unknown> | undefined;
}

/**
 * Parameters with the same meaning (and name) in both dialects, or OpenRouter extras passed on unchanged. The prompt
 * caching ones (`prompt_cache_key`, `session_id` — both also OpenRouter's sticky-routing key — and the top-level
 * `cache_control`) must reach OpenRouter, or a Responses client's cache never hits.
 */
const CARRIED = [
  'model',
  'models',
  'temperature',
  'top_p',
  'top_k',
  'frequency_penalty',
  'presence_penalty',
  'repetition_penalty',
  'seed',
  'stream',
  'provider',
  'plugins',
  'transforms',
  'route',
  'user',
  'parallel_tool_calls',
  'metadata',
  'service_tier',
  'prompt_cache_key',
  'session_id',
  'cache_control',
] as const;

/**
 * Features of the Responses API that a stateless translation onto chat completions cannot honour: refusing them is
 * better than answering as if they had been applied.
 */
const REFUSED: Record<string, string> = {
  background: 'background responses are not supported by the gateway (answers are returned or streamed at once)',
  conversation: "'conversation' objects are not supported; send the history in 'input' or use 'previous_response_id'",
  prompt: 'stored prompt templates are not supported; send the prompt in the request',
};

/** `text.format` as chat's `response_format` (undefined for plain text). */
function responseFormat(format: unknown): Record<string, unknown> | undefined {
  if (format === undefined || format === null) return undefined;
  const f = format as Record<string, unknown>;
  switch (f.type) {
    case 'text':
      return undefined;
    case 'json_object':
      return { type: 'json_object' };
    case 'json_schema': {
      if (typeof f.schema !== 'object' || f.schema === null) {
        throw invalid('text.format.schema', "'text.format.schema' must be a JSON Schema object");
      }
      const { name = 'response', schema, strict, description } = f;
      return { type: 'json_schema', json_schema: { name, schema, strict, description } };
    }
    default:
      throw invalid('text.format.type', "'text.format.type' must be 'text', 'json_object' or 'json_schema'");
  }
}

/** The OpenRouter `reasoning` object for a Responses `reasoning` (`summary` has no chat counterpart: reasoning text is returned whenever the model gives it). */
function reasoningOf(reasoning: unknown): Record<string, unknown> | undefined {
  if (reasoning === undefined || reasoning === null) return undefined;
  if (typeof reasoning !== 'object') throw invalid('reasoning', "'reasoning' must be an object");
  const { effort, max_tokens, exclude, enabled } = reasoning as Record<string, unknown>;
  const out = Object.fromEntries(
    Object.entries({ effort, max_tokens, exclude, enabled }).filter(([, v]) => v !== undefined && v !== null),
  );
  return Object.keys(out).length > 0 ? out : undefined;
}

function inputItems(input: unknown): Record<string, unknown>[] {
  if (typeof input === 'string') return [{ type: 'message', role: 'user', content: input }];
  if (!Array.isArray(input) || input.length === 0) {
    throw invalid('input', "'input' must be a string or a non-empty array of input items");
  }
  input.forEach((item, i) => {
    if (typeof item !== 'object' || item === null || Array.isArray(item)) {
      throw invalid(`input[${i}]`, `'input[${i}]' must be an object`);
    }
  });
  return input as Record<string, unknown>[];
}

/** Checks a Responses request body and translates it; throws `InvalidRequestError` naming the field. */
export function translateResponsesRequest(body: unknown, history: ResponsesHistory): TranslatedResponses {
  const b = bodyObject(body);
  for (const [name, why] of Object.entries(REFUSED)) {
    if (b[name] !== undefined && b[name] !== null && b[name] !== false) throw invalid(name, why);
  }
  if (b.model !== undefined && typeof b.model !== 'string') throw invalid('model', "'model' must be a string");
  if (b.instructions !== undefined && b.instructions !== null && typeof b.instructions !== 'string') {
    throw invalid('instructions', "'instructions' must be a string");
  }
  const previousResponseId = b.previous_response_id ?? null;
  if (previousResponseId !== null && typeof previousResponseId !== 'string') {
    throw invalid('previous_response_id', "'previous_response_id' must be a string");
  }
  const input = inputItems(b.input);
  let earlier: Record<string, unknown>[] = [];
  if (previousResponseId) {
    const found = history.conversation(previousResponseId);
    if ('missing' in found) {
      // Naming the link that is gone tells a client whose chain broke in the middle which turn it lost.
      const which =
        found.missing === previousResponseId
          ? `Response '${previousResponseId}' is not known to this gateway`
          : `Response '${previousResponseId}' continues response '${found.missing}', which is not known to this gateway any more`;
      throw invalid(
        'previous_response_id',
        `${which} (responses are kept for a limited time, and only when 'store' was not false); send the full history in 'input' instead`,
      );
    }
    earlier = found.items;
  }
  const instructions = (b.instructions as string | undefined) ?? null;
  const messages = messagesOf([...earlier, ...input], history, earlier.length);
  if (instructions) messages.unshift({ role: 'system', content: instructions });
  if (!messages.some((m) => m.role !== 'system')) {
    throw invalid('input', "'input' holds no message or function call output for the model to answer");
  }

  const chat: Record<string, unknown> = { messages };
  for (const name of CARRIED) if (b[name] !== undefined && b[name] !== null) chat[name] = b[name];
  // OpenRouter's chat has no `safety_identifier`; its `user` (hashed before it goes further) is the same idea.
  if (!chat.user && typeof b.safety_identifier === 'string') chat.user = b.safety_identifier;
  const maxOutputTokens = nullableNumber(b, 'max_output_tokens');
  if (maxOutputTokens !== null) chat.max_tokens = maxOutputTokens;
  const text = (b.text ?? {}) as { format?: unknown; verbosity?: unknown };
  const format = responseFormat(text.format);
  if (format) chat.response_format = format;
  if (text.verbosity !== undefined && text.verbosity !== null) chat.verbosity = text.verbosity;
  const reasoning = reasoningOf(b.reasoning);
  if (reasoning) chat.reasoning = reasoning;
  const tools = Array.isArray(b.tools) ? (b.tools as ResponsesTool[]) : [];
  if (b.tools !== undefined && b.tools !== null && !Array.isArray(b.tools))
    throw invalid('tools', "'tools' must be an array");
  const functions = chatTools(tools);
  if (functions.length > 0) chat.tools = functions;
  const choice = b.tool_choice === undefined || b.tool_choice === null ? undefined : toolChoiceOf(b.tool_choice);
  // `tool_choice: "none"` rules out searching too.
  const search = choice === 'none' ? undefined : tools.find(isResponsesSearch);
  if (search) addWebPlugin(chat, responsesSearchPlugin(search as unknown as Record<string, unknown>));
  // With web search as the only tool, there is nothing for a tool choice to choose: the plugin searches anyway.
  if (choice !== undefined && (functions.length > 0 || !search)) chat.tool_choice = choice;

  const echo: ResponsesEcho = echoOf(b, { instructions, tools, maxOutputTokens, previousResponseId });
  // messagesOf resolved every reference above (an unknown one is a 400), so each finds its item here.
  const own = input.map((item) => (item.type === 'item_reference' ? (history.item(String(item.id)) ?? item) : item));
  return { chat, echo, input: own };
}
