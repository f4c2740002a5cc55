/** A deadline of a request: when it is due and why the request stops then (`undefined`: it does not stop). */
interface Deadline {
  at: number;
  reason: (a: never, b: never) => unknown;
  /** Arguments of `reason` (so a caller needs no closure per request to say why). */
  a: unknown;
  b: unknown;
}

const NOTHING_TO_CLEAR = () => {};

/**
 * A fresh AbortController made ahead of time. Node creates a controller's signal lazily and that creation is slow
 * (microseconds: it re-prototypes an EventTarget), all of it on the request's critical path. Instead the next
 * request's controller is made in the event loop's check phase (`setImmediate`) after a request starts — while it
 * waits for the network — and taken by the next request. Nothing else ever sees the spare, so each request still
 * gets a controller (and signal) of its own that no one else has touched. Where `setImmediate` does not exist
 * (browsers), controllers are made on demand.
 */
let spare: AbortController | undefined;
/** The `setImmediate` a refill is pending with (a test clock that is uninstalled never runs its callbacks). */
let refillScheduledWith: unknown;

function refill(): void {
  refillScheduledWith = undefined;
  if (spare) return;
  spare = new AbortController();
  void spare.signal; // created now, not when the request first reads it
}

function freshController(): AbortController {
  const taken = spare;
  spare = undefined;
  // Looked up per call, not typed as Node's: the SDK also runs where it is missing, and test clocks replace it.
  const schedule = (globalThis as { setImmediate?: (callback: () => void) => unknown }).setImmediate;
  if (typeof schedule === 'function' && refillScheduledWith !== schedule) {
    refillScheduledWith = schedule;
    schedule(refill);
  }
  return taken ?? new AbortController();
}

type Timer = ReturnType<typeof setTimeout>;

/**
 * ONE timer for the timeouts of every request in flight. Per request, a `setTimeout`/`clearTimeout` pair (Node
 * builds and drops a timer list for the duration each time) was a measurable share of a fast request's own cost;
 * here a request only joins and leaves a set. The timer is armed no later than the earliest pending deadline:
 * leaving the set never re-arms it, and when it fires it handles what is due and re-arms for the earliest rest.
 * With nothing pending it is unref'd (it must not keep a Node process alive) or, where timers have no `unref`,
 * cleared, as a per-request timer would have been.
 */
class TimerQueue {
  private readonly waiting = new Set<RequestLifetime>();
  private timer: Timer | undefined;
  /** When `timer` fires (Infinity: not armed). */
  private timerAt = Number.POSITIVE_INFINITY;
  /** The timer functions `timer` came from: test clocks swap them, and a timer of the other clock never fires. */
  private armedWith: typeof setTimeout | undefined;
  private clearWith: typeof clearTimeout | undefined;
  private refed = false;

  /** `lifetime` has a deadline at `at`, `ms` from now. */
  add(lifetime: RequestLifetime, at: number, ms: number): void {
    this.waiting.add(lifetime);
    if (this.timer === undefined || this.armedWith !== setTimeout || at < this.timerAt) this.arm(at, ms);
    else if (!this.refed) this.ref(true);
  }

  /** `lifetime` has nothing pending any more. */
  remove(lifetime: RequestLifetime): void {
    if (!this.waiting.delete(lifetime) || this.waiting.size > 0 || this.timer === undefined) return;
    if (typeof (this.timer as { unref?: unknown }).unref === 'function') this.ref(false);
    else this.disarm();
  }

  private ref(on: boolean): void {
    const timer = this.timer as { ref?: () => void; unref?: () => void };
    if (on) timer.ref?.();
    else timer.unref?.();
    this.refed = on;
  }

  private arm(at: number, ms: number): void {
    this.disarm();
    this.timerAt = at;
    this.armedWith = setTimeout;
    this.clearWith = clearTimeout;
    this.timer = setTimeout(() => this.fire(at), ms);
    this.refed = true;
  }

  private disarm(): void {
    // Called on the global object: browsers throw "Illegal invocation" when a timer function runs with another `this`.
    if (this.timer !== undefined) this.clearWith?.call(globalThis, this.timer);
    this.timer = undefined;
    this.timerAt = Number.POSITIVE_INFINITY;
  }

  /** The timer armed for `armedAt` fired: every lifetime with something due fires it, then re-arm for the rest. */
  private fire(armedAt: number): void {
    this.timer = undefined;
    this.timerAt = Number.POSITIVE_INFINITY;
    // The timer says `armedAt` has come even when Date.now() lags behind it (test clocks that fake only timers).
    const now = Math.max(armedAt, Date.now());
    for (const lifetime of [...this.waiting]) if (lifetime.due <= now) lifetime.fire(now);
    // Reasons may have set new deadlines (and armed for them); re-arm for the earliest of the rest.
    let next = Number.POSITIVE_INFINITY;
    for (const lifetime of this.waiting) next = Math.min(next, lifetime.due);
    if (next < this.timerAt) this.arm(next, Math.max(1, next - now));
  }
}

const timers = new TimerQueue();

/**
 * One AbortController per request that every cancellation source feeds: the caller's signal, our timeouts, and
 * `stream.abort()`. The first reason wins and is kept, so the error we throw says *why* the request stopped.
 *
 * A request's timeouts (deadline, headers, first token, idle) wait on the shared timer of `TimerQueue`, which
 * fires each of them in time order once it is due (ties in the order they were set, as separate timers would).
 */
export class RequestLifetime {
  readonly controller = freshController();
  /** Pending deadlines in the order they were set (ties fire in that order, as separate timers would). */
  private readonly pending: Deadline[] = [];
  /** No pending deadline is due before this (the earliest one, or earlier when that was cleared). */
  due = Number.POSITIVE_INFINITY;
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

  /** Aborts with `reason(a, b)` after `ms` (unless `reason` returns undefined), unless cleared first; returns a
   * function that clears it. */
  after<A, B>(ms: number | undefined, reason: (a: A, b: B) => unknown, a?: A, b?: B): () => void {
    if (ms === undefined || !Number.isFinite(ms) || ms <= 0) return NOTHING_TO_CLEAR;
    const deadline: Deadline = { at: Date.now() + ms, reason: reason as Deadline['reason'], a, b };
    this.pending.push(deadline);
    if (deadline.at < this.due) this.due = deadline.at;
    timers.add(this, deadline.at, ms);
    return () => this.clear(deadline);
  }

  /** Releases timers and the link to the caller's signal (the request is over). */
  dispose(): void {
    this.pending.length = 0;
    this.due = Number.POSITIVE_INFINITY;
    timers.remove(this);
    this.unlink?.();
    this.unlink = undefined;
  }

  private clear(deadline: Deadline): void {
    const i = this.pending.indexOf(deadline);
    if (i < 0) return;
    this.pending.splice(i, 1);
    // `due` stays as it is (a lower bound): the shared timer skips this lifetime until something is due.
    if (this.pending.length === 0) {
      this.due = Number.POSITIVE_INFINITY;
      timers.remove(this);
    }
  }

  /** Called by the shared timer at `now`: everything due fires in time order (ties in setting order). */
  fire(now: number): void {
    const due = this.pending.filter((d) => d.at <= now).sort((a, b) => a.at - b.at);
    for (const deadline of due) this.pending.splice(this.pending.indexOf(deadline), 1);
    this.due = Number.POSITIVE_INFINITY;
    for (const deadline of this.pending) this.due = Math.min(this.due, deadline.at);
    if (this.pending.length === 0) timers.remove(this);
    for (const deadline of due) {
      const why = (deadline.reason as (a: unknown, b: unknown) => unknown)(deadline.a, deadline.b);
      if (why !== undefined) this.abort(why);
    }
  }
}
