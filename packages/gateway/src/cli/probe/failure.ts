import { SwitchyardError } from '@switchyard/sdk';

/** A failure as written to results files (snake_case, no stack, never a key). */
export interface FailureRecord {
  code: string;
  status: number | null;
  message: string;
  provider: string | null;
}

const LABELS: Record<string, string> = {
  rate_limited: 'rate limited',
  insufficient_credits: 'requires credits',
  provider_error: 'provider error',
  provider_overloaded: 'overloaded',
  server_error: 'server error',
  timeout: 'timed out',
  invalid_model: 'invalid model',
  not_found: 'not found',
  no_endpoints: 'no endpoint',
  context_length_exceeded: 'context too long',
  authentication_failed: 'authentication failed',
  missing_api_key: 'no API key',
  permission_denied: 'refused',
  moderation_flagged: 'flagged by moderation',
  connection_error: 'connection failed',
  stream_error: 'stream broke',
  stream_truncated: 'stream cut short',
  unexpected_response: 'unexpected response',
  circuit_open: 'circuit open',
  preflight_failed: 'preflight failed',
  price_guard: 'price guard',
  invalid_request: 'invalid request',
};

const oneLine = (text: string, max = 240) => {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
};

export function failureRecord(error: unknown): FailureRecord {
  if (error instanceof SwitchyardError) {
    return {
      code: error.code,
      status: error.status ?? null,
      message: oneLine(error.message, 1000),
      provider: error.provider ?? null,
    };
  }
  return {
    code: 'error',
    status: null,
    message: oneLine(String((error as Error)?.message ?? error), 1000),
    provider: null,
  };
}

/** `provider error (502): Provider returned error (Anthropic): upstream exploded` — one line for summaries. */
export function failureReason(failure: FailureRecord, detail?: string): string {
  const label = LABELS[failure.code] ?? failure.code.replace(/_/g, ' ');
  return oneLine(`${label}${failure.status ? ` (${failure.status})` : ''}: ${detail ?? failure.message}`);
}

/** USD billed for the attempts of a failed call (a partial answer can cost money). */
export function failedCost(error: unknown): number {
  if (!(error instanceof SwitchyardError)) return 0;
  const fromAttempts = (error.attempts ?? []).reduce((sum, a) => sum + (a.costUsd ?? 0), 0);
  return fromAttempts || (error.partial?.costUsd ?? 0);
}

/** Requests made for a failed call (skipped targets do not count). */
export function failedAttempts(error: unknown): number {
  if (!(error instanceof SwitchyardError)) return 1;
  return Math.max(1, (error.attempts ?? []).filter((a) => a.outcome !== 'skipped').length);
}
