import type { ChatResult, StreamEvent } from '@switchyard/sdk';
import { encodeEvent } from '@switchyard/sdk/sse';
import { FrameReasoning } from './frame-reasoning.js';
import {
  functionCallItem,
  messageItem,
  type ResponseDraft,
  type ResponseStatus,
  reasoningItem,
  responseObject,
  responsesId,
  responsesUsage,
  statusOf,
} from './responses-output.js';
import { encodeReasoning } from './responses-reasoning.js';

type Item = Record<string, unknown>;

interface OpenItem {
  kind: 'reasoning' | 'message' | 'function_call';
  id: string;
  index: number;
  text: string;
  callId?: string;
  name?: string;
}

/**
 * Turns the SDK's stream events for one chat answer into the Responses API's event sequence, in the order OpenAI
 * emits it (clients such as openai-node's `responses.stream()` rebuild the response from these events and reject
 * one out of order): `response.created`, `response.in_progress`, then per output item `output_item.added`, its
 * parts and deltas, its `.done` events and `output_item.done`, and last `response.completed` (or `.incomplete`,
 * or `response.failed`). Each method returns the SSE text to send.
 *
 * Items follow one another, as OpenAI sends them: the next item is added only after the one before it is done
 * (save tool-call deltas that go back to an earlier call, which chat allows and no provider is known to send). A
 * reasoning item stays open until the next non-reasoning content (or the end), and its `output_item.done` carries
 * the `encrypted_content` of every reasoning detail received up to then — read from the upstream's chunks, since a
 * signature may arrive after the reasoning text (`frame()`). Clients that rebuild items from `.done` events (the
 * AI SDK with `store: false`) replay exactly what the final response carries.
 */
export class ResponsesStreamWriter {
  private sequence = 0;
  private readonly output: Item[] = [];
  private open: OpenItem | undefined;
  /** Function calls by the chat stream's tool-call index (deltas of one call may come after another's began). */
  private readonly calls = new Map<number, OpenItem>();
  private started = false;
  /** Whether a reasoning item was begun (details without any reasoning text still need one: `detailsOnly`). */
  private reasoned = false;
  private finished: Item | undefined;
  private readonly reasoning = new FrameReasoning();
  model: string;

  constructor(private readonly draft: ResponseDraft) {
    this.model = draft.echo.model ?? '';
  }

  private event(type: string, fields: Item): string {
    const data = JSON.stringify({ type, sequence_number: this.sequence++, ...fields });
    return encodeEvent({ event: type, data });
  }

  private snapshot(status: ResponseStatus, extra: Parameters<typeof responseObject>[2] | undefined = undefined): Item {
    return responseObject(this.draft, this.model, extra ?? { status, output: [] });
  }

  /**
   * The opening events, once: they go out with the answer's first content (so a failure before it can still be an
   * HTTP error), and must come first in sequence.
   */
  private opening(): string {
    if (this.started) return '';
    this.started = true;
    const response = this.snapshot('in_progress');
    return this.event('response.created', { response }) + this.event('response.in_progress', { response });
  }

  private begin(
    kind: OpenItem['kind'],
    prefix: string,
    extra: Partial<OpenItem> = {},
  ): { item: OpenItem; sse: string } {
    const item: OpenItem = { kind, id: responsesId(prefix), index: this.output.length, text: '', ...extra };
    if (kind === 'reasoning') this.reasoned = true;
    this.output.push({}); // reserved; the finished item replaces it
    let sse = this.event('response.output_item.added', {
      output_index: item.index,
      item: this.itemOf(item, 'in_progress'),
    });
    const at = { item_id: item.id, output_index: item.index };
    if (kind === 'message') {
      sse += this.event('response.content_part.added', { ...at, content_index: 0, part: textPart('') });
    } else if (kind === 'reasoning') {
      sse += this.event('response.reasoning_summary_part.added', { ...at, summary_index: 0, part: summaryPart('') });
    }
    return { item, sse };
  }

  private itemOf(item: OpenItem, status: string, sealed?: string): Item {
    if (item.kind === 'message') return messageItem(item.id, item.text, status);
    if (item.kind === 'reasoning') return { ...reasoningItem(item.id, item.text, sealed), status };
    return functionCallItem(item.id, item.callId ?? '', item.name ?? '', item.text, status);
  }

  /** Ends the item being written (its `.done` events), if any; a reasoning item is sealed with the details so far. */
  private close(status = 'completed', sealed?: string): string {
    const item = this.open;
    if (!item) return '';
    this.open = undefined;
    return this.finish(
      item,
      status,
      item.kind === 'reasoning' ? (sealed ?? encodeReasoning(this.reasoning.details)) : undefined,
    );
  }

  private finish(item: OpenItem, status: string, sealed?: string): string {
    const at = { item_id: item.id, output_index: item.index };
    let sse = '';
    if (item.kind === 'message') {
      sse += this.event('response.output_text.done', { ...at, content_index: 0, text: item.text, logprobs: [] });
      sse += this.event('response.content_part.done', { ...at, content_index: 0, part: textPart(item.text) });
    } else if (item.kind === 'reasoning') {
      sse += this.event('response.reasoning_summary_text.done', { ...at, summary_index: 0, text: item.text });
      sse += this.event('response.reasoning_summary_part.done', {
        ...at,
        summary_index: 0,
        part: summaryPart(item.text),
      });
    } else {
      sse += this.event('response.function_call_arguments.done', { ...at, name: item.name, arguments: item.text });
    }
    const done = this.itemOf(item, status, sealed);
    this.output[item.index] = done;
    return sse + this.event('response.output_item.done', { output_index: item.index, item: done });
  }

  /**
   * One upstream SSE frame, seen before the SDK's events for the same chunk: its reasoning details are known by the
   * time the content that follows them ends the reasoning item. Sends nothing.
   */
  frame(text: string): void {
    this.reasoning.observe(text);
  }

  /** The events for one SDK stream event ('' when it adds nothing the client sees). */
  push(event: StreamEvent): string {
    const visible =
      ((event.type === 'reasoning' || event.type === 'text') && event.text !== '') || event.type === 'tool_call_delta';
    return visible ? this.opening() + this.translate(event) : '';
  }

  /** Makes a reasoning or message item the one being written (ending the one before); its opening events. */
  private openAs(kind: 'reasoning' | 'message', prefix: string): string {
    if (this.open?.kind === kind) return '';
    const closed = this.close();
    const begun = this.begin(kind, prefix);
    this.open = begun.item;
    return closed + begun.sse;
  }

  /**
   * Reasoning that came as details only — encrypted or redacted, no text (OpenAI's reasoning models, Anthropic's
   * redacted thinking) — gets its own item before the content it precedes, as the non-streamed answer has it:
   * clients replay it from there, on the right turn. Ended, sealed, by the content that opens next.
   */
  private detailsOnly(): string {
    return this.reasoned || this.reasoning.details.length === 0 ? '' : this.openAs('reasoning', 'rs');
  }

  private translate(event: StreamEvent): string {
    if (event.type === 'reasoning' && event.text) {
      const sse = this.openAs('reasoning', 'rs');
      const item = this.open as OpenItem;
      item.text += event.text;
      const at = { item_id: item.id, output_index: item.index };
      return sse + this.event('response.reasoning_summary_text.delta', { ...at, summary_index: 0, delta: event.text });
    }
    if (event.type === 'text' && event.text) {
      const sse = this.detailsOnly() + this.openAs('message', 'msg');
      const item = this.open as OpenItem;
      item.text += event.text;
      const at = { item_id: item.id, output_index: item.index, content_index: 0 };
      return sse + this.event('response.output_text.delta', { ...at, delta: event.text, logprobs: [] });
    }
    if (event.type === 'tool_call_delta') return this.toolDelta(event);
    return '';
  }

  private toolDelta(event: Extract<StreamEvent, { type: 'tool_call_delta' }>): string {
    let sse = '';
    let call = this.calls.get(event.index);
    if (!call) {
      sse += this.detailsOnly();
      sse += this.close();
      const begun = this.begin('function_call', 'fc', {
        callId: event.id ?? responsesId('call'),
        name: event.name ?? '',
      });
      call = begun.item;
      this.calls.set(event.index, call);
      this.open = call;
      sse += begun.sse;
    }
    if (!event.arguments) return sse;
    call.text += event.arguments;
    const at = { item_id: call.id, output_index: call.index };
    return sse + this.event('response.function_call_arguments.delta', { ...at, delta: event.arguments });
  }

  /** The closing events for a finished answer; the final item texts come from the SDK's assembled result. */
  complete(result: ChatResult): string {
    this.model = result.model;
    const sealed = encodeReasoning(result.reasoningDetails);
    let sse = this.opening();
    // Calls whose name or id arrived only in a later delta get them from the result.
    let n = 0;
    for (const call of this.calls.values()) {
      const final = result.toolCalls[n++];
      if (final) Object.assign(call, { callId: final.id, name: final.name, text: final.arguments });
    }
    sse += this.close('completed', sealed);
    // Calls still open (interleaved indexes) end here too.
    for (const call of this.calls.values()) if (!this.output[call.index]?.type) sse += this.finish(call, 'completed');
    // Details a provider sent only after further content had begun cannot reach the reasoning item's `.done` any
    // more (none of the providers modelled does so); the final response still carries them, for replays.
    if (sealed) {
      for (const item of this.output) if (item.type === 'reasoning') item.encrypted_content = sealed;
    }
    const { status, incomplete } = statusOf(result.finishReason);
    const response = this.snapshot(status, {
      status,
      incomplete,
      output: this.output,
      usage: responsesUsage(result.usage, result.cost),
    });
    this.finished = response;
    return sse + this.event(status === 'incomplete' ? 'response.incomplete' : 'response.completed', { response });
  }

  /** The closing events for an answer cut by an error: open items end `incomplete`, then `response.failed`. */
  fail(error: { code: string; message: string }): string {
    let sse = this.opening() + this.close('incomplete');
    for (const call of this.calls.values()) if (!this.output[call.index]?.type) sse += this.finish(call, 'incomplete');
    const response = this.snapshot('failed', { status: 'failed', output: this.output, error });
    return sse + this.event('response.failed', { response });
  }

  /** The final response object once `complete()` built it (what the stream's last event carried), for the store. */
  get response(): Item | undefined {
    return this.finished;
  }
}

function textPart(text: string): Item {
  return { type: 'output_text', text, annotations: [], logprobs: [] };
}

function summaryPart(text: string): Item {
  return { type: 'summary_text', text };
}
