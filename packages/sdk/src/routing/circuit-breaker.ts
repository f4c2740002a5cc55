/**
 * Circuit breakers per routing target (`backend|model[|upstream]`), so the engine stops sending traffic to a target
 * that keeps failing and tries it again later with a single probe.
 *
 *   closed ──(N consecutive failures, or failure rate ≥ R over ≥ M requests in the window)──▶ open
 *   open ──(recoveryMs elapsed; the next acquire takes the probe lease)──▶ half_open
 *   half_open ──(success)──▶ closed (counters reset)        half_open ──(failure)──▶ open (openedAt = now)
 *
 * All state is in a `BreakerStore` and every transition is one atomic `store.update`, so with a shared store only
 * one instance wins the probe and each transition happens (and is reported) once. Update callbacks are pure — a
 * store may re-run them — so transitions are computed inside and events emitted only after the write landed.
 * Plain reads (`get`) come first on the hot path: a closed breaker admits a request without writing anything.
 *
 * Which errors count as failures is the engine's call (a 400 says nothing about the target's health); this class
 * counts whatever it is told.
 */
import { BREAKER_DEFAULTS, type BreakerConfig } from '../config/routing-options.js';
import { ConfigError } from '../errors/client-errors.js';
import {
  addOutcome,
  type BreakerRecord,
  type BreakerState,
  type BreakerStore,
  bucketWidth,
  MemoryBreakerStore,
  windowCounts,
} from './breaker-store.js';

/** The breaker settings (`[breaker]` in switchyard.toml); one definition, with its defaults, in config. */
export type BreakerOptions = BreakerConfig;

export type BreakerEvent = {
  type: 'breaker_open' | 'breaker_half_open' | 'breaker_close';
  key: string;
  at: number;
  reason?: string;
};

export interface Admission {
  allowed: boolean;
  state: BreakerState;
  /** This request is the half-open probe: its outcome decides whether the breaker closes. */
  probe: boolean;
  /** When a new probe may be admitted: recovery end for an open breaker, lease expiry while a probe is out. */
  retryAt?: number;
}

export interface BreakerSnapshot {
  key: string;
  state: BreakerState;
  consecutiveFailures: number;
  windowRequests: number;
  windowFailures: number;
  openedAt?: number;
  retryAt?: number;
  lastError?: BreakerRecord['lastError'];
}

type Resolved = Required<BreakerOptions>;

const DEFAULTS: Resolved = BREAKER_DEFAULTS;

/** Error messages can be long upstream bodies; the record should stay small. */
const MAX_MESSAGE = 200;

function resolveOptions(options: BreakerOptions): Resolved {
  const resolved = { ...DEFAULTS };
  for (const name of Object.keys(DEFAULTS) as (keyof Resolved)[]) {
    const value = options[name];
    if (value === undefined) continue;
    if (name === 'failureRate') {
      if (typeof value !== 'number' || !(value > 0 && value <= 1)) {
        throw new ConfigError(`Circuit breaker option failureRate must be a number in (0, 1], got ${String(value)}`);
      }
    } else if (!Number.isSafeInteger(value) || value < 1) {
      throw new ConfigError(`Circuit breaker option ${name} must be a positive integer, got ${String(value)}`);
    }
    resolved[name] = value;
  }
  return resolved;
}

/** `backend|model` or `backend|model|upstream`; `%` and `|` inside a part are escaped so keys never collide. */
export function breakerKey(backend: string, model: string, upstream?: string): string {
  const part = (s: string) =>
    s.includes('%') || s.includes('|') ? s.replaceAll('%', '%25').replaceAll('|', '%7C') : s;
  return upstream ? `${part(backend)}|${part(model)}|${part(upstream)}` : `${part(backend)}|${part(model)}`;
}

export class CircuitBreakers {
  readonly #options: Resolved;
  readonly #store: BreakerStore;
  readonly #clock: () => number;
  readonly #onEvent: ((event: BreakerEvent) => void) | undefined;
  /** The store when it is the plain in-memory one, whose reads and writes need no promise (see `acquireNow`). */
  readonly #local: MemoryBreakerStore | undefined;

  constructor(
    options: BreakerOptions = {},
    store: BreakerStore = new MemoryBreakerStore(),
    clock: () => number = Date.now,
    onEvent?: (event: BreakerEvent) => void,
  ) {
    this.#options = resolveOptions(options);
    this.#store = store;
    this.#clock = clock;
    this.#onEvent = onEvent;
    const plain =
      store instanceof MemoryBreakerStore &&
      store.get === MemoryBreakerStore.prototype.get &&
      store.update === MemoryBreakerStore.prototype.update;
    this.#local = plain ? store : undefined;
  }

  /** The options in effect (defaults filled in). */
  get options(): Readonly<Required<BreakerOptions>> {
    return { ...this.#options };
  }

  /**
   * May a request go to `key` now? closed → allowed; open before recovery → not allowed (with `retryAt`); open after
   * recovery → half_open and exactly one caller gets `probe: true`; half_open with a live probe lease → not allowed.
   */
  async acquire(key: string): Promise<Admission> {
    const now = this.#clock();
    const seen = await this.#store.get(key);
    // Fast path without a write: the common closed case, and an open breaker still cooling down.
    const quick = this.#admit(seen, now);
    if (!quick.admission.probe) return quick.admission;

    // A probe is up for grabs: take it atomically so concurrent callers (and instances) cannot all win it.
    let outcome = quick;
    await this.#store.update(key, (current) => {
      outcome = this.#admit(current, now);
      if (!outcome.admission.probe) return current ?? this.#fresh(now);
      const record = current as BreakerRecord;
      return { ...record, state: 'half_open', probeInFlightUntil: now + this.#options.probeTimeoutMs, updatedAt: now };
    });
    if (outcome.fromOpen) {
      this.#emit('breaker_half_open', key, now, `probing after ${this.#options.recoveryMs} ms open`);
    }
    return outcome.admission;
  }

  /**
   * `acquire` answered synchronously when that is all it would do — an in-memory store and no probe to take — else
   * `undefined` (call `acquire`). The routing engine asks on every request; a promise per check is measurable there.
   */
  acquireNow(key: string): Admission | undefined {
    if (!this.#local) return undefined;
    const quick = this.#admit(this.#local.getNow(key), this.#clock());
    return quick.admission.probe ? undefined : quick.admission;
  }

  /** Records a success: counts it when closed; closes a half-open breaker. A late success while open changes nothing. */
  async success(key: string): Promise<void> {
    const now = this.#clock();
    let closed = false;
    await this.#store.update(key, (current) => {
      closed = current?.state === 'half_open';
      return this.#succeeded(current, now);
    });
    if (closed) this.#emit('breaker_close', key, now, 'probe succeeded');
  }

  /** `success` done synchronously when the store is the in-memory one (then true); false: call `success`. */
  successNow(key: string): boolean {
    if (!this.#local) return false;
    const now = this.#clock();
    let closed = false;
    this.#local.updateNow(key, (current) => {
      closed = current?.state === 'half_open';
      return this.#succeeded(current, now);
    });
    if (closed) this.#emit('breaker_close', key, now, 'probe succeeded');
    return true;
  }

  #succeeded(current: BreakerRecord | undefined, now: number): BreakerRecord {
    const record = current ?? this.#fresh(now);
    if (record.state === 'half_open') return this.#fresh(now, record.lastError);
    if (record.state === 'open') return record;
    const window = addOutcome(record.window, now, this.#options.windowMs, false);
    return { ...record, consecutiveFailures: 0, window, updatedAt: now };
  }

  /** Records a failure: may open a closed breaker; reopens a half-open one. */
  async failure(key: string, error: { code?: string; status?: number; message?: string } = {}): Promise<void> {
    const now = this.#clock();
    const lastError: BreakerRecord['lastError'] = {
      code: error.code ?? 'error',
      ...(error.status === undefined ? {} : { status: error.status }),
      message: (error.message ?? '').slice(0, MAX_MESSAGE),
      at: now,
    };
    let reason: string | undefined;
    await this.#store.update(key, (current) => {
      reason = undefined;
      const record = current ?? this.#fresh(now);
      if (record.state === 'open') return { ...record, lastError, updatedAt: now };
      if (record.state === 'half_open') {
        reason = `probe failed: ${lastError.code}`;
        return this.#open(record, now, lastError);
      }
      const { failureThreshold, failureRate, minRequests, windowMs } = this.#options;
      const window = addOutcome(record.window, now, windowMs, true);
      const next = {
        ...record,
        consecutiveFailures: record.consecutiveFailures + 1,
        window,
        lastError,
        updatedAt: now,
      };
      const { requests, failures } = windowCounts(window, now, windowMs);
      if (next.consecutiveFailures >= failureThreshold) {
        reason = `${next.consecutiveFailures} consecutive failures`;
      } else if (requests >= minRequests && failures / requests >= failureRate) {
        reason = `failure rate ${Math.round((failures / requests) * 100)}% over ${requests} requests`;
      }
      return reason ? this.#open(next, now, lastError) : next;
    });
    if (reason) this.#emit('breaker_open', key, now, reason);
  }

  /**
   * Gives an admission back without an outcome (the caller cancelled): frees a half-open probe lease so the next
   * `acquire` may probe at once. Probes carry no identity, so this frees whichever lease is current.
   */
  async release(key: string): Promise<void> {
    const seen = await this.#store.get(key);
    if (seen?.state !== 'half_open' || seen.probeInFlightUntil === undefined) return;
    const now = this.#clock();
    await this.#store.update(key, (current) => {
      if (current?.state !== 'half_open') return current ?? this.#fresh(now);
      const { probeInFlightUntil: _, ...rest } = current;
      return { ...rest, updatedAt: now };
    });
  }

  /** The stored state (`closed` for a key never seen). An open breaker past recovery stays `open` until acquired. */
  async state(key: string): Promise<BreakerState> {
    return (await this.#store.get(key))?.state ?? 'closed';
  }

  /**
   * Every known target (or those whose key starts with `prefix`, e.g. `openrouter|openai/gpt-4o|` for one model's
   * upstreams), sorted by key, with window counts as of now.
   */
  async snapshot(prefix?: string): Promise<BreakerSnapshot[]> {
    const now = this.#clock();
    const rows = (await this.#store.entries(prefix)).map(([key, record]): BreakerSnapshot => {
      const { requests, failures } = windowCounts(record.window, now, this.#options.windowMs);
      const retryAt = this.#retryAt(record);
      return {
        key,
        state: record.state,
        consecutiveFailures: record.consecutiveFailures,
        windowRequests: requests,
        windowFailures: failures,
        ...(record.openedAt === undefined ? {} : { openedAt: record.openedAt }),
        ...(retryAt === undefined ? {} : { retryAt }),
        ...(record.lastError ? { lastError: record.lastError } : {}),
      };
    });
    return rows.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  /** Forgets one target (or all): it is closed with empty counters. Emits `breaker_close` for breakers not closed. */
  async reset(key?: string): Promise<void> {
    const keys = key === undefined ? (await this.#store.entries()).map(([k]) => k) : [key];
    for (const k of keys) {
      const now = this.#clock();
      let previous: BreakerState | undefined;
      if (this.#store.delete) {
        previous = (await this.#store.get(k))?.state;
        await this.#store.delete(k);
      } else {
        await this.#store.update(k, (current) => {
          previous = current?.state;
          return this.#fresh(now);
        });
      }
      if (previous && previous !== 'closed') this.#emit('breaker_close', k, now, 'reset');
    }
  }

  /** Pure admission decision for a record; `probe: true` means "this caller should take the probe lease". */
  #admit(record: BreakerRecord | undefined, now: number): { admission: Admission; fromOpen: boolean } {
    if (!record || record.state === 'closed') {
      return { admission: { allowed: true, state: 'closed', probe: false }, fromOpen: false };
    }
    const retryAt = this.#retryAt(record);
    if (retryAt !== undefined && now < retryAt) {
      return { admission: { allowed: false, state: record.state, probe: false, retryAt }, fromOpen: false };
    }
    return { admission: { allowed: true, state: 'half_open', probe: true }, fromOpen: record.state === 'open' };
  }

  /** Open: when recovery ends. Half-open: when the probe lease expires (undefined when no probe is out). */
  #retryAt(record: BreakerRecord): number | undefined {
    if (record.state === 'open') return (record.openedAt ?? record.updatedAt) + this.#options.recoveryMs;
    if (record.state === 'half_open') return record.probeInFlightUntil;
    return undefined;
  }

  #open(record: BreakerRecord, now: number, lastError: BreakerRecord['lastError']): BreakerRecord {
    const { probeInFlightUntil: _, ...rest } = record;
    return { ...rest, state: 'open', openedAt: now, lastError, updatedAt: now };
  }

  #fresh(now: number, lastError?: BreakerRecord['lastError']): BreakerRecord {
    return {
      state: 'closed',
      consecutiveFailures: 0,
      window: { bucketMs: bucketWidth(this.#options.windowMs), buckets: [] },
      ...(lastError ? { lastError } : {}),
      updatedAt: now,
    };
  }

  /** A throwing listener must not break routing. */
  #emit(type: BreakerEvent['type'], key: string, at: number, reason: string): void {
    try {
      this.#onEvent?.({ type, key, at, reason });
    } catch {
      // Events are advisory.
    }
  }
}
