import type { Served } from '../chat/complete-chat.js';
import { signReasoning } from '../chat/reasoning.js';
import { isObject } from '../chat/validate-chat.js';
import { Rng } from '../util/prng.js';

/**
 * The Responses shape of a served plan: output items, usage and the response object around them (reference §6.4,
 * with the fields OpenRouter's own schema adds: `usage.cost`, `cost_details`, `is_byok`, reasoning `format` and
 * `signature`, top-level `error_type`).
 */

type Body = Record<string, unknown>;

export type ResponseStatus = 'in_progress' | 'completed' | 'incomplete' | 'failed';

/** What stays the same in every snapshot of one response (created, in progress, final). */
export interface ResponseHead {
  id: string;
  createdAt: number;
  model: string;
  /** The request fields OpenAI clients read back (instructions, tools, text, …). */
  echo: Body;
}

/** Ids of one response and its items. Derived from the generation id, so they are as deterministic as it is and a
 * response can be traced to its `/generation` record. */
export interface ResponseIds {
  response: string;
  reasoning: string;
  message: string;
  calls: string[];
}

export function responseIds(generationId: string, calls: number): ResponseIds {
  const rng = new Rng(generationId);
  return {
    response: `resp_${generationId.replace(/^gen-/, '').replace('-', '')}`,
    reasoning: `rs_${rng.alnum(32)}`,
    message: `msg_${rng.alnum(32)}`,
    calls: Array.from({ length: calls }, () => `fc_${rng.alnum(32)}`),
  };
}

/** The request's settings as the response repeats them (OpenAI's defaults where the request left one out). */
export function echoFields(request: Body): Body {
  const text = isObject(request.text) ? request.text : {};
  const reasoning = isObject(request.reasoning) ? request.reasoning : {};
  return {
    instructions: request.instructions ?? null,
    max_output_tokens: request.max_output_tokens ?? null,
    max_tool_calls: request.max_tool_calls ?? null,
    metadata: request.metadata ?? {},
    parallel_tool_calls: request.parallel_tool_calls ?? true,
    previous_response_id: null,
    prompt_cache_key: request.prompt_cache_key ?? null,
    reasoning: { effort: reasoning.effort ?? null, summary: reasoning.summary ?? null },
    store: false,
    temperature: request.temperature ?? null,
    top_p: request.top_p ?? null,
    frequency_penalty: request.frequency_penalty ?? null,
    presence_penalty: request.presence_penalty ?? null,
    text: { ...text, format: text.format ?? { type: 'text' } },
    tool_choice: request.tool_choice ?? 'auto',
    tools: request.tools ?? [],
    top_logprobs: request.top_logprobs ?? 0,
    truncation: request.truncation ?? 'disabled',
    user: request.user ?? null,
    background: false,
  };
}

/** Chat usage in the Responses skin's names (reference §3.2 "Cache naming per skin"). */
export function responsesUsage(usage: Body): Body {
  const prompt = (usage.prompt_tokens_details ?? {}) as Body;
  const completion = (usage.completion_tokens_details ?? {}) as Body;
  const cost = (usage.cost_details ?? {}) as Body;
  return {
    input_tokens: usage.prompt_tokens,
    input_tokens_details: {
      cached_tokens: prompt.cached_tokens ?? 0,
      cache_write_tokens: prompt.cache_write_tokens ?? 0,
    },
    output_tokens: usage.completion_tokens,
    output_tokens_details: { reasoning_tokens: completion.reasoning_tokens ?? 0 },
    total_tokens: usage.total_tokens,
    cost: usage.cost,
    is_byok: usage.is_byok ?? false,
    cost_details: {
      upstream_inference_cost: null,
      upstream_inference_input_cost: cost.upstream_inference_prompt_cost ?? 0,
      upstream_inference_output_cost: cost.upstream_inference_completions_cost ?? 0,
    },
  };
}

/** An OpenRouter error in the Responses form: OpenAI's small code set, the precise `error_type` beside it. */
export function responsesError(error: { code: number; message: string; metadata?: { error_type?: string } }): {
  error: { code: string; message: string };
  errorType: string;
} {
  const errorType = error.metadata?.error_type ?? (error.code >= 500 ? 'server' : 'invalid_request');
  const code =
    errorType === 'rate_limit_exceeded' || error.code === 429
      ? 'rate_limit_exceeded'
      : error.code === 400
        ? 'invalid_prompt'
        : 'server_error';
  return { error: { code, message: error.message }, errorType };
}

export interface ResponseState {
  status: ResponseStatus;
  output: Body[];
  usage: Body | null;
  completedAt?: number;
  incomplete?: 'max_output_tokens';
  error?: { code: string; message: string };
  errorType?: string;
}

/** The response object at one point of its life. */
export function responseObject(head: ResponseHead, state: ResponseState): Body {
  let text = '';
  for (const item of state.output) {
    if (item.type !== 'message') continue;
    for (const part of item.content as Body[]) if (part.type === 'output_text') text += part.text as string;
  }
  const body: Body = {
    id: head.id,
    object: 'response',
    created_at: head.createdAt,
    status: state.status,
    completed_at: state.status === 'completed' ? (state.completedAt ?? head.createdAt) : null,
    error: state.error ?? null,
    incomplete_details: state.incomplete ? { reason: state.incomplete } : null,
    model: head.model,
    output: state.output,
    output_text: text,
    usage: state.usage,
    ...head.echo,
  };
  if (state.errorType) body.error_type = state.errorType;
  return body;
}

export function messageItem(id: string, text: string, status: string): Body {
  return {
    type: 'message',
    id,
    status,
    role: 'assistant',
    content: [{ type: 'output_text', text, annotations: [], logprobs: [] }],
  };
}

/** The reasoning item: its summary when the reasoning is visible, the provider's signature and format, and the
 * encrypted reasoning when `include` asks for it. */
export function reasoningItem(served: Served, id: string, encrypted: boolean, status: string): Body {
  const plan = served.plan;
  const text = plan.reasoning.join('');
  const details = plan.reasoningDetails ?? [];
  const item: Body = {
    type: 'reasoning',
    id,
    summary: plan.reasoningVisible ? [{ type: 'summary_text', text }] : [],
    status,
  };
  if (typeof details[0]?.format === 'string') item.format = details[0].format;
  // Anthropic signs the thinking text; Gemini's thought signature is its encrypted detail.
  const signature =
    details.find((d) => typeof d.signature === 'string')?.signature ??
    details.find((d) => d.type === 'reasoning.encrypted' && d.format === 'google-gemini-v1')?.data;
  if (typeof signature === 'string') item.signature = signature;
  if (encrypted) {
    const data = details.find((d) => d.type === 'reasoning.encrypted' && d.format === 'openai-responses-v1')?.data;
    item.encrypted_content = typeof data === 'string' ? data : `gAAAAA${signReasoning(text)}`;
  }
  return item;
}

export function functionCallItem(id: string, call: { id: string; name: string; arguments: string }, status: string) {
  return { type: 'function_call', id, call_id: call.id, name: call.name, arguments: call.arguments, status };
}

/** Whether the answer has a message item: it has text, or it ended normally without calling tools. */
export function hasMessage(served: Served): boolean {
  const plan = served.plan;
  return plan.content.length > 0 || (plan.toolCalls.length === 0 && plan.finishReason !== 'length');
}

/**
 * The output items of a served plan; with `keptTokens`, of an answer that failed after that many content tokens
 * (its message is incomplete and no tool call was finished). The last item of an answer cut by the token limit is
 * `incomplete`.
 */
export function outputItems(served: Served, ids: ResponseIds, encrypted: boolean, keptTokens?: number): Body[] {
  const plan = served.plan;
  const failed = keptTokens !== undefined;
  const items: Body[] = [];
  if (plan.reasoning.length > 0) items.push(reasoningItem(served, ids.reasoning, encrypted, 'completed'));
  if (hasMessage(served) || (failed && keptTokens > 0)) {
    const text = plan.content.slice(0, keptTokens ?? plan.content.length).join('');
    items.push(messageItem(ids.message, text, failed ? 'incomplete' : 'completed'));
  }
  if (!failed) {
    for (const [i, call] of plan.toolCalls.entries()) {
      items.push(functionCallItem(ids.calls[i] as string, call, 'completed'));
    }
  }
  const last = items[items.length - 1];
  if (last && plan.finishReason === 'length') last.status = 'incomplete';
  return items;
}
