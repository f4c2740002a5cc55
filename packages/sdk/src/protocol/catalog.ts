import type { Extra } from './messages.js';

export interface PercentileStats {
  p50: number;
  p75: number;
  p90: number;
  p99: number;
}

/** Per-token USD prices as decimal strings (per unit for `request`, `image`, `web_search`). */
export interface ModelPricing extends Extra {
  prompt: string;
  completion: string;
  request?: string;
  image?: string;
  web_search?: string;
  internal_reasoning?: string;
  input_cache_read?: string;
  input_cache_write?: string;
  input_cache_write_1h?: string;
  audio?: string;
  discount?: number;
  /**
   * Prices that replace the base ones under a condition: a prompt of at least `min_prompt_tokens` tokens, or a UTC
   * time window (`utc_start`/`utc_end`, `HHMM`). The prices are decimal strings, as above.
   */
  overrides?: PricingOverride[];
}

/** One entry of `pricing.overrides`. */
export interface PricingOverride extends Extra {
  min_prompt_tokens?: number;
  utc_start?: string;
  utc_end?: string;
  prompt?: string;
  completion?: string;
  request?: string;
}

/** A row of `GET /models` (reference §5.2). */
export interface Model extends Extra {
  id: string;
  canonical_slug?: string;
  hugging_face_id?: string | null;
  name: string;
  created: number;
  description?: string;
  context_length: number | null;
  architecture: {
    modality: string | null;
    input_modalities: string[];
    output_modalities: string[];
    tokenizer?: string;
    instruct_type?: string | null;
  };
  pricing: ModelPricing;
  top_provider: { context_length?: number | null; max_completion_tokens?: number | null; is_moderated: boolean };
  per_request_limits?: { prompt_tokens: number; completion_tokens: number } | null;
  supported_parameters: string[];
  default_parameters?: Record<string, unknown> | null;
  reasoning?: {
    supported_efforts?: string[] | null;
    default_effort?: string | null;
    mandatory: boolean;
    [key: string]: unknown;
  };
  expiration_date?: string | null;
  knowledge_cutoff?: string | null;
  alias_target?: { slug: string; name: string };
  links?: { details: string };
}

export interface ModelList extends Extra {
  data: Model[];
  total_count?: number;
  links?: { next: string | null };
}

/** One provider endpoint of a model (`GET /models/{author}/{slug}/endpoints`). */
export interface ModelEndpoint extends Extra {
  name: string;
  model_id?: string;
  provider_name: string;
  tag: string;
  context_length: number;
  pricing: ModelPricing;
  quantization: string | null;
  max_completion_tokens: number | null;
  max_prompt_tokens: number | null;
  supported_parameters: string[];
  status?: number;
  uptime_last_30m: number | null;
  uptime_last_5m?: number | null;
  uptime_last_1d?: number | null;
  latency_last_30m: PercentileStats | null;
  throughput_last_30m: PercentileStats | null;
}

export interface ModelEndpoints extends Extra {
  id: string;
  name: string;
  created: number;
  description?: string;
  architecture: Model['architecture'];
  endpoints: ModelEndpoint[];
}

export interface ProviderInfo extends Extra {
  name: string;
  slug: string;
  privacy_policy_url: string | null;
  terms_of_service_url?: string | null;
  status_page_url?: string | null;
  headquarters?: string | null;
  datacenters?: string[] | null;
}
