import { invalidField as invalid } from './request-errors.js';

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
 * Chat tools for Responses tools. Only function tools exist on chat completions; hosted tools (`web_search`,
 * `file_search`, `computer_use_preview`, `mcp`, …) are refused by name rather than silently dropped, since the model
 * would otherwise answer without the tool the caller relies on.
 */
export function chatTools(tools: ResponsesTool[]): Record<string, unknown>[] {
  return tools.map((tool, i) => {
    if (typeof tool !== 'object' || tool === null) throw invalid(`tools[${i}]`, `'tools[${i}]' must be an object`);
    if (tool.type !== 'function') {
      throw invalid(
        `tools[${i}].type`,
        `Tool type '${String(tool.type)}' is not supported by the gateway's Responses API; only 'function' tools are`,
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
    return { type: 'function', function: fn, ...(cache ? { cache_control: tool.cache_control } : {}) };
  });
}

/** Chat's `tool_choice` for a Responses one (`{type:"function", name}` becomes `{type:"function", function:{name}}`). */
export function toolChoiceOf(choice: unknown): unknown {
  if (choice === 'auto' || choice === 'none' || choice === 'required') return choice;
  const c = choice as { type?: unknown; name?: unknown } | null;
  if (c && typeof c === 'object' && c.type === 'function' && typeof c.name === 'string') {
    return { type: 'function', function: { name: c.name } };
  }
  throw invalid(
    'tool_choice',
    "'tool_choice' must be 'auto', 'none', 'required' or {\"type\":\"function\",\"name\":…} (hosted and allowed-tools choices are not supported)",
  );
}
