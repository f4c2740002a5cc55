import { UnexpectedResponseError } from '../errors/http-errors.js';
import type { ChatCompletion, FinishReason } from '../protocol/chat.js';
import type { AssistantMessage } from '../protocol/messages.js';
import type { Cost } from '../usage/cost.js';
import { normalizeUsage } from '../usage/usage.js';
import { toToolCallResult } from './tool-calls.js';
import type { ChatResult } from './types.js';

/** Text of an assistant `content` (a string, parts, or null). */
export function contentText(content: AssistantMessage['content']): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content.map((part) => (part?.type === 'text' && typeof part.text === 'string' ? part.text : '')).join('');
}

const NUMERIC = /^\s*-?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?\s*$/;

/**
 * Some OpenAI-compatible upstreams send usage numbers as strings (`"cost": "0.00042"`, `"prompt_tokens": "12"`):
 * turns them into numbers, in place, at the top level and one level down (the `*_details` objects), so counts and
 * the reported cost are not silently read as 0. Other values are left alone.
 */
export function coerceUsageNumbers<T>(usage: T): T {
  if (!usage || typeof usage !== 'object') return usage;
  const record = usage as Record<string, unknown>;
  for (const key in record) {
    const value = record[key];
    if (typeof value === 'string') {
      if (NUMERIC.test(value)) record[key] = Number(value);
    } else if (value && typeof value === 'object' && !Array.isArray(value)) {
      const inner = value as Record<string, unknown>;
      for (const k in inner) {
        const v = inner[k];
        if (typeof v === 'string' && NUMERIC.test(v)) inner[k] = Number(v);
      }
    }
  }
  return usage;
}

/** Some models report `stop` or null while calling tools (ai-sdk #166/#420): the calls decide. */
export function patchFinishReason(reason: FinishReason | null | undefined, hasToolCalls: boolean): FinishReason | null {
  if (hasToolCalls && (reason === null || reason === undefined || reason === 'stop')) return 'tool_calls';
  return reason ?? null;
}

export interface ResultContext {
  requestedModel?: string;
  startedAt: number;
  firstTokenAt?: number;
  cost: (completion: ChatCompletion) => Cost;
}

/** Builds a ChatResult from a (received or assembled) completion. */
export function toChatResult(completion: ChatCompletion, context: ResultContext): ChatResult {
  const choice = completion.choices?.[0];
  if (!choice || typeof choice !== 'object' || !choice.message) {
    throw new UnexpectedResponseError('The completion has no choices', {
      retryable: true,
      generationId: completion.id,
    });
  }
  const message = choice.message;
  coerceUsageNumbers(completion.usage);
  // Names that are no strings (a sloppy upstream's numbers, nulls, lists) are fixed in the completion itself, which
  // callers pass on (the gateway) and key prices, ledgers and headers by: no id, the requested model, no provider.
  if (typeof completion.id !== 'string') delete (completion as Partial<ChatCompletion>).id;
  if (typeof completion.model !== 'string' || completion.model === '') completion.model = context.requestedModel ?? '';
  if (typeof completion.provider !== 'string') delete completion.provider;
  if (typeof choice.finish_reason !== 'string') choice.finish_reason = null;
  if (choice.native_finish_reason != null && typeof choice.native_finish_reason !== 'string')
    choice.native_finish_reason = null;
  // A sloppy upstream's `tool_calls` that is no list, or holds no objects, carries no call.
  const calls = Array.isArray(message.tool_calls) ? message.tool_calls : [];
  const toolCalls = calls.filter((call) => call && typeof call === 'object').map(toToolCallResult);
  const result: ChatResult = {
    text: contentText(message.content),
    message,
    toolCalls,
    finishReason: patchFinishReason(choice.finish_reason, toolCalls.length > 0),
    nativeFinishReason: choice.native_finish_reason ?? null,
    model: completion.model,
    provider: completion.provider,
    generationId: completion.id,
    usage: normalizeUsage(completion.usage),
    cost: context.cost(completion),
    timing: {
      ttftMs: context.firstTokenAt === undefined ? undefined : context.firstTokenAt - context.startedAt,
      totalMs: Date.now() - context.startedAt,
    },
    raw: completion,
  };
  if (context.requestedModel !== undefined) result.requestedModel = context.requestedModel;
  if (typeof message.reasoning === 'string') result.reasoning = message.reasoning;
  if (message.reasoning_details) result.reasoningDetails = message.reasoning_details;
  return result;
}
