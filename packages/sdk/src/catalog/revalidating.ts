/** Where a cached copy came from. */
export type CopyOrigin = 'network' | 'disk';

export interface Copy<T> {
  value: T;
  /** When it was fetched from the network (epoch ms). */
  fetchedAt: number;
  from: CopyOrigin;
}

export interface Freshness {
  ttlMs: number;
  /** How long a failed fetch is remembered before the network is tried again. */
  failureTtlMs: number;
  now: () => number;
}

export interface RevalidatingHooks<T> {
  fetched?(copy: Copy<T>): void;
  /** A fetch failed; `stale` is the copy that keeps being served, if any. */
  failed?(error: unknown, stale: Copy<T> | undefined): void;
}

/**
 * One cached value with stale-while-revalidate: fresh copies are served from memory; an expired copy is served at
 * once while one background fetch replaces it; a failed fetch keeps the old copy and is not retried for
 * `failureTtlMs` (so an unreachable server costs one call a minute, not one per request). Without any copy, callers
 * wait for the fetch, and a remembered failure is thrown again until it expires.
 */
export class Revalidating<T> {
  copy: Copy<T> | undefined;
  failedAt: number | undefined;
  failure: unknown;
  private inflight: Promise<T> | undefined;

  constructor(
    private readonly fetch: () => Promise<T>,
    private readonly freshness: () => Freshness,
    private readonly hooks: RevalidatingHooks<T> = {},
  ) {}

  /** Whether a copy exists and is past its TTL. */
  expired(): boolean {
    const { ttlMs, now } = this.freshness();
    return this.copy !== undefined && now() - this.copy.fetchedAt >= ttlMs;
  }

  /** The value, and whether it came from memory (a copy) or a fetch this call waited for. */
  async get(): Promise<{ value: T; waited: boolean }> {
    const known = this.peek();
    if (known) {
      if ('failure' in known) throw known.failure;
      return { value: known.value, waited: false };
    }
    return { value: await this.start(), waited: true };
  }

  /**
   * What `get()` would answer without waiting: the copy (an expired one starts its refresh, as `get()` does), the
   * remembered failure, or `undefined` when only a fetch can answer. Synchronous, so a hot path that already knows
   * the answer pays no promise — and, for a remembered failure, no rejection — per request.
   */
  peek(): { value: T } | { failure: unknown } | undefined {
    const copy = this.copy;
    if (copy) {
      if (this.expired()) this.revalidate();
      return { value: copy.value };
    }
    if (!this.inflight && this.backingOff()) return { failure: this.failure };
    return undefined;
  }

  /** Starts a background refresh unless one is running or a recent failure is still remembered. */
  revalidate(): void {
    if (this.inflight || this.backingOff()) return;
    this.start().catch(() => {});
  }

  /** Fetches now, whatever the TTL and any remembered failure (joins a fetch already running). */
  fetchNow(): Promise<T> {
    this.failedAt = undefined;
    return this.start();
  }

  /** Offers a copy found elsewhere (the disk cache); kept only when nothing newer is in memory. */
  seed(copy: Copy<T>): void {
    if (!this.copy || this.copy.fetchedAt < copy.fetchedAt) this.copy = copy;
  }

  private backingOff(): boolean {
    const { failureTtlMs, now } = this.freshness();
    return this.failedAt !== undefined && now() - this.failedAt < failureTtlMs;
  }

  private start(): Promise<T> {
    if (this.inflight) return this.inflight;
    const { now } = this.freshness();
    const run: Promise<T> = Promise.resolve()
      .then(() => this.fetch())
      .then(
        (value) => {
          const copy: Copy<T> = { value, fetchedAt: now(), from: 'network' };
          this.copy = copy;
          this.failedAt = undefined;
          this.failure = undefined;
          quietly(() => this.hooks.fetched?.(copy));
          return value;
        },
        (error: unknown) => {
          this.failedAt = now();
          this.failure = error;
          quietly(() => this.hooks.failed?.(error, this.copy));
          throw error;
        },
      )
      .finally(() => {
        if (this.inflight === run) this.inflight = undefined;
      });
    this.inflight = run;
    return run;
  }
}

/** Runs an observer; its failure must not change what the cache serves. */
function quietly(fn: () => void): void {
  try {
    fn();
  } catch {
    // observers are advisory
  }
}
