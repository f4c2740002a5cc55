import type { Model } from '@switchyard/sdk';
import { estimateRequestTokens } from '@switchyard/sdk/context';
import type { ErrorEnvelope } from '../http/error-reply.js';

/**
 * Anthropic's own words for a prompt that does not fit, which Anthropic clients read: Claude Code compacts the
 * conversation on `prompt is too long: N tokens > M maximum`, and lowers `max_tokens` on `input length and
 * \`max_tokens\` exceed context limit: N + K > M`. The numbers are the gateway's — the estimate admission and
 * preflight use (in the model's tokenizer family) and the catalog's context length — and the words are used only when
 * they agree with the refusal: an upstream that counted the prompt too long where the estimate fits keeps its own
 * message. Undefined when nothing is to be reworded.
 */
export function contextRefusalMessage(chat: Record<string, unknown>, row: Model | undefined): string | undefined {
  const context = row?.context_length ?? row?.top_provider.context_length;
  if (!row || !context) return undefined;
  const prompt = estimateRequestTokens(chat as never, row.architecture.tokenizer).total;
  if (prompt > context) return `prompt is too long: ${prompt} tokens > ${context} maximum`;
  const output = Number(chat.max_tokens ?? 0);
  if (output > 0 && prompt + output > context) {
    return `input length and \`max_tokens\` exceed context limit: ${prompt} + ${output} > ${context}, decrease input length or \`max_tokens\` and try again`;
  }
  return undefined;
}

/** Where a context refusal's numbers come from: the chat request sent upstream and the catalog, read from memory. */
export interface RefusalFacts {
  chat(): Record<string, unknown> | undefined;
  row(model: string): Model | undefined;
}

/**
 * A `/messages` refusal in Anthropic's words where its clients depend on them (see `contextRefusalMessage`); the
 * status, the stable code (`context_length_exceeded`) and the metadata stay the gateway's.
 */
export function rewordRefusal(envelope: ErrorEnvelope, facts: RefusalFacts): ErrorEnvelope {
  const error = envelope.body.error as { type?: string; message?: string; metadata?: { model?: unknown } };
  if (error?.type !== 'context_length_exceeded') return envelope;
  const chat = facts.chat();
  const model = typeof error.metadata?.model === 'string' ? error.metadata.model : chat?.model;
  if (!chat || typeof model !== 'string') return envelope;
  const message = contextRefusalMessage(chat, facts.row(model));
  return message ? { ...envelope, body: { ...envelope.body, error: { ...error, message } } } : envelope;
}
