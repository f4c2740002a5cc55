import { outputAnnotations } from './responses-annotations.js';

type Block = Record<string, unknown>;

/** Anthropic caps a citation's quoted text at 150 characters. */
const CITED_MAX = 150;

/**
 * OpenRouter's `url_citation` annotations (web search results) as Anthropic text-block citations of type
 * `web_search_result_location`. `cited_text` is the span of the answer the annotation marks (Anthropic quotes the
 * source there; the span is what OpenRouter gives); `encrypted_index` is Anthropic's opaque pointer into its own
 * search results, which OpenRouter has no counterpart for: empty. The gateway drops citations on replayed turns, so
 * it never has to read one back.
 */
export function messageCitations(annotations: unknown, text: string): Block[] {
  return outputAnnotations(annotations).map((a) => ({
    type: 'web_search_result_location',
    url: a.url,
    title: a.title === '' ? null : a.title,
    encrypted_index: '',
    cited_text: text.slice(a.start_index as number, a.end_index as number).slice(0, CITED_MAX),
  }));
}
