/**
 * @switchyard/sdk — a zero-dependency TypeScript client for OpenRouter (and any OpenAI-compatible server):
 * chat, streaming, embeddings, models, typed errors, exact cost accounting.
 */

export {
  CATALOG_FAILURE_TTL_MS,
  CATALOG_TTL_MS,
  type CatalogOptions,
  type CatalogSource,
  type CatalogStatus,
  ModelCatalog,
} from './catalog/model-catalog.js';
export { ModelsApi } from './catalog/models-api.js';
export { type ExactPrices, isPlaceholderPrice, pricesOf } from './catalog/prices.js';
export type { CatalogQuery, CatalogSort } from './catalog/query.js';
export { ChatStream, type StreamSource } from './chat/chat-stream.js';
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
export * from './context/index.js';
export type { EmbeddingResult } from './embeddings.js';
export * from './errors/index.js';
export type * from './protocol/account.js';
export type * from './protocol/catalog.js';
export type * from './protocol/chat.js';
export type * from './protocol/messages.js';
export type { ConversationRequest, Provider, SystemBlock } from './providers/conversation.js';
export * from './providers/index.js';
export * from './routing/index.js';
export * from './sse/index.js';
export { UsageAggregator, type UsageDimension, type UsageTotals } from './usage/aggregator.js';
export { countImages } from './usage/completion-cost.js';
export {
  type Cost,
  type CostBreakdown,
  cacheSavings,
  computeCost,
  costDrift,
  type Prices,
  reconcileCost,
  resolveCost,
} from './usage/cost.js';
export { FEMTO_PER_USD, type Femto, formatFemto, formatUsd, parseUsd, toUsd } from './usage/money.js';
export { type CostBackfill, type UsageRecord, type UsageSink, type UsageTags, usageRecords } from './usage/sink.js';
export { addUsage, normalizeUsage, type Usage } from './usage/usage.js';
export const VERSION = '0.1.0';
export { isStaleKeepAlive, resendOnStaleSocket } from './transport/stale-socket.js';
