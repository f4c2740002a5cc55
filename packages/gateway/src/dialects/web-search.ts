// Hosted web search, as the Responses (`web_search`, `web_search_preview`, dated versions, OpenRouter's
// `openrouter:web_search`) and Messages (`web_search_20250305`, …) dialects declare it among their tools. Chat
// completions has no such tool; OpenRouter serves it through its `web` plugin (results come back as `url_citation`
// annotations, which both dialects already render), so the tool becomes the plugin with its options carried over
// under the plugin's names.

const RESPONSES_SEARCH = /^(?:web_search(?:_preview)?(?:_\d{4}_\d{2}_\d{2})?|openrouter:web_search)$/;
const MESSAGES_SEARCH = /^web_search_\d{8}$/;

type Tool = Record<string, unknown>;

/** Whether a Responses tool is hosted web search. */
export const isResponsesSearch = (tool: unknown): boolean =>
  RESPONSES_SEARCH.test(String((tool as Tool | null)?.type ?? ''));

/** Whether a Messages tool is Anthropic's web search server tool. */
export const isMessagesSearch = (tool: unknown): boolean =>
  MESSAGES_SEARCH.test(String((tool as Tool | null)?.type ?? ''));

/**
 * The `web` plugin for a Responses web search tool (allowed domains, user location). `search_context_size` has no
 * plugin counterpart (chat's `web_search_options` exists only on models with native search) and is not carried.
 */
export function responsesSearchPlugin(tool: Tool): Tool {
  const filters = tool.filters as { allowed_domains?: unknown } | null | undefined;
  return plugin({ include_domains: filters?.allowed_domains, user_location: tool.user_location });
}

/** The `web` plugin for Anthropic's web search tool (uses, allowed and blocked domains, user location). */
export function messagesSearchPlugin(tool: Tool): Tool {
  return plugin({
    max_uses: tool.max_uses,
    include_domains: tool.allowed_domains,
    exclude_domains: tool.blocked_domains,
    user_location: tool.user_location,
  });
}

function plugin(options: Record<string, unknown>): Tool {
  const web: Tool = { id: 'web' };
  for (const [name, value] of Object.entries(options)) if (value !== undefined && value !== null) web[name] = value;
  return web;
}

/** Adds the `web` plugin to a chat request, unless the caller configured one among its own `plugins`. */
export function addWebPlugin(chat: Record<string, unknown>, web: Tool): void {
  const plugins = Array.isArray(chat.plugins) ? chat.plugins : [];
  if (plugins.some((p) => (p as Tool | null)?.id === 'web')) return;
  chat.plugins = [...plugins, web];
}
