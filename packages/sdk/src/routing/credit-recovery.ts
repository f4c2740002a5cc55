import { InsufficientCreditsError } from '../errors/http-errors.js';
import type { SwitchyardError } from '../errors/switchyard-error.js';
import type { ChatRequest } from '../protocol/chat.js';

/** OpenRouter's 402: "This request requires more credits, or fewer max_tokens. You requested up to 64000 tokens, but
 * can only afford 2666. …" — the affordable count is the only place the balance shows up in the answer. */
const AFFORDABLE = /can only afford (\d+)/i;

/**
 * The request with its output cap lowered to what the balance affords, when a 402 names that count and it is less
 * than what was asked (no cap asked = the model's maximum, which is what OpenRouter priced); else undefined, and the
 * 402 stands. Both spellings of the cap are lowered, so neither one keeps the old worst case. A reasoning budget that
 * would no longer fit under the new cap is halved into it: Anthropic refuses a thinking budget that is not below
 * `max_tokens`, and an answer needs room after its reasoning.
 */
export function lowerToAffordable(
  error: SwitchyardError,
  request: ChatRequest,
): { request: ChatRequest; tokens: number } | undefined {
  if (!(error instanceof InsufficientCreditsError)) return undefined;
  const tokens = Number(AFFORDABLE.exec(error.message)?.[1] ?? 0);
  if (!(tokens > 0)) return undefined;
  const asked = request.max_completion_tokens ?? request.max_tokens;
  if (asked !== undefined && asked <= tokens) return undefined;
  const lowered: ChatRequest = { ...request, max_tokens: tokens };
  if (request.max_completion_tokens !== undefined) lowered.max_completion_tokens = tokens;
  const budget = request.reasoning?.max_tokens;
  if (budget !== undefined && budget >= tokens) {
    lowered.reasoning = { ...request.reasoning, max_tokens: Math.floor(tokens / 2) };
  }
  return { request: lowered, tokens };
}
