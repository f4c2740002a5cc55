import { breakpointBefore, breakpointOnLast, cached } from './messages-cache.js';
import { replayedThinking } from './messages-thinking.js';
import { invalidField as invalid } from './request-errors.js';

type Block = Record<string, unknown>;
type Part = Record<string, unknown>;
type Message = Record<string, unknown> & { role: string };

/** A message's content as blocks (a string is one text block); each block must be an object with a `type`. */
export function blocksOf(content: unknown, field: string): Block[] {
  if (typeof content === 'string') return [{ type: 'text', text: content }];
  if (!Array.isArray(content)) throw invalid(field, `'${field}' must be a string or an array of content blocks`);
  content.forEach((block, j) => {
    if (typeof block !== 'object' || block === null || typeof (block as Block).type !== 'string') {
      throw invalid(`${field}[${j}].type`, `'${field}[${j}]' must be a content block with a string 'type'`);
    }
  });
  return content as Block[];
}

function textPart(block: Block, field: string): Part {
  if (typeof block.text !== 'string') throw invalid(`${field}.text`, `'${field}.text' must be a string`);
  return cached({ type: 'text', text: block.text }, block);
}

/** An image or document `source` as the URL a chat part takes: a data URL for base64, the URL itself otherwise. */
function sourceUrl(block: Block, field: string): string {
  const source = (block.source ?? {}) as Block;
  if (source.type === 'base64' && typeof source.data === 'string' && typeof source.media_type === 'string') {
    return `data:${source.media_type};base64,${source.data}`;
  }
  if (source.type === 'url' && typeof source.url === 'string') return source.url;
  throw invalid(
    `${field}.source`,
    `'${field}.source' must be {type:"base64", media_type, data} or {type:"url", url} (file ids are not supported)`,
  );
}

/** A user-side content block (in a message or a tool result) as chat content parts. */
function partsOf(block: Block, field: string): Part[] {
  switch (block.type) {
    case 'text':
      return [textPart(block, field)];
    case 'image':
      return [cached({ type: 'image_url', image_url: { url: sourceUrl(block, field) } }, block)];
    case 'document': {
      const source = (block.source ?? {}) as Block;
      // Plain-text and content documents are text for the model; PDFs travel as chat `file` parts.
      if (source.type === 'text' && typeof source.data === 'string')
        return [cached({ type: 'text', text: source.data }, block)];
      if (source.type === 'content') {
        const parts = blocksOf(source.content, `${field}.source.content`).flatMap((b, j) =>
          partsOf(b, `${field}.source.content[${j}]`),
        );
        return breakpointOnLast(parts, block.cache_control);
      }
      const filename = typeof block.title === 'string' && block.title !== '' ? block.title : 'document.pdf';
      return [cached({ type: 'file', file: { filename, file_data: sourceUrl(block, field) } }, block)];
    }
    default:
      throw invalid(
        `${field}.type`,
        `Content block type '${String(block.type)}' is not supported here by the gateway's Messages API`,
      );
  }
}

/** Parts as chat content: a plain string when they are only uncached text (what every upstream takes), else parts. */
function chatContent(parts: Part[], separator: string): string | Part[] {
  return parts.every((p) => p.type === 'text' && !p.cache_control) ? parts.map((p) => p.text).join(separator) : parts;
}

/** A `tool_result` block as a chat `tool` message; an error result says so, since chat has no `is_error`. */
function toolMessage(block: Block, field: string): Message {
  if (typeof block.tool_use_id !== 'string') {
    throw invalid(`${field}.tool_use_id`, `'${field}.tool_use_id' must be a string`);
  }
  const raw = block.content ?? '';
  const parts = blocksOf(raw, `${field}.content`).flatMap((b, j) =>
    partsOf(b, typeof raw === 'string' ? `${field}.content` : `${field}.content[${j}]`),
  );
  // The result's breakpoint ends the prefix where its content ends; with it the content stays parts.
  breakpointOnLast(parts, block.cache_control);
  let content = chatContent(parts, '\n');
  if (block.is_error === true) {
    content = typeof content === 'string' ? `Error: ${content}` : [{ type: 'text', text: 'Error:' }, ...content];
  }
  return { role: 'tool', tool_call_id: block.tool_use_id, content };
}

/**
 * A user message: its `tool_result` blocks become `tool` messages, first — chat wants them right after the assistant
 * message that called the tools — and the rest one user message after them.
 */
function userMessages(content: unknown, field: string): Message[] {
  if (typeof content === 'string') return [{ role: 'user', content }];
  const out: Message[] = [];
  const parts: Part[] = [];
  blocksOf(content, field).forEach((block, j) => {
    const at = `${field}[${j}]`;
    if (block.type === 'tool_result') out.push(toolMessage(block, at));
    else parts.push(...partsOf(block, at));
  });
  if (parts.length > 0 || out.length === 0) out.push({ role: 'user', content: parts });
  return out;
}

/**
 * An assistant turn: text, `tool_use` blocks as `tool_calls`, thinking blocks as its reasoning for replay; and the
 * `cache_control` of its last tool use that has one, which chat has no place for (see `breakpointBefore`).
 */
function assistantMessage(content: unknown, field: string): { message: Message; callBreakpoint?: unknown } {
  if (typeof content === 'string') return { message: { role: 'assistant', content } };
  const texts: Part[] = [];
  const calls: Block[] = [];
  const details: Record<string, unknown>[] = [];
  let reasoning = '';
  let callBreakpoint: unknown;
  blocksOf(content, field).forEach((block, j) => {
    const at = `${field}[${j}]`;
    if (block.type === 'text') texts.push(textPart(block, at));
    else if (block.type === 'tool_use') {
      if (typeof block.id !== 'string' || typeof block.name !== 'string') {
        throw invalid(at, `'${at}' needs a string 'id' and 'name'`);
      }
      const args = typeof block.input === 'string' ? block.input : JSON.stringify(block.input ?? {});
      calls.push({ id: block.id, type: 'function', function: { name: block.name, arguments: args } });
      if (block.cache_control) callBreakpoint = block.cache_control;
    } else if (block.type === 'thinking' || block.type === 'redacted_thinking') {
      const replayed = replayedThinking(block, at);
      details.push(...replayed.details);
      reasoning += replayed.text ?? '';
    } else {
      throw invalid(
        `${at}.type`,
        `Content block type '${String(block.type)}' is not supported in assistant messages by the gateway`,
      );
    }
  });
  const message: Message = { role: 'assistant', content: texts.length > 0 ? chatContent(texts, '') : null };
  if (calls.length > 0) message.tool_calls = calls;
  else message.content ??= '';
  if (details.length > 0)
    message.reasoning_details = details.map((d, index) => (d.index === undefined ? { ...d, index } : d));
  if (reasoning !== '') message.reasoning = reasoning;
  return { message, callBreakpoint };
}

/** The `system` prompt (a string or text blocks) as a chat system message; none for an empty one. */
export function systemMessage(system: unknown, field: string): Message | undefined {
  if (system === undefined || system === null || system === '') return undefined;
  if (typeof system === 'string') return { role: 'system', content: system };
  const parts = blocksOf(system, field).map((block, j) => {
    if (block.type !== 'text') throw invalid(`${field}[${j}].type`, `'${field}[${j}]' must be a text block`);
    return textPart(block, `${field}[${j}]`);
  });
  return parts.length > 0 ? { role: 'system', content: chatContent(parts, '\n\n') } : undefined;
}

/**
 * Chat messages for Anthropic `messages` (roles `user` and `assistant`; `system` entries as system messages), after
 * the `system` prompt's message when there is one.
 */
export function chatMessages(messages: unknown, system?: Message): Message[] {
  if (!Array.isArray(messages) || messages.length === 0) {
    throw invalid('messages', "'messages' must be a non-empty array of {role, content} objects");
  }
  const out: Message[] = system ? [system] : [];
  messages.forEach((m, i) => {
    const field = `messages[${i}]`;
    if (typeof m !== 'object' || m === null) throw invalid(field, `'${field}' must be an object`);
    const { role, content } = m as Block;
    if (role === 'user') out.push(...userMessages(content, `${field}.content`));
    else if (role === 'assistant') {
      const { message, callBreakpoint } = assistantMessage(content, `${field}.content`);
      out.push(message);
      if (callBreakpoint) breakpointBefore(out, callBreakpoint);
    } else if (role === 'system')
      out.push(systemMessage(content, `${field}.content`) ?? { role: 'system', content: '' });
    else throw invalid(`${field}.role`, `'${field}.role' must be 'user' or 'assistant'`);
  });
  return out;
}
