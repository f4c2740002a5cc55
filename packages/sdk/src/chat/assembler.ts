import type { PartialOutput } from '../errors/switchyard-error.js';
import type {
  ChatCompletion,
  ChatCompletionChunk,
  ChunkChoice,
  FinishReason,
  ToolCallDelta,
  WireError,
  WireUsage,
} from '../protocol/chat.js';
import type { AssistantMessage, ReasoningDetail, ToolCall } from '../protocol/messages.js';
import { normalizeUsage } from '../usage/usage.js';
import { mergeReasoningDetail } from './reasoning-merge.js';
import { coerceUsageNumbers, contentText } from './result.js';
import { argumentsText, toToolCallResult } from './tool-calls.js';
import type { StreamEvent } from './types.js';

interface PendingCall {
  id: string;
  name: string;
  arguments: string;
}

/**
 * Folds `chat.completion.chunk`s into one completion and the events a consumer sees. Handles every observed
 * shape: role on every delta, `content: ""`/`null` beside tool calls, tool calls whole or in fragments, usage on
 * its own chunk (with `choices: []` or one empty choice) or on the finish chunk, and in-band `error` chunks.
 */
export class StreamAssembler {
  id = '';
  model = '';
  provider: string | undefined;
  created = 0;
  text = '';
  reasoning = '';
  private reasoningSeen = false;
  readonly reasoningDetails: ReasoningDetail[] = [];
  private readonly calls: PendingCall[] = [];
  finishReason: FinishReason | null = null;
  nativeFinishReason: string | null = null;
  usage: WireUsage | undefined;
  error: WireError | undefined;
  /** Whether any model output (text, reasoning, tool call) arrived. */
  hasContent = false;
  finished = false;

  /** Folds one chunk in; appends what to tell the consumer to `events` (the caller's batch: no array per chunk). */
  push(chunk: ChatCompletionChunk, events: StreamEvent[]): void {
    // A sloppy upstream's ids and names that are no strings, and `choices` that is no list, are not taken.
    if (chunk.id && typeof chunk.id === 'string') this.id = chunk.id;
    if (chunk.model && typeof chunk.model === 'string') this.model = chunk.model;
    if (chunk.provider && typeof chunk.provider === 'string') this.provider = chunk.provider;
    if (chunk.created) this.created = chunk.created;
    if (chunk.error) this.error = chunk.error;
    const choices = chunk.choices;
    if (Array.isArray(choices)) for (const choice of choices) this.pushChoice(choice, events);
    if (chunk.usage) {
      this.usage = coerceUsageNumbers(chunk.usage);
      events.push({ type: 'usage', usage: normalizeUsage(chunk.usage) });
    }
  }

  private pushChoice(choice: ChunkChoice, events: StreamEvent[]): void {
    if (!choice || (choice.index ?? 0) !== 0) return;
    const delta = choice.delta;
    if (delta) {
      if (typeof delta.reasoning === 'string' && delta.reasoning !== '') {
        this.reasoning += delta.reasoning;
        this.reasoningSeen = true;
        this.hasContent = true;
        events.push({ type: 'reasoning', text: delta.reasoning, details: delta.reasoning_details });
      }
      if (Array.isArray(delta.reasoning_details)) {
        for (const detail of delta.reasoning_details) mergeReasoningDetail(this.reasoningDetails, detail);
        this.reasoningSeen ||= delta.reasoning_details.length > 0;
      }
      // Some providers (Mistral's reasoning models) stream content as an array of parts: its text parts count.
      const content = Array.isArray(delta.content) ? contentText(delta.content) : delta.content;
      if (typeof content === 'string' && content !== '') {
        this.text += content;
        this.hasContent = true;
        events.push({ type: 'text', text: content });
      }
      // A sloppy upstream's `tool_calls` that is no list, or holds no objects, carries no call.
      if (Array.isArray(delta.tool_calls))
        for (const piece of delta.tool_calls) if (piece && typeof piece === 'object') this.pushToolCall(piece, events);
    }
    // A finish reason that is no string (a sloppy upstream's number or list) is none: [DONE] still finishes the answer.
    if (choice.finish_reason && typeof choice.finish_reason === 'string') {
      this.finishReason = choice.finish_reason;
      const native = choice.native_finish_reason;
      this.nativeFinishReason = typeof native === 'string' ? native : null;
      this.finished = true;
    }
  }

  /** A complete stream that named no finish reason: `tool_calls` when it made calls, else `stop`. */
  inferFinish(): void {
    this.finishReason = this.calls.length > 0 ? 'tool_calls' : 'stop';
    this.finished = true;
  }

  private pushToolCall(piece: ToolCallDelta, events: StreamEvent[]): void {
    const index = typeof piece.index === 'number' ? piece.index : this.indexOf(piece);
    let call = this.calls[index];
    if (!call) {
      call = { id: '', name: '', arguments: '' };
      this.calls[index] = call;
    }
    if (piece.id) call.id = piece.id;
    if (piece.function?.name) call.name += call.name && piece.function.name === call.name ? '' : piece.function.name;
    const args = argumentsText(piece.function?.arguments);
    call.arguments += args;
    this.hasContent = true;
    events.push({ type: 'tool_call_delta', index, id: piece.id, name: piece.function?.name, arguments: args });
  }

  /**
   * Where a delta without an `index` belongs (some OpenAI-compatible servers omit it): it continues the last call
   * unless it starts another — a different id, or a name for a call that already has one without an id to match.
   */
  private indexOf(piece: ToolCallDelta): number {
    const last = this.calls.length - 1;
    const current = this.calls[last];
    if (!current) return this.calls.length;
    if (piece.id) return piece.id === current.id || !current.id ? last : this.calls.length;
    return piece.function?.name && current.name ? this.calls.length : last;
  }

  /** Tool calls assembled so far (ids are synthesised when a provider omitted them, ai-sdk #212). */
  toolCalls(): ToolCall[] {
    return this.calls
      .filter((call) => call !== undefined)
      .map((call, i) => ({
        id: call.id || `call_${this.id.slice(-12) || 'x'}_${i}`,
        type: 'function' as const,
        function: { name: call.name, arguments: call.arguments },
      }));
  }

  /** Events announcing each complete tool call (at the end of the stream). */
  toolCallEvents(): StreamEvent[] {
    return this.toolCalls().map((call) => ({ type: 'tool_call', call: toToolCallResult(call) }));
  }

  /** The completion the chunks add up to, in the non-streaming shape. */
  completion(): ChatCompletion {
    const message: AssistantMessage = { role: 'assistant', content: this.text };
    if (this.reasoningSeen) message.reasoning = this.reasoning || null;
    if (this.reasoningDetails.length > 0) message.reasoning_details = this.reasoningDetails;
    const calls = this.toolCalls();
    if (calls.length > 0) message.tool_calls = calls;
    const completion: ChatCompletion = {
      id: this.id,
      object: 'chat.completion',
      created: this.created,
      model: this.model,
      choices: [{ index: 0, message, finish_reason: this.finishReason, native_finish_reason: this.nativeFinishReason }],
    };
    if (this.provider !== undefined) completion.provider = this.provider;
    if (this.usage) completion.usage = this.usage;
    return completion;
  }

  partial(costUsd?: number): PartialOutput {
    const usage = this.usage ? normalizeUsage(this.usage) : undefined;
    return {
      text: this.text,
      reasoning: this.reasoning,
      toolCalls: this.toolCalls().map((c) => ({ id: c.id, name: c.function.name, arguments: c.function.arguments })),
      usage: usage && {
        promptTokens: usage.promptTokens,
        completionTokens: usage.completionTokens,
        totalTokens: usage.totalTokens,
      },
      costUsd: costUsd ?? (typeof this.usage?.cost === 'number' ? this.usage.cost : undefined),
      model: this.model || undefined,
      provider: this.provider,
      generationId: this.id || undefined,
    };
  }
}
