import type { ChatResult } from '../chat/types.js';
import type { CallOptions, ChatParams, Switchyard } from '../client.js';
import { resolveAlias } from '../config/model-id.js';
import { InvalidRequestError } from '../errors/http-errors.js';
import type { ResponseFormat } from '../protocol/chat.js';
import type { Message } from '../protocol/messages.js';
import { type Femto, parseUsd, toUsd } from '../usage/money.js';
import { addUsage, type Usage } from '../usage/usage.js';
import { ExtractionError, StructuredOutputError } from './agent-errors.js';
import type { ChatParamsWithout } from './chat-params.js';
import { extractJson } from './extract-json.js';
import { formatIssues, type SchemaIssue } from './json-schema-validate.js';
import {
  afterLeadingSystem,
  type ConversationInput,
  conversationMessages,
  pinnedProvider,
} from './message-conversion.js';
import { type InferSchema, resolveSchema, type SchemaLike } from './schema.js';

/**
 * How the answer is asked for: `json_schema` (`response_format` with the schema: the provider constrains the
 * output), `json_object` (`response_format: json_object` plus the schema in instructions), `prompt` (instructions
 * only; the JSON is extracted from the text). `auto` picks from the model's `supported_parameters` in the catalog:
 * `structured_outputs` → json_schema, else `response_format` → json_object, else (or when the model is unknown) prompt.
 */
export type StructuredMode = 'auto' | 'json_schema' | 'json_object' | 'prompt';

/** Options of `sy.object()`. Any other chat parameter (`temperature`, `reasoning`, `provider`, …) is passed on. */
export interface ObjectOptions<S extends SchemaLike = SchemaLike>
  extends ConversationInput,
    ChatParamsWithout<'messages' | 'response_format'> {
  /** What the answer must be: a JSON Schema object or a Standard Schema (zod 4, valibot, arktype…). */
  schema: S;
  /** The JSON Schema to send when `schema` is a Standard Schema that cannot describe itself as JSON Schema. */
  jsonSchema?: Record<string, unknown>;
  /** `response_format.json_schema.name` (letters, digits, `_`, `-`; default `response`). */
  name?: string;
  /** `response_format.json_schema.description`, also used in the instructions. */
  description?: string;
  /** `response_format.json_schema.strict` (not sent unless set: strict mode excludes providers that lack it). */
  strict?: boolean;
  /** How many times an invalid answer is sent back with its problems for another try (default 2). */
  maxRepairs?: number;
  mode?: StructuredMode;
  /** Ask OpenRouter for `provider.require_parameters: true` in `json_schema`/`json_object` mode, so endpoints that
   * would silently drop `response_format` are not used (default true; only on OpenRouter). */
  requireParameters?: boolean;
}

/** One model call of `sy.object()`: what it answered and why that was rejected (no issues = accepted). */
export interface ObjectRound {
  text: string;
  issues: SchemaIssue[];
  result: ChatResult;
}

export interface ObjectResult<T> {
  /** The validated object (for Standard Schemas: the schema's output, after its transforms). */
  object: T;
  /** The answer it came from. */
  text: string;
  /** The mode used (never `auto`). */
  mode: Exclude<StructuredMode, 'auto'>;
  /** Answers sent back for repair (0 = valid the first time). */
  repairs: number;
  /** Every model call, the accepted one last. */
  rounds: ObjectRound[];
  /** The accepted answer's ChatResult. */
  result: ChatResult;
  /** Token usage summed over the rounds. */
  usage: Usage;
  /** USD summed over the rounds, failed attempts included. */
  costUsd: number;
}

/** The structured-output mode for a model, from its catalog entry's `supported_parameters`. */
export async function structuredMode(
  sy: Switchyard,
  model: string | undefined,
): Promise<'json_schema' | 'json_object' | 'prompt'> {
  const name = model ?? sy.config.defaultModel;
  if (!name) return 'prompt';
  const entry = sy.config.models[name];
  const id = resolveAlias(entry ? entry.model : name, sy.config.aliases);
  const ids = id.includes(':') && !id.endsWith(':free') ? [id, id.slice(0, id.indexOf(':'))] : [id];
  for (const candidate of ids) {
    try {
      const supported = (await sy.models.get(candidate)).supported_parameters ?? [];
      if (supported.includes('structured_outputs')) return 'json_schema';
      if (supported.includes('response_format')) return 'json_object';
      return 'prompt';
    } catch {
      // unknown to the catalog (or the catalog is unreachable): try the base id, then fall back to instructions
    }
  }
  return 'prompt';
}

function instructions(schema: Record<string, unknown>, description: string | undefined): string {
  return (
    (description ? `${description}\n\n` : '') +
    'Answer with one JSON value that matches this JSON Schema, and nothing else (no explanations, no code fences):\n' +
    JSON.stringify(schema)
  );
}

function repairPrompt(issues: SchemaIssue[]): string {
  return (
    'Your previous answer is not valid:\n' +
    formatIssues(issues) +
    '\nAnswer again with only the corrected JSON, matching the schema exactly.'
  );
}

function spent(result: ChatResult): Femto {
  let total = parseUsd(result.cost.usd);
  for (const attempt of result.attempts ?? []) {
    if (attempt.outcome !== 'success' && attempt.costUsd) total += parseUsd(attempt.costUsd);
  }
  return total;
}

/** The answer's JSON: strictly parsed, else extracted from prose and fences (see `extractJson`). */
function parseAnswer(result: ChatResult): { ok: true; value: unknown } | { ok: false; issues: SchemaIssue[] } {
  const refusal = result.message.refusal;
  if (typeof refusal === 'string' && refusal !== '') {
    return { ok: false, issues: [{ path: [], message: `the model refused: ${refusal}` }] };
  }
  try {
    return { ok: true, value: extractJson(result.text) };
  } catch (error) {
    const reason = error instanceof ExtractionError ? error.message : String(error);
    const cut = result.finishReason === 'length' ? ' (the answer was cut off at max_tokens)' : '';
    return { ok: false, issues: [{ path: [], message: `not valid JSON: ${reason}${cut}` }] };
  }
}

/**
 * A validated object from the model (also `sy.object(options)`): asks with `response_format: json_schema` when the
 * model supports it, else `json_object`, else instructions (see `StructuredMode`); parses the answer (tolerant of
 * fences and prose), validates it against the schema (our JSON Schema validator, or the Standard Schema's own
 * `validate`), and on failure sends the problems back for another try, up to `maxRepairs`. Throws
 * `StructuredOutputError` (code `structured_output_invalid`) with the last output and its problems when it still
 * fails.
 */
export async function generateObject<S extends SchemaLike>(
  sy: Switchyard,
  options: ObjectOptions<S>,
  call: CallOptions = {},
): Promise<ObjectResult<InferSchema<S>>> {
  const {
    schema,
    jsonSchema,
    name = 'response',
    description,
    strict,
    maxRepairs = 2,
    mode: requested = 'auto',
    requireParameters = true,
    messages,
    system,
    prompt,
    messageLimit,
    ...params
  } = options;
  if (!Number.isInteger(maxRepairs) || maxRepairs < 0) {
    throw new InvalidRequestError(`Invalid maxRepairs ${maxRepairs}: must be an integer ≥ 0`);
  }
  if (!/^[a-zA-Z0-9_-]{1,64}$/.test(name)) {
    throw new InvalidRequestError(`Invalid schema name "${name}": use 1-64 letters, digits, "_" or "-"`);
  }
  const resolved = resolveSchema(schema, jsonSchema, 'The structured-output schema');
  const mode = requested === 'auto' ? await structuredMode(sy, params.model) : requested;

  let conversation = conversationMessages({ messages, system, prompt, messageLimit });
  const request: ChatParams = { ...params, messages: conversation };
  if (mode === 'json_schema') {
    const format: Extract<ResponseFormat, { type: 'json_schema' }>['json_schema'] = {
      name,
      schema: resolved.jsonSchema,
    };
    if (description !== undefined) format.description = description;
    if (strict !== undefined) format.strict = strict;
    request.response_format = { type: 'json_schema', json_schema: format };
  } else {
    const at = afterLeadingSystem(conversation);
    const note: Message = { role: 'system', content: instructions(resolved.jsonSchema, description) };
    conversation = [...conversation.slice(0, at), note, ...conversation.slice(at)];
    if (mode === 'json_object') request.response_format = { type: 'json_object' };
  }
  if (mode !== 'prompt' && requireParameters && params.provider?.require_parameters === undefined) {
    request.provider = { ...params.provider, require_parameters: true };
  }

  const rounds: ObjectRound[] = [];
  let usage: Usage | undefined;
  let cost: Femto = 0n;
  for (let round = 0; round <= maxRepairs; round++) {
    const result = await sy.chat({ ...request, messages: conversation }, call);
    usage = usage ? addUsage(usage, result.usage) : result.usage;
    cost += spent(result);
    const parsed = parseAnswer(result);
    const validation = parsed.ok ? await resolved.validate(parsed.value) : parsed;
    rounds.push({ text: result.text, issues: validation.ok ? [] : validation.issues, result });
    if (validation.ok) {
      return {
        object: validation.value as InferSchema<S>,
        text: result.text,
        mode,
        repairs: round,
        rounds,
        result,
        usage,
        costUsd: toUsd(cost),
      };
    }
    // Replay the answer as it came (reasoning_details included) on the provider that wrote it, then the problems.
    if (round === 0 && result.reasoningDetails && result.reasoningDetails.length > 0) {
      const pin = pinnedProvider(request, result);
      if (pin) request.provider = pin;
    }
    conversation = [...conversation, result.message, { role: 'user', content: repairPrompt(validation.issues) }];
  }
  const last = rounds[rounds.length - 1] as ObjectRound;
  throw new StructuredOutputError(
    `No valid object after ${rounds.length} answer(s) (maxRepairs ${maxRepairs}); the last one:\n` +
      formatIssues(last.issues),
    rounds,
  );
}
