/**
 * What a `/generation` record is made of, copied out as plain values when the request is served. The store keeps
 * 20,000 records and most are never read, so the full record is built on first read, and the copy keeps the store
 * from holding on to requests, plans and usage objects (building records eagerly showed in throughput profiles).
 */
export interface GenerationFacts {
  id: string;
  created: number;
  model: string;
  provider: string;
  streamed: boolean;
  latency: number;
  cost: number;
  promptTokens: number;
  completionTokens: number;
  reasoningTokens: number;
  cachedTokens: number;
  finishReason: string;
  nativeFinishReason: string;
  sessionId: string | null;
  user: string | null;
  endpointTag: string;
  permaslug: string;
  userId: string;
}

/** The record `GET /generation?id=` answers with (reference §6.1). */
export function generationRecord(f: GenerationFacts): Record<string, unknown> {
  return {
    id: f.id,
    upstream_id: `chatcmpl-${f.id.slice(-20)}`,
    total_cost: f.cost,
    cache_discount: null,
    upstream_inference_cost: null,
    created_at: new Date(f.created * 1000).toISOString(),
    model: f.model,
    app_id: null,
    streamed: f.streamed,
    cancelled: false,
    provider_name: f.provider,
    latency: f.latency,
    moderation_latency: null,
    generation_time: f.latency,
    finish_reason: f.finishReason,
    native_finish_reason: f.nativeFinishReason,
    service_tier: null,
    session_id: f.sessionId,
    tokens_prompt: f.promptTokens,
    tokens_completion: f.completionTokens,
    native_tokens_prompt: f.promptTokens,
    native_tokens_completion: f.completionTokens,
    native_tokens_completion_images: 0,
    native_tokens_reasoning: f.reasoningTokens,
    native_tokens_cached: f.cachedTokens,
    num_media_prompt: null,
    num_input_audio_prompt: null,
    num_media_completion: 0,
    num_search_results: null,
    num_fetches: null,
    web_search_engine: null,
    origin: '',
    usage: f.cost,
    is_byok: false,
    external_user: f.user,
    api_type: 'completions',
    preset_id: null,
    router: null,
    provider_responses: [
      {
        id: f.id,
        endpoint_id: `${f.endpointTag}|${f.model}`,
        model_permaslug: f.permaslug,
        provider_name: f.provider,
        status: 200,
        latency: f.latency,
        is_byok: false,
      },
    ],
    user_agent: null,
    http_referer: null,
    data_region: 'global',
    workspace_id: null,
    creator_user_id: f.userId,
  };
}
