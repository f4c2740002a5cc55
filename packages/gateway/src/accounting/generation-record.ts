import type { LedgerRow } from '../stores/ledger-types.js';
import { nanoToUsdString } from '../stores/nano.js';

const usd = (nano: bigint | undefined): number | null => (nano === undefined ? null : Number(nanoToUsdString(nano)));
const costOf = (r: LedgerRow): bigint => r.costReportedNano ?? r.costComputedNano ?? 0n;

/**
 * `GET /generation` from the ledger: OpenRouter's record shape (so its clients parse it) for the request's winning
 * attempt, with every attempt of the request in `provider_responses` — and switchyard's own fields beside it:
 * `request_id`, the reported and computed cost, cache savings and the full attempt trace.
 */
export function generationRecord(id: string, attempts: LedgerRow[]): Record<string, unknown> {
  const winner =
    attempts.find((r) => r.outcome === 'success') ?? (attempts.find((r) => r.generationId === id) as LedgerRow);
  const total = attempts.reduce((sum, r) => sum + costOf(r), 0n);
  return {
    id,
    upstream_id: null,
    total_cost: usd(total) ?? 0,
    cache_discount: usd(winner.savingsNano),
    // What the provider charged a BYOK request (OpenRouter's own fee is `usage`); null when the upstream said nothing.
    upstream_inference_cost: usd(winner.upstreamCostNano),
    created_at: new Date(winner.at - winner.latencyMs).toISOString(),
    model: winner.modelServed ?? winner.modelRequested,
    app_id: null,
    streamed: winner.stream,
    cancelled: winner.code === 'aborted',
    provider_name: winner.provider ?? null,
    latency: winner.latencyMs,
    moderation_latency: null,
    generation_time: winner.latencyMs,
    // A failed request ended in an error whatever its attempts reported. A success recorded before the ledger kept
    // finish reasons (schema version 5) reports null: unknown, rather than a guessed `stop`.
    finish_reason: winner.outcome === 'success' ? (winner.finishReason ?? null) : 'error',
    native_finish_reason: winner.outcome === 'success' ? (winner.nativeFinishReason ?? null) : null,
    service_tier: null,
    tokens_prompt: winner.promptTokens,
    tokens_completion: winner.completionTokens,
    native_tokens_prompt: winner.promptTokens,
    native_tokens_completion: winner.completionTokens,
    native_tokens_completion_images: 0,
    native_tokens_reasoning: winner.reasoningTokens,
    native_tokens_cached: winner.cachedTokens,
    num_media_prompt: null,
    num_input_audio_prompt: null,
    num_media_completion: 0,
    num_search_results: null,
    num_fetches: null,
    web_search_engine: null,
    origin: '',
    usage: usd(costOf(winner)) ?? 0,
    is_byok: winner.isByok ?? false,
    external_user: winner.userId ?? null,
    api_type: 'completions',
    preset_id: null,
    router: null,
    // Optional fields are left out rather than null (OpenRouter's clients reject null there).
    provider_responses: attempts.map((r) => ({
      ...(r.generationId ? { id: r.generationId } : {}),
      model_permaslug: r.modelServed ?? r.modelRequested,
      provider_name: r.provider ?? r.backend,
      status: r.status ?? null,
      latency: r.latencyMs,
      is_byok: r.isByok ?? false,
    })),
    user_agent: null,
    http_referer: null,
    data_region: 'global',
    workspace_id: null,
    // switchyard's additions
    request_id: winner.requestId,
    model_requested: winner.modelRequested,
    cost_reported: usd(winner.costReportedNano),
    cost_computed: usd(winner.costComputedNano),
    time_to_first_token: winner.ttftMs ?? null,
    attempts: attempts.map((r) => ({
      at: new Date(r.at).toISOString(),
      generation_id: r.generationId ?? null,
      model: r.modelServed ?? r.modelRequested,
      provider: r.provider ?? null,
      backend: r.backend,
      outcome: r.outcome,
      status: r.status ?? null,
      code: r.code ?? null,
      latency_ms: r.latencyMs,
      ttft_ms: r.ttftMs ?? null,
      cost_usd: usd(costOf(r)) ?? 0,
      fallback_position: r.fallbackPosition,
    })),
  };
}
