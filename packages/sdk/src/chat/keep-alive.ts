import type { SseItem } from '../sse/types.js';

/**
 * The comment text of a keep-alive that a proxy re-wrapped as data (`data: : OPENROUTER PROCESSING`,
 * `data: OPENROUTER PROCESSING`, an empty `data:`), or undefined for real data. Some proxies forward OpenRouter's
 * `: OPENROUTER PROCESSING` comments this way (reference §8, item 9); read as a chunk, such a line would fail a
 * healthy stream as malformed. No JSON chunk can look like one, so nothing real is ever dropped.
 */
function keepAliveText(data: string): string | undefined {
  if (data.charCodeAt(0) === 123) return undefined; // `{`: a chunk, the usual case, decided at the first character
  const text = data.trim();
  if (text === '') return '';
  if (text.charCodeAt(0) === 58) return text.slice(1).trimStart(); // `:`, a comment line kept whole
  return /^OPENROUTER PROCESSING$/i.test(text) ? text : undefined;
}

/** `items` with re-wrapped keep-alives turned back into the comments they were (in place). */
export function unwrapKeepAlives(items: SseItem[]): SseItem[] {
  for (let i = 0; i < items.length; i++) {
    const item = items[i] as SseItem;
    if (item.type !== 'event') continue;
    const text = keepAliveText(item.event.data);
    if (text !== undefined) items[i] = { type: 'comment', text };
  }
  return items;
}
