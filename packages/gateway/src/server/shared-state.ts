import type { BreakerStore } from '@switchyard/sdk';
import type { RateLimiter } from '../limits/rate-limiter.js';
import type { Logger } from '../logging/logger.js';
import type { BudgetStore } from '../stores/budget-store.js';
import type { Stores } from '../stores/open-stores.js';

/** State several gateway instances share through Redis: rate-limit windows, circuit breakers, budget reservations. */
export interface SharedState {
  limiter: RateLimiter;
  breakers: BreakerStore;
  budgets: BudgetStore;
  ping(): Promise<void>;
  close(): Promise<void>;
}

export async function openSharedState(_redisUrl: string, _stores: Stores, _logger: Logger): Promise<SharedState> {
  throw new Error('REDIS_URL support is being built');
}
