import type { ChatResult } from '@switchyard/sdk';
import { encodeEvent } from '@switchyard/sdk/sse';

// Providers behind OpenRouter end tool calls with `finish_reason: "stop"` (Gemini, some open models) or with none at
// all, and clients decide whether to run the tools from it (openai-agents, LangChain, hand-written loops). The SDK
// corrects its own result (`patchFinishReason`); these do the same for what the gateway passes on, so a client of
// the gateway sees "tool_calls" exactly when the answer has tool calls. `native_finish_reason` keeps the provider's
// own word.

type Choice = { finish_reason?: unknown; message?: { tool_calls?: unknown[] } };

/** A non-streamed answer with tool calls reported as "tool_calls" (a copy only when something changes). */
export function withToolCallsFinish(raw: unknown): unknown {
  const choices = (raw as { choices?: Choice[] } | null)?.choices;
  if (!Array.isArray(choices) || !choices.some(endsToolCallsWrongly)) return raw;
  return {
    ...(raw as object),
    choices: choices.map((choice) =>
      endsToolCallsWrongly(choice) ? { ...choice, finish_reason: 'tool_calls' } : choice,
    ),
  };
}

function endsToolCallsWrongly(choice: Choice): boolean {
  const calls = choice?.message?.tool_calls;
  return Array.isArray(calls) && calls.length > 0 && (choice.finish_reason == null || choice.finish_reason === 'stop');
}

const NAMED = /"finish_reason":\s*"/;
const STOPPED = /"finish_reason":\s*"stop"/;
/** A delta with at least one tool call (some providers send empty `tool_calls` arrays with text). */
const CALLS = /"tool_calls":\s*\[\s*\{/;

/**
 * Follows a passed-through chat stream: `frame` gives the frame to send for each upstream frame (the one that
 * finishes a tool-call answer with "stop" rewritten; every other frame as it came, unparsed), and `closing` a finish
 * chunk for a stream whose frames never named a finish reason although the answer has one (tool calls).
 */
export class StreamFinish {
  #toolCalls = false;
  #named = false;

  /** An SDK `tool_call_delta` event was seen (it comes after the frame that carried it). */
  sawToolCall(): void {
    this.#toolCalls = true;
  }

  frame(text: string): string {
    if (this.#named || !NAMED.test(text)) return text;
    this.#named = true;
    if (!STOPPED.test(text) || !(this.#toolCalls || CALLS.test(text))) return text;
    return rewritten(text) ?? text;
  }

  closing(result: ChatResult | undefined): string | undefined {
    if (this.#named || !result?.finishReason) return undefined;
    const chunk = {
      id: result.generationId,
      object: 'chat.completion.chunk',
      created: Math.floor(Date.now() / 1000),
      model: result.model,
      ...(result.provider ? { provider: result.provider } : {}),
      choices: [
        { index: 0, delta: {}, finish_reason: result.finishReason, native_finish_reason: result.nativeFinishReason },
      ],
    };
    return encodeEvent({ data: JSON.stringify(chunk) });
  }
}

/** The frame's chunk with its "stop" choices turned into "tool_calls"; undefined when it isn't one JSON chunk. */
function rewritten(text: string): string | undefined {
  const start = text.indexOf('{');
  const end = text.lastIndexOf('}');
  if (start < 0 || end < start) return undefined;
  try {
    const chunk = JSON.parse(text.slice(start, end + 1)) as { choices?: Choice[] };
    if (!Array.isArray(chunk.choices)) return undefined;
    for (const choice of chunk.choices) if (choice?.finish_reason === 'stop') choice.finish_reason = 'tool_calls';
    return encodeEvent({ data: JSON.stringify(chunk) });
  } catch {
    return undefined;
  }
}
