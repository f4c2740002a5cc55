import type { Extra } from './messages.js';

/** `GET /key`: the calling key's limit and usage in USD (reference §4.6). */
export interface KeyInfo extends Extra {
  label: string;
  limit: number | null;
  limit_reset?: 'daily' | 'weekly' | 'monthly' | null;
  limit_remaining: number | null;
  usage: number;
  usage_daily?: number;
  usage_weekly?: number;
  usage_monthly?: number;
  is_free_tier: boolean;
  is_management_key?: boolean;
  free_model_daily_requests?: { limit: number; used: number; remaining: number };
}

export interface Credits extends Extra {
  total_credits: number;
  total_usage: number;
}

/** `GET /generation?id=`: OpenRouter's record of one request (reference §6.1). */
export interface Generation extends Extra {
  id: string;
  model: string;
  total_cost: number;
  created_at: string;
  provider_name: string | null;
  streamed: boolean | null;
  cancelled: boolean | null;
  latency: number | null;
  generation_time: number | null;
  finish_reason: string | null;
  native_finish_reason: string | null;
  tokens_prompt: number | null;
  tokens_completion: number | null;
  native_tokens_prompt: number | null;
  native_tokens_completion: number | null;
  native_tokens_reasoning: number | null;
  native_tokens_cached: number | null;
  usage: number;
  is_byok: boolean;
  upstream_inference_cost: number | null;
  cache_discount: number | null;
}

export interface EmbeddingRequest extends Extra {
  model?: string;
  input: string | string[] | number[] | number[][] | Extra[];
  dimensions?: number;
  encoding_format?: 'float' | 'base64';
  input_type?: string;
  user?: string;
}

export interface EmbeddingResponse extends Extra {
  id?: string;
  object: 'list' | (string & {});
  model: string;
  data: { object: 'embedding'; index: number; embedding: number[] | string }[];
  usage?: { prompt_tokens: number; total_tokens: number; cost?: number; is_byok?: boolean };
}
