/**
 * The recorded SSE fixtures: which simulator, which request, and what each one must show. Shared by the recorder
 * (`scripts/record-fixtures.ts`) and the golden test (`test/fixtures.test.ts`); see `fixtures/README.md`.
 */
import type { Scenario } from '../src/options.js';

/** The pinned clock of every recording (`created` = 1780000000, ids `gen-1780000000-…`). */
export const FIXTURE_NOW_MS = 1_780_000_000_000;
/** The seed of every recording. */
export const FIXTURE_SEED = 42;
/** Any `sk-or-…` key passes the simulator's default `openKeys`; this one is a placeholder, not a credential. */
export const FIXTURE_KEY = 'sk-or-v1-fixture-placeholder';
/** Where the `.sse` files and `manifest.json` live. */
export const FIXTURES_DIR = new URL('../fixtures/sse/', import.meta.url);
export const MANIFEST_URL = new URL('manifest.json', FIXTURES_DIR);
export const RERECORD_HINT =
  'If this change to the simulator was intended, re-record with `npm run record-fixtures -w @switchyard/simulator` ' +
  'and review the diff of packages/simulator/fixtures/sse/.';

/** How the golden test compares a fresh recording with the checked-in bytes. */
export type Golden =
  /** Byte for byte. */
  | 'exact'
  /** Byte for byte once every comment frame (`: OPENROUTER PROCESSING`) is removed: their count depends on timers. */
  | 'ignore-keepalive-comments';

export interface FixtureRequest {
  method: 'POST';
  /** Relative to the API base URL (`…/api/v1`). */
  path: string;
  headers: Record<string, string>;
  body: Record<string, unknown>;
}

/** Hand-written expectations of a case: a subset of the recorded facts, checked by the recorder and by the test. */
export interface CaseExpectation {
  done?: boolean;
  text?: string;
  finishReason?: string | null;
  nativeFinishReason?: string | null;
  usageChunk?: UsageChunkShape | null;
  toolNames?: string[];
  errorCode?: number | null;
  errorForm?: ErrorForm | null;
  malformedFrames?: number;
  comments?: number;
  /** The assembled content is JSON (structured output). */
  textIsJson?: boolean;
  /** The assembled `delta.reasoning` is non-empty. */
  reasoning?: boolean;
  /** `reasoning_details` types/fields that must appear, e.g. `reasoning.text[signature]`. */
  reasoningDetails?: string[];
  completionTokens?: number;
  cost?: number;
}

export interface SimulatorCase {
  name: string;
  description: string;
  source: 'simulator';
  /** JSON-able simulator options (the pinned clock `now` is added by the recorder and the test). */
  options: Scenario;
  request: FixtureRequest;
  golden: Golden;
  expect: CaseExpectation;
}

export interface ReferenceCase {
  name: string;
  description: string;
  source: 'reference';
  /** Where the bytes come from. */
  origin: string;
  expect: CaseExpectation;
}

export type FixtureCase = SimulatorCase | ReferenceCase;

export type UsageChunkShape = 'no-choices' | 'empty-choice' | 'with-finish';
export type ErrorForm = 'single' | 'three-chunk';

/** Facts of one recorded body, as written to `manifest.json` (and re-derived by the test's own parser). */
export interface FixtureFacts {
  /** `[DONE]` is the last frame. */
  done: boolean;
  /** The `id` every chunk repeats. */
  id: string | null;
  provider: string | null;
  model: string | null;
  /** Comment frames (`: …`); null when their count depends on timers. */
  comments: number | null;
  /** `data:` frames other than `[DONE]`, including malformed ones. */
  dataFrames: number;
  /** `data:` frames whose payload is not JSON. */
  malformedFrames: number;
  /** Concatenated `delta.content`. */
  text: string;
  /** Concatenated `delta.reasoning`, or null when no delta carried reasoning text. */
  reasoning: string | null;
  /** Runs of `reasoning_details` items in stream order: type, which payload fields they carry, how many. */
  reasoningDetails: { type: string; fields: string[]; count: number }[];
  toolCalls: { index: number; id: string | null; name: string | null; arguments: string }[];
  /** The last non-null `finish_reason` / `native_finish_reason`. */
  finishReason: string | null;
  nativeFinishReason: string | null;
  error: { code: number | string; message: string; errorType: string | null } | null;
  /** `three-chunk` when the error chunk has `choices: []`. */
  errorForm: ErrorForm | null;
  usage: {
    prompt_tokens: number;
    completion_tokens: number;
    total_tokens: number;
    reasoning_tokens: number | null;
    cached_tokens: number | null;
    cost: number | null;
  } | null;
  usageChunk: UsageChunkShape | null;
}

const HELLO = [{ role: 'user', content: 'Hello, world!' }];

const weatherTool = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Current weather for a city',
    parameters: {
      type: 'object',
      properties: {
        city: { type: 'string', minLength: 1 },
        unit: { type: 'string', enum: ['celsius', 'fahrenheit'] },
      },
      required: ['city', 'unit'],
      additionalProperties: false,
    },
  },
};

const timeTool = {
  type: 'function',
  function: {
    name: 'get_time',
    description: 'Local time in a city',
    parameters: {
      type: 'object',
      properties: { city: { type: 'string', minLength: 1 } },
      required: ['city'],
      additionalProperties: false,
    },
  },
};

function headers(fault?: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = { authorization: `Bearer ${FIXTURE_KEY}`, 'content-type': 'application/json' };
  if (fault) out['x-simulator-fault'] = JSON.stringify(fault);
  return out;
}

function chatCase(
  name: string,
  description: string,
  body: Record<string, unknown>,
  expect: CaseExpectation,
  extra: { options?: Scenario; fault?: Record<string, unknown>; golden?: Golden } = {},
): SimulatorCase {
  return {
    name,
    description,
    source: 'simulator',
    options: { seed: FIXTURE_SEED, pace: 'instant', ...extra.options },
    request: {
      method: 'POST',
      path: '/chat/completions',
      headers: headers(extra.fault),
      body: { model: 'openai/gpt-4o-mini', messages: HELLO, ...body, stream: true },
    },
    golden: extra.golden ?? 'exact',
    expect,
  };
}

export const FIXTURE_CASES: FixtureCase[] = [
  chatCase(
    'basic-text',
    'A plain text answer: one `: OPENROUTER PROCESSING` comment, one content token per chunk, a finish chunk, ' +
      'then usage in its own chunk with `choices: []` (the documented shape), then `[DONE]`. The baseline every ' +
      'decoder must handle; note the usage chunk has no choice to index into.',
    {},
    { done: true, finishReason: 'stop', usageChunk: 'no-choices', comments: 1, errorCode: null },
  ),
  chatCase(
    'usage-empty-choice',
    'Usage in its own chunk that still carries one empty choice (`delta {role, content: ""}`, `finish_reason: null`), ' +
      'as captured in 2025 to early 2026. A client must not treat that trailing null finish_reason as overriding the ' +
      'earlier `stop`, nor emit an empty text delta for it.',
    {},
    { done: true, finishReason: 'stop', usageChunk: 'empty-choice' },
    { options: { stream: { usageChunk: 'empty-choice' } } },
  ),
  chatCase(
    'usage-with-finish',
    'Usage on the same chunk as `finish_reason` (as several client test fixtures assume). A client that waits for a ' +
      'separate usage chunk must still report usage.',
    {},
    { done: true, finishReason: 'stop', usageChunk: 'with-finish' },
    { options: { stream: { usageChunk: 'with-finish' } } },
  ),
  chatCase(
    'keepalive-comments',
    'Three `: OPENROUTER PROCESSING` comments before the first chunk and one more after every second chunk. Comments ' +
      'must be skipped without ending the stream or producing events; idle timers should be reset by them.',
    {},
    { done: true, finishReason: 'stop' },
    { options: { stream: { processingComments: 3, commentEvery: 2 } } },
  ),
  chatCase(
    'reasoning-anthropic',
    'Claude with `reasoning.max_tokens`: `reasoning` + `reasoning.text` deltas (format `anthropic-claude-v1`), then a ' +
      'delta whose only reasoning detail is `{type: "reasoning.text", signature}` without text, then the answer. ' +
      'Clients must merge the signature into the preceding text detail so the turn can be replayed (Anthropic verifies it).',
    {
      model: 'anthropic/claude-sonnet-4.5',
      messages: [{ role: 'user', content: 'Is 1013 a prime number?' }],
      reasoning: { max_tokens: 24 },
    },
    {
      done: true,
      finishReason: 'stop',
      nativeFinishReason: 'end_turn',
      reasoning: true,
      reasoningDetails: ['reasoning.text[text]', 'reasoning.text[signature]'],
    },
  ),
  chatCase(
    'reasoning-openai',
    'An OpenAI reasoning model at `effort: "low"`: `reasoning.summary` deltas (format `openai-responses-v1`), then one ' +
      '`reasoning.encrypted` item (`data`, `id`) before the answer. The encrypted item must be kept verbatim for replay.',
    {
      model: 'openai/o4-mini',
      messages: [{ role: 'user', content: 'Is 1013 a prime number?' }],
      reasoning: { effort: 'low' },
    },
    {
      done: true,
      finishReason: 'stop',
      reasoning: true,
      reasoningDetails: ['reasoning.summary[summary]', 'reasoning.encrypted[data,id]'],
    },
  ),
  chatCase(
    'reasoning-gemini-tools',
    'Gemini 3 (mandatory reasoning) calling a tool: `reasoning.text` deltas (format `google-gemini-v1`), a ' +
      '`reasoning.encrypted` thought signature whose `id` is the tool call id, then the tool call. Gemini 3 rejects the ' +
      'next turn unless these reasoning_details are sent back on the assistant message.',
    {
      model: 'google/gemini-3-pro-preview',
      messages: [{ role: 'user', content: 'What is the weather in Paris? Use get_weather.' }],
      tools: [weatherTool],
    },
    {
      done: true,
      finishReason: 'tool_calls',
      toolNames: ['get_weather'],
      reasoning: true,
      reasoningDetails: ['reasoning.text[text]', 'reasoning.encrypted[data,id]'],
    },
  ),
  chatCase(
    'tool-call-single',
    'One tool call streamed OpenAI-style: a first fragment with `id`, `type`, `function.name` and empty `arguments` ' +
      '(and `content: null`), then argument pieces of up to 16 characters; `finish_reason: "tool_calls"`. Arguments must ' +
      'be concatenated per `index` and parsed only at the end.',
    {
      messages: [{ role: 'user', content: 'What is the weather in Paris? Use get_weather.' }],
      tools: [weatherTool],
    },
    { done: true, finishReason: 'tool_calls', toolNames: ['get_weather'], text: '' },
  ),
  chatCase(
    'parallel-tool-calls',
    'Two tool calls in one turn (`index` 0 and 1, each with its own id), the second starting after the first ' +
      'finished. Clients must keep one accumulator per index.',
    {
      messages: [{ role: 'user', content: 'Call get_weather for Paris and get_time for Paris.' }],
      tools: [weatherTool, timeTool],
    },
    { done: true, finishReason: 'tool_calls', toolNames: ['get_weather', 'get_time'], text: '' },
  ),
  chatCase(
    'mid-stream-error-single',
    'A provider failure after 3 content chunks, in the documented single-chunk form: a chunk with top-level ' +
      '`error {code: 502, message, metadata.error_type}` and a choice with `finish_reason: "error"`, then `[DONE]`. ' +
      'HTTP status was already 200: the client must surface an error (no retry after output was delivered) and keep ' +
      'the partial text.',
    {},
    { done: true, finishReason: 'error', errorCode: 502, errorForm: 'single', usageChunk: null },
    { fault: { kind: 'mid-stream-error', form: 'single', afterChunks: 3 } },
  ),
  chatCase(
    'mid-stream-error-three-chunk',
    'The same failure in the observed three-chunk form: an `error` chunk with `choices: []`, a chunk with ' +
      '`finish_reason: "error"`, then a usage chunk (partial usage) and `[DONE]`. Parsers that only read `choices` ' +
      'silently drop the error.',
    {},
    { done: true, finishReason: 'error', errorCode: 502, errorForm: 'three-chunk', usageChunk: 'no-choices' },
    { fault: { kind: 'mid-stream-error', form: 'three-chunk', afterChunks: 3 } },
  ),
  chatCase(
    'mid-stream-error-no-done',
    'Single-chunk in-band error without a following `[DONE]`: the body just ends after the error chunk. The error ' +
      'must win over any "stream ended without [DONE]" handling.',
    {},
    { done: false, finishReason: 'error', errorCode: 502, errorForm: 'single' },
    { fault: { kind: 'mid-stream-error', form: 'single', afterChunks: 3, done: false } },
  ),
  chatCase(
    'cut-without-done',
    'The body ends cleanly after 2 content chunks: no finish chunk, no usage, no `[DONE]`. A client must report a ' +
      'truncated stream (retryable only if nothing was delivered to the caller yet), not a normal completion.',
    {},
    { done: false, finishReason: null, usageChunk: null, errorCode: null },
    { fault: { kind: 'cut', afterChunks: 2 } },
  ),
  chatCase(
    'malformed-chunk',
    'A `data:` line that is not JSON (a truncated chunk) after the first content chunk; the stream then continues ' +
      'normally. A client should skip (and count) the bad frame or fail clearly, never crash or hang.',
    {},
    { done: true, finishReason: 'stop', malformedFrames: 1 },
    { fault: { kind: 'malformed-chunk', afterChunks: 1 } },
  ),
  chatCase(
    'stall-keepalive-then-resume',
    'After 2 content chunks the stream stalls for ~300 ms sending only `: OPENROUTER PROCESSING` every 100 ms, then ' +
      'resumes and completes. Idle timeouts must count comments as activity. The number of comments depends on ' +
      'timers, so the golden test compares this one with comment frames removed.',
    {},
    { done: true, finishReason: 'stop' },
    {
      fault: { kind: 'stall', mode: 'keepalive', afterChunks: 2, durationMs: 300, intervalMs: 100 },
      golden: 'ignore-keepalive-comments',
    },
  ),
  chatCase(
    'length-finish',
    '`max_tokens: 5` cuts the answer: five content tokens and `finish_reason: "length"`, completion_tokens 5. A ' +
      'client must pass the truncation on (structured-output callers should not parse the text as complete).',
    { messages: [{ role: 'user', content: 'Tell me a long story about a lighthouse keeper.' }], max_tokens: 5 },
    { done: true, finishReason: 'length', nativeFinishReason: 'length', completionTokens: 5 },
  ),
  chatCase(
    'structured-json-schema',
    '`response_format: json_schema` (strict): the content, assembled from pieces of up to 12 characters that split ' +
      'JSON tokens and strings, is schema-valid JSON. Exercises incremental JSON assembly.',
    {
      messages: [{ role: 'user', content: 'Give me facts about Paris as JSON.' }],
      response_format: {
        type: 'json_schema',
        json_schema: {
          name: 'city_facts',
          strict: true,
          schema: {
            type: 'object',
            properties: {
              city: { type: 'string' },
              country: { type: 'string' },
              population: { type: 'integer', minimum: 0 },
              landmarks: { type: 'array', items: { type: 'string' }, minItems: 1, maxItems: 3 },
            },
            required: ['city', 'country', 'population', 'landmarks'],
            additionalProperties: false,
          },
        },
      },
    },
    { done: true, finishReason: 'stop', textIsJson: true },
  ),
  chatCase(
    'unicode-echo',
    'An echo of `Grüße 👋🏽 — 你好!` one token per chunk: multi-byte UTF-8 (2-, 3- and 4-byte sequences, an emoji with ' +
      'a skin-tone modifier). Replayed in 1-byte pieces it checks that the decoder never splits a code point.',
    { messages: [{ role: 'user', content: 'Say exactly: Grüße 👋🏽 — 你好!' }] },
    { done: true, finishReason: 'stop', text: 'Grüße 👋🏽 — 你好!' },
    { options: { stream: { chunkTokens: 1 } } },
  ),
  chatCase(
    'free-model',
    'A `:free` variant: the same stream shape with `usage.cost` 0. Cost accounting must accept zero-cost usage.',
    { model: 'meta-llama/llama-3.3-70b-instruct:free' },
    { done: true, finishReason: 'stop', cost: 0 },
  ),
  {
    name: 'reference-glm-capture',
    description:
      'Hand-written, not produced by the simulator: the realistic z-ai/glm-4.5 (DeepInfra) transcript of the API ' +
      'reference §3.4, assembled from real 2025-2026 captures: a processing comment, a reasoning delta, a content ' +
      'delta with `reasoning: null` and empty `reasoning_details`, a finish chunk, an empty-choice usage chunk, `[DONE]`.',
    source: 'reference',
    origin: 'shared/reference/openrouter-api.md §3.4 "Realistic transcript" (terminated by the SSE blank line)',
    expect: { done: true, finishReason: 'stop', usageChunk: 'empty-choice', text: ' is', reasoning: true },
  },
];

export const SIMULATOR_CASES = FIXTURE_CASES.filter((c): c is SimulatorCase => c.source === 'simulator');

export interface FixtureResponse {
  status: number;
  contentType: string | null;
  generationId: string | null;
  body: Buffer;
}

/** Sends a case's request to a running simulator and returns the raw response bytes. */
export async function sendFixtureRequest(apiBaseUrl: string, fixture: SimulatorCase): Promise<FixtureResponse> {
  const res = await fetch(`${apiBaseUrl}${fixture.request.path}`, {
    method: fixture.request.method,
    headers: fixture.request.headers,
    body: JSON.stringify(fixture.request.body),
    signal: AbortSignal.timeout(10_000),
  });
  return {
    status: res.status,
    contentType: res.headers.get('content-type'),
    generationId: res.headers.get('x-generation-id'),
    body: Buffer.from(await res.arrayBuffer()),
  };
}
