import type { Served } from '../chat/complete-chat.js';
import { signReasoning } from '../chat/reasoning.js';
import { type Frame, inBandError, processingComments, type StreamMeta, spaceComments } from '../chat/stream-frames.js';
import type { MidStreamErrorFault } from '../faults/fault-types.js';
import type { StreamShape } from '../options.js';
import { anthropicEnvelope } from './anthropic-error.js';
import { anthropicUsage, messageId, stopReason } from './messages-body.js';

/**
 * The Messages skin's stream, in Anthropic's named events: message_start, ping, per block content_block_start /
 * content_block_delta (thinking_delta then signature_delta, text_delta, input_json_delta) / content_block_stop,
 * message_delta (stop reason, usage), message_stop. OpenRouter's `: OPENROUTER PROCESSING` comments come first, as
 * on its other streams (SSE comments, which Anthropic clients skip).
 */

type Json = Record<string, unknown>;

function event(data: Json & { type: string }, kind: Frame['kind'], tokens = 0): Frame {
  return { text: `event: ${data.type}\ndata: ${JSON.stringify(data)}\n\n`, kind, tokens };
}

const PING = event({ type: 'ping' }, 'event');

function block(frames: Frame[], index: number, start: Json, deltas: Frame[]): void {
  frames.push(event({ type: 'content_block_start', index, content_block: start }, 'event'));
  frames.push(...deltas);
  frames.push(event({ type: 'content_block_stop', index }, 'event'));
}

function delta(index: number, body: Json, tokens = 1): Frame {
  return event({ type: 'content_block_delta', index, delta: body }, 'chunk', tokens);
}

export function messageFrames(served: Served, meta: StreamMeta, shape: StreamShape): Frame[] {
  const plan = served.plan;
  const frames = processingComments(shape);
  const usage = anthropicUsage(served.usage);
  const message = {
    id: messageId(meta),
    type: 'message',
    role: 'assistant',
    model: meta.model,
    content: [],
    stop_reason: null,
    stop_sequence: null,
    usage: { ...usage, output_tokens: 0 },
  };
  frames.push(event({ type: 'message_start', message }, 'event'), PING);
  let index = 0;
  if (plan.reasoningVisible) {
    const deltas = plan.reasoning.map((thinking) => delta(index, { type: 'thinking_delta', thinking }));
    // As Anthropic does, the signature closes the block in a delta of its own.
    deltas.push(delta(index, { type: 'signature_delta', signature: signReasoning(plan.reasoning.join('')) }, 0));
    block(frames, index++, { type: 'thinking', thinking: '', signature: '' }, deltas);
  }
  if (plan.content.length > 0) {
    const per = Math.max(1, shape.chunkTokens ?? 1);
    const deltas: Frame[] = [];
    for (let i = 0; i < plan.content.length; i += per) {
      const piece = plan.content.slice(i, i + per);
      deltas.push(delta(index, { type: 'text_delta', text: piece.join('') }, piece.length));
    }
    block(frames, index++, { type: 'text', text: '' }, deltas);
  }
  for (const call of plan.toolCalls) {
    const fragments = call.arguments.match(/[\s\S]{1,16}/g) ?? [];
    const deltas = fragments.map((partial_json) => delta(index, { type: 'input_json_delta', partial_json }));
    block(frames, index++, { type: 'tool_use', id: call.id, name: call.name, input: {} }, deltas);
  }
  const stop = { stop_reason: stopReason(plan), stop_sequence: plan.stopSequence };
  frames.push(event({ type: 'message_delta', delta: stop, usage }, 'finish'));
  frames.push(event({ type: 'message_stop' }, 'done'));
  return spaceComments(frames, shape);
}

/** An upstream failure after the stream began: one `error` event, then the stream ends (no message_stop). */
export function messageErrorFrames(meta: StreamMeta, fault: MidStreamErrorFault): Frame[] {
  const error = inBandError(fault);
  const body = anthropicEnvelope(error.code, error.message, error.metadata.error_type, meta.id);
  return [event(body as Json & { type: string }, 'error')];
}

/** A `data:` line that is not JSON, inside an event a client will try to parse. */
export function malformedMessageFrame(): Frame {
  return {
    text: 'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"\n\n',
    kind: 'error',
    tokens: 0,
  };
}
