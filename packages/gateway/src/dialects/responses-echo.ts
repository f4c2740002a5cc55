import { invalidField as invalid } from './request-errors.js';
import type { ResponsesTool } from './responses-tools.js';

/** What a Responses request asked for that the answer echoes back (the Responses object repeats its parameters). */
export interface ResponsesEcho {
  model?: string;
  instructions: string | null;
  tools: ResponsesTool[];
  toolChoice: unknown;
  parallelToolCalls: boolean;
  text: { format: unknown; verbosity?: unknown };
  reasoning: unknown;
  maxOutputTokens: number | null;
  temperature: number | null;
  topP: number | null;
  frequencyPenalty: number | null;
  presencePenalty: number | null;
  metadata: Record<string, string>;
  user: string | null;
  safetyIdentifier: string | null;
  promptCacheKey: string | null;
  serviceTier: string | null;
  truncation: 'auto' | 'disabled';
  store: boolean;
  previousResponseId: string | null;
}

export function nullableNumber(body: Record<string, unknown>, name: string): number | null {
  const value = body[name];
  if (value === undefined || value === null) return null;
  if (typeof value !== 'number' || !Number.isFinite(value)) throw invalid(name, `'${name}' must be a number`);
  return value;
}

function nullableString(body: Record<string, unknown>, name: string): string | null {
  const value = body[name];
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') throw invalid(name, `'${name}' must be a string`);
  return value;
}

/**
 * `metadata`, checked against the bounds OpenAI and OpenRouter share (16 pairs, keys up to 64 characters, string
 * values up to 512): it goes upstream as it is, and a 400 here names the field better than the upstream's would.
 */
export function metadataOf(value: unknown): Record<string, string> | undefined {
  if (value === undefined || value === null) return undefined;
  const why = "'metadata' must be an object of at most 16 string values (keys up to 64, values up to 512 characters)";
  if (typeof value !== 'object' || Array.isArray(value)) throw invalid('metadata', why);
  const entries = Object.entries(value as Record<string, unknown>);
  const fits = ([k, v]: [string, unknown]) => k.length <= 64 && typeof v === 'string' && v.length <= 512;
  if (entries.length > 16 || !entries.every(fits)) throw invalid('metadata', why);
  return value as Record<string, string>;
}

/** `truncation` is echoed only: the gateway never drops input items, which is what `disabled` promises. */
function truncationOf(value: unknown): 'auto' | 'disabled' {
  if (value === undefined || value === null) return 'disabled';
  if (value !== 'auto' && value !== 'disabled')
    throw invalid('truncation', "'truncation' must be 'auto' or 'disabled'");
  return value;
}

/**
 * A function tool as OpenAI echoes it: every field present, `strict` true unless the request turned it off (the
 * Responses API's default). Only an explicit `strict` goes upstream (`responses-tools.ts`): forcing strict schemas on
 * tools that did not ask for them would make upstreams refuse schemas that are not strict-compatible.
 */
function echoedTool(tool: ResponsesTool): ResponsesTool {
  if (tool.type !== 'function') return tool;
  return {
    ...tool,
    description: tool.description ?? null,
    parameters: tool.parameters ?? null,
    strict: tool.strict ?? true,
  };
}

/** The parameters a Responses answer repeats, from the request body (checked) and what the translation decided. */
export function echoOf(
  b: Record<string, unknown>,
  decided: {
    instructions: string | null;
    tools: ResponsesTool[];
    maxOutputTokens: number | null;
    previousResponseId: string | null;
  },
): ResponsesEcho {
  const text = (b.text ?? {}) as { format?: unknown; verbosity?: unknown };
  return {
    model: b.model as string | undefined,
    instructions: decided.instructions,
    tools: decided.tools.map(echoedTool),
    toolChoice: b.tool_choice ?? 'auto',
    parallelToolCalls: b.parallel_tool_calls !== false,
    text: { format: text.format ?? { type: 'text' }, ...(text.verbosity ? { verbosity: text.verbosity } : {}) },
    reasoning: b.reasoning ?? null,
    maxOutputTokens: decided.maxOutputTokens,
    temperature: nullableNumber(b, 'temperature'),
    topP: nullableNumber(b, 'top_p'),
    frequencyPenalty: nullableNumber(b, 'frequency_penalty'),
    presencePenalty: nullableNumber(b, 'presence_penalty'),
    // OpenAI answers `{}` for a request without metadata.
    metadata: metadataOf(b.metadata) ?? {},
    user: nullableString(b, 'user'),
    safetyIdentifier: nullableString(b, 'safety_identifier'),
    promptCacheKey: nullableString(b, 'prompt_cache_key'),
    serviceTier: nullableString(b, 'service_tier'),
    truncation: truncationOf(b.truncation),
    store: b.store !== false,
    previousResponseId: decided.previousResponseId,
  };
}
