import { invalidField as invalid } from './request-errors.js';
import { encodeReasoning, reasoningFromItem } from './responses-reasoning.js';

/**
 * Thinking across turns. Chat answers carry `reasoning_details` that some providers need back verbatim on the next
 * turn of a tool loop (Anthropic checks its thinking signatures, Gemini 3 its thought signatures); Anthropic
 * clients replay `thinking` and `redacted_thinking` blocks instead. When the details are Anthropic's own (one signed
 * thinking text, or one redacted blob) the blocks carry them natively, as Anthropic itself would; any other set is
 * sealed into the block's `signature` (or `data`) with the gateway's mark — the same sealing the Responses API uses
 * for `encrypted_content` — and unsealed verbatim when the block comes back.
 */

type Detail = Record<string, unknown>;
type Block = Record<string, unknown>;

const ANTHROPIC = 'anthropic-claude-v1';

/** The single detail Anthropic's own blocks can carry as they are, if that is all the details are. */
function native(details: Detail[]): Detail | undefined {
  const [only] = details;
  if (details.length !== 1 || only?.format !== ANTHROPIC) return undefined;
  if (only.type === 'reasoning.text' && typeof only.signature === 'string' && only.signature !== '') return only;
  if (only.type === 'reasoning.encrypted' && typeof only.data === 'string') return only;
  return undefined;
}

/** The `signature` of a thinking block for `details` ('' for none: a model that reasons without signing). */
export function signatureOf(details: Detail[]): string {
  if (details.length === 0) return '';
  const own = native(details);
  if (own?.type === 'reasoning.text') return own.signature as string;
  return encodeReasoning(details) as string;
}

/**
 * The blocks for an answer's reasoning: a `thinking` block with its text, or — for reasoning that came back only
 * as opaque details (hidden or encrypted reasoning) — a `redacted_thinking` block, so it is still replayed.
 */
export function thinkingBlocks(text: string, details: Detail[]): Block[] {
  if (text !== '') return [{ type: 'thinking', thinking: text, signature: signatureOf(details) }];
  if (details.length === 0) return [];
  const own = native(details);
  const data = own?.type === 'reasoning.encrypted' ? own.data : encodeReasoning(details);
  return [{ type: 'redacted_thinking', data }];
}

/**
 * What a replayed thinking block gives the chat assistant message: reasoning details (unsealed, or Anthropic's own
 * rebuilt), or — for unsigned thinking, which no provider can verify — the plain `reasoning` text.
 */
export function replayedThinking(block: Block, field: string): { details: Detail[]; text?: string } {
  if (block.type === 'redacted_thinking') {
    if (typeof block.data !== 'string') throw invalid(`${field}.data`, `'${field}.data' must be a string`);
    const sealed = reasoningFromItem({ encrypted_content: block.data });
    return {
      details: (sealed as Detail[] | undefined) ?? [
        { type: 'reasoning.encrypted', data: block.data, format: ANTHROPIC },
      ],
    };
  }
  if (typeof block.thinking !== 'string') throw invalid(`${field}.thinking`, `'${field}.thinking' must be a string`);
  const signature = block.signature ?? '';
  if (typeof signature !== 'string') throw invalid(`${field}.signature`, `'${field}.signature' must be a string`);
  const sealed = reasoningFromItem({ encrypted_content: signature });
  if (sealed) return { details: sealed as Detail[] };
  if (signature === '') return { details: [], text: block.thinking };
  return { details: [{ type: 'reasoning.text', text: block.thinking, signature, format: ANTHROPIC }] };
}
