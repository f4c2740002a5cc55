/** Input validation for budget limits, reservations and settlements (errors carry code `invalid_budget`). */
import { type Ask, PERIOD_RANK, SCOPE_RANK } from './budget-logic.js';
import type { BudgetLimit } from './budget-types.js';
import { GLOBAL_ID } from './budget-types.js';
import { InvalidBudgetError } from './store-errors.js';

/** Validates a limit before it is stored; returns a normalised copy (no undefined fields). */
export function normalizeLimit(limit: BudgetLimit): BudgetLimit {
  const problems: string[] = [];
  if (!Object.hasOwn(SCOPE_RANK, limit.scope)) problems.push(`unknown scope ${String(limit.scope)}`);
  if (!Object.hasOwn(PERIOD_RANK, limit.period)) problems.push(`unknown period ${String(limit.period)}`);
  if (typeof limit.scopeId !== 'string' || limit.scopeId === '') problems.push('scopeId must be a non-empty string');
  if (limit.scope === 'global' && limit.scopeId !== GLOBAL_ID) problems.push(`the global scope id is '${GLOBAL_ID}'`);
  if (limit.maxCostNano !== undefined && (typeof limit.maxCostNano !== 'bigint' || limit.maxCostNano < 0n)) {
    problems.push('maxCostNano must be a non-negative bigint');
  }
  for (const field of ['maxTokens', 'maxRequests'] as const) {
    const value = limit[field];
    if (value !== undefined && !(Number.isSafeInteger(value) && value >= 0)) {
      problems.push(`${field} must be a non-negative integer`);
    }
  }
  if (problems.length) throw new InvalidBudgetError(`invalid budget limit: ${problems.join('; ')}`);
  const out: BudgetLimit = { scope: limit.scope, scopeId: limit.scopeId, period: limit.period };
  if (limit.maxCostNano !== undefined) out.maxCostNano = limit.maxCostNano;
  if (limit.maxTokens !== undefined) out.maxTokens = limit.maxTokens;
  if (limit.maxRequests !== undefined) out.maxRequests = limit.maxRequests;
  return out;
}

/** Validates the amounts of a reservation request. */
export function askOf(request: { costNano: bigint; tokens: number; requests?: number }): Ask {
  const requests = request.requests ?? 1;
  if (typeof request.costNano !== 'bigint' || request.costNano < 0n) {
    throw new InvalidBudgetError('reserve: costNano must be a non-negative bigint');
  }
  if (!(Number.isSafeInteger(request.tokens) && request.tokens >= 0)) {
    throw new InvalidBudgetError('reserve: tokens must be a non-negative integer');
  }
  if (!(Number.isSafeInteger(requests) && requests >= 0)) {
    throw new InvalidBudgetError('reserve: requests must be a non-negative integer');
  }
  return { costNano: request.costNano, tokens: request.tokens, requests };
}

/** Validates actual spend passed to `settle`. */
export function spendOf(actual: { costNano: bigint; tokens: number }): { costNano: bigint; tokens: number } {
  if (typeof actual.costNano !== 'bigint' || actual.costNano < 0n) {
    throw new InvalidBudgetError('settle: costNano must be a non-negative bigint');
  }
  if (!(Number.isFinite(actual.tokens) && actual.tokens >= 0)) {
    throw new InvalidBudgetError('settle: tokens must be a non-negative number');
  }
  return { costNano: actual.costNano, tokens: Math.round(actual.tokens) };
}
