import { ConfigError } from '../errors/index.js';
import type { Message } from '../protocol/messages.js';
import { estimateRequestTokens, type TokenizerFamily } from './token-estimator.js';

export interface ContextCheck {
  /** Estimated prompt tokens (messages, tools, response format). */
  promptTokens: number;
  /** The answer's budget: `max_completion_tokens`, else `max_tokens`; absent when the request sets neither. */
  maxTokens?: number;
  contextLength: number;
  /** (promptTokens + maxTokens) / contextLength. */
  share: number;
  /** The prompt and the answer's budget fit the window (and at least one token is left for an answer). */
  fits: boolean;
  /** share ≥ warnAt: close enough to the limit that the estimate's error margin matters. */
  warn: boolean;
}

export interface ContextCheckOptions {
  family?: TokenizerFamily;
  /** Share of the window at which `warn` turns on; default 0.8, which absorbs the estimator's ±15%. */
  warnAt?: number;
}

/**
 * Whether a request fits a model's context window, before sending it: the provider rejects prompt + max_tokens
 * beyond `context_length` with a 400 (`ContextLengthError`), and a retry cannot help. `max_completion_tokens`
 * wins over `max_tokens` as on the wire.
 */
export function checkContext(
  request: {
    messages: Message[];
    tools?: unknown[];
    response_format?: unknown;
    max_tokens?: number;
    max_completion_tokens?: number;
  },
  contextLength: number,
  options: ContextCheckOptions = {},
): ContextCheck {
  if (!Number.isFinite(contextLength) || contextLength <= 0) {
    throw new ConfigError(`contextLength must be a positive number, got ${String(contextLength)}`);
  }
  const warnAt = options.warnAt ?? 0.8;
  if (!Number.isFinite(warnAt) || warnAt <= 0) {
    throw new ConfigError(`warnAt must be a positive number, got ${String(warnAt)}`);
  }
  const promptTokens = estimateRequestTokens(request, options.family).total;
  const maxTokens = request.max_completion_tokens ?? request.max_tokens ?? undefined;
  const needed = promptTokens + (maxTokens ?? 0);
  const share = needed / contextLength;
  const fits = needed <= contextLength && promptTokens < contextLength;
  const check: ContextCheck = { promptTokens, contextLength, share, fits, warn: share >= warnAt };
  if (maxTokens !== undefined) check.maxTokens = maxTokens;
  return check;
}
