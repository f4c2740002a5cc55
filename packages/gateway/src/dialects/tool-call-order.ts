import type { StreamEvent } from '@switchyard/sdk';

/** A tool call as far as its deltas have told (chat `index`), before or when its block or item opens. */
export interface PendingCall {
  index: number;
  id?: string;
  name: string;
  args: string;
}

/** How a dialect's stream writer opens a call's block or item and sends a piece of its arguments; SSE text back. */
export interface CallWriter {
  /** Opens the call's block or item (closing the one open before), then sends `call.args` when there are any. */
  start(call: PendingCall): string;
  /** A piece of the arguments of a call already started. */
  args(index: number, piece: string): string;
}

/**
 * One tool call at a time for the Messages and Responses streams. Anthropic and OpenAI send a call's block or item
 * whole before the next opens, and clients act on its end (`content_block_stop`, `response.output_item.done`: the
 * AI SDK runs the tool there), but some providers interleave the deltas of parallel calls. So a call that starts
 * while another's arguments are still incomplete JSON is held back and gets its turn once that one is complete (or
 * at the end), with what it gathered meanwhile as one piece; calls that come one after another still stream live.
 */
export class ToolCallOrder {
  /** The call whose block or item is open, and its arguments so far. */
  private current: { index: number; args: string } | undefined;
  private readonly started = new Set<number>();
  private readonly held = new Map<number, PendingCall>();

  push(event: Extract<StreamEvent, { type: 'tool_call_delta' }>, writer: CallWriter): string {
    const args = event.arguments ?? '';
    if (this.started.has(event.index)) {
      const sse = args ? writer.args(event.index, args) : '';
      // A call whose block already ended (text came between) still gets its pieces, at its own index.
      if (this.current?.index !== event.index) return sse;
      this.current.args += args;
      return this.held.size > 0 && completeJson(this.current.args) ? sse + this.release(writer, false) : sse;
    }
    let held = this.held.get(event.index);
    if (held || (this.current && !completeJson(this.current.args))) {
      held ??= { index: event.index, name: '', args: '' };
      if (event.id) held.id ??= event.id;
      if (event.name && !held.name) held.name = event.name;
      held.args += args;
      this.held.set(event.index, held);
      return '';
    }
    return this.start({ index: event.index, id: event.id, name: event.name ?? '', args }, writer);
  }

  /** The open call's block or item was closed by the writer (text or reasoning came after it). */
  closed(): void {
    this.current = undefined;
  }

  /** Every call still held, in order of arrival (the stream ended). */
  flush(writer: CallWriter): string {
    return this.release(writer, true);
  }

  private start(call: PendingCall, writer: CallWriter): string {
    this.started.add(call.index);
    const sse = writer.start(call);
    this.current = { index: call.index, args: call.args };
    return sse;
  }

  private release(writer: CallWriter, all: boolean): string {
    let sse = '';
    for (const call of this.held.values()) {
      if (!all && this.current && !completeJson(this.current.args)) break;
      this.held.delete(call.index);
      sse += this.start(call, writer);
    }
    return sse;
  }
}

/** Whether a call's arguments so far are a whole JSON value (the call is done, or was sent whole). */
function completeJson(args: string): boolean {
  if (args.trim() === '') return false;
  try {
    JSON.parse(args);
    return true;
  } catch {
    return false;
  }
}
