import { invalidField as invalid } from './request-errors.js';
import { isResponsesSearch } from './web-search.js';

/** A Responses function tool: flat, where chat nests the same fields under `function`. */
export interface ResponsesTool {
  type: string;
  name?: string;
  description?: string | null;
  parameters?: Record<string, unknown> | null;
  strict?: boolean | null;
  /** OpenRouter's prompt-caching breakpoint on a tool (Anthropic caches the tool list up to it). */
  cache_control?: unknown;
}

/**
 * Chat tools for Responses function tools. Hosted web search is left out here (it becomes OpenRouter's `web` plugin:
 * see web-search.ts); the other hosted tools (`file_search`, `computer_use_preview`, `mcp`, `code_interpreter`, …)
 * are refused by name rather than silently dropped, since the model would otherwise answer without the tool the
 * caller relies on.
 */
export function chatTools(tools: ResponsesTool[]): Record<string, unknown>[] {
  return tools.flatMap((tool, i) => {
    if (typeof tool !== 'object' || tool === null) throw invalid(`tools[${i}]`, `'tools[${i}]' must be an object`);
    if (isResponsesSearch(tool)) return [];
    if (tool.type !== 'function') {
      throw invalid(
        `tools[${i}].type`,
        `Tool type '${String(tool.type)}' is not supported by the gateway's Responses API; only 'function' tools and web search are`,
      );
    }
    if (typeof tool.name !== 'string' || tool.name === '') {
      throw invalid(`tools[${i}].name`, `'tools[${i}].name' must be a non-empty string`);
    }
    const fn: Record<string, unknown> = { name: tool.name };
    if (tool.description) fn.description = tool.description;
    fn.parameters = tool.parameters ?? { type: 'object', properties: {} };
    if (typeof tool.strict === 'boolean') fn.strict = tool.strict;
    const cache = tool.cache_control !== undefined && tool.cache_control !== null;
    return [{ type: 'function', function: fn, ...(cache ? { cache_control: tool.cache_control } : {}) }];
  });
}

/**
 * Chat's `tool_choice` for a Responses one (`{type:"function", name}` becomes `{type:"function", function:{name}}`);
 * undefined for a choice of web search, which the `web` plugin runs on every request anyway.
 */
export function toolChoiceOf(choice: unknown): unknown {
  if (choice === 'auto' || choice === 'none' || choice === 'required') return choice;
  if (isResponsesSearch(choice)) return undefined;
  const c = choice as { type?: unknown; name?: unknown } | null;
  if (c && typeof c === 'object' && c.type === 'function' && typeof c.name === 'string') {
    return { type: 'function', function: { name: c.name } };
  }
  throw invalid(
    'tool_choice',
    "'tool_choice' must be 'auto', 'none', 'required' or {\"type\":\"function\",\"name\":…} (hosted and allowed-tools choices are not supported)",
  );
}
