// Anthropic prompt-cache breakpoints (`cache_control`) in the chat request a Messages request becomes. OpenRouter
// takes them on chat content parts and hands them on to the providers that cache (reference §2.6, §2.7); a
// breakpoint lost in translation leaves every later turn of an agent's history uncached, at about ten times the
// price, so each one the client set lands on the part that ends the same prefix, or the nearest one before it.

type Part = Record<string, unknown>;
type Message = Record<string, unknown> & { role: string };

/** A chat part that keeps the block's own `cache_control`. */
export function cached(part: Part, block: Part): Part {
  return block.cache_control ? { ...part, cache_control: block.cache_control } : part;
}

/**
 * Parts ending where a block with `cache_control` ended (a `tool_result`, a document of several blocks): the
 * breakpoint goes on their last part, which ends the same prefix. Parts are the translation's own objects. An empty
 * text part cannot hold one (Anthropic refuses `cache_control` on empty text), so an empty result's is dropped.
 */
export function breakpointOnLast(parts: Part[], cacheControl: unknown): Part[] {
  const last = parts.at(-1);
  if (cacheControl && last && !(last.type === 'text' && last.text === '')) last.cache_control = cacheControl;
  return parts;
}

/** The last non-empty text part of chat content (a string becomes a one-part array), to hold a breakpoint. */
function lastTextPart(message: Message): Part | undefined {
  const { content } = message;
  if (typeof content === 'string') {
    if (content === '') return undefined;
    const part: Part = { type: 'text', text: content };
    message.content = [part];
    return part;
  }
  if (!Array.isArray(content)) return undefined;
  for (let i = content.length - 1; i >= 0; i--) {
    const part = content[i] as Part;
    if (part.type === 'text' && typeof part.text === 'string' && part.text !== '') return part;
  }
  return undefined;
}

/**
 * A `tool_use` block's breakpoint. Chat has no place for one on `tool_calls`, so it goes on the nearest text before
 * the call: the assistant turn's own text (which OpenRouter sends to Anthropic ahead of the tool uses) or, for a turn
 * of tool calls only, the last text of an earlier message. That caches a slightly shorter prefix than asked for —
 * never a longer one, whose later content the client did not promise to keep — and adds no breakpoint (a part
 * that already has one keeps it), so Anthropic's limit of four is kept. With no text before it at all, it is dropped.
 */
export function breakpointBefore(messages: Message[], cacheControl: unknown): void {
  for (let i = messages.length - 1; i >= 0; i--) {
    const part = lastTextPart(messages[i] as Message);
    if (part) {
      part.cache_control ??= cacheControl;
      return;
    }
  }
}
