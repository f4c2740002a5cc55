/** A finished call's usage records, one per attempt that sent a request (what usage sinks receive). */
export { usageRecords } from '../usage/usage-records.js';
export { type BreakerRecord, type BreakerState, type BreakerStore, MemoryBreakerStore } from './breaker-store.js';
export {
  type Admission,
  type BreakerEvent,
  type BreakerOptions,
  type BreakerSnapshot,
  breakerKey,
  CircuitBreakers,
} from './circuit-breaker.js';
export { CircuitOpenError } from './circuit-open-error.js';
export type { RoutingEventMap, RoutingEventName } from './events.js';
export { RoutingEvents } from './events.js';
export { type HealthStats, HealthTracker } from './health.js';
export {
  listedPrices,
  NO_PRICES,
  type PriceCeiling,
  priceCeiling,
  routerCandidates,
  type UsdPrices,
} from './price-ceiling.js';
export { isRetryable, type RetryOn } from './retry-policy.js';
export type { CallEnd, RouteOptions } from './router.js';
export { PreflightError, type PreflightProblem, PriceGuardError } from './routing-errors.js';
export type { AttemptOutcome, AttemptRecord } from './trace.js';
