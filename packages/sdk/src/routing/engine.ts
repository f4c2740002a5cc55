import type { ResolvedConfig } from '../config/options.js';
import type { ProviderBackend } from '../providers/provider.js';
import type { BreakerStore } from './breaker-store.js';
import { CircuitBreakers } from './circuit-breaker.js';
import type { EngineDeps } from './execute.js';
import { HealthTracker } from './health.js';
import { OpenBreakers } from './open-upstreams.js';
import { Router } from './router.js';

/** What a client's routing engine is built from (the client's own settings and hooks). */
export interface EngineInput extends Pick<EngineDeps, 'config' | 'backend' | 'events' | 'retryOn' | 'budget'> {
  config: ResolvedConfig;
  backend: ProviderBackend;
  breakerStore?: BreakerStore;
}

/** A client's routing engine: the router and the breaker/health state it keeps per target. */
export interface Engine {
  router: Router;
  breakers: CircuitBreakers;
  health: HealthTracker;
}

/**
 * Builds the routing engine. The client loads this module with `import()` (its own chunk in browser bundles): the
 * engine is most of the SDK's code, and a page should not have to parse it before its first render. The client
 * starts loading it when it is constructed, so by the first call it is normally in place.
 */
export function createEngine(input: EngineInput): Engine {
  const { config, backend, events } = input;
  const health = new HealthTracker();
  const breakers: CircuitBreakers = new CircuitBreakers(config.breaker, input.breakerStore, Date.now, (event) => {
    openBreakers.note(event);
    events.emit(event.type, { key: event.key, reason: event.reason, at: event.at });
  });
  const openBreakers = new OpenBreakers(breakers);
  const router = new Router({
    config,
    backend,
    breakers,
    openBreakers,
    health,
    events,
    retryOn: input.retryOn,
    budget: input.budget,
  });
  return { router, breakers, health };
}
