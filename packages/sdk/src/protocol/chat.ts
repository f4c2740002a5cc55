import type { Annotation, AssistantMessage, Extra, Message, ReasoningDetail, Tool, ToolChoice } from './messages.js';

export type ReasoningEffort = 'max' | 'xhigh' | 'high' | 'medium' | 'low' | 'minimal' | 'none';

/** OpenRouter's `provider` routing preferences (reference §2.3). Unknown keys are rejected by the server. */
export interface ProviderPreferences {
  order?: string[];
  allow_fallbacks?: boolean;
  require_parameters?: boolean;
  data_collection?: 'allow' | 'deny';
  zdr?: boolean;
  enforce_distillable_text?: boolean;
  only?: string[];
  ignore?: string[];
  quantizations?: string[];
  sort?: 'price' | 'throughput' | 'latency' | 'exacto' | { by?: string | null; partition?: 'model' | 'none' | null };
  preferred_min_throughput?: number | { p50?: number; p75?: number; p90?: number; p99?: number };
  preferred_max_latency?: number | { p50?: number; p75?: number; p90?: number; p99?: number };
  /** USD per million tokens for prompt/completion; per image; per request. */
  max_price?: {
    prompt?: number | string;
    completion?: number | string;
    image?: number | string;
    audio?: number | string;
    request?: number | string;
  };
}

export interface ReasoningConfig {
  effort?: ReasoningEffort;
  max_tokens?: number;
  exclude?: boolean;
  enabled?: boolean;
  summary?: 'auto' | 'concise' | 'detailed';
  [key: string]: unknown;
}

export type ResponseFormat =
  | { type: 'text' }
  | { type: 'json_object' }
  | {
      type: 'json_schema';
      json_schema: { name: string; description?: string; schema?: Record<string, unknown>; strict?: boolean };
    }
  | { type: 'grammar'; grammar: string }
  | { type: 'python' };

/**
 * Every parameter of `POST /chat/completions` (reference §2.1–2.2). Unknown fields are passed through to the
 * server unchanged, so new OpenRouter parameters work before this type learns about them.
 */
export interface ChatRequest extends Extra {
  messages: Message[];
  model?: string;
  stream?: boolean;
  max_tokens?: number;
  max_completion_tokens?: number;
  temperature?: number;
  top_p?: number;
  top_k?: number;
  frequency_penalty?: number;
  presence_penalty?: number;
  repetition_penalty?: number;
  min_p?: number;
  top_a?: number;
  seed?: number;
  stop?: string | string[];
  logit_bias?: Record<string, number>;
  logprobs?: boolean;
  top_logprobs?: number;
  response_format?: ResponseFormat;
  tools?: Tool[];
  tool_choice?: ToolChoice;
  parallel_tool_calls?: boolean;
  prediction?: { type: 'content'; content: string | { type: 'text'; text: string }[] };
  user?: string;
  metadata?: Record<string, string>;
  modalities?: ('text' | 'image' | 'audio')[];
  service_tier?: 'auto' | 'default' | 'fast' | 'flex' | 'priority' | 'scale' | null;
  reasoning_effort?: ReasoningEffort;
  verbosity?: 'low' | 'medium' | 'high' | 'xhigh' | 'max';
  prompt_cache_key?: string | null;
  // OpenRouter-specific
  models?: string[];
  provider?: ProviderPreferences;
  plugins?: (Extra & { id: string })[];
  transforms?: string[];
  reasoning?: ReasoningConfig;
  include_reasoning?: boolean;
  session_id?: string;
  trace?: Record<string, unknown>;
  cache_control?: { type: 'ephemeral'; ttl?: '5m' | '1h' };
  debug?: { echo_upstream_body?: boolean };
}

export interface WireUsage extends Extra {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  cost?: number | null;
  is_byok?: boolean;
  prompt_tokens_details?:
    | (Extra & { cached_tokens?: number; cache_write_tokens?: number; audio_tokens?: number })
    | null;
  completion_tokens_details?: (Extra & { reasoning_tokens?: number; image_tokens?: number }) | null;
  cost_details?:
    | (Extra & {
        upstream_inference_cost?: number | null;
        upstream_inference_prompt_cost?: number;
        upstream_inference_completions_cost?: number;
      })
    | null;
}

export interface WireError extends Extra {
  code: number | string;
  message: string;
  metadata?: Record<string, unknown>;
}

export type FinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter' | 'error' | (string & {});

export interface ChatChoice extends Extra {
  index: number;
  message: AssistantMessage;
  finish_reason: FinishReason | null;
  native_finish_reason?: string | null;
  logprobs?: unknown;
  error?: WireError;
}

/** A non-streaming `chat.completion` as OpenRouter sends it (the superset real traffic shows, reference §3.1). */
export interface ChatCompletion extends Extra {
  id: string;
  object: 'chat.completion' | (string & {});
  created: number;
  model: string;
  provider?: string;
  choices: ChatChoice[];
  system_fingerprint?: string | null;
  usage?: WireUsage;
}

export interface ToolCallDelta extends Extra {
  index: number;
  id?: string;
  type?: 'function';
  function?: { name?: string; arguments?: string };
}

export interface ChunkDelta extends Extra {
  role?: 'assistant';
  content?: string | null;
  reasoning?: string | null;
  reasoning_details?: ReasoningDetail[];
  tool_calls?: ToolCallDelta[];
  refusal?: string | null;
  annotations?: Annotation[];
}

export interface ChunkChoice extends Extra {
  index: number;
  delta: ChunkDelta;
  finish_reason: FinishReason | null;
  native_finish_reason?: string | null;
}

/** One streamed `chat.completion.chunk`, including the in-band `error` form (reference §3.4–3.5). */
export interface ChatCompletionChunk extends Extra {
  id: string;
  object: 'chat.completion.chunk' | (string & {});
  created: number;
  model: string;
  provider?: string;
  choices: ChunkChoice[];
  usage?: WireUsage;
  error?: WireError;
}

/** The error envelope: `{ error: { code, message, metadata? }, user_id? }`. */
export interface ErrorEnvelope extends Extra {
  error: WireError;
  user_id?: string;
}
