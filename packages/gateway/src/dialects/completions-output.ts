import type { ChatResult, SwitchyardError } from '@switchyard/sdk';
import { inBandErrorParts } from '../routes/replies.js';

/**
 * The chat pipeline's answers in the legacy text-completions shape: OpenAI's `text_completion` (what the `openai`
 * client types) plus OpenRouter's extras (`provider`, `native_finish_reason`, `reasoning`), which the zod schemas of
 * `@openrouter/ai-sdk-provider`'s completion model accept. Every choice carries `logprobs: null`: they are refused at
 * the request, so there never are any.
 */

/** What every chunk of one stream repeats, taken from the upstream's first chunk. */
export interface CompletionIdentity {
  id: string;
  created: number;
  model: string;
  provider?: string;
}

const now = () => Math.floor(Date.now() / 1000);

/** The identity in an upstream chat chunk's SSE frame (`data: {…}`), if it is one. */
export function identityOfFrame(frame: string): CompletionIdentity | undefined {
  if (!frame.startsWith('data: {')) return undefined;
  try {
    const chunk = JSON.parse(frame.slice('data: '.length)) as Partial<CompletionIdentity>;
    return {
      id: typeof chunk.id === 'string' ? chunk.id : '',
      created: typeof chunk.created === 'number' ? chunk.created : now(),
      model: typeof chunk.model === 'string' ? chunk.model : '',
      ...(typeof chunk.provider === 'string' ? { provider: chunk.provider } : {}),
    };
  } catch {
    return undefined;
  }
}

/** A finished answer's identity (for a stream whose chunks told none). */
function identityOfResult(result: ChatResult): CompletionIdentity {
  const { raw } = result;
  return {
    id: raw.id || result.generationId,
    created: raw.created || now(),
    model: result.model,
    ...(result.provider ? { provider: result.provider } : {}),
  };
}

function finishedChoice(result: ChatResult, text: string): Record<string, unknown> {
  return {
    text,
    index: 0,
    logprobs: null,
    finish_reason: result.finishReason,
    native_finish_reason: result.nativeFinishReason,
  };
}

/** A non-streamed answer as a `text_completion`; usage as the chat answer reported it (with `cost`). */
export function textCompletion(result: ChatResult): Record<string, unknown> {
  const choice = finishedChoice(result, result.text);
  if (result.reasoning) choice.reasoning = result.reasoning;
  const completion: Record<string, unknown> = { ...identityOfResult(result), object: 'text_completion' };
  if (result.raw.system_fingerprint != null) completion.system_fingerprint = result.raw.system_fingerprint;
  completion.choices = [choice];
  if (result.raw.usage) completion.usage = result.raw.usage;
  return completion;
}

function frame(identity: CompletionIdentity, rest: Record<string, unknown>): string {
  return `data: ${JSON.stringify({ ...identity, object: 'text_completion', ...rest })}\n\n`;
}

/** One text delta. */
export function textChunk(identity: CompletionIdentity, text: string): string {
  return frame(identity, { choices: [{ text, index: 0, logprobs: null, finish_reason: null }] });
}

/** One reasoning delta: no text, the reasoning beside it (OpenRouter's completion chunks carry it so). */
export function reasoningChunk(identity: CompletionIdentity, reasoning: string): string {
  return frame(identity, { choices: [{ text: '', reasoning, index: 0, logprobs: null, finish_reason: null }] });
}

/**
 * The end of a finished stream: the chunk with the finish reason, then the usage chunk (`choices: []`). The usage
 * goes out whether or not `stream_options.include_usage` asked for it: OpenRouter always sends it.
 */
export function finishChunks(identity: CompletionIdentity | undefined, result: ChatResult): string {
  const ours = identity ?? identityOfResult(result);
  const finish = frame(ours, { choices: [finishedChoice(result, '')] });
  const { usage } = result.raw;
  return usage ? finish + frame(ours, { choices: [], usage }) : finish;
}

/** OpenRouter's in-band error chunk (top-level `error`, `finish_reason: "error"`) in the completions shape. */
export function errorChunk(identity: CompletionIdentity | undefined, error: SwitchyardError): string {
  const parts = inBandErrorParts(error);
  const ours = identity ?? { id: parts.id, created: now(), model: parts.model };
  return frame(ours, {
    error: parts.error,
    choices: [{ text: '', index: 0, logprobs: null, finish_reason: 'error', native_finish_reason: 'error' }],
  });
}
