import type { Served } from '../chat/complete-chat.js';
import { DONE_FRAME, type Frame, processingComments, spaceComments } from '../chat/stream-frames.js';
import type { StreamShape } from '../options.js';
import { type ResponseHead, type ResponseState, responseObject } from './responses-output.js';

/**
 * The Responses skin's SSE stream: `event: <type>` + `data: {type, sequence_number, …}` frames from
 * `response.created` to `response.completed` (or `.incomplete`), then `data: [DONE]` as OpenRouter ends every
 * stream. Deltas are `chunk` frames (they carry output, drive pacing and are what `afterChunks` counts); the
 * structural events around them are `event` frames.
 */

type Body = Record<string, unknown>;

/** Frames of one stream, with the event each frame carries (to rebuild what a client had when a stream fails). */
export class EventFrames {
  readonly frames: Frame[];
  readonly events = new Map<Frame, Body>();
  private sequence = 0;

  constructor(shape: StreamShape) {
    this.frames = processingComments(shape);
  }

  /** A frame for one event. Every event of a stream has its own sequence number, in order from 0. */
  frame(type: string, fields: Body, kind: Frame['kind'] = 'event', tokens = 0, sequence = this.sequence++): Frame {
    const event = { type, sequence_number: sequence, ...fields };
    const frame: Frame = { text: `event: ${type}\ndata: ${JSON.stringify(event)}\n\n`, kind, tokens };
    this.events.set(frame, event);
    return frame;
  }

  push(type: string, fields: Body, kind: Frame['kind'] = 'event', tokens = 0): void {
    this.frames.push(this.frame(type, fields, kind, tokens));
  }
}

function reasoningEvents(out: EventFrames, served: Served, item: Body, index: number): void {
  const at = { item_id: item.id, output_index: index, summary_index: 0 };
  const summary = item.summary as Body[];
  out.push('response.output_item.added', {
    output_index: index,
    item: { type: 'reasoning', id: item.id, summary: [], status: 'in_progress' },
  });
  if (summary.length > 0) {
    const text = summary[0]?.text as string;
    out.push('response.reasoning_summary_part.added', { ...at, part: { type: 'summary_text', text: '' } });
    for (const token of served.plan.reasoning) {
      out.push('response.reasoning_summary_text.delta', { ...at, delta: token }, 'chunk', 1);
    }
    out.push('response.reasoning_summary_text.done', { ...at, text });
    out.push('response.reasoning_summary_part.done', { ...at, part: { type: 'summary_text', text } });
  }
  out.push('response.output_item.done', { output_index: index, item });
}

function messageEvents(out: EventFrames, served: Served, item: Body, index: number, shape: StreamShape): void {
  const at = { item_id: item.id, output_index: index, content_index: 0 };
  const part = (item.content as Body[])[0] as Body;
  out.push('response.output_item.added', {
    output_index: index,
    item: { ...item, status: 'in_progress', content: [] },
  });
  out.push('response.content_part.added', { ...at, part: { ...part, text: '' } });
  const per = Math.max(1, shape.chunkTokens ?? 1);
  const content = served.plan.content;
  for (let i = 0; i < content.length; i += per) {
    const piece = content.slice(i, i + per);
    out.push('response.output_text.delta', { ...at, delta: piece.join(''), logprobs: [] }, 'chunk', piece.length);
  }
  out.push('response.output_text.done', { ...at, text: part.text, logprobs: [] });
  out.push('response.content_part.done', { ...at, part });
  out.push('response.output_item.done', { output_index: index, item });
}

function functionCallEvents(out: EventFrames, item: Body, index: number): void {
  const at = { item_id: item.id, output_index: index };
  out.push('response.output_item.added', {
    output_index: index,
    item: { ...item, arguments: '', status: 'in_progress' },
  });
  // 16-character pieces, as the chat stream sends tool-call arguments.
  for (const delta of (item.arguments as string).match(/[\s\S]{1,16}/g) ?? []) {
    out.push('response.function_call_arguments.delta', { ...at, delta }, 'chunk', 1);
  }
  out.push('response.function_call_arguments.done', { ...at, name: item.name, arguments: item.arguments });
  out.push('response.output_item.done', { output_index: index, item });
}

/** The whole healthy stream of a response whose final state is `final`. */
export function responseStream(head: ResponseHead, served: Served, final: ResponseState, shape: StreamShape) {
  const out = new EventFrames(shape);
  const start = responseObject(head, { status: 'in_progress', output: [], usage: null });
  out.push('response.created', { response: start });
  out.push('response.in_progress', { response: start });
  final.output.forEach((item, index) => {
    if (item.type === 'reasoning') reasoningEvents(out, served, item, index);
    else if (item.type === 'message') messageEvents(out, served, item, index, shape);
    else functionCallEvents(out, item, index);
  });
  const done = final.status === 'completed' ? 'response.completed' : 'response.incomplete';
  out.push(done, { response: responseObject(head, final) }, 'finish');
  out.frames.push(DONE_FRAME);
  return { frames: spaceComments(out.frames, shape), events: out };
}

/**
 * The output a client had assembled from the events it received before a failure, as OpenAI's stream accumulator
 * builds it: items added so far, their text and arguments so far, unfinished ones `incomplete`.
 */
export function outputSoFar(kept: Frame[], events: Map<Frame, Body>): Body[] {
  const output: Body[] = [];
  for (const frame of kept) {
    const event = events.get(frame);
    if (!event) continue;
    // Events refer to items added earlier in the same stream.
    const item = output[event.output_index as number] as Body;
    switch (event.type) {
      case 'response.output_item.added':
        output.push(structuredClone({ ...(event.item as Body), status: 'incomplete' }));
        break;
      case 'response.output_item.done':
        output[event.output_index as number] = event.item as Body;
        break;
      case 'response.content_part.added':
        (item.content as Body[]).push(structuredClone(event.part as Body));
        break;
      case 'response.reasoning_summary_part.added':
        (item.summary as Body[]).push(structuredClone(event.part as Body));
        break;
      case 'response.output_text.delta':
        ((item.content as Body[])[0] as Body).text += event.delta as string;
        break;
      case 'response.reasoning_summary_text.delta':
        ((item.summary as Body[])[0] as Body).text += event.delta as string;
        break;
      case 'response.function_call_arguments.delta':
        item.arguments += event.delta as string;
        break;
      default:
        break;
    }
  }
  return output;
}
