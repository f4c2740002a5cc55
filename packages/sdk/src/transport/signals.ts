/**
 * One AbortController per request that every cancellation source feeds: the caller's signal, our timeouts, and
 * `stream.abort()`. The first reason wins and is kept, so the error we throw says *why* the request stopped.
 */
export class RequestLifetime {
  readonly controller = new AbortController();
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();
  private unlink?: () => void;

  constructor(parent?: AbortSignal) {
    if (parent) {
      if (parent.aborted) this.abort(parent.reason);
      else {
        const onAbort = () => this.abort(parent.reason);
        parent.addEventListener('abort', onAbort, { once: true });
        this.unlink = () => parent.removeEventListener('abort', onAbort);
      }
    }
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get reason(): unknown {
    return this.controller.signal.reason;
  }

  abort(reason: unknown): void {
    if (!this.controller.signal.aborted) this.controller.abort(reason);
  }

  /** Aborts with `reason()` after `ms` (unless `reason` returns undefined), unless cleared first; returns a function
   * that clears it. */
  after(ms: number | undefined, reason: () => unknown): () => void {
    if (ms === undefined || !Number.isFinite(ms) || ms <= 0) return () => {};
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      const why = reason();
      if (why !== undefined) this.abort(why);
    }, ms);
    this.timers.add(timer);
    return () => {
      clearTimeout(timer);
      this.timers.delete(timer);
    };
  }

  /** Releases timers and the link to the caller's signal (the request is over). */
  dispose(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.unlink?.();
    this.unlink = undefined;
  }
}
