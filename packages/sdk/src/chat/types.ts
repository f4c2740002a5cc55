import type { ChatCompletion, FinishReason } from '../protocol/chat.js';
import type { AssistantMessage, ReasoningDetail } from '../protocol/messages.js';
import type { AttemptRecord } from '../routing/trace.js';
import type { Cost } from '../usage/cost.js';
import type { Usage } from '../usage/usage.js';

/** A tool call of the answer, with its arguments parsed when they are valid JSON. */
export interface ToolCallResult {
  id: string;
  name: string;
  /** The arguments exactly as the model wrote them. */
  arguments: string;
  /** `JSON.parse(arguments)`, or undefined when they are not valid JSON (see `parseError`). */
  input?: unknown;
  parseError?: string;
}

/** The outcome of one chat request. */
export interface ChatResult {
  /** The assistant's text (empty when it only called tools). */
  text: string;
  /** The assistant message, ready to append to the conversation (keeps `reasoning_details` for replay). */
  message: AssistantMessage;
  toolCalls: ToolCallResult[];
  /** Normalised: `stop`, `length`, `tool_calls`, `content_filter`, `error` (patched to `tool_calls` when the model
   * called tools but reported `stop`/null). */
  finishReason: FinishReason | null;
  /** The provider's own finish reason (`end_turn`, `STOP`, `MALFORMED_FUNCTION_CALL`, …). */
  nativeFinishReason: string | null;
  /** The model that actually served the request (may differ from the requested one). */
  model: string;
  /** The model that was asked for. */
  requestedModel?: string;
  /** The upstream provider that served it, e.g. `DeepInfra`. */
  provider?: string;
  generationId: string;
  reasoning?: string;
  reasoningDetails?: ReasoningDetail[];
  usage: Usage;
  cost: Cost;
  timing: { ttftMs?: number; totalMs: number };
  /** The completion as received (for streams: assembled from the chunks). */
  raw: ChatCompletion;
  /** Every attempt the routing engine made, the successful one last. */
  attempts?: AttemptRecord[];
}

/** Events of a `ChatStream`, in arrival order. */
export type StreamEvent =
  | { type: 'text'; text: string }
  | { type: 'reasoning'; text: string; details?: ReasoningDetail[] }
  | { type: 'tool_call_delta'; index: number; id?: string; name?: string; arguments: string }
  | { type: 'tool_call'; call: ToolCallResult }
  | { type: 'usage'; usage: Usage; cost?: Cost }
  | { type: 'done'; result: ChatResult }
  /** With `frames: true` only: an upstream SSE frame, verbatim (`data: …\n\n` or `: comment\n\n`), for proxies to
   * forward without re-serialising. Frames received before the first content token are held back and released
   * with it; keep-alive comments from before it are dropped (a proxy sends its own while it waits). */
  | { type: 'frame'; text: string };
