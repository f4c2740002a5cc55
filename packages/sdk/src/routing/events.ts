import type { AttemptRecord } from './trace.js';

/** Events of the routing engine, for metrics and logs. */
export interface RoutingEventMap {
  attempt: AttemptRecord;
  retry: { model: string; attempt: number; waitMs: number; code: string };
  fallback: { from: string; to: string; reason: string };
  breaker_open: { key: string; reason?: string; at: number };
  breaker_half_open: { key: string; reason?: string; at: number };
  breaker_close: { key: string; reason?: string; at: number };
  context_warning: { model: string; promptTokens: number; contextLength: number; share: number };
  hedge: { from: string; to: string; afterMs: number };
  /** A catalog refresh failed and the last cached copy (fetched at `fetchedAt`) is being served instead. */
  catalog_stale: { reason: string; fetchedAt?: number };
  /** A cost learned after the answer from OpenRouter's `/generation` record (`costBackfill`, `sy.backfillCost`). */
  cost_backfilled: { generationId: string; usd: number };
}

export type RoutingEventName = keyof RoutingEventMap;
type Listener<K extends RoutingEventName> = (event: RoutingEventMap[K]) => void;

/** A tiny typed emitter (no Node `events` import: the SDK runs in browsers). Listener errors never break a request. */
export class RoutingEvents {
  private readonly listeners = new Map<RoutingEventName, Set<Listener<never>>>();

  on<K extends RoutingEventName>(name: K, listener: Listener<K>): () => void {
    let set = this.listeners.get(name);
    if (!set) {
      set = new Set();
      this.listeners.set(name, set);
    }
    set.add(listener as Listener<never>);
    return () => this.off(name, listener);
  }

  off<K extends RoutingEventName>(name: K, listener: Listener<K>): void {
    this.listeners.get(name)?.delete(listener as Listener<never>);
  }

  emit<K extends RoutingEventName>(name: K, event: RoutingEventMap[K]): void {
    for (const listener of this.listeners.get(name) ?? []) {
      try {
        (listener as Listener<K>)(event);
      } catch {
        // A broken metrics hook must not fail the request it observes.
      }
    }
  }
}
