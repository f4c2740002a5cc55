import type { ChatResult, ToolCallResult } from '../chat/types.js';
import type { CallOptions, ChatParams, Switchyard } from '../client.js';
import { AbortError } from '../errors/client-errors.js';
import { InvalidRequestError } from '../errors/http-errors.js';
import type { ProviderPreferences } from '../protocol/chat.js';
import type { FunctionTool, Message, Tool } from '../protocol/messages.js';
import { type Femto, parseUsd, toUsd } from '../usage/money.js';
import { addUsage, type Usage, ZERO_USAGE } from '../usage/usage.js';
import {
  InvalidSchemaError,
  ToolCallError,
  type ToolLoopLimitError,
  ToolLoopMaxCostError,
  ToolLoopMaxStepsError,
} from './agent-errors.js';
import { formatIssues } from './json-schema-validate.js';
import { conversationMessages, pinnedProvider, toolContent, toolMessage } from './message-conversion.js';
import { type ResolvedSchema, resolveSchema, type SchemaLike } from './schema.js';
import type {
  RunToolsOptions,
  ToolDefinition,
  ToolFailure,
  ToolLoopEvent,
  ToolLoopResult,
  ToolLoopStopReason,
  ToolLoopStream,
  ToolResultRecord,
  ToolSet,
  ToolStep,
} from './tool-types.js';

const TOOL_NAME = /^[a-zA-Z0-9_-]{1,64}$/;

interface PreparedTool {
  definition: ToolDefinition;
  schema: ResolvedSchema;
}

/** Checks names and schemas up front (before any request) and builds the wire `tools`. */
function prepareTools(tools: ToolSet, extra: Tool[] = []): { byName: Map<string, PreparedTool>; wire: Tool[] } {
  const byName = new Map<string, PreparedTool>();
  const wire: Tool[] = [];
  for (const [name, definition] of Object.entries(tools)) {
    if (!TOOL_NAME.test(name)) {
      throw new InvalidSchemaError(`Invalid tool name "${name}": use 1-64 letters, digits, "_" or "-"`);
    }
    if (typeof definition?.execute !== 'function') {
      throw new InvalidSchemaError(`Tool "${name}" has no execute function`);
    }
    const schema = resolveSchema(definition.parameters, definition.jsonSchema, `Tool "${name}"`);
    byName.set(name, { definition, schema });
    const fn: FunctionTool['function'] = { name, parameters: schema.jsonSchema };
    if (definition.description !== undefined) fn.description = definition.description;
    if (definition.strict !== undefined) fn.strict = definition.strict;
    wire.push({ type: 'function', function: fn });
  }
  return { byName, wire: [...wire, ...extra] };
}

/** USD of a step: the answer plus every failed attempt before it (retries and fallbacks are paid for too). */
function stepCost(result: ChatResult): Femto {
  let total = parseUsd(result.cost.usd);
  for (const attempt of result.attempts ?? []) {
    if (attempt.outcome !== 'success' && attempt.costUsd) total += parseUsd(attempt.costUsd);
  }
  return total;
}

function failureText(kind: ToolFailure['kind'], name: string, detail: string, available: string[]): string {
  switch (kind) {
    case 'unknown_tool':
      return `Error: there is no tool named "${name}". Available tools: ${available.join(', ') || '(none)'}.`;
    case 'invalid_arguments':
      return `Error: invalid arguments for ${name}:\n${detail}\nCall ${name} again with corrected arguments.`;
    default:
      return `Error: ${name} failed: ${detail}`;
  }
}

class LoopState {
  readonly steps: ToolStep[] = [];
  readonly newMessages: Message[] = [];
  usage: Usage = ZERO_USAGE;
  spent: Femto = 0n;
  constructor(public messages: Message[]) {}

  append(message: Message): void {
    this.messages = [...this.messages, message];
    this.newMessages.push(message);
  }

  result(stopReason: ToolLoopStopReason): ToolLoopResult {
    const last = this.steps[this.steps.length - 1];
    const out: ToolLoopResult = {
      text: last?.text ?? '',
      stopReason,
      finishReason: last?.result.finishReason ?? null,
      steps: this.steps,
      messages: this.messages,
      newMessages: this.newMessages,
      usage: this.usage,
      costUsd: toUsd(this.spent),
    };
    if (last) {
      out.result = last.result;
      out.model = last.model;
      if (last.provider !== undefined) out.provider = last.provider;
    }
    return out;
  }
}

/**
 * The loop itself, as events. Each step goes through `sy.chat()` (or `sy.stream()` when `streaming`), so retries,
 * circuit breakers, fallbacks, cost accounting and usage sinks apply to every step.
 */
async function* toolLoop(
  sy: Switchyard,
  options: RunToolsOptions,
  call: CallOptions,
  streaming: boolean,
): AsyncGenerator<ToolLoopEvent, ToolLoopResult> {
  const {
    tools,
    messages,
    system,
    prompt,
    messageLimit,
    maxSteps = 10,
    maxCost,
    onLimit = 'throw',
    toolChoice,
    parallel,
    onToolError = 'send',
    pinProvider = true,
    extraTools,
    ...params
  } = options;
  if (!Number.isInteger(maxSteps) || maxSteps < 1) {
    throw new InvalidRequestError(`Invalid maxSteps ${maxSteps}: must be an integer ≥ 1`);
  }
  if (maxCost !== undefined && !(typeof maxCost === 'number' && maxCost >= 0)) {
    throw new InvalidRequestError(`Invalid maxCost ${maxCost}: must be a number of USD ≥ 0`);
  }
  const { byName, wire } = prepareTools(tools, extraTools);
  const names = [...byName.keys()];
  const state = new LoopState(conversationMessages({ messages, system, prompt, messageLimit }));
  const budget = maxCost === undefined ? undefined : parseUsd(maxCost);
  let pin: ProviderPreferences | undefined;

  const stop = (reason: 'max_steps' | 'max_cost'): ToolLoopResult => {
    const result = state.result(reason);
    if (onLimit === 'return') return result;
    const spent = `$${result.costUsd}`;
    const error: ToolLoopLimitError =
      reason === 'max_steps'
        ? new ToolLoopMaxStepsError(
            `The tool loop stopped after ${maxSteps} step(s) (maxSteps) with the model still calling tools; ` +
              `spent ${spent}`,
            result,
          )
        : new ToolLoopMaxCostError(
            `The tool loop stopped after ${state.steps.length} step(s): ${spent} spent reaches maxCost $${maxCost}`,
            result,
          );
    throw error;
  };

  const runCall = async (toolCall: ToolCallResult, step: number, context: Message[]): Promise<ToolResultRecord> => {
    const started = Date.now();
    const record: ToolResultRecord = {
      toolCallId: toolCall.id,
      name: toolCall.name,
      arguments: toolCall.arguments,
      content: '',
      durationMs: 0,
    };
    const fail = async (kind: ToolFailure['kind'], detail: string, extra: Partial<ToolFailure> = {}) => {
      const failure: ToolFailure = {
        kind,
        toolCallId: toolCall.id,
        name: toolCall.name,
        arguments: toolCall.arguments,
        message: failureText(kind, toolCall.name, detail, names),
        ...extra,
      };
      record.error = failure;
      record.content = typeof onToolError === 'function' ? await onToolError(failure) : failure.message;
    };
    const tool = byName.get(toolCall.name);
    if (!tool) await fail('unknown_tool', '');
    else if (toolCall.parseError !== undefined) {
      await fail('invalid_arguments', `- the arguments are not valid JSON (${toolCall.parseError})`, {
        issues: [{ path: [], message: `not valid JSON (${toolCall.parseError})` }],
      });
    } else {
      let validation: Awaited<ReturnType<ResolvedSchema['validate']>> | undefined;
      try {
        validation = await tool.schema.validate(toolCall.input);
      } catch (error) {
        await fail('invalid_arguments', `- the validator threw: ${(error as Error)?.message ?? error}`, {
          cause: error,
        });
      }
      if (validation && !validation.ok) {
        await fail('invalid_arguments', formatIssues(validation.issues), { issues: validation.issues });
      } else if (validation?.ok) {
        record.input = validation.value;
        try {
          const output = await tool.definition.execute(validation.value as Record<string, unknown>, {
            toolCallId: toolCall.id,
            name: toolCall.name,
            step,
            messages: context,
            signal: call.signal,
          });
          record.output = output;
          record.content = toolContent(output);
        } catch (error) {
          if (call.signal?.aborted) throw error;
          await fail('execution_failed', error instanceof Error ? error.message : String(error), { cause: error });
        }
      }
    }
    record.durationMs = Date.now() - started;
    return record;
  };

  for (let index = 1; ; index++) {
    if (budget !== undefined && state.spent >= budget) return stop('max_cost');
    if (index > maxSteps) return stop('max_steps');
    const request: ChatParams = { ...params, messages: state.messages };
    if (wire.length > 0) {
      // Servers reject an empty `tools` (and `tool_choice` without tools): with none, each step is a plain chat.
      request.tools = wire;
      const choice = typeof toolChoice === 'function' ? toolChoice(index) : toolChoice;
      if (choice !== undefined) request.tool_choice = choice;
      if (parallel !== undefined) request.parallel_tool_calls = parallel;
    }
    if (pin) request.provider = pin;

    yield { type: 'step_start', step: index };
    let result: ChatResult | undefined;
    try {
      if (streaming) {
        for await (const event of sy.stream(request, call)) {
          if (event.type === 'done') result = event.result;
          else if (event.type !== 'frame') yield { type: 'delta', step: index, delta: event };
        }
        if (!result) throw new AbortError('The step stream ended without a result');
      } else result = await sy.chat(request, call);
    } catch (error) {
      // The step's own typed error (RateLimitError, StreamError, …) goes up unchanged, carrying the loop so far:
      // tools may have had effects, and the conversation is needed to resume.
      if (error instanceof Error && state.steps.length > 0) {
        (error as Error & { toolLoop?: ToolLoopResult }).toolLoop = state.result('error');
      }
      throw error;
    }

    state.append(result.message);
    state.usage = addUsage(state.usage, result.usage);
    const cost = stepCost(result);
    state.spent += cost;
    if (pinProvider && !pin) pin = pinnedProvider(params, result);
    const step: ToolStep = {
      index,
      result,
      text: result.text,
      toolCalls: result.toolCalls,
      toolResults: [],
      usage: result.usage,
      costUsd: toUsd(cost),
      model: result.model,
    };
    if (result.provider !== undefined) step.provider = result.provider;

    // The calls run concurrently (one after another with `parallel: false`); `tool_result` events come as they
    // finish, the tool messages go back in call order.
    const context = state.messages;
    const records: ToolResultRecord[] = [];
    if (parallel === false) {
      for (const [i, toolCall] of result.toolCalls.entries()) {
        records[i] = await runCall(toolCall, index, context);
        yield { type: 'tool_result', step: index, result: records[i] };
      }
    } else {
      const pending = new Map(
        result.toolCalls.map((toolCall, i) => [i, runCall(toolCall, index, context).then((r) => [i, r] as const)]),
      );
      while (pending.size > 0) {
        const [i, record] = await Promise.race(pending.values());
        pending.delete(i);
        records[i] = record;
        yield { type: 'tool_result', step: index, result: record };
      }
    }
    step.toolResults.push(...records);
    for (const record of records) state.append(toolMessage(record.toolCallId, record.content));
    state.steps.push(step);
    const failed = records.find((record) => record.error);
    if (failed?.error && onToolError === 'throw') throw new ToolCallError(failed.error, state.result('tool_error'));
    yield { type: 'step', step };
    if (result.toolCalls.length === 0) {
      const done = state.result('finished');
      yield { type: 'done', result: done };
      return done;
    }
  }
}

async function drain(loop: AsyncGenerator<ToolLoopEvent, ToolLoopResult>): Promise<ToolLoopResult> {
  for (;;) {
    const next = await loop.next();
    if (next.done) return next.value;
  }
}

/**
 * Runs the tool-call loop: asks the model, runs the tools it calls (concurrently), sends the results back, and
 * repeats until the model answers without calling tools, or a limit (`maxSteps`, `maxCost`) stops it. Also
 * `sy.runTools(options)`.
 */
export function runTools<P extends Record<string, SchemaLike>>(
  sy: Switchyard,
  options: RunToolsOptions<P>,
  call: CallOptions = {},
): Promise<ToolLoopResult> {
  return drain(toolLoop(sy, options as RunToolsOptions, call, false));
}

/** A streaming run of the loop (see `runTools`): step, delta, tool-result and done events. */
class ToolLoopRun implements ToolLoopStream {
  private started = false;
  private readonly settled: Promise<ToolLoopResult>;
  private resolve!: (result: ToolLoopResult) => void;
  private reject!: (error: unknown) => void;

  constructor(private readonly source: () => AsyncGenerator<ToolLoopEvent, ToolLoopResult>) {
    this.settled = new Promise<ToolLoopResult>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
    this.settled.catch(() => {}); // nobody may call final(); iterators still see the error
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<ToolLoopEvent, void> {
    if (this.started) throw new InvalidRequestError('A tool loop stream can be iterated only once; use final()');
    this.started = true;
    let settled = false;
    try {
      this.resolve(yield* this.source());
      settled = true;
    } catch (error) {
      settled = true;
      this.reject(error);
      throw error;
    } finally {
      if (!settled) this.reject(new AbortError('The tool loop was closed before it finished'));
    }
  }

  /** The result, after the loop finished (runs it if nobody iterates it). */
  async final(): Promise<ToolLoopResult> {
    if (!this.started) {
      for await (const _ of this) {
        // drain
      }
    }
    return this.settled;
  }
}

/** The streaming variant of `runTools` (also `sy.streamTools(options)`): iterate it for `step_start`, `delta`
 * (text, reasoning, tool-call deltas of the step's stream), `tool_result`, `step` and `done` events, or `await
 * run.final()`. */
export function streamTools<P extends Record<string, SchemaLike>>(
  sy: Switchyard,
  options: RunToolsOptions<P>,
  call: CallOptions = {},
): ToolLoopStream {
  return new ToolLoopRun(() => toolLoop(sy, options as RunToolsOptions, call, true));
}

/** Identity helper that types `execute`'s input from `parameters` (a Standard Schema's output type). */
export function tool<S extends ToolDefinition['parameters'], R>(
  definition: ToolDefinition<S, R>,
): ToolDefinition<S, R> {
  return definition;
}
