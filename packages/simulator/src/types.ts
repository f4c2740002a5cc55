/**
 * Shapes of the simulator's own data: the bundled catalog, scenario files and options.
 * Wire shapes (requests and responses) stay loose `Record<string, unknown>` on purpose: the simulator accepts
 * whatever real clients send and validates only the fields OpenRouter validates.
 */

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = Record<string, unknown>;

export interface PercentileStats {
  p50: number;
  p75: number;
  p90: number;
  p99: number;
}

/** Per-token USD prices as decimal strings, exactly as OpenRouter publishes them. */
export type Pricing = Record<string, string | number | unknown> & { prompt: string; completion: string };

export interface CatalogEndpoint {
  provider_name: string;
  tag: string;
  quantization: string | null;
  context_length: number;
  max_completion_tokens: number | null;
  max_prompt_tokens: number | null;
  pricing: Pricing;
  supported_parameters: string[];
  status?: number;
  uptime_last_30m: number | null;
  uptime_last_5m: number | null;
  uptime_last_1d: number | null;
  supports_implicit_caching: boolean;
  supports_tool_choice: { auto: boolean; none: boolean; required: boolean; function: boolean };
  latency_last_30m: PercentileStats | null;
  throughput_last_30m: PercentileStats | null;
}

export interface CatalogModelReasoning {
  supported_efforts?: string[] | null;
  default_effort?: string | null;
  default_enabled?: boolean;
  mandatory: boolean;
  supports_max_tokens?: boolean;
}

/** One row of the bundled catalog: the public `/models` object plus simulator-only fields. */
export interface CatalogModel {
  id: string;
  canonical_slug: string;
  name: string;
  created: number;
  description: string;
  context_length: number | null;
  architecture: {
    modality: string | null;
    input_modalities: string[];
    output_modalities: string[];
    tokenizer?: string;
    instruct_type?: string | null;
  };
  pricing: Pricing;
  top_provider: { context_length: number | null; max_completion_tokens: number | null; is_moderated: boolean };
  supported_parameters: string[];
  reasoning?: CatalogModelReasoning;
  alias_target?: { slug: string; name: string };
  /** Simulator-only: rank, 1 = most popular. */
  popularity?: number;
  /** Simulator-only: native vector size of embedding models. */
  embedding_dimensions?: number;
  /** Simulator-only: the simulated provider endpoints. */
  endpoints: CatalogEndpoint[];
  [key: string]: unknown;
}

export interface CatalogProvider {
  name: string;
  slug: string;
  privacy_policy_url: string;
  terms_of_service_url?: string;
  status_page_url?: string;
  headquarters?: string;
  datacenters?: string[];
  /** Simulator-only: excluded by `provider.data_collection: "deny"`. */
  may_train_on_data?: boolean;
  /** Simulator-only: excluded by `provider.zdr: true`. */
  retains_prompts?: boolean;
}

export interface CatalogData {
  snapshot_date: string;
  note?: string;
  providers: CatalogProvider[];
  models: CatalogModel[];
}
