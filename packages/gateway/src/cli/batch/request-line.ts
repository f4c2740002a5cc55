import type { ChatParams, Message } from '@switchyard/sdk';
import type { InputLine } from './jsonl-reader.js';

/** A line's own id: a string or number the output repeats. */
export type LineId = string | number | null;

/** A valid input line, ready to send. */
export interface BatchRequest {
  line: number;
  id: LineId;
  /** The line's model, else `--model`, else undefined (the configured default model answers). */
  model: string | undefined;
  params: ChatParams;
}

export type ParsedLine =
  | { ok: true; request: BatchRequest }
  | { ok: false; line: number; id: LineId; model: string | null; message: string };

const ROLES = new Set(['system', 'developer', 'user', 'assistant', 'tool']);
/** Fields of a line that are not chat parameters. */
const OWN_FIELDS = new Set(['id', 'prompt', 'system', 'messages', 'model', 'stream']);

function checkMessages(messages: unknown): string | undefined {
  if (!Array.isArray(messages) || messages.length === 0) return '"messages" must be a non-empty list of messages';
  for (const [i, m] of messages.entries()) {
    if (typeof m !== 'object' || m === null || Array.isArray(m)) return `messages[${i}] must be an object`;
    const { role, content, tool_calls } = m as Record<string, unknown>;
    if (typeof role !== 'string' || !ROLES.has(role))
      return `messages[${i}].role must be one of system, developer, user, assistant, tool`;
    const hasContent = typeof content === 'string' || Array.isArray(content);
    if (!hasContent && !(role === 'assistant' && Array.isArray(tool_calls)))
      return `messages[${i}].content must be a string or a list of content parts`;
  }
  return undefined;
}

/**
 * Reads one input line. The format (one JSON object per line):
 *   {"id"?: string|number, "prompt": "...", "system"?: "...", "model"?: "...", ...chat parameters}
 *   {"id"?: string|number, "messages": [...], "model"?: "...", ...chat parameters}
 * Any other field (temperature, max_tokens, response_format, provider, …) is sent as a chat parameter; `stream`
 * is ignored. A line that is not like this is a bad line: reported, written as an error, never sent.
 */
export function parseRequestLine(input: InputLine, defaults: { model?: string; maxTokens?: number }): ParsedLine {
  const bad = (message: string, id: LineId = null, model: string | null = null): ParsedLine => ({
    ok: false,
    line: input.line,
    id,
    model,
    message,
  });
  let value: unknown;
  try {
    value = JSON.parse(input.text);
  } catch (error) {
    return bad(`not valid JSON (${(error as Error).message})`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return bad('expected a JSON object such as {"prompt": "..."} or {"messages": [...]}');
  const fields = value as Record<string, unknown>;
  const id = fields.id;
  if (id !== undefined && id !== null && typeof id !== 'string' && typeof id !== 'number')
    return bad('"id" must be a string or a number');
  const lineId: LineId = (id as LineId | undefined) ?? null;
  const model = fields.model;
  if (model !== undefined && (typeof model !== 'string' || model.trim() === ''))
    return bad('"model" must be a non-empty string', lineId);
  const modelName = (model as string | undefined)?.trim() || defaults.model;
  const wrong = (message: string) => bad(message, lineId, modelName ?? null);

  const hasPrompt = fields.prompt !== undefined;
  const hasMessages = fields.messages !== undefined;
  if (hasPrompt && hasMessages) return wrong('use either "prompt" or "messages", not both');
  if (!hasPrompt && !hasMessages) return wrong('needs "prompt" (a string) or "messages" (a list of chat messages)');
  if (fields.system !== undefined && typeof fields.system !== 'string') return wrong('"system" must be a string');
  let messages: Message[];
  if (hasPrompt) {
    if (typeof fields.prompt !== 'string' || fields.prompt.trim() === '')
      return wrong('"prompt" must be a non-empty string');
    messages = [{ role: 'user', content: fields.prompt }];
  } else {
    const problem = checkMessages(fields.messages);
    if (problem) return wrong(problem);
    messages = fields.messages as Message[];
  }
  if (typeof fields.system === 'string') messages = [{ role: 'system', content: fields.system }, ...messages];

  const params: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(fields)) if (!OWN_FIELDS.has(key)) params[key] = v;
  if (defaults.maxTokens !== undefined && params.max_tokens === undefined && params.max_completion_tokens === undefined)
    params.max_tokens = defaults.maxTokens;
  if (modelName) params.model = modelName;
  params.messages = messages;
  return { ok: true, request: { line: input.line, id: lineId, model: modelName, params: params as ChatParams } };
}
