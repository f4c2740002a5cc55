/**
 * Reasoning across turns. Chat completions return `reasoning_details` that some providers (Anthropic, Gemini) need
 * back verbatim on the next turn of a tool loop; the Responses API carries the same thing as a reasoning item's
 * opaque `encrypted_content`. The gateway puts the details there (marked as its own) and turns them back into
 * `reasoning_details` when a client replays the item, so stateless tool loops keep working through the translation.
 */
const MARK = 'switchyard.v1:';

/** `encrypted_content` for a set of reasoning details (undefined when there are none). */
export function encodeReasoning(details: unknown[] | undefined): string | undefined {
  if (!details || details.length === 0) return undefined;
  return MARK + Buffer.from(JSON.stringify(details)).toString('base64');
}

/** The reasoning details inside a reasoning item this gateway produced; undefined for anything else. */
export function reasoningFromItem(item: Record<string, unknown>): unknown[] | undefined {
  const sealed = item.encrypted_content;
  if (typeof sealed !== 'string' || !sealed.startsWith(MARK)) return undefined;
  try {
    const details = JSON.parse(Buffer.from(sealed.slice(MARK.length), 'base64').toString('utf8')) as unknown;
    return Array.isArray(details) ? details : undefined;
  } catch {
    return undefined;
  }
}
