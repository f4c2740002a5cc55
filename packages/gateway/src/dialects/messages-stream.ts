import type { ChatResult, StreamEvent } from '@switchyard/sdk';
import { encodeEvent } from '@switchyard/sdk/sse';
import { identityOfFrame } from './completions-output.js';
import { FrameReasoning } from './frame-reasoning.js';
import { messageCitations } from './messages-citations.js';
import { MESSAGE_EXTRAS, MESSAGE_USAGE_EXTRAS, messagesUsage, stopReasonOf } from './messages-output.js';
import type { MessagesEcho } from './messages-request.js';
import { signatureOf, thinkingBlocks } from './messages-thinking.js';
import { FrameCitations } from './responses-annotations.js';
import { type CallWriter, type PendingCall, ToolCallOrder } from './tool-call-order.js';

type Block = Record<string, unknown>;

interface OpenBlock {
  kind: 'text' | 'thinking' | 'tool_use';
  index: number;
}

/**
 * Turns the SDK's stream events for one chat answer into Anthropic's Messages event sequence: `message_start` (and a
 * `ping`), then per content block `content_block_start`, its deltas (`text_delta`, `thinking_delta` and a closing
 * `signature_delta`, `input_json_delta`) and `content_block_stop`, one block at a time; last `message_delta` with
 * the stop reason and usage, and `message_stop`. Every event has its `event:` line, which the Anthropic SDKs
 * dispatch on. Each method returns the SSE text to send.
 */
export class MessagesStreamWriter {
  private started = false;
  private blocks = 0;
  private open: OpenBlock | undefined;
  /** Block index of each tool call, by the chat stream's tool-call index. */
  private readonly calls = new Map<number, number>();
  /** One tool_use block at a time, also when a provider interleaves parallel calls. */
  private readonly order = new ToolCallOrder();
  private readonly callWriter: CallWriter = {
    start: (call) => this.startCall(call),
    args: (index, piece) => this.argsDelta(this.calls.get(index) as number, piece),
  };
  private readonly reasoning = new FrameReasoning();
  /** Web search citations from the frames, for the text block they end in; the answer's text to quote from. */
  private readonly citations = new FrameCitations();
  private text = '';
  /** Whether a thinking block went out (opaque details before any still need one: `detailsFirst`). */
  private thought = false;
  private model: string;
  private modelKnown = false;
  /** The stop sequence an upstream named on its finishing chunk (vLLM-style `stop_reason`), if one did. */
  private namedStop: string | undefined;

  /** `inputTokens`: the gateway's estimate of the prompt, which `message_start` reports until usage is known. */
  constructor(
    private readonly id: string,
    private readonly echo: MessagesEcho,
    model: string,
    private readonly inputTokens = 0,
  ) {
    this.model = model;
  }

  private event(type: string, fields: Block = {}): string {
    return encodeEvent({ event: type, data: JSON.stringify({ type, ...fields }) });
  }

  /**
   * Reads an upstream frame: the model that serves (from the first chunk, which the SDK releases with the first
   * content, after routing and fallbacks settled) and reasoning details for thinking signatures.
   */
  frame(text: string): void {
    if (!this.modelKnown) {
      const identity = identityOfFrame(text);
      if (identity?.model) {
        this.model = identity.model;
        this.modelKnown = true;
      }
    }
    this.reasoning.observe(text);
    this.citations.observe(text);
    // Only asked with stop sequences, and only of a frame that could say one matched: the rest are not parsed twice.
    if (this.echo.stopSequences.length > 0 && text.includes('"stop_reason"')) this.namedStop ??= namedStopOf(text);
  }

  /** `message_start`, once, with the first content (so a failure before it can still be an HTTP error). */
  private opening(): string {
    if (this.started) return '';
    this.started = true;
    // Usage is only known at the end (OpenRouter reports it last): `message_delta` carries the real counts, which the
    // Anthropic SDKs put in place of these. Until then the prompt is the gateway's estimate, uncached.
    const message = {
      id: this.id,
      type: 'message',
      role: 'assistant',
      model: this.model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      ...MESSAGE_EXTRAS,
      usage: {
        input_tokens: this.inputTokens,
        output_tokens: 0,
        cache_creation_input_tokens: 0,
        cache_read_input_tokens: 0,
        output_tokens_details: null,
        server_tool_use: null,
        ...MESSAGE_USAGE_EXTRAS,
      },
    };
    return this.event('message_start', { message }) + this.event('ping');
  }

  private begin(kind: OpenBlock['kind'], block: Block): string {
    if (kind === 'thinking') this.thought = true;
    const closed = this.close();
    this.open = { kind, index: this.blocks++ };
    return closed + this.event('content_block_start', { index: this.open.index, content_block: block });
  }

  /** Ends the open block; a thinking block gets its signature first (details gathered while it was open). */
  private close(details?: Record<string, unknown>[]): string {
    const block = this.open;
    if (!block) return '';
    this.open = undefined;
    this.order.closed();
    let sse = '';
    if (block.kind === 'thinking') {
      const signature = signatureOf(details ?? this.reasoning.take());
      if (signature)
        sse += this.event('content_block_delta', delta(block.index, { type: 'signature_delta', signature }));
    } else if (block.kind === 'text') {
      for (const citation of messageCitations(this.citations.takeAnnotations(), this.text))
        sse += this.event('content_block_delta', delta(block.index, { type: 'citations_delta', citation }));
    }
    return sse + this.event('content_block_stop', { index: block.index });
  }

  /** Blocks complete from the start (opaque reasoning): each one's start and stop. */
  private whole(blocks: Block[]): string {
    let sse = '';
    for (const block of blocks) {
      const index = this.blocks++;
      sse += this.event('content_block_start', { index, content_block: block });
      sse += this.event('content_block_stop', { index });
    }
    return sse;
  }

  /**
   * Reasoning that came as opaque details only, before any thinking text (encrypted or redacted reasoning): its own
   * block before the content, where the non-streamed answer has it and where Anthropic wants thinking on a replay.
   */
  private detailsFirst(): string {
    if (this.thought || this.reasoning.details.length === 0) return '';
    this.thought = true;
    return this.close() + this.whole(thinkingBlocks('', this.reasoning.take()));
  }

  /** The events for one SDK stream event ('' when it adds nothing the client sees). */
  push(event: StreamEvent): string {
    if ((event.type === 'text' || event.type === 'reasoning') && event.text !== '') {
      const kind = event.type === 'text' ? 'text' : 'thinking';
      let sse = this.opening();
      if (this.open?.kind !== kind) {
        if (kind === 'text') sse += this.detailsFirst();
        sse += this.begin(
          kind,
          kind === 'text' ? { type: 'text', text: '' } : { type: 'thinking', thinking: '', signature: '' },
        );
      }
      if (kind === 'text') this.text += event.text;
      const piece =
        kind === 'text' ? { type: 'text_delta', text: event.text } : { type: 'thinking_delta', thinking: event.text };
      return sse + this.event('content_block_delta', delta((this.open as OpenBlock).index, piece));
    }
    if (event.type === 'tool_call_delta') return this.opening() + this.order.push(event, this.callWriter);
    return '';
  }

  private startCall(call: PendingCall): string {
    let sse = this.detailsFirst();
    sse += this.begin('tool_use', {
      type: 'tool_use',
      id: call.id ?? `toolu_${this.id.slice(4)}_${call.index}`,
      name: call.name,
      input: {},
    });
    const index = (this.open as OpenBlock).index;
    this.calls.set(call.index, index);
    return call.args ? sse + this.argsDelta(index, call.args) : sse;
  }

  private argsDelta(index: number, partial: string): string {
    return this.event('content_block_delta', delta(index, { type: 'input_json_delta', partial_json: partial }));
  }

  /** The closing events of a finished answer: the last block, opaque reasoning left over, stop reason and usage. */
  complete(result: ChatResult): string {
    let sse = this.opening() + this.order.flush(this.callWriter);
    // Thinking still open at the end (the answer was all reasoning): the result has its complete details.
    const pending = this.reasoning.take();
    if (this.open?.kind === 'thinking') {
      sse += this.close(pending.length > 0 ? pending : (result.reasoningDetails ?? []));
    } else {
      sse += this.close();
      // Reasoning that came only as opaque details after the thinking (or without any): a redacted block, so a
      // client that replays the turn sends it back.
      sse += this.whole(thinkingBlocks('', pending));
    }
    return (
      sse +
      this.event('message_delta', {
        delta: { ...stopReasonOf(result, this.echo, this.namedStop), container: null, stop_details: null },
        usage: messagesUsage(result.usage, result.cost),
      }) +
      this.event('message_stop')
    );
  }

  /** The closing events of an answer cut by an error: the open block ends, then Anthropic's `error` event. */
  fail(errorEvent: string): string {
    return this.close() + errorEvent;
  }
}

function delta(index: number, piece: Block): Block {
  return { index, delta: piece };
}

/** The matched stop sequence a chunk's choice names (`stop_reason`, a string; vLLM sends a token id otherwise). */
function namedStopOf(frame: string): string | undefined {
  if (!frame.startsWith('data: {')) return undefined;
  try {
    const chunk = JSON.parse(frame.slice('data: '.length)) as { choices?: { stop_reason?: unknown }[] };
    const named = chunk.choices?.[0]?.stop_reason;
    return typeof named === 'string' ? named : undefined;
  } catch {
    return undefined;
  }
}
