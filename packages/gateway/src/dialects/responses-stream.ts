import type { ChatResult, StreamEvent } from '@switchyard/sdk';
import { encodeEvent } from '@switchyard/sdk/sse';
import { FrameReasoning } from './frame-reasoning.js';
import { FrameCitations } from './responses-annotations.js';
import {
  functionCallItem,
  messageItem,
  outputTextPart,
  type ResponseDraft,
  type ResponseStatus,
  reasoningItem,
  refusalPart,
  responseObject,
  responsesId,
  responsesUsage,
  servedTier,
  statusOf,
} from './responses-output.js';
import { encodeReasoning } from './responses-reasoning.js';
import { type CallWriter, type PendingCall, ToolCallOrder } from './tool-call-order.js';

type Item = Record<string, unknown>;

interface OpenItem {
  kind: 'reasoning' | 'message' | 'function_call';
  id: string;
  index: number;
  text: string;
  callId?: string;
  name?: string;
  /** Whether a message has an `output_text` part (all do but one that holds only a refusal). */
  textPart?: boolean;
}

/** The model a chunk names (the first frame of a stream carries it). */
const MODEL = /"model":\s*"([^"\\]+)"/;

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
  /** One function_call item at a time, also when a provider interleaves parallel calls. */
  private readonly order = new ToolCallOrder();
  private readonly callWriter: CallWriter = {
    start: (call) => this.startCall(call),
    args: (index, piece) => this.argsOf(this.calls.get(index) as OpenItem, piece),
  };
  private started = false;
  /** Whether a reasoning item was begun (details without any reasoning text still need one: `detailsOnly`). */
  private reasoned = false;
  private finished: Item | undefined;
  private readonly reasoning = new FrameReasoning();
  private readonly citations = new FrameCitations();
  /** Whether a message item was begun (an answer without one gets an empty one at the end, as non-streamed). */
  private messaged = false;
  /** The model the response names: the requested one, else the one the upstream's first chunk names. */
  model: string;

  /** `defaultModel`: the configured default, named when neither the request nor the upstream's chunks name one. */
  constructor(
    private readonly draft: ResponseDraft,
    private readonly defaultModel?: string,
  ) {
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
    this.model ||= this.defaultModel ?? '';
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
    if (kind === 'message') this.messaged = true;
    this.output.push({}); // reserved; the finished item replaces it
    let sse = this.event('response.output_item.added', {
      output_index: item.index,
      item: this.itemOf(item, 'in_progress'),
    });
    const at = { item_id: item.id, output_index: item.index };
    if (kind === 'message') {
      item.textPart ??= true;
      if (item.textPart)
        sse += this.event('response.content_part.added', { ...at, content_index: 0, part: outputTextPart('') });
    } else if (kind === 'reasoning') {
      sse += this.event('response.reasoning_summary_part.added', { ...at, summary_index: 0, part: summaryPart('') });
    }
    return { item, sse };
  }

  private itemOf(item: OpenItem, status: string, sealed?: string): Item {
    // A message is announced without parts, as OpenAI does: `content_part.added` adds each one, and a client that
    // rebuilds the response from the events (openai-node's stream snapshot) would otherwise hold the text part twice.
    if (item.kind === 'message') return { ...messageItem(item.id, item.text, status), content: [] };
    if (item.kind === 'reasoning') return { ...reasoningItem(item.id, item.text, sealed), status };
    return functionCallItem(item.id, item.callId ?? '', item.name ?? '', item.text, status);
  }

  /** Ends the item being written (its `.done` events), if any; a reasoning item is sealed with the details so far. */
  private close(status = 'completed', sealed?: string): string {
    const item = this.open;
    if (!item) return '';
    this.open = undefined;
    this.order.closed();
    return this.finish(
      item,
      status,
      item.kind === 'reasoning' ? (sealed ?? encodeReasoning(this.reasoning.details)) : undefined,
    );
  }

  private finish(item: OpenItem, status: string, sealed?: string): string {
    if (item.kind === 'message') return this.finishMessage(item, status);
    const at = { item_id: item.id, output_index: item.index };
    let sse = '';
    if (item.kind === 'reasoning') {
      sse += this.event('response.reasoning_summary_text.done', { ...at, summary_index: 0, text: item.text });
      sse += this.event('response.reasoning_summary_part.done', {
        ...at,
        summary_index: 0,
        part: summaryPart(item.text),
      });
    } else {
      sse += this.event('response.function_call_arguments.done', { ...at, name: item.name, arguments: item.text });
    }
    return sse + this.done(item, this.itemOf(item, status, sealed));
  }

  private done(item: OpenItem, done: Item): string {
    this.output[item.index] = done;
    return this.event('response.output_item.done', { output_index: item.index, item: done });
  }

  /**
   * A message's closing events: the citations of its text (known only now: upstreams send them last), the text's
   * `.done` events, then the refusal received so far as a part of its own — chat streams it in `delta.refusal`,
   * which makes no SDK event, so it goes out whole here.
   */
  private finishMessage(item: OpenItem, status: string): string {
    const at = { item_id: item.id, output_index: item.index };
    const annotations = this.citations.takeAnnotations();
    const refusal = this.citations.takeRefusal();
    let sse = '';
    let index = 0;
    if (item.textPart) {
      annotations.forEach((annotation, i) => {
        sse += this.event('response.output_text.annotation.added', {
          ...at,
          content_index: 0,
          annotation_index: i,
          annotation,
        });
      });
      sse += this.event('response.output_text.done', { ...at, content_index: 0, text: item.text, logprobs: [] });
      const part = outputTextPart(item.text, annotations);
      sse += this.event('response.content_part.done', { ...at, content_index: 0, part });
      index = 1;
    }
    if (refusal) {
      const part = { ...at, content_index: index };
      sse += this.event('response.content_part.added', { ...part, part: refusalPart('') });
      sse += this.event('response.refusal.delta', { ...part, delta: refusal });
      sse += this.event('response.refusal.done', { ...part, refusal });
      sse += this.event('response.content_part.done', { ...part, part: refusalPart(refusal) });
    }
    return sse + this.done(item, messageItem(item.id, item.text, status, { annotations, refusal }));
  }

  /**
   * One upstream SSE frame, seen before the SDK's events for the same chunk: its reasoning details are known by the
   * time the content that follows them ends the reasoning item. Sends nothing.
   */
  frame(text: string): void {
    this.reasoning.observe(text);
    this.citations.observe(text);
    // Without a requested model (`models` alone, or the key's default) the first chunk names the one serving it.
    if (!this.model) this.model = MODEL.exec(text)?.[1] ?? '';
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
    if (event.type === 'tool_call_delta') return this.order.push(event, this.callWriter);
    return '';
  }

  private startCall(call: PendingCall): string {
    let sse = this.detailsOnly();
    sse += this.close();
    const begun = this.begin('function_call', 'fc', { callId: call.id ?? responsesId('call'), name: call.name });
    this.calls.set(call.index, begun.item);
    this.open = begun.item;
    sse += begun.sse;
    return call.args ? sse + this.argsOf(begun.item, call.args) : sse;
  }

  private argsOf(call: OpenItem, piece: string): string {
    call.text += piece;
    const at = { item_id: call.id, output_index: call.index };
    return this.event('response.function_call_arguments.delta', { ...at, delta: piece });
  }

  /** The closing events for a finished answer; the final item texts come from the SDK's assembled result. */
  complete(result: ChatResult): string {
    const sealed = encodeReasoning(result.reasoningDetails);
    let sse = this.opening() + this.order.flush(this.callWriter);
    this.model = result.model;
    // Calls whose name or id arrived only in a later delta get them from the result (its calls in chat index order).
    let n = 0;
    for (const [, call] of [...this.calls].sort(([a], [b]) => a - b)) {
      const final = result.toolCalls[n++];
      if (final) Object.assign(call, { callId: final.id, name: final.name, text: final.arguments });
    }
    const { status, incomplete } = statusOf(result.finishReason);
    // A cut answer's last item — the one being written when it was cut — is incomplete too, as in the non-streamed one.
    const last = status === 'incomplete' ? 'incomplete' : 'completed';
    // A refusal, and an answer with neither text nor tool calls, still get a message item, as non-streamed.
    const refused = this.citations.hasRefusal;
    if (refused ? this.open?.kind !== 'message' : !this.messaged && this.calls.size === 0) {
      sse += this.close('completed', sealed);
      const begun = this.begin('message', 'msg', { textPart: !refused });
      this.open = begun.item;
      sse += begun.sse;
    }
    sse += this.close(last, sealed);
    // Calls still open (interleaved indexes) end here too.
    for (const call of this.calls.values()) if (!this.output[call.index]?.type) sse += this.finish(call, last);
    // Details a provider sent only after further content had begun cannot reach the reasoning item's `.done` any
    // more (none of the providers modelled does so); the final response still carries them, for replays. The same
    // goes for citations that came after their message ended (a tool call began after the text).
    if (sealed) {
      for (const item of this.output) if (item.type === 'reasoning') item.encrypted_content = sealed;
    }
    const lateCitations = this.citations.takeAnnotations();
    const message = this.output.findLast((item) => item.type === 'message');
    const text = (message?.content as Item[] | undefined)?.find((part) => part.type === 'output_text');
    if (text) (text.annotations as Item[]).push(...lateCitations);
    const response = this.snapshot(status, {
      status,
      incomplete,
      output: this.output,
      usage: responsesUsage(result.usage, result.cost),
      serviceTier: servedTier(result),
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

function summaryPart(text: string): Item {
  return { type: 'summary_text', text };
}
