import type { CatalogEndpoint, CatalogModel } from '../types.js';
import type { Rng } from '../util/prng.js';
import { type Family, familyOf, reasoningDetails } from './reasoning.js';
import { sampleFromSchema } from './schema-sample.js';
import { reasoningTokens, replyTokens, sentence, tokenize, toolFollowUpTokens } from './text.js';
import { textTokens } from './tokens.js';

/** What a simulated model answers for one request: tokens to stream, tool calls, finish reasons. */
export interface CompletionPlan {
  content: string[];
  reasoning: string[];
  reasoningVisible: boolean;
  reasoningDetails: Record<string, unknown>[] | undefined;
  toolCalls: PlannedToolCall[];
  finishReason: 'stop' | 'length' | 'tool_calls';
  nativeFinishReason: string;
  /** The `stop` sequence that ended the text, if one did (the Anthropic skin reports it as `stop_sequence`). */
  stopSequence: string | null;
  completionTokens: number;
  reasoningTokens: number;
}

export interface PlannedToolCall {
  id: string;
  name: string;
  arguments: string;
}

export interface PlanInput {
  model: CatalogModel;
  endpoint: CatalogEndpoint;
  request: Record<string, unknown>;
  rng: Rng;
  reasoningBudget: { tokens: number; visible: boolean };
  replyRange: readonly [number, number];
  /** Replace the content with this text (the `invalid-output` fault). */
  forcedText?: string;
}

type Message = Record<string, unknown>;

const NATIVE: Record<Family, Record<string, string>> = {
  openai: { stop: 'stop', length: 'length', tool_calls: 'tool_calls', stop_sequence: 'stop' },
  anthropic: { stop: 'end_turn', length: 'max_tokens', tool_calls: 'tool_use', stop_sequence: 'stop_sequence' },
  google: { stop: 'STOP', length: 'MAX_TOKENS', tool_calls: 'STOP', stop_sequence: 'STOP' },
  other: { stop: 'stop', length: 'length', tool_calls: 'tool_calls', stop_sequence: 'stop' },
};

export function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((part) =>
      (part as { type?: unknown }).type === 'text' ? String((part as { text?: unknown }).text ?? '') : '',
    )
    .join(' ');
}

function lastIndexOfRole(messages: Message[], role: string): number {
  for (let i = messages.length - 1; i >= 0; i--) if (messages[i]?.role === role) return i;
  return -1;
}

interface FunctionTool {
  name: string;
  parameters: unknown;
}

function functionTools(request: Record<string, unknown>): FunctionTool[] {
  if (!Array.isArray(request.tools)) return [];
  return request.tools
    .filter((tool) => (tool as Message)?.type === 'function')
    .map((tool) => {
      const fn = (tool as { function: { name: string; parameters?: unknown } }).function;
      return { name: fn.name, parameters: fn.parameters ?? { type: 'object', properties: {} } };
    });
}

/** Tools named in the user's text, in order of appearance (snake_case names also match as words). */
function mentionedTools(tools: FunctionTool[], text: string): FunctionTool[] {
  const lower = text.toLowerCase();
  return tools
    .map((tool) => {
      const name = tool.name.toLowerCase();
      const at = Math.min(
        ...[lower.indexOf(name), lower.indexOf(name.replace(/[_-]/g, ' '))].map((i) =>
          i < 0 ? Number.MAX_SAFE_INTEGER : i,
        ),
      );
      return { tool, at };
    })
    .filter((entry) => entry.at !== Number.MAX_SAFE_INTEGER)
    .sort((a, b) => a.at - b.at)
    .map((entry) => entry.tool);
}

/** Which tools the model calls now, following the rules in the README ("Tool calls"). */
function chooseToolCalls(request: Record<string, unknown>, messages: Message[], rng: Rng): FunctionTool[] {
  const tools = functionTools(request);
  const choice = request.tool_choice;
  if (tools.length === 0 || choice === 'none') return [];
  if (typeof choice === 'object' && choice !== null) {
    const name = (choice as { function?: { name?: string } }).function?.name;
    const forced = tools.find((tool) => tool.name === name);
    if (forced && messages[messages.length - 1]?.role !== 'tool') return [forced];
  }
  const userAt = lastIndexOfRole(messages, 'user');
  const called = new Set<string>();
  for (const message of messages.slice(userAt + 1)) {
    for (const call of (message.tool_calls as { function?: { name?: string } }[] | undefined) ?? []) {
      if (call.function?.name) called.add(call.function.name);
    }
  }
  const pending = mentionedTools(tools, textOf(messages[userAt]?.content)).filter((tool) => !called.has(tool.name));
  const parallel = request.parallel_tool_calls !== false;
  if (pending.length > 0) return parallel ? pending.slice(0, 4) : pending.slice(0, 1);
  const afterTools = messages[messages.length - 1]?.role === 'tool';
  if (afterTools && choice !== 'required') return [];
  if (!afterTools && called.size > 0 && choice !== 'required') return [];
  return [rng.pick(tools)];
}

function words(text: string): string[] {
  return (text.match(/[A-Za-z][A-Za-z'-]{2,}/g) ?? []).slice(0, 40);
}

function toolCallId(family: Family, rng: Rng): string {
  return family === 'anthropic' ? `toolu_01${rng.alnum(22)}` : `call_${rng.alnum(24)}`;
}

/** Content for `response_format`: schema-valid JSON, any JSON object, or undefined for plain text. */
function structuredContent(request: Record<string, unknown>, rng: Rng, promptWords: string[]): string | undefined {
  const format = request.response_format as { type?: string; json_schema?: { schema?: unknown } } | undefined;
  if (format?.type === 'json_schema') {
    return JSON.stringify(
      sampleFromSchema(format.json_schema?.schema ?? { type: 'object' }, rng.fork('json'), { words: promptWords }),
    );
  }
  if (format?.type === 'json_object') {
    return JSON.stringify({ answer: sentence(rng), confidence: Math.round(rng.next() * 100) / 100 });
  }
  return undefined;
}

function applyStop(tokens: string[], stop: unknown): { tokens: string[]; stopped: string | null } {
  const stops = (typeof stop === 'string' ? [stop] : Array.isArray(stop) ? stop : []).filter(
    (s): s is string => typeof s === 'string' && s.length > 0,
  );
  if (stops.length === 0) return { tokens, stopped: null };
  const text = tokens.join('');
  let cut = -1;
  let stopped: string | null = null;
  for (const s of stops) {
    const at = text.indexOf(s);
    if (at >= 0 && (cut < 0 || at < cut)) {
      cut = at;
      stopped = s;
    }
  }
  if (cut < 0) return { tokens, stopped: null };
  const kept: string[] = [];
  let length = 0;
  for (const token of tokens) {
    if (length + token.length <= cut) {
      kept.push(token);
      length += token.length;
    } else {
      if (cut > length) kept.push(token.slice(0, cut - length));
      break;
    }
  }
  return { tokens: kept, stopped };
}

/** Builds the whole answer for one request, deterministically from `rng`. */
export function planCompletion(input: PlanInput): CompletionPlan {
  const { model, endpoint, request, rng } = input;
  const family = familyOf(model);
  const messages = request.messages as Message[];
  const userText = textOf(messages[lastIndexOfRole(messages, 'user')]?.content);
  const promptWords = words(userText);

  let reasoning =
    input.reasoningBudget.tokens > 0
      ? reasoningTokens(rng.fork('reasoning'), input.reasoningBudget.tokens).slice(0, input.reasoningBudget.tokens)
      : [];
  const calls = input.forcedText === undefined ? chooseToolCalls(request, messages, rng.fork('tools')) : [];
  let content: string[] = [];
  let toolCalls: PlannedToolCall[] = [];
  let finish: CompletionPlan['finishReason'] = 'stop';
  let native = 'stop';
  let stopSequence: string | null = null;
  if (calls.length > 0) {
    const idRng = rng.fork('ids');
    toolCalls = calls.map((tool) => ({
      id: toolCallId(family, idRng),
      name: tool.name,
      arguments: JSON.stringify(
        sampleFromSchema(tool.parameters, rng.fork(`args:${tool.name}`), { words: promptWords }),
      ),
    }));
    finish = 'tool_calls';
    native = 'tool_calls';
  } else {
    const structured = input.forcedText ?? structuredContent(request, rng.fork('structured'), promptWords);
    if (structured !== undefined)
      // JSON has few spaces: cut it into ~4-character tokens so counts match the 4-bytes-per-token estimator.
      content = tokenize(structured).flatMap((t) => (t.length > 4 ? (t.match(/[\s\S]{1,4}/gu) ?? []) : [t]));
    else if (messages[messages.length - 1]?.role === 'tool') {
      const lastAssistant = lastIndexOfRole(messages, 'assistant');
      const outputs = messages.slice(lastAssistant + 1).map((m) => textOf(m.content));
      content = toolFollowUpTokens(rng.fork('reply'), outputs, input.replyRange);
    } else content = replyTokens(rng.fork('reply'), userText, input.replyRange);
    const stopped = applyStop(content, request.stop);
    content = stopped.tokens;
    stopSequence = stopped.stopped;
    if (stopSequence !== null) native = 'stop_sequence';
  }

  const limit = Number(
    request.max_completion_tokens ?? request.max_tokens ?? endpoint.max_completion_tokens ?? Number.MAX_SAFE_INTEGER,
  );
  let argTokens = toolCalls.reduce((sum, call) => sum + textTokens(call.arguments), 0);
  if (reasoning.length >= limit) {
    reasoning = reasoning.slice(0, limit);
    content = [];
    toolCalls = [];
    argTokens = 0;
    finish = 'length';
    native = 'length';
    stopSequence = null;
  } else if (reasoning.length + content.length + argTokens > limit) {
    const room = limit - reasoning.length;
    if (toolCalls.length > 0) {
      // Arguments cut mid-JSON, as a provider hitting max_tokens inside a tool call does.
      const last = toolCalls[toolCalls.length - 1] as PlannedToolCall;
      last.arguments = last.arguments.slice(0, Math.max(1, room * 4 - (argTokens - textTokens(last.arguments)) * 4));
      argTokens = Math.min(argTokens, room);
    } else content = content.slice(0, room);
    finish = 'length';
    native = 'length';
    stopSequence = null;
  }
  const reasoningText = reasoning.join('');
  const visible = input.reasoningBudget.visible && reasoning.length > 0;
  return {
    content,
    reasoning,
    reasoningVisible: visible,
    reasoningDetails: visible ? reasoningDetails(family, reasoningText, toolCalls[0]?.id) : undefined,
    toolCalls,
    finishReason: finish,
    nativeFinishReason: NATIVE[family][native] ?? native,
    stopSequence,
    completionTokens: reasoning.length + content.length + argTokens,
    reasoningTokens: reasoning.length,
  };
}
