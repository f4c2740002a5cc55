/**
 * @switchyard/sdk — a zero-dependency TypeScript client for OpenRouter (and any OpenAI-compatible server):
 * chat, streaming, embeddings, models, typed errors, exact cost accounting.
 */

export {
  type BilledPricing,
  CATALOG_FAILURE_TTL_MS,
  CATALOG_TTL_MS,
  CATALOG_WAIT_MS,
  type CatalogOptions,
  type CatalogSource,
  type CatalogStatus,
  ModelCatalog,
} from './catalog/model-catalog.js';
export { ModelsApi } from './catalog/models-api.js';
export { type ExactPrices, isPlaceholderPrice, pricesOf } from './catalog/prices.js';
export type { CatalogQuery, CatalogSort } from './catalog/query.js';
export { ChatStream, type StreamSource } from './chat/chat-stream.js';
export { mergeReasoningDetail } from './chat/reasoning-merge.js';
export type { ChatResult, StreamEvent, ToolCallResult } from './chat/types.js';
export { type CallOptions, type ChatParams, type GenerateParams, Switchyard } from './client.js';
export { isLoopbackHost } from './config/base-url.js';
export type { CatalogConfig } from './config/catalog-options.js';
export { CHAT_DEFAULT_NAMES } from './config/chat-defaults.js';
export { defaultEnv, ENV_VARIABLES, type EnvLayer, type EnvValues, readEnv } from './config/env.js';
export { isModelId, resolveAlias } from './config/model-id.js';
export type {
  ChatDefaults,
  ConfigSource,
  FileConfig,
  ModelConfig,
  ProviderConfig,
  ResolvedConfig,
  ResolvedProviderConfig,
  RetryOptions,
  SwitchyardOptions,
  TimeoutOptions,
} from './config/options.js';
export { isSecretKey, maskSecret, redactConfig, redactString } from './config/redact.js';
export { CONFIG_DEFAULTS, resolveConfig } from './config/resolve-config.js';
export { BUILTIN_PROVIDERS, DEFAULT_BASE_URL } from './config/resolve-providers.js';
export {
  BREAKER_DEFAULTS,
  type BreakerConfig,
  ROUTING_DEFAULTS,
  type RoutingOptions,
} from './config/routing-options.js';
// The context tools, the routing engine's parts and the SSE codec have entry points of their own
// (`@switchyard/sdk/context`, `/routing`, `/sse`): re-exported here, they would make bundlers load the routing engine
// (a lazily loaded chunk, see routing/engine.ts) with the page. Their types and error classes stay here.
export type { ContextCheck, ContextCheckOptions, PruneOptions, PruneResult, TokenizerFamily } from './context/index.js';
export type { EmbeddingResult } from './embeddings.js';
export * from './errors/index.js';
export type * from './protocol/account.js';
export type * from './protocol/catalog.js';
export type * from './protocol/chat.js';
export type * from './protocol/messages.js';
export type { ConversationRequest, Provider, SystemBlock } from './providers/conversation.js';
export * from './providers/index.js';
export { CircuitOpenError } from './routing/circuit-open-error.js';
export { RoutingEvents } from './routing/events.js';
export type {
  Admission,
  AttemptOutcome,
  AttemptRecord,
  BreakerEvent,
  BreakerOptions,
  BreakerRecord,
  BreakerSnapshot,
  BreakerState,
  BreakerStore,
  CallEnd,
  HealthStats,
  PreflightProblem,
  RetryOn,
  RouteOptions,
  RoutingEventMap,
  RoutingEventName,
} from './routing/index.js';
export { PreflightError, PriceGuardError } from './routing/routing-errors.js';
export { SseEventTooLargeError } from './sse/errors.js';
export type { ReadSseOptions, SseDecoderOptions, SseEvent, SseItem } from './sse/index.js';
export { UsageAggregator, type UsageDimension, type UsageTotals } from './usage/aggregator.js';
export { billsCancelledStreams } from './usage/cancelled-streams.js';
export { countImages } from './usage/completion-cost.js';
export {
  type Cost,
  type CostBreakdown,
  cacheSavings,
  computeCost,
  costDrift,
  lacksPrice,
  type Prices,
  reconcileCost,
  resolveCost,
} from './usage/cost.js';
export { FEMTO_PER_USD, type Femto, formatFemto, formatUsd, parseUsd, toUsd } from './usage/money.js';
export type { CostBackfill, UsageRecord, UsageSink, UsageTags } from './usage/sink.js';
export { addUsage, normalizeUsage, type Usage } from './usage/usage.js';
export const VERSION = '0.1.0';
export { isStaleKeepAlive, resendOnStaleSocket } from './transport/stale-socket.js';
