import { InvalidRequestError } from '@switchyard/sdk';
import { MAX_BUDGET_USD } from '../stores/nano.js';
import type { KeyLimits, VirtualKey } from './key-types.js';
import type { CreateKeyInput } from './virtual-keys.js';

/** A key as the admin API and `switchyard keys list --json` show it (never its secret or hash). */
export function keyJson(key: VirtualKey, now = Date.now()): Record<string, unknown> {
  const status =
    key.revokedAt !== undefined
      ? 'revoked'
      : key.expiresAt !== undefined && key.expiresAt <= now
        ? 'expired'
        : 'active';
  return {
    id: key.id,
    name: key.name,
    preview: key.preview,
    status,
    created_at: new Date(key.createdAt).toISOString(),
    expires_at: key.expiresAt === undefined ? null : new Date(key.expiresAt).toISOString(),
    revoked_at: key.revokedAt === undefined ? null : new Date(key.revokedAt).toISOString(),
    allowed_models: key.allowedModels,
    limits: {
      requests_per_minute: key.limits.requestsPerMinute ?? null,
      requests_per_day: key.limits.requestsPerDay ?? null,
      tokens_per_minute: key.limits.tokensPerMinute ?? null,
    },
    budget: key.budget ? { usd: key.budget.usd, period: key.budget.period } : null,
  };
}

function invalid(name: string, expected: string): InvalidRequestError {
  return new InvalidRequestError(`Invalid value for '${name}': expected ${expected}`, {
    status: 400,
    metadata: { field: name },
  });
}

function positiveInt(value: unknown, name: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) throw invalid(name, 'a positive integer');
  return value;
}

const PERIODS = new Set(['day', 'month', 'total']);
const DURATION = /^(\d+)\s*(s|m|h|d)$/;
const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `30d`, `12h`, `90m`, `45s`, or a number of seconds → milliseconds. */
export function parseDuration(value: unknown, name: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'number' && Number.isFinite(value) && value > 0) return value * 1000;
  const match = typeof value === 'string' ? DURATION.exec(value.trim()) : null;
  if (!match) throw invalid(name, 'a duration like "30d", "12h", "90m" or a number of seconds');
  const amount = Number(match[1]);
  if (amount <= 0) throw invalid(name, 'a positive duration');
  return amount * (UNIT_MS[match[2] as string] as number);
}

/** The snake_case create/update body of the admin API (the CLI builds the same object from its flags). */
export interface KeyBody {
  name?: unknown;
  allowed_models?: unknown;
  limits?: unknown;
  budget?: unknown;
  expires_in?: unknown;
}

function limitsFrom(value: unknown): KeyLimits | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) throw invalid('limits', 'an object');
  const v = value as Record<string, unknown>;
  for (const key of Object.keys(v)) {
    if (!['requests_per_minute', 'requests_per_day', 'tokens_per_minute'].includes(key)) {
      throw invalid(`limits.${key}`, 'one of requests_per_minute, requests_per_day, tokens_per_minute');
    }
  }
  const limits: KeyLimits = {};
  const rpm = positiveInt(v.requests_per_minute, 'limits.requests_per_minute');
  const rpd = positiveInt(v.requests_per_day, 'limits.requests_per_day');
  const tpm = positiveInt(v.tokens_per_minute, 'limits.tokens_per_minute');
  if (rpm !== undefined) limits.requestsPerMinute = rpm;
  if (rpd !== undefined) limits.requestsPerDay = rpd;
  if (tpm !== undefined) limits.tokensPerMinute = tpm;
  return limits;
}

function budgetFrom(value: unknown): VirtualKey['budget'] | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) throw invalid('budget', 'an object { usd, period }');
  const v = value as Record<string, unknown>;
  if (typeof v.usd !== 'number' || !(v.usd >= 0 && v.usd <= MAX_BUDGET_USD))
    throw invalid('budget.usd', `a number of USD from 0 to ${MAX_BUDGET_USD}`);
  const period = v.period ?? 'month';
  if (typeof period !== 'string' || !PERIODS.has(period)) throw invalid('budget.period', '"day", "month" or "total"');
  return { usd: v.usd, period: period as 'day' | 'month' | 'total' };
}

function modelsFrom(value: unknown): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || value.some((m) => typeof m !== 'string' || m.trim() === ''))
    throw invalid('allowed_models', 'an array of model ids or "author/*"');
  return value.map((m: string) => m.trim());
}

/** Validates a create body; every problem names its field. */
export function parseCreateKey(body: unknown): CreateKeyInput {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new InvalidRequestError('Request body must be a JSON object', { status: 400 });
  const b = body as KeyBody;
  if (typeof b.name !== 'string' || b.name.trim() === '' || b.name.length > 200)
    throw invalid('name', 'a non-empty string of at most 200 characters');
  const input: CreateKeyInput = { name: b.name.trim() };
  const allowed = modelsFrom(b.allowed_models);
  const limits = limitsFrom(b.limits);
  const budget = budgetFrom(b.budget);
  const expires = parseDuration(b.expires_in, 'expires_in');
  if (allowed) input.allowedModels = allowed;
  if (limits) input.limits = limits;
  if (budget) input.budget = budget;
  if (expires !== undefined) input.expiresInMs = expires;
  return input;
}

/** Validates an update body: the same fields as create, all optional; `null` clears budget or expiry. */
export function parseUpdateKey(
  body: unknown,
  now = Date.now(),
): Partial<Pick<VirtualKey, 'name' | 'allowedModels' | 'limits' | 'budget' | 'expiresAt'>> {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new InvalidRequestError('Request body must be a JSON object', { status: 400 });
  const b = body as KeyBody;
  for (const key of Object.keys(b)) {
    if (!['name', 'allowed_models', 'limits', 'budget', 'expires_in'].includes(key))
      throw invalid(key, 'one of name, allowed_models, limits, budget, expires_in');
  }
  const patch: Partial<Pick<VirtualKey, 'name' | 'allowedModels' | 'limits' | 'budget' | 'expiresAt'>> = {};
  if (b.name !== undefined) {
    if (typeof b.name !== 'string' || b.name.trim() === '') throw invalid('name', 'a non-empty string');
    patch.name = b.name.trim();
  }
  if (b.allowed_models !== undefined) patch.allowedModels = modelsFrom(b.allowed_models) ?? [];
  if (b.limits !== undefined) patch.limits = limitsFrom(b.limits) ?? {};
  if (b.budget !== undefined) patch.budget = budgetFrom(b.budget);
  if (b.expires_in !== undefined) {
    const ms = parseDuration(b.expires_in, 'expires_in');
    patch.expiresAt = ms === undefined ? undefined : now + ms;
  }
  return patch;
}
