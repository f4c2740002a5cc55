import type { ChatResult, StreamEvent, ToolCallResult } from '../chat/types.js';
import type { Message, Tool, ToolChoice } from '../protocol/messages.js';
import type { SystemBlock } from '../providers/conversation.js';
import type { Usage } from '../usage/usage.js';
import type { ChatParamsWithout } from './chat-params.js';
import type { SchemaIssue } from './json-schema-validate.js';
import type { InferSchema, SchemaLike } from './schema.js';

/** What a tool's `execute` gets besides its arguments. */
export interface ToolContext {
  /** The id of the call being answered (`call_…`). */
  toolCallId: string;
  /** The tool's name. */
  name: string;
  /** The step (1-based) whose answer made the call. */
  step: number;
  /** The conversation up to and including the assistant message with the call. */
  messages: readonly Message[];
  /** Aborts when the caller's signal does. */
  signal?: AbortSignal;
}

/**
 * A tool the model may call. `parameters` is a JSON Schema object or a Standard Schema (zod 4, valibot, arktype…);
 * arguments are validated against it before `execute` runs, and `execute` receives the validated value (for
 * Standard Schemas: the schema's output, after its transforms).
 */
export interface ToolDefinition<S extends SchemaLike = SchemaLike, R = unknown> {
  /** What the tool does, for the model. */
  description?: string;
  parameters: S;
  /** The JSON Schema to send when `parameters` is a Standard Schema that cannot describe itself as JSON Schema. */
  jsonSchema?: Record<string, unknown>;
  /** Sent as `function.strict` (OpenAI strict tool calling). */
  strict?: boolean;
  /** Runs the tool. A string result is sent as is, anything else as JSON. A throw is reported to the model
   * (see `onToolError`). */
  execute(input: InferSchema<S, Record<string, unknown>>, context: ToolContext): R | Promise<R>;
}

/** Tools by name (the name is what the model calls: letters, digits, `_` and `-`, at most 64); `P` maps each name
 * to its parameters' schema, which types that tool's `execute` input. */
export type ToolSet<P extends Record<string, SchemaLike> = Record<string, SchemaLike>> = {
  [K in keyof P]: ToolDefinition<P[K]>;
};

/** Why a tool call did not produce a result. */
export interface ToolFailure {
  /** `invalid_arguments` (not JSON or not matching the schema), `unknown_tool`, `execution_failed` (a throw). */
  kind: 'invalid_arguments' | 'unknown_tool' | 'execution_failed';
  toolCallId: string;
  name: string;
  /** A one-line description, also the default content sent back to the model. */
  message: string;
  /** The validation problems, for `invalid_arguments`. */
  issues?: SchemaIssue[];
  /** The raw arguments the model wrote. */
  arguments: string;
  /** What `execute` threw. */
  cause?: unknown;
}

/** One tool call of a step and what came of it. */
export interface ToolResultRecord {
  toolCallId: string;
  name: string;
  /** The arguments as the model wrote them. */
  arguments: string;
  /** The validated input `execute` received (absent when the arguments were invalid). */
  input?: unknown;
  /** What `execute` returned. */
  output?: unknown;
  /** Set when the call failed; `content` then holds the error text sent to the model. */
  error?: ToolFailure;
  /** The `role: "tool"` message content sent back to the model. */
  content: string;
  durationMs: number;
}

/** One model call of the loop, and the tool calls it made. */
export interface ToolStep {
  /** 1-based. */
  index: number;
  /** The model's answer for this step. */
  result: ChatResult;
  text: string;
  toolCalls: ToolCallResult[];
  toolResults: ToolResultRecord[];
  usage: Usage;
  /** USD of this step, failed attempts (retries, fallbacks) included. */
  costUsd: number;
  model: string;
  provider?: string;
}

/** Why a loop ended: the model answered (`finished`), a limit stopped it (`max_steps`, `max_cost`: thrown, or
 * returned with `onLimit: 'return'`), a tool failed with `onToolError: 'throw'` (`tool_error`, on the error's
 * `result`), or a step failed after earlier ones (`error`: its own typed error, e.g. `RateLimitError`, is thrown
 * with the loop so far as `error.toolLoop`). */
export type ToolLoopStopReason = 'finished' | 'max_steps' | 'max_cost' | 'tool_error' | 'error';

export interface ToolLoopResult {
  /** The final answer's text (the last step's text when a limit stopped the loop). */
  text: string;
  stopReason: ToolLoopStopReason;
  /** The last step's finish reason (`stop`, `length`, `tool_calls`, …). */
  finishReason: ChatResult['finishReason'];
  steps: ToolStep[];
  /** The last step's ChatResult (undefined only when no step ran, e.g. `maxCost: 0`). */
  result?: ChatResult;
  /** The whole conversation: the messages sent first, then every assistant message and tool result. */
  messages: Message[];
  /** Only what the loop added (assistant messages and tool results), to append to a stored history. */
  newMessages: Message[];
  /** Token usage summed over the steps. */
  usage: Usage;
  /** USD summed over the steps, failed attempts included. */
  costUsd: number;
  /** The model and upstream provider of the last step. */
  model?: string;
  provider?: string;
}

/** Options of `sy.runTools()` / `sy.streamTools()`. Any other chat parameter (`temperature`, `reasoning`,
 * `provider`, `max_tokens`, …) is passed to every step. */
export interface RunToolsOptions<P extends Record<string, SchemaLike> = Record<string, SchemaLike>>
  extends ChatParamsWithout<'messages' | 'tools' | 'tool_choice' | 'parallel_tool_calls'> {
  tools: ToolSet<P>;
  /** The conversation so far (system messages included), sent as is. */
  messages?: Message[];
  /** System instructions put first: a string, or blocks whose `cache` adds a `cache_control` breakpoint. */
  system?: string | SystemBlock[];
  /** A new user message appended after `messages`. */
  prompt?: string;
  /** Keep only the last N messages of `messages` (system messages always stay; a tool call is never split from its
   * results). Applies to the history passed in, not to the turns the loop adds. */
  messageLimit?: number;
  /** Model calls at most (default 10). When the model still calls tools after that many steps, the loop stops
   * with `ToolLoopMaxStepsError` (or `stopReason: 'max_steps'`). */
  maxSteps?: number;
  /** USD budget for the whole loop (failed attempts included), checked before each step: once spent, the loop
   * stops with `ToolLoopMaxCostError` (or `stopReason: 'max_cost'`). */
  maxCost?: number;
  /** `throw` (default) the limit errors above, or `return` the result with its `stopReason`. */
  onLimit?: 'throw' | 'return';
  /** `tool_choice` of each step: a value for every step, or a function of the step number (1-based) — e.g.
   * `(step) => (step === 1 ? 'required' : 'auto')`; a forced choice on every step never lets the model answer. */
  toolChoice?: ToolChoice | ((step: number) => ToolChoice | undefined);
  /** Parallel tool calls (default true): sent as `parallel_tool_calls` when set, and the calls of one answer run
   * concurrently; `false` asks for one call per turn and runs calls one after another. */
  parallel?: boolean;
  /** What happens when a tool throws, is unknown, or gets invalid arguments: `send` (default) the error to the
   * model as the tool result so it can correct itself, `throw` a `ToolCallError`, or a function returning the
   * content to send. */
  onToolError?: 'send' | 'throw' | ((failure: ToolFailure) => string | Promise<string>);
  /** Pin the upstream provider that served the first step (`provider.order` = [it], `allow_fallbacks: false`) for
   * the rest of the loop, so replayed `reasoning_details` (signatures) reach the provider that made them. Default
   * true; only on OpenRouter. */
  pinProvider?: boolean;
  /** Tools passed through untouched (OpenRouter server tools such as `{ type: 'openrouter:web_search' }`). */
  extraTools?: Tool[];
}

/** Events of `sy.streamTools()`, in order: per step `step_start`, its `delta`s (the ChatStream events: `text`,
 * `reasoning`, `tool_call_delta`, `tool_call`, `usage`), a `tool_result` per call, then `step`; finally `done`. */
export type ToolLoopEvent =
  | { type: 'step_start'; step: number }
  | { type: 'delta'; step: number; delta: Exclude<StreamEvent, { type: 'done' } | { type: 'frame' }> }
  | { type: 'tool_result'; step: number; result: ToolResultRecord }
  | { type: 'step'; step: ToolStep }
  | { type: 'done'; result: ToolLoopResult };

/** A streaming tool loop: iterate it for events, or `await run.final()` for the result (both work together). */
export interface ToolLoopStream extends AsyncIterable<ToolLoopEvent> {
  final(): Promise<ToolLoopResult>;
}
