/** One model's line in the probe results (`results[]` of the results file; snake_case like the API). */
export interface ProbeResult {
  model: string;
  name: string | null;
  free: boolean;
  success: boolean;
  /** Time of the answering attempt, from sending the request to the last token. */
  latency_ms: number | null;
  /** Time from sending the request to the first content token. */
  ttft_ms: number | null;
  tokens: { prompt: number; completion: number; total: number } | null;
  /** What the test cost (failed attempts included), in USD. */
  cost_usd: number;
  /** The model that answered (routers and aliases can differ) and the upstream provider. */
  served_model: string | null;
  provider: string | null;
  /** Requests the SDK made (retries included), after the rate-limit waits below. */
  attempts: number;
  /** How often a 429 made the probe wait and ask again, and for how long in all. */
  rate_limit_waits: number;
  waited_ms: number;
  /** The start of the answer (at most 200 characters). */
  answer: string | null;
  error: { code: string; status: number | null; message: string; provider: string | null } | null;
  /** One line saying why it failed (for the summary). */
  reason: string | null;
  tested_at: string;
}
