/**
 * The fault vocabulary of the simulator. Every kind reproduces a behaviour seen from the real service (see the
 * simulator README for the scenario file format and examples).
 */

/** An error response with a real-looking body. Placed on a provider it becomes a wrapped upstream error. */
export interface HttpFault {
  kind: 'http';
  status: number;
  message?: string;
  /** `Retry-After` header: seconds (number), an HTTP date (`"date"`), or left out (`"none"`, the default). */
  retryAfter?: number | 'date' | 'none';
  /** For `retryAfter: "date"`: how many seconds ahead the date lies (default 1). */
  retryAfterDateOffset?: number;
  /** Adds a `retry-after-ms` header. */
  retryAfterMs?: number;
  /** Adds `X-RateLimit-*` headers (and their copy in `error.metadata.headers`); reset in epoch milliseconds. */
  rateLimitReset?: boolean;
  /** Extra `error.metadata` fields. */
  metadata?: Record<string, unknown>;
}

/** 502 (or `status`) "Provider returned error" with the upstream body in `metadata.raw` (string or object). */
export interface ProviderErrorFault {
  kind: 'provider-error';
  status?: number;
  raw?: string | Record<string, unknown>;
}

/** 403 moderation block with `reasons`, `flagged_input`, `provider_name`, `model_slug`. */
export interface ModerationFault {
  kind: 'moderation';
  reasons?: string[];
}

/** HTTP 200 whose body is `{error}` instead of a completion (non-streaming requests). */
export interface ErrorBody200Fault {
  kind: 'error-200';
  code?: number;
  message?: string;
}

/** Streams: an in-band error after `afterChunks` content chunks, in the documented single-chunk form or the
 * observed three-chunk form (error chunk with `choices: []`, finish chunk `error`, usage chunk). */
export interface MidStreamErrorFault {
  kind: 'mid-stream-error';
  afterChunks?: number;
  form?: 'single' | 'three-chunk';
  code?: number;
  /** `word`: the chunk's `code` is `"server_error"`, as in the streaming docs' example, and only `error_type` says
   * what failed (chat streams). Default `number`. */
  codeForm?: 'number' | 'word';
  message?: string;
  errorType?: string;
  /** Whether `data: [DONE]` follows the error (captures vary); default true. */
  done?: boolean;
}

/** The TCP connection is destroyed before any response header. */
export interface ResetBeforeHeadersFault {
  kind: 'reset-before-headers';
}

/** The connection is destroyed after `afterChunks` chunks (stream) or half of the body (non-stream). */
export interface ResetMidBodyFault {
  kind: 'reset-mid-body';
  afterChunks?: number;
}

/** Headers (and `afterChunks` chunks) are sent, then nothing, or only keep-alive comments, for `durationMs`
 * (default: until the client gives up or the simulator closes), after which the stream resumes normally. */
export interface StallFault {
  kind: 'stall';
  afterChunks?: number;
  mode?: 'silent' | 'keepalive';
  intervalMs?: number;
  durationMs?: number;
}

/** Response headers are delayed by `delayMs`. */
export interface SlowHeadersFault {
  kind: 'slow-headers';
  delayMs: number;
}

/** A `data:` line that is not valid JSON after `afterChunks` chunks; the stream then continues. */
export interface MalformedChunkFault {
  kind: 'malformed-chunk';
  afterChunks?: number;
}

/** The stream (or body) ends cleanly after `afterChunks` chunks, without a finish chunk or `[DONE]`. */
export interface CutFault {
  kind: 'cut';
  afterChunks?: number;
}

/** Forces the real context-length 400 regardless of prompt size. */
export interface ContextLengthFault {
  kind: 'context-length';
}

/** Non-JSON assistant text where JSON was asked for (structured-output repair tests). */
export interface InvalidOutputFault {
  kind: 'invalid-output';
  /** The text to emit; default: a truncated JSON object. */
  text?: string;
}

export type Fault =
  | HttpFault
  | ProviderErrorFault
  | ModerationFault
  | ErrorBody200Fault
  | MidStreamErrorFault
  | ResetBeforeHeadersFault
  | ResetMidBodyFault
  | StallFault
  | SlowHeadersFault
  | MalformedChunkFault
  | CutFault
  | ContextLengthFault
  | InvalidOutputFault;

export type FaultKind = Fault['kind'];

export const FAULT_KINDS: readonly FaultKind[] = [
  'http',
  'provider-error',
  'moderation',
  'error-200',
  'mid-stream-error',
  'reset-before-headers',
  'reset-mid-body',
  'stall',
  'slow-headers',
  'malformed-chunk',
  'cut',
  'context-length',
  'invalid-output',
];

/** Which requests a rule applies to. All given fields must match. */
export interface FaultMatch {
  /** Exact id or a glob with `*` (e.g. `openai/*`). Matched against each model attempted. */
  model?: string;
  /** Provider display name or slug (case-insensitive). Makes the rule act per provider endpoint, so the
   * simulator's own provider fallback can route around it. */
  provider?: string;
  stream?: boolean;
  /** `chat` (default for rules with a model), `embeddings`, or any. */
  endpoint?: 'chat' | 'embeddings';
  /** Only requests made with this API key. */
  key?: string;
}

export interface FaultRule {
  /** A name for logs and stats. */
  id?: string;
  match?: FaultMatch;
  /** 1-based positions among the requests this rule matched (e.g. `[1, 2]` = the first two). */
  nth?: number[];
  /** The first N matching requests. */
  first?: number;
  /** Every Nth matching request (N, 2N, ...). */
  every?: number;
  /** Only matching requests after the first N. */
  after?: number;
  /** Seeded probability in [0, 1]; deterministic for a given seed and request order. */
  probability?: number;
  fault: Fault;
}
