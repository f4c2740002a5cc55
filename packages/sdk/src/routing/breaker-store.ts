/**
 * Where circuit-breaker state lives. `CircuitBreakers` holds no state of its own: every decision is a read or an
 * atomic read-modify-write of one small, JSON-serialisable `BreakerRecord` per target, so a shared store (the
 * gateway's Redis store) makes several instances agree on which targets are open and admit one probe between them.
 *
 * The interface is deliberately tiny — `get`, `update`, `entries`, optional `delete` — because each method must be
 * implementable atomically over a network store. `update` is the only write: a Redis store runs it under WATCH/MULTI
 * (retrying `fn` on conflict) or as a Lua script, so `fn` must be a pure function of its argument.
 *
 * The failure-rate window is stored as per-time-bucket counts (`[start, requests, failures]`), not one entry per
 * request: ~60 buckets cover any window, so a record stays a few hundred bytes however busy the target is.
 */
import { ConfigError } from '../errors/client-errors.js';

export type BreakerState = 'closed' | 'open' | 'half_open';

/** Outcomes in one time bucket: `[bucket start (epoch ms), requests, failures]`. A tuple keeps JSON small. */
export type WindowBucket = [start: number, requests: number, failures: number];

export interface BreakerRecord {
  state: BreakerState;
  consecutiveFailures: number;
  /** Recent outcomes for the failure-rate rule, oldest bucket first, trimmed to the breaker's `windowMs`. */
  window: { bucketMs: number; buckets: WindowBucket[] };
  /** When the breaker last opened (epoch ms). */
  openedAt?: number;
  /** Half-open: a probe is out until this time. A lease, so a probe whose caller crashed cannot wedge the breaker. */
  probeInFlightUntil?: number;
  lastError?: { code: string; status?: number; message: string; at: number };
  updatedAt: number;
}

export interface BreakerStore {
  get(key: string): Promise<BreakerRecord | undefined>;
  /**
   * Atomically read-modify-write one record (a Redis store implements this with WATCH/MULTI or a Lua script).
   * `fn` may run more than once when an optimistic store retries, so it must not have side effects.
   * Resolves to the record written.
   */
  update(key: string, fn: (current: BreakerRecord | undefined) => BreakerRecord): Promise<BreakerRecord>;
  /** Every record, or those whose key starts with `prefix` (a Redis store can SCAN with MATCH `prefix*`). */
  entries(prefix?: string): Promise<[string, BreakerRecord][]>;
  delete?(key: string): Promise<void>;
}

/** Buckets per window: precision of the failure-rate rule is `windowMs / WINDOW_BUCKETS`. */
export const WINDOW_BUCKETS = 60;

/** Bucket width for a window: 1 s for the default 60 s window. */
export function bucketWidth(windowMs: number): number {
  return Math.max(1, Math.ceil(windowMs / WINDOW_BUCKETS));
}

/**
 * The buckets still inside `[now - windowMs, now]`. A bucket is dropped once its newest possible entry is out, so
 * an outcome is forgotten at most one bucket width late. A window bucketed differently (another instance configured
 * with another `windowMs`) cannot be re-bucketed and is started afresh.
 */
export function trimWindow(window: BreakerRecord['window'], now: number, windowMs: number): BreakerRecord['window'] {
  const bucketMs = bucketWidth(windowMs);
  if (window.bucketMs !== bucketMs) return { bucketMs, buckets: [] };
  const oldest = now - windowMs;
  // Buckets are oldest first (addOutcome only appends newer ones), so the expired ones are a prefix. Every request
  // lands here: look at the oldest bucket only — not at all ~60, each its own object — and usually keep the window.
  const buckets = window.buckets;
  let first = 0;
  while (first < buckets.length && (buckets[first] as WindowBucket)[0] + bucketMs <= oldest) first++;
  return first === 0 ? window : { bucketMs, buckets: buckets.slice(first) };
}

/** A trimmed copy of `window` with one more outcome counted (`window` and its buckets are left as they are). */
export function addOutcome(
  window: BreakerRecord['window'],
  now: number,
  windowMs: number,
  failed: boolean,
): BreakerRecord['window'] {
  const trimmed = trimWindow(window, now, windowMs);
  const start = Math.floor(now / trimmed.bucketMs) * trimmed.bucketMs;
  // A new array, but the unchanged buckets are shared with `window`: only the counted one is replaced, never changed.
  // Spread, not `slice()`: V8 copies a frozen array's `slice()` in a form that the store's `Object.freeze` then
  // converts element by element (~2 µs for a full window, measured), while a spread copy freezes in ~0.05 µs.
  const buckets = trimmed === window ? [...window.buckets] : trimmed.buckets;
  const end = buckets.length - 1;
  const last = buckets[end];
  // `>=` also folds in outcomes from a clock that stepped backwards instead of growing the array out of order.
  if (last && last[0] >= start) buckets[end] = [last[0], last[1] + 1, last[2] + (failed ? 1 : 0)];
  else buckets.push([start, 1, failed ? 1 : 0]);
  return { bucketMs: trimmed.bucketMs, buckets };
}

/** Requests and failures inside the window at `now`. */
export function windowCounts(
  window: BreakerRecord['window'],
  now: number,
  windowMs: number,
): { requests: number; failures: number } {
  let requests = 0;
  let failures = 0;
  for (const [, r, f] of trimWindow(window, now, windowMs).buckets) {
    requests += r;
    failures += f;
  }
  return { requests, failures };
}

/** A record moves to the recent end of the eviction order when it was last moved longer ago than this. */
const TOUCH_AFTER_MS = 1000;

export interface MemoryBreakerStoreOptions {
  /** Most records kept; beyond it the least recently updated is evicted (to the second: a record written again
   * within a second of its last move keeps its place). Default 10 000. */
  maxKeys?: number;
}

/**
 * A process-local store. `update` reads, calls `fn` and writes without awaiting in between, so on a single
 * JavaScript thread no other update can interleave: that is its atomicity. Records are immutable: they are frozen
 * when stored and handed out as they are (every change builds a new record), which keeps the per-request cost of
 * a breaker check to a map lookup — copying records in and out was the biggest cost of a routed request.
 *
 * Bounded: keys come from model ids and upstream names, which a busy gateway may see many of. Evicting a record
 * forgets its state (an open breaker closes), which is acceptable for the least recently updated target.
 */
export class MemoryBreakerStore implements BreakerStore {
  readonly #maxKeys: number;
  /** Map order is update order (entries are re-inserted on write), so the first key is the eviction candidate. */
  readonly #records = new Map<string, BreakerRecord>();

  constructor(options: MemoryBreakerStoreOptions = {}) {
    const maxKeys = options.maxKeys ?? 10_000;
    if (!Number.isSafeInteger(maxKeys) || maxKeys < 1) {
      throw new ConfigError(`MemoryBreakerStore option maxKeys must be a positive integer, got ${String(maxKeys)}`);
    }
    this.#maxKeys = maxKeys;
  }

  /** Number of records held. */
  get size(): number {
    return this.#records.size;
  }

  async get(key: string): Promise<BreakerRecord | undefined> {
    return this.#records.get(key);
  }

  async update(key: string, fn: (current: BreakerRecord | undefined) => BreakerRecord): Promise<BreakerRecord> {
    return this.updateNow(key, fn);
  }

  /** `get` without a promise (this store needs none): the routing engine reads a breaker on every request. */
  getNow(key: string): BreakerRecord | undefined {
    return this.#records.get(key);
  }

  /** `update` without a promise. */
  updateNow(key: string, fn: (current: BreakerRecord | undefined) => BreakerRecord): BreakerRecord {
    const current = this.#records.get(key);
    const next = fn(current);
    if (!Object.isFrozen(next)) {
      Object.freeze(next.window.buckets);
      Object.freeze(next.window);
      Object.freeze(next);
    }
    // Map order is update order, approximately: a record written again within a second keeps its place (an
    // overwrite), sparing the busiest keys a delete and re-insert on every request; eviction needs no more.
    if (current !== undefined && next.updatedAt - current.updatedAt < TOUCH_AFTER_MS) {
      this.#records.set(key, next);
      return next;
    }
    this.#records.delete(key);
    this.#records.set(key, next);
    if (this.#records.size > this.#maxKeys) {
      const oldest = this.#records.keys().next().value;
      if (oldest !== undefined) this.#records.delete(oldest);
    }
    return next;
  }

  async entries(prefix?: string): Promise<[string, BreakerRecord][]> {
    const out: [string, BreakerRecord][] = [];
    for (const [key, record] of this.#records) {
      if (prefix === undefined || key.startsWith(prefix)) out.push([key, record]);
    }
    return out;
  }

  async delete(key: string): Promise<void> {
    this.#records.delete(key);
  }
}
