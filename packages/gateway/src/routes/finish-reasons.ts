import type { ChatResult } from '@switchyard/sdk';
import { encodeEvent } from '@switchyard/sdk/sse';

// Providers behind OpenRouter end tool calls with `finish_reason: "stop"` (Gemini, some open models) or with none at
// all, and clients decide whether to run the tools from it (openai-agents, LangChain, hand-written loops). The SDK
// corrects its own result (`patchFinishReason`); these do the same for what the gateway passes on, so a client of
// the gateway sees "tool_calls" exactly when the answer has tool calls. `native_finish_reason` keeps the provider's
// own word. Tool-call arguments that some providers send as an object (or not at all) are made the JSON text
// OpenAI's shape has there, which strict clients (the AI SDK's schemas) insist on.

type Call = { function?: { arguments?: unknown } };
type Choice = { finish_reason?: unknown; message?: { tool_calls?: Call[] } };

/**
 * A non-streamed answer with tool calls reported as "tool_calls", and their arguments as the JSON text OpenAI's
 * shape promises (some providers send an object, or none, which strict clients reject); a copy only when something
 * changes.
 */
export function withToolCallsFinish(raw: unknown): unknown {
  const choices = (raw as { choices?: Choice[] } | null)?.choices;
  if (!Array.isArray(choices) || !choices.some(needsRepair)) return raw;
  return { ...(raw as object), choices: choices.map((choice) => (needsRepair(choice) ? repaired(choice) : choice)) };
}

const isObject = (call: Call | null) => typeof call === 'object' && call !== null;
const oddArguments = (call: Call) => typeof call?.function?.arguments !== 'string';

function needsRepair(choice: Choice): boolean {
  const calls = choice?.message?.tool_calls;
  return endsToolCallsWrongly(choice) || (Array.isArray(calls) && calls.some(oddArguments));
}

function repaired(choice: Choice): Choice {
  const message = choice.message as { tool_calls: Call[] };
  // Entries that are no call at all (null) are dropped: a client would choke on them.
  const calls = message.tool_calls.filter(isObject).map(withTextArguments);
  const finish = endsToolCallsWrongly(choice) ? 'tool_calls' : choice.finish_reason;
  return { ...choice, finish_reason: finish, message: { ...message, tool_calls: calls } };
}

/** Arguments that are not text as JSON text: an object's, else none — as the SDK reads them (its helper is not
 * exported: the SDK's up-front bundle is at its size budget). */
const argumentsText = (args: unknown) => (typeof args === 'object' && args !== null ? JSON.stringify(args) : '');

/** A call with its arguments as JSON text; a whole call without any takes `{}`. */
const withTextArguments = (call: Call): Call =>
  oddArguments(call)
    ? { ...call, function: { ...call.function, arguments: argumentsText(call.function?.arguments) || '{}' } }
    : call;

function endsToolCallsWrongly(choice: Choice): boolean {
  const calls = choice?.message?.tool_calls;
  return Array.isArray(calls) && calls.length > 0 && (choice.finish_reason == null || choice.finish_reason === 'stop');
}

const NAMED = /"finish_reason":\s*"/;
const STOPPED = /"finish_reason":\s*"stop"/;
/** Tool-call arguments that are not a string (an object, null): OpenAI's shape has text there. */
const ODD_ARGUMENTS = /"arguments":\s*[^"\s]/;
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

  frame(upstream: string): string {
    const text = ODD_ARGUMENTS.test(upstream) ? (rewritten(upstream, argumentsAsText) ?? upstream) : upstream;
    if (this.#named || !NAMED.test(text)) return text;
    this.#named = true;
    if (!STOPPED.test(text) || !(this.#toolCalls || CALLS.test(text))) return text;
    return rewritten(text, stopAsToolCalls) ?? text;
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

type DeltaChoice = Choice & { delta?: { tool_calls?: Call[] } };

/** The frame's chunk with `edit` applied to its choices; undefined when it isn't one JSON chunk with choices. */
function rewritten(text: string, edit: (choice: DeltaChoice) => void): string | undefined {
  const start = text.indexOf('{');
  const end = text.lastIndexOf('}');
  if (start < 0 || end < start) return undefined;
  try {
    const chunk = JSON.parse(text.slice(start, end + 1)) as { choices?: DeltaChoice[] };
    if (!Array.isArray(chunk.choices)) return undefined;
    for (const choice of chunk.choices) if (choice) edit(choice);
    return encodeEvent({ data: JSON.stringify(chunk) });
  } catch {
    return undefined;
  }
}

const stopAsToolCalls = (choice: DeltaChoice) => {
  if (choice.finish_reason === 'stop') choice.finish_reason = 'tool_calls';
};

/** A tool-call delta's arguments given as something else than text (an object, null): a piece of JSON text. */
const argumentsAsText = (choice: DeltaChoice) => {
  for (const call of choice.delta?.tool_calls ?? []) {
    const fn = call?.function;
    if (fn && typeof fn.arguments !== 'string') fn.arguments = argumentsText(fn.arguments);
  }
};
