import { randomBytes } from 'node:crypto';
import type { ChatResult, Cost, FinishReason, Usage } from '@switchyard/sdk';
import { outputAnnotations } from './responses-annotations.js';
import { encodeReasoning } from './responses-reasoning.js';
import type { ResponsesEcho } from './responses-request.js';

type Item = Record<string, unknown>;

/** An id in OpenAI's style (`resp_…`, `msg_…`, `fc_…`, `rs_…`): random, so it can also serve as a store key. */
export function responsesId(prefix: string): string {
  return `${prefix}_${randomBytes(12).toString('hex')}`;
}

/** The response being built: its id and creation time are fixed before the answer exists (streams announce them). */
export interface ResponseDraft {
  id: string;
  createdAt: number;
  echo: ResponsesEcho;
}

export function newDraft(echo: ResponsesEcho): ResponseDraft {
  return { id: responsesId('resp'), createdAt: Math.floor(Date.now() / 1000), echo };
}

export type ResponseStatus = 'in_progress' | 'completed' | 'incomplete' | 'failed';

/** How a chat finish reason reads in the Responses API: `length` and `content_filter` make an incomplete response. */
export function statusOf(finishReason: FinishReason | null): {
  status: ResponseStatus;
  incomplete: { reason: string } | null;
} {
  if (finishReason === 'length') return { status: 'incomplete', incomplete: { reason: 'max_output_tokens' } };
  if (finishReason === 'content_filter') return { status: 'incomplete', incomplete: { reason: 'content_filter' } };
  return { status: 'completed', incomplete: null };
}

/** Chat usage in the Responses shape (OpenRouter adds `cost` in USD, as it does on chat). */
export function responsesUsage(usage: Usage, cost?: Cost): Item {
  return {
    input_tokens: usage.promptTokens,
    input_tokens_details: { cached_tokens: usage.cachedTokens },
    output_tokens: usage.completionTokens,
    output_tokens_details: { reasoning_tokens: usage.reasoningTokens },
    total_tokens: usage.totalTokens,
    ...(cost && !cost.unpriced ? { cost: cost.usd } : {}),
  };
}

export function outputTextPart(text: string, annotations: Item[] = []): Item {
  return { type: 'output_text', text, annotations, logprobs: [] };
}

export function refusalPart(refusal: string): Item {
  return { type: 'refusal', refusal };
}

/** What a message carries besides its text: the citations of its text and a refusal. */
export interface MessageExtras {
  annotations?: Item[];
  refusal?: string;
}

/**
 * An assistant message item: its text as an `output_text` part — also when empty, so a client reading the first part
 * finds "" — then the refusal, if any, as a `refusal` part; a refusal alone is the only part, as OpenAI answers it.
 */
export function messageItem(id: string, text: string, status: string, extras: MessageExtras = {}): Item {
  const content: Item[] = [];
  if (text || !extras.refusal) content.push(outputTextPart(text, extras.annotations));
  if (extras.refusal) content.push(refusalPart(extras.refusal));
  return { type: 'message', id, status, role: 'assistant', content };
}

export function functionCallItem(id: string, callId: string, name: string, args: string, status: string): Item {
  return { type: 'function_call', id, call_id: callId, name, arguments: args, status };
}

export function reasoningItem(id: string, text: string, sealed: string | undefined): Item {
  return {
    type: 'reasoning',
    id,
    summary: text ? [{ type: 'summary_text', text }] : [],
    ...(sealed ? { encrypted_content: sealed } : {}),
  };
}

/** The Responses object: the answer so far (`output`, `status`, `usage`) with the request's parameters echoed. */
export function responseObject(
  draft: ResponseDraft,
  model: string,
  state: {
    status: ResponseStatus;
    output: Item[];
    usage?: Item | null;
    error?: { code: string; message: string } | null;
    incomplete?: { reason: string } | null;
    /** The tier the upstream reports having served (else the requested one is echoed). */
    serviceTier?: string | null;
  },
): Item {
  const { echo } = draft;
  const done = state.status !== 'in_progress';
  return {
    id: draft.id,
    object: 'response',
    created_at: draft.createdAt,
    completed_at: state.status === 'completed' ? Math.floor(Date.now() / 1000) : null,
    status: state.status,
    error: state.error ?? null,
    incomplete_details: state.incomplete ?? null,
    model,
    output: state.output,
    ...(done ? { output_text: outputText(state.output) } : {}),
    usage: state.usage ?? null,
    instructions: echo.instructions,
    max_output_tokens: echo.maxOutputTokens,
    metadata: echo.metadata,
    parallel_tool_calls: echo.parallelToolCalls,
    previous_response_id: echo.previousResponseId,
    prompt_cache_key: echo.promptCacheKey,
    reasoning: echo.reasoning,
    safety_identifier: echo.safetyIdentifier,
    service_tier: state.serviceTier ?? echo.serviceTier,
    store: echo.store,
    temperature: echo.temperature,
    top_p: echo.topP,
    frequency_penalty: echo.frequencyPenalty,
    presence_penalty: echo.presencePenalty,
    text: echo.text,
    tool_choice: echo.toolChoice,
    tools: echo.tools,
    truncation: echo.truncation,
    user: echo.user,
  };
}

/** Concatenated text of the output's messages (what openai-node's `response.output_text` computes). */
function outputText(output: Item[]): string {
  let text = '';
  for (const item of output) {
    if (item.type !== 'message') continue;
    for (const part of item.content as Item[]) if (part.type === 'output_text') text += part.text as string;
  }
  return text;
}

/**
 * The output items of a finished chat answer: reasoning, then the message (with the upstream's citations and
 * refusal; an answer with neither text nor tool calls still has one, empty), then each tool call. In an answer that
 * was cut (`incomplete`), the last item — the one being written when it was cut — is `incomplete` too, as OpenAI
 * marks it.
 */
export function outputOf(result: ChatResult, status: ResponseStatus = 'completed'): Item[] {
  const output: Item[] = [];
  if (result.reasoning || result.reasoningDetails?.length) {
    output.push(reasoningItem(responsesId('rs'), result.reasoning ?? '', encodeReasoning(result.reasoningDetails)));
  }
  const refusal = typeof result.message.refusal === 'string' ? result.message.refusal : '';
  if (result.text || refusal || result.toolCalls.length === 0) {
    const annotations = outputAnnotations(result.message.annotations);
    output.push(messageItem(responsesId('msg'), result.text, 'completed', { annotations, refusal }));
  }
  for (const call of result.toolCalls) {
    output.push(functionCallItem(responsesId('fc'), call.id, call.name, call.arguments, 'completed'));
  }
  const last = output.at(-1);
  if (status === 'incomplete' && last && last.type !== 'reasoning') last.status = 'incomplete';
  return output;
}

/** The service tier an upstream answer names, if any (OpenRouter reports the tier that served it). */
export function servedTier(result: ChatResult): string | undefined {
  const tier = (result.raw as { service_tier?: unknown } | undefined)?.service_tier;
  return typeof tier === 'string' ? tier : undefined;
}

/** The complete Responses object for a finished, non-streamed chat answer. */
export function responseFromResult(draft: ResponseDraft, result: ChatResult): Item {
  const { status, incomplete } = statusOf(result.finishReason);
  return responseObject(draft, result.model, {
    status,
    incomplete,
    output: outputOf(result, status),
    usage: responsesUsage(result.usage, result.cost),
    serviceTier: servedTier(result),
  });
}
