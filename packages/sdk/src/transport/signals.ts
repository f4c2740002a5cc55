/** A deadline of a request: when it is due and why the request stops then (`undefined`: it does not stop). */
interface Deadline {
  at: number;
  reason: () => unknown;
}

const NOTHING_TO_CLEAR = () => {};

/**
 * One AbortController per request that every cancellation source feeds: the caller's signal, our timeouts, and
 * `stream.abort()`. The first reason wins and is kept, so the error we throw says *why* the request stopped.
 *
 * All of a request's timeouts (deadline, headers, first token, idle) share ONE timer, armed for the earliest
 * pending one. Clearing a timeout leaves that timer alone unless nothing else is pending; when it fires with
 * nothing due it re-arms for what is left. A request that answers in time thus costs one `setTimeout` and one
 * `clearTimeout`, not a pair per timeout: timers are a measurable share of a fast request's own cost.
 */
export class RequestLifetime {
  readonly controller = new AbortController();
  /** Pending deadlines in the order they were set (ties fire in that order, as separate timers would). */
  private readonly pending: Deadline[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** When `timer` fires (Infinity: not armed). */
  private timerAt = Number.POSITIVE_INFINITY;
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
    if (ms === undefined || !Number.isFinite(ms) || ms <= 0) return NOTHING_TO_CLEAR;
    const deadline: Deadline = { at: Date.now() + ms, reason };
    this.pending.push(deadline);
    if (deadline.at < this.timerAt) this.arm(deadline.at, ms);
    return () => this.clear(deadline);
  }

  /** Releases timers and the link to the caller's signal (the request is over). */
  dispose(): void {
    this.pending.length = 0;
    this.disarm();
    this.unlink?.();
    this.unlink = undefined;
  }

  private clear(deadline: Deadline): void {
    const i = this.pending.indexOf(deadline);
    if (i < 0) return;
    this.pending.splice(i, 1);
    // A pending timer would keep the process alive with nothing left to time: stop it. Otherwise it stays armed
    // (lazily) and re-arms for what is left when it fires.
    if (this.pending.length === 0) this.disarm();
  }

  private arm(at: number, ms: number): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(() => this.fire(at), ms);
  }

  private disarm(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = Number.POSITIVE_INFINITY;
  }

  /** The timer armed for `armedAt` fired: everything due by now fires in time order (ties in setting order). */
  private fire(armedAt: number): void {
    this.timer = undefined;
    this.timerAt = Number.POSITIVE_INFINITY;
    // The timer says `armedAt` has come even when Date.now() lags behind it (test clocks that fake only timers);
    // a late timer also fires what fell due meanwhile, as one timer per deadline would have.
    const now = Math.max(armedAt, Date.now());
    const due = this.pending.filter((d) => d.at <= now).sort((a, b) => a.at - b.at);
    for (const deadline of due) this.pending.splice(this.pending.indexOf(deadline), 1);
    for (const deadline of due) {
      const why = deadline.reason();
      if (why !== undefined) this.abort(why);
    }
    // Reasons may have set new deadlines (and armed for them); re-arm for the earliest of the rest.
    let next = Number.POSITIVE_INFINITY;
    for (const deadline of this.pending) next = Math.min(next, deadline.at);
    if (next < this.timerAt) this.arm(next, Math.max(1, next - now));
  }
}
