import type { Served } from '../chat/complete-chat.js';
import { type ChatSkin, type Failure, type InferenceHandler, serveChat } from '../chat/serve-chat.js';
import { buildFrames, promptEcho, type StreamMeta } from '../chat/stream-frames.js';
import { invalid } from '../chat/validate-chat.js';
import { sendError } from '../http/io.js';
import { type SimError, simError } from '../http/sim-error.js';
import { CHAT_SKIN } from './chat.js';

/**
 * `POST /completions`, the legacy text-completions skin (reference §6.3): the prompt becomes one user message of
 * a chat request, which runs through the chat pipeline; the answer comes back as `text` choices.
 */

/** Completions fields that chat does not have, or has with another meaning (`logprobs` is a count here). They are
 * left out of the chat request, so a prompt gets the very answer (and usage) chat gives the same user message. */
const NOT_CHAT = new Set(['prompt', 'suffix', 'echo', 'best_of', 'logprobs', 'messages', 'tools', 'tool_choice']);

function promptOf(body: Record<string, unknown>): string | SimError {
  const prompt = body.prompt;
  if (typeof prompt === 'string') return prompt;
  if (Array.isArray(prompt) && prompt.length === 1 && typeof prompt[0] === 'string') return prompt[0];
  if (Array.isArray(prompt) && prompt.length > 1 && prompt.every((p) => typeof p === 'string')) {
    // A batch wants one answer per prompt; answering only the first would drop the rest without a word.
    return {
      ...simError(400, "Batched prompts are not supported: send one request per prompt ('prompt' must be a string)"),
      metadata: { field: 'prompt' },
      extra: { error_type: 'invalid_request' },
    };
  }
  return invalid('prompt', 'a string or an array of one string', prompt);
}

function checkOptions(body: Record<string, unknown>): SimError | undefined {
  if (body.echo !== undefined && body.echo !== null && typeof body.echo !== 'boolean') {
    return invalid('echo', 'a boolean', body.echo);
  }
  if (body.suffix !== undefined && body.suffix !== null && typeof body.suffix !== 'string') {
    return invalid('suffix', 'a string', body.suffix);
  }
  return undefined;
}

/** The chat request, with `messages` where `prompt` stood: answers are a function of the request's JSON, so the
 * same fields in the same order as a chat request give the same answer. */
function chatRequest(body: Record<string, unknown>, prompt: string): Record<string, unknown> {
  const chat: Record<string, unknown> = {};
  for (const field in body) {
    if (field === 'prompt') chat.messages = [{ role: 'user', content: prompt }];
    else if (!NOT_CHAT.has(field)) chat[field] = body[field];
  }
  return chat;
}

function textBody(served: Served, meta: StreamMeta, failure: Failure | undefined, echo = ''): Record<string, unknown> {
  const plan = served.plan;
  const choice: Record<string, unknown> = {
    text: echo + plan.content.slice(0, failure?.kept ?? plan.content.length).join(''),
    index: 0,
    logprobs: null,
    finish_reason: failure ? 'error' : plan.finishReason,
    native_finish_reason: failure ? 'error' : plan.nativeFinishReason,
  };
  // A failure mid-generation: the partial text, finish "error" and the error on the choice, as chat answers it.
  if (failure) choice.error = failure.error;
  return {
    id: meta.id,
    object: 'text_completion',
    created: meta.created,
    model: meta.model,
    provider: meta.provider,
    system_fingerprint: null,
    choices: [choice],
    usage: failure?.usage ?? served.usage,
  };
}

/** Chat's errors, frames (with `text` choices, as `form` asks), in-band errors and `error-200` body. */
const TEXT_SKIN: ChatSkin = {
  ...CHAT_SKIN,
  form: 'text',
  body: textBody,
};

/** `echo: true` puts the prompt before the completion: in the text, and as the stream's first output chunk. */
function echoSkin(prompt: string): ChatSkin {
  return {
    ...TEXT_SKIN,
    body: (served, meta, failure) => textBody(served, meta, failure, prompt),
    frames(served, meta, shape) {
      const frames = buildFrames(meta, served.plan, served.usage, shape);
      const first = frames.findIndex((frame) => frame.kind !== 'comment');
      frames.splice(first, 0, promptEcho(meta, prompt));
      return frames;
    },
  };
}

export const handleCompletions: InferenceHandler = async (ctx, session, body, key, headerRule) => {
  const prompt = promptOf(body);
  if (typeof prompt !== 'string') return sendError(session.res, prompt, key.userId);
  const bad = checkOptions(body);
  if (bad) return sendError(session.res, bad, key.userId);
  const skin = body.echo === true ? echoSkin(prompt) : TEXT_SKIN;
  return serveChat(ctx, session, chatRequest(body, prompt), key, headerRule, skin);
};
