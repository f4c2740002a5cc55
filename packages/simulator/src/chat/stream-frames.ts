import type { MidStreamErrorFault } from '../faults/fault-types.js';
import type { StreamShape } from '../options.js';
import type { CompletionPlan } from './plan.js';
import { type Family, signReasoning } from './reasoning.js';

/** One SSE frame, ready to write. `chunk` frames carry model output and are what `afterChunks` counts; `event`
 * frames are the Anthropic skin's structural events (message and block starts and stops) that carry none. */
export interface Frame {
  text: string;
  kind: 'comment' | 'chunk' | 'event' | 'finish' | 'usage' | 'done' | 'error';
  /** Output tokens this frame carries (drives pacing). */
  tokens: number;
}

export interface StreamMeta {
  id: string;
  provider: string;
  model: string;
  created: number;
  family: Family;
  /** `text`: the legacy completions skin, whose choices carry `text` where chat's carry a `delta`. */
  form?: 'chat' | 'text';
}

export const PROCESSING_COMMENT: Frame = { text: ': OPENROUTER PROCESSING\n\n', kind: 'comment', tokens: 0 };
export const DONE_FRAME: Frame = { text: 'data: [DONE]\n\n', kind: 'done', tokens: 0 };

const REASONING_FORMAT: Record<Family, string> = {
  openai: 'openai-responses-v1',
  anthropic: 'anthropic-claude-v1',
  google: 'google-gemini-v1',
  other: 'unknown',
};

/** The body of a choice that carries no output: chat's empty assistant delta, or the completions skin's `text`. */
function emptyOutput(meta: StreamMeta, role = true): Record<string, unknown> {
  if (meta.form === 'text') return { text: '' };
  return { delta: role ? { role: 'assistant', content: '' } : { content: '' } };
}

/** Chunks share everything but the delta; the envelope is serialised once per stream. */
function chunkWriter(meta: StreamMeta) {
  const head =
    `data: {"id":${JSON.stringify(meta.id)},"provider":${JSON.stringify(meta.provider)},` +
    `"model":${JSON.stringify(meta.model)},"object":"chat.completion.chunk","created":${meta.created},`;
  // The completions skin streams chunks with chat's `object` (observed) but `text` in place of `delta`.
  const text = meta.form === 'text';
  const choiceHead = `${head}"choices":[{"index":0,${text ? '"text":' : '"delta":'}`;
  return {
    delta(delta: Record<string, unknown>, tokens = 1): Frame {
      const output = JSON.stringify(text ? (delta.content ?? '') : delta);
      return {
        text: `${choiceHead}${output},"finish_reason":null,"native_finish_reason":null,"logprobs":null}]}\n\n`,
        kind: 'chunk',
        tokens,
      };
    },
    raw(fields: Record<string, unknown>, kind: Frame['kind']): Frame {
      const body = JSON.stringify(fields);
      return { text: `${head}${body.slice(1)}\n\n`, kind, tokens: 0 };
    },
  };
}

function usageFrames(
  meta: StreamMeta,
  write: ReturnType<typeof chunkWriter>,
  usage: Record<string, unknown>,
  shape: StreamShape['usageChunk'],
): Frame {
  if (shape === 'empty-choice') {
    return write.raw(
      {
        choices: [
          {
            index: 0,
            ...emptyOutput(meta),
            finish_reason: null,
            native_finish_reason: null,
            logprobs: null,
          },
        ],
        usage,
      },
      'usage',
    );
  }
  return write.raw({ choices: [], usage }, 'usage');
}

/** Frames of a complete, healthy stream for `plan` (comments, reasoning, content or tool calls, finish, usage, DONE). */
export function buildFrames(
  meta: StreamMeta,
  plan: CompletionPlan,
  usage: Record<string, unknown>,
  shape: StreamShape,
): Frame[] {
  const write = chunkWriter(meta);
  const frames: Frame[] = processingComments(shape);
  const format = REASONING_FORMAT[meta.family];
  // Legacy text completions have no field for reasoning: its tokens are billed, its text is not shown.
  const chat = meta.form !== 'text';
  if (chat && plan.reasoningVisible) {
    for (const token of plan.reasoning) {
      const detail =
        meta.family === 'openai'
          ? { type: 'reasoning.summary', summary: token, format, index: 0 }
          : { type: 'reasoning.text', text: token, format, index: 0 };
      frames.push(write.delta({ role: 'assistant', content: '', reasoning: token, reasoning_details: [detail] }));
    }
    const text = plan.reasoning.join('');
    // Signatures arrive after the text, in a delta of their own (Anthropic) or as an encrypted item.
    const closing = (plan.reasoningDetails ?? []).filter((d) => d.type === 'reasoning.encrypted');
    if (meta.family === 'anthropic') {
      closing.push({ type: 'reasoning.text', signature: signReasoning(text), format, index: 0 });
    }
    if (closing.length > 0) {
      frames.push(write.delta({ role: 'assistant', content: '', reasoning: null, reasoning_details: closing }, 0));
    }
  }
  const per = Math.max(1, shape.chunkTokens ?? 1);
  for (let i = 0; i < plan.content.length; i += per) {
    const piece = plan.content.slice(i, i + per);
    frames.push(write.delta({ role: 'assistant', content: piece.join('') }, piece.length));
  }
  if (chat)
    plan.toolCalls.forEach((call, index) => {
      frames.push(
        write.delta({
          role: 'assistant',
          content: null,
          tool_calls: [{ index, id: call.id, type: 'function', function: { name: call.name, arguments: '' } }],
        }),
      );
      for (const fragment of call.arguments.match(/[\s\S]{1,16}/g) ?? []) {
        frames.push(write.delta({ role: 'assistant', tool_calls: [{ index, function: { arguments: fragment } }] }));
      }
    });
  const finish: Record<string, unknown> = {
    choices: [
      {
        index: 0,
        ...emptyOutput(meta),
        finish_reason: plan.finishReason,
        native_finish_reason: plan.nativeFinishReason,
        logprobs: null,
      },
    ],
  };
  if (shape.usageChunk === 'with-finish') frames.push(write.raw({ ...finish, usage }, 'finish'));
  else frames.push(write.raw(finish, 'finish'), usageFrames(meta, write, usage, shape.usageChunk));
  frames.push(DONE_FRAME);
  return spaceComments(frames, shape);
}

/** Leading `: OPENROUTER PROCESSING` comments, as many as the stream shape asks for. */
export function processingComments(shape: StreamShape): Frame[] {
  const frames: Frame[] = [];
  for (let i = 0; i < (shape.processingComments ?? 1); i++) frames.push(PROCESSING_COMMENT);
  return frames;
}

/** Adds a keep-alive comment after every `shape.commentEvery` output chunks (none by default). */
export function spaceComments(frames: Frame[], shape: StreamShape): Frame[] {
  const every = shape.commentEvery ?? 0;
  if (every <= 0) return frames;
  const spaced: Frame[] = [];
  let chunks = 0;
  for (const frame of frames) {
    spaced.push(frame);
    if (frame.kind === 'chunk' && ++chunks % every === 0) spaced.push(PROCESSING_COMMENT);
  }
  return spaced;
}

/** The error a `mid-stream-error` fault reports in a stream (500-class messages are masked, as OpenRouter does). */
export function inBandError(fault: MidStreamErrorFault): {
  code: number;
  message: string;
  metadata: { error_type: string };
} {
  const code = fault.code ?? 502;
  const masked = code >= 500 && code !== 502;
  const errorType =
    fault.errorType ?? (code === 429 ? 'rate_limit_exceeded' : masked ? 'server' : 'provider_unavailable');
  return {
    code,
    message: fault.message ?? (masked ? 'Internal Server Error' : 'Provider returned error'),
    metadata: { error_type: errorType },
  };
}

/** The in-band error that replaces the rest of a stream, in the documented or the observed three-chunk form. */
export function errorFrames(
  meta: StreamMeta,
  fault: MidStreamErrorFault,
  partialUsage: Record<string, unknown>,
  shape: StreamShape,
): Frame[] {
  const write = chunkWriter(meta);
  const numbered = inBandError(fault);
  const error = fault.codeForm === 'word' ? { ...numbered, code: 'server_error' } : numbered;
  const frames: Frame[] =
    fault.form === 'three-chunk'
      ? [
          write.raw({ error, choices: [] }, 'error'),
          write.raw(
            {
              choices: [
                {
                  index: 0,
                  ...emptyOutput(meta),
                  finish_reason: 'error',
                  native_finish_reason: 'error',
                  logprobs: null,
                },
              ],
            },
            'finish',
          ),
          usageFrames(meta, write, partialUsage, shape.usageChunk === 'with-finish' ? 'no-choices' : shape.usageChunk),
        ]
      : [
          write.raw(
            {
              error,
              choices: [
                {
                  index: 0,
                  ...emptyOutput(meta, false),
                  finish_reason: 'error',
                  native_finish_reason: 'error',
                  logprobs: null,
                },
              ],
            },
            'error',
          ),
        ];
  if (fault.done !== false) frames.push(DONE_FRAME);
  return frames;
}

/** The completions skin's `echo` of the prompt: shaped like output, but not model output (no tokens to pace or
 * bill, not counted by `afterChunks`). */
export function promptEcho(meta: StreamMeta, prompt: string): Frame {
  return { ...chunkWriter(meta).delta({ content: prompt }, 0), kind: 'event' };
}

/** A `data:` line that is not JSON, as a broken proxy or provider emits. */
export function malformedFrame(meta: StreamMeta): Frame {
  const output = meta.form === 'text' ? '"text":"' : '"delta":{"content":"';
  return {
    text: `data: {"id":${JSON.stringify(meta.id)},"choices":[{${output}\n\n`,
    kind: 'error',
    tokens: 0,
  };
}
