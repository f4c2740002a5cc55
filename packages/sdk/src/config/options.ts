import type { SwitchyardError } from '../errors/switchyard-error.js';
import type { ProviderPreferences, ReasoningConfig, ReasoningEffort } from '../protocol/chat.js';
import type { BreakerStore } from '../routing/breaker-store.js';
import type { UsageSink } from '../usage/sink.js';
import type { CatalogConfig } from './catalog-options.js';
import type { BreakerConfig, RoutingOptions } from './routing-options.js';

/**
 * Everything a Switchyard client can be configured with. Each setting is taken from, in order: these options, the
 * environment (`env`), the config file (`fileConfig`, usually from `loadConfig()`), then the built-in default.
 * Objects such as `retry` and `timeouts` merge field by field across those layers.
 */
export interface SwitchyardOptions {
  /** OpenRouter API key (`sk-or-v1-…`). Env `OPENROUTER_API_KEY`. Never printed: logs and errors show `sk-or-v1-ab…cd`. */
  apiKey?: string;
  /** API root. Env `OPENROUTER_BASE_URL`. Default `https://openrouter.ai/api/v1`. Must be https unless loopback or `allowInsecureHttp`. */
  baseURL?: string;
  /**
   * Model used when a request names none: a model id (`openai/gpt-4o-mini`), `openrouter/auto`, a `~author/slug`
   * alias or a name from `aliases`/`models`. Env `OPENROUTER_DEFAULT_MODEL` (or `OPENROUTER_MODEL`).
   * Unset: OpenRouter applies your account's default model.
   */
  defaultModel?: string;
  /** Models tried in order when the primary one fails. Env `OPENROUTER_FALLBACK_MODELS` (comma-separated). */
  fallbackModels?: string[];
  /**
   * Which provider serves requests: `'openrouter'` (default), `'openai-compatible'` (any OpenAI-style endpoint at
   * `baseURL`), `'simulator'` (the offline OpenRouter look-alike) or the name of an entry in `providers`.
   * Env `DEFAULT_PROVIDER`.
   */
  provider?: string;
  /** Development mode: use the offline simulator instead of the network. Env `DEV_MODE=true`. Default false. */
  devMode?: boolean;
  /** Overall deadline per request in milliseconds, retries included; 0 = none. Env `OPENROUTER_TIMEOUT` (in seconds). Default 60 000. */
  timeoutMs?: number;
  /** Per-phase timeouts in milliseconds (0 disables one). */
  timeouts?: TimeoutOptions;
  /**
   * Largest successful JSON answer (chat, embeddings, catalog) read, in bytes; a larger one fails with
   * `ResponseTooLargeError` (`response_too_large`) instead of filling memory. Streams are bounded per event
   * (`maxEventBytes`). `[openrouter] max_response_bytes` in switchyard.toml. Default 64 MiB.
   */
  maxResponseBytes?: number;
  /** Retry policy for failed attempts (rate limits, overloads, network errors). */
  retry?: RetryOptions;
  /** Your app's URL, sent as `HTTP-Referer` for OpenRouter's app attribution. Env `OPENROUTER_HTTP_REFERER`. */
  appUrl?: string;
  /** Your app's name, sent as `X-OpenRouter-Title` and `X-Title`. Env `OPENROUTER_APP_NAME` (or `OPENROUTER_X_TITLE`). */
  appName?: string;
  /** Marketplace categories sent as `X-OpenRouter-Categories`: at most 2, lowercase-hyphenated, ≤ 30 characters each (e.g. `cli-agent`). */
  appCategories?: string[];
  /** Extra HTTP headers sent with every request. Values of secret-looking headers (authorization, *-key, *token) are never printed. */
  headers?: Record<string, string>;
  /** Parameters applied to every chat request unless the request sets them (e.g. `{ temperature: 0.2 }`). */
  defaults?: ChatDefaults;
  /** Short names for models, usable wherever a model id is: `{ fast: 'openai/gpt-4o-mini' }`. */
  aliases?: Record<string, string>;
  /** Named model entries with their own provider and OpenRouter routing (`[models.<name>]` in switchyard.toml). */
  models?: Record<string, ModelConfig>;
  /** Extra named providers, e.g. `{ local: { type: 'openai-compatible', baseURL: 'http://localhost:11434/v1' } }`. */
  providers?: Record<string, ProviderConfig>;
  /** Allow `http://` base URLs on hosts other than loopback (sends your key unencrypted). Default false. */
  allowInsecureHttp?: boolean;
  /** The fetch implementation to use; pass your own for a custom CA, proxy or undici dispatcher. Default `globalThis.fetch`. */
  fetch?: typeof fetch;
  /** The environment variables to read. Default `process.env` where it exists (Node, Bun, Deno), else none. */
  env?: Record<string, string | undefined>;
  /** An already loaded config file (see `loadConfig()`): the lowest-precedence layer. */
  fileConfig?: FileConfig;
  /** Retries, fallbacks, selection, price guard, preflight, context handling, hedging (`[routing]`). */
  routing?: RoutingOptions;
  /** Circuit-breaker thresholds (`[breaker]`). */
  breaker?: BreakerConfig;
  /** Where breaker state lives (default: in memory; the gateway passes a Redis store so instances share it). */
  breakerStore?: BreakerStore;
  /** Replaces the built-in "is this error worth retrying?" rule (see the README for the default). */
  retryOn?: (error: SwitchyardError, attempt: number) => boolean;
  /** The USD still available to spend; the price guard refuses targets whose worst case exceeds it. */
  budget?: () => number | undefined | Promise<number | undefined>;
  /** Caching of the model catalog (`[catalog]`): `ttlMs` (default 1 h) and an optional on-disk `cacheDir`. */
  catalog?: CatalogConfig;
  /**
   * When an answer carries no cost (`usage.cost`), fetch OpenRouter's `/generation` record for it in the background
   * (waiting out its short "not yet available" window), then update `result.cost`, emit a `cost_backfilled` event and
   * tell the usage sinks. OpenRouter-type providers only. `[usage] cost_backfill` in switchyard.toml. Default false.
   */
  costBackfill?: boolean;
  /**
   * Where usage goes: every attempt of every call (failed and partial ones too) becomes one `UsageRecord` handed to
   * each sink, e.g. a `UsageAggregator`. A sink that throws or rejects never fails a request.
   */
  usageSinks?: UsageSink[];
}

export interface TimeoutOptions {
  /** Time until the response headers arrive. Default 30 000 ms. */
  headersMs?: number;
  /** Time until the first token of a stream arrives. Default 45 000 ms. */
  firstTokenMs?: number;
  /** Longest silence allowed between stream chunks. Default 30 000 ms. */
  idleMs?: number;
}

export interface RetryOptions {
  /** Retries after the first attempt (0 = never retry). Env `OPENROUTER_RETRY_ATTEMPTS`. Default 3. */
  attempts?: number;
  /** First backoff delay in ms, doubled per retry. Env `OPENROUTER_RETRY_BACKOFF_BASE` (seconds). Default 1 000. */
  backoffBaseMs?: number;
  /** Upper bound of one backoff delay in ms. Env `OPENROUTER_RETRY_BACKOFF_MAX` (seconds). Default 12 000. */
  backoffMaxMs?: number;
  /** Random share (0–1) of each delay, so many clients don't retry in lockstep. Env `OPENROUTER_RETRY_JITTER`. Default 0.25. */
  jitter?: number;
}

/** Per-request defaults: the chat request's own field names, applied when a request leaves them out. */
export interface ChatDefaults {
  /** Sampling temperature, 0–2. */
  temperature?: number;
  /** Nucleus sampling, in (0, 1]. */
  top_p?: number;
  /** Sample from the k most likely tokens; integer ≥ 0 (0 = off). */
  top_k?: number;
  /** Minimum probability relative to the top token, 0–1. */
  min_p?: number;
  /** Dynamic top-p based on the top token, 0–1. */
  top_a?: number;
  /** Penalise tokens by how often they appeared, −2 to 2. */
  frequency_penalty?: number;
  /** Penalise tokens that appeared at all, −2 to 2. */
  presence_penalty?: number;
  /** Repetition penalty in (0, 2]; 1 = none. */
  repetition_penalty?: number;
  /** Upper bound of generated tokens; integer > 0. */
  max_tokens?: number;
  /** Newer name of `max_tokens`; integer > 0. */
  max_completion_tokens?: number;
  /** Seed for best-effort deterministic sampling (integer). */
  seed?: number;
  /** Up to 4 stop sequences. */
  stop?: string | string[];
  /** Reasoning effort shorthand. */
  reasoning_effort?: ReasoningEffort;
  /** Reasoning settings (effort, token budget, exclude). */
  reasoning?: ReasoningConfig;
  /** Response verbosity. */
  verbosity?: 'low' | 'medium' | 'high' | 'xhigh' | 'max';
  /** Service tier to request. */
  service_tier?: 'auto' | 'default' | 'fast' | 'flex' | 'priority' | 'scale';
  /** Return log-probabilities. */
  logprobs?: boolean;
  /** Number of top log-probabilities per token, 0–20. */
  top_logprobs?: number;
  /** Allow several tool calls in one turn. */
  parallel_tool_calls?: boolean;
  /** OpenRouter transforms (e.g. `["middle-out"]`). */
  transforms?: string[];
  /** OpenRouter provider routing preferences applied to every request. */
  provider?: ProviderPreferences;
  /** End-user id forwarded for abuse detection. */
  user?: string;
}

/** An extra provider reachable by name (`provider: 'local'`, `[models.x] provider = "local"`). */
export interface ProviderConfig {
  /** Wire protocol: `'openai-compatible'` (OpenAI, Ollama, LM Studio, vLLM; the default) or `'openrouter'`. */
  type?: 'openai-compatible' | 'openrouter';
  /** API root, e.g. `http://localhost:11434/v1`. Required for `openai-compatible`. */
  baseURL?: string;
  /** Key for this provider (never printed). Local servers usually need none. */
  apiKey?: string;
  /** Models this provider serves (any id the server accepts, e.g. `llama3.1:8b`). */
  models?: string[];
  /** Prices in USD per million tokens, per model id, for cost accounting: `{ 'llama3.1:8b': { prompt: 0, completion: 0 } }`. */
  prices?: Record<string, { prompt: string | number; completion: string | number }>;
  /** Extra headers for this provider only. */
  headers?: Record<string, string>;
}

/** A named model entry: `[models.kimi] provider = "openrouter", model = "moonshotai/kimi-k2", routing = ["groq"]`. */
export interface ModelConfig {
  /** Provider serving it: `'openrouter'`, `'simulator'` or a name from `providers`. Default: the client's provider. */
  provider?: string;
  /** The model id sent to the provider. */
  model: string;
  /** Preferred OpenRouter providers in order (sent as `provider.order`); OpenRouter-type providers only. */
  routing?: string[];
  /** OpenRouter provider preferences for this model (`[models.<name>.provider]`); stored as given. */
  providerPreferences?: Record<string, unknown>;
}

/**
 * A loaded switchyard.toml, mapped to option names and units (milliseconds). Sections owned by the gateway are kept
 * as they were written (after `${VAR}` interpolation) for it to validate.
 */
export interface FileConfig
  extends Pick<
    SwitchyardOptions,
    | 'apiKey'
    | 'baseURL'
    | 'defaultModel'
    | 'fallbackModels'
    | 'provider'
    | 'devMode'
    | 'timeoutMs'
    | 'timeouts'
    | 'maxResponseBytes'
    | 'retry'
    | 'appUrl'
    | 'appName'
    | 'appCategories'
    | 'defaults'
    | 'aliases'
    | 'models'
    | 'providers'
    | 'allowInsecureHttp'
    | 'routing'
    | 'breaker'
    | 'catalog'
    | 'costBackfill'
  > {
  /** The file it was read from, named in error messages. */
  path?: string;
  gateway?: Record<string, unknown>;
  keys?: Record<string, unknown>;
  budgets?: Record<string, unknown>;
  limits?: Record<string, unknown>;
  ledger?: Record<string, unknown>;
  redis?: Record<string, unknown>;
  dashboard?: Record<string, unknown>;
}

/** Where a setting's value came from. */
export type ConfigSource = 'option' | 'env' | 'file' | 'default';

/** A provider entry with its defaults filled in. */
export interface ResolvedProviderConfig {
  type: 'openai-compatible' | 'openrouter';
  baseURL: string;
  apiKey: string | undefined;
  models: string[];
  /** USD per million tokens, as numbers. */
  prices: Record<string, { prompt: number; completion: number }>;
  headers: Record<string, string>;
}

/** The validated, merged configuration. Safe to print: `console.log` and `JSON.stringify` show secrets masked. */
export interface ResolvedConfig {
  apiKey: string | undefined;
  baseURL: string;
  defaultModel: string | undefined;
  fallbackModels: string[];
  provider: string;
  devMode: boolean;
  timeoutMs: number;
  timeouts: Required<TimeoutOptions>;
  maxResponseBytes: number;
  retry: Required<RetryOptions>;
  appUrl: string | undefined;
  appName: string | undefined;
  appCategories: string[];
  headers: Record<string, string>;
  defaults: ChatDefaults;
  aliases: Record<string, string>;
  models: Record<string, ModelConfig>;
  providers: Record<string, ResolvedProviderConfig>;
  allowInsecureHttp: boolean;
  routing: Required<RoutingOptions>;
  breaker: Required<BreakerConfig>;
  catalog: { ttlMs: number; cacheDir: string | undefined };
  costBackfill: boolean;
  fetch: typeof fetch;
  /** Where each setting came from, keyed by option path (`apiKey`, `retry.attempts`, `defaults.temperature`, …). */
  sources: Record<string, ConfigSource>;
  /** The same, in words: `env OPENROUTER_API_KEY`, `switchyard.toml (retry.jitter)`, `default`. */
  origins: Record<string, string>;
}
