import type { BreakerStore } from '@switchyard/sdk';
import { thresholdAlert } from '../accounting/threshold-alerts.js';
import type { RateLimiter } from '../limits/rate-limiter.js';
import { RedisRateLimiter } from '../limits/redis-rate-limiter.js';
import type { Logger } from '../logging/logger.js';
import { RedisResponsesStore } from '../responses-store/redis-responses-store.js';
import type { ResponsesStore } from '../responses-store/responses-store.js';
import { RedisBreakerStore } from '../shared/redis-breaker-store.js';
import { closeRedis, connectRedis, redisTarget } from '../shared/redis-connection.js';
import { RedisUnavailableError, toRedisError } from '../shared/redis-errors.js';
import type { BudgetStore } from '../stores/budget-store.js';
import type { ThresholdEvent } from '../stores/budget-types.js';
import { usdToNano } from '../stores/nano.js';
import type { Stores } from '../stores/open-stores.js';
import { RedisBudgetStore } from '../stores/redis/redis-budget-store.js';

/**
 * State several gateway instances share through Redis: rate-limit windows, circuit breakers, budget reservations, and
 * the Responses API's stored responses.
 */
export interface SharedState {
  limiter: RateLimiter;
  breakers: BreakerStore;
  budgets: BudgetStore;
  responses: ResponsesStore;
  ping(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Key budgets live in the durable key store; Redis holds the enforced copy. A Redis that lost its data (restarted
 * without persistence, flushed) would silently stop enforcing them, so missing key limits are written back at
 * start. Limits already present are left alone: rewriting them would re-arm their threshold alerts.
 */
async function restoreKeyBudgets(stores: Stores, budgets: BudgetStore, logger: Logger): Promise<void> {
  const present = new Set((await budgets.limits({ scope: 'key' })).map((l) => `${l.scopeId}\u0000${l.period}`));
  let restored = 0;
  for (const key of await stores.keys.list()) {
    if (!key.budget || key.revokedAt !== undefined || present.has(`${key.id}\u0000${key.budget.period}`)) continue;
    await budgets.setLimit({
      scope: 'key',
      scopeId: key.id,
      period: key.budget.period,
      maxCostNano: usdToNano(key.budget.usd),
    });
    restored++;
  }
  if (restored > 0) logger.warn({ restored }, 'restored key budgets missing from Redis (was its data lost?)');
}

/**
 * Connects to Redis (REDIS_URL) and builds the shared limiter, breaker store and budget store on one connection
 * (the breaker store adds a few dedicated ones for WATCH/MULTI). Fails fast with `redis_unavailable` when Redis does
 * not answer at start, naming the host but never the password.
 */
export async function openSharedState(
  redisUrl: string,
  stores: Stores,
  logger: Logger,
  onThreshold: (event: ThresholdEvent) => void = thresholdAlert(logger),
): Promise<SharedState> {
  const target = redisTarget(redisUrl);
  const redis = connectRedis(redisUrl, {
    onError: (error) => logger.warn({ err: error, redis: target }, 'Redis connection error'),
  });
  const password = redis.options.password;
  try {
    await redis.ping();
  } catch (error) {
    await closeRedis(redis, 200);
    const reason = toRedisError(error, 'start-up', password).message;
    throw new RedisUnavailableError(`Cannot use Redis at ${target} (REDIS_URL): ${reason}`, {
      status: 503,
      retryable: true,
      cause: error,
    });
  }
  const limiter = new RedisRateLimiter(redis);
  const breakers = new RedisBreakerStore(redis);
  const budgets = new RedisBudgetStore(redis, { onThreshold });
  const responses = new RedisResponsesStore(redis);
  try {
    await restoreKeyBudgets(stores, budgets, logger);
  } catch (error) {
    await breakers.close();
    await closeRedis(redis, 200);
    throw error;
  }
  logger.info({ redis: target }, 'shared state in Redis (rate limits, circuit breakers, budgets, stored responses)');
  let closing: Promise<void> | undefined;
  return {
    limiter,
    breakers,
    budgets,
    responses,
    async ping() {
      try {
        await redis.ping();
      } catch (error) {
        throw toRedisError(error, 'ping', password);
      }
    },
    close() {
      closing ??= (async () => {
        await breakers.close();
        await closeRedis(redis);
      })();
      return closing;
    },
  };
}
