import { abortableSleep } from './abortable-sleep.js';

/** OpenRouter's limit on `:free` models: requests per minute per key, across all free models. */
export const FREE_MODELS_PER_MINUTE = 20;

export type WaitReason = 'delay' | 'free-tier' | 'rate-limit';

export interface PacerOptions {
  /** Least time between the starts of two requests (`--delay`, `--rpm`); 0 = none. */
  intervalMs: number;
  /** Free-model requests allowed per `windowMs` (default 20 a minute, OpenRouter's free tier); 0 = no limit. */
  freePerWindow?: number;
  windowMs?: number;
  /** Told about every wait of a second or more (for the log and the progress display). */
  onWait?: (ms: number, reason: WaitReason, model: string) => void;
  now?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

export interface PacedTarget {
  model: string;
  /** A free model: counted against the free tier's shared limit. */
  free: boolean;
}

/** Runs `fn`s one after another (a tiny async mutex). */
class Queue {
  private tail: Promise<void> = Promise.resolve();
  run<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.tail.then(fn);
    this.tail = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }
}

/**
 * When requests may start. Three rules, all honoured before each request:
 * - the user's pace: at least `intervalMs` between two starts (across every worker);
 * - the free tier: at most `freePerWindow` free-model requests in any `windowMs` (a sliding window);
 * - the server's word: after a 429, the model's bucket (all free models share one; a paid model has its own) waits
 *   until the time the server gave (`Retry-After`, `X-RateLimit-Reset`), for every worker, not only the one that
 *   was refused.
 */
export class RatePacer {
  private readonly intervalMs: number;
  private readonly freePerWindow: number;
  private readonly windowMs: number;
  private readonly now: () => number;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  private readonly onWait?: PacerOptions['onWait'];
  private nextStartAt = 0;
  private readonly freeStarts: number[] = [];
  private readonly blockedUntil = new Map<string, number>();
  private readonly blockedBy = new Map<string, Error>();
  private readonly paceQueue = new Queue();
  private readonly freeQueue = new Queue();

  constructor(options: PacerOptions) {
    this.intervalMs = Math.max(0, options.intervalMs);
    this.freePerWindow = options.freePerWindow ?? FREE_MODELS_PER_MINUTE;
    this.windowMs = options.windowMs ?? 60_000;
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? abortableSleep;
    this.onWait = options.onWait;
  }

  private bucket(target: PacedTarget): string {
    return target.free ? ':free' : target.model;
  }

  /** Waits until `target` may start a request (rejects with `Interrupted` when `signal` fires). */
  async acquire(target: PacedTarget, signal?: AbortSignal): Promise<void> {
    const bucket = this.bucket(target);
    for (let until = this.blockedUntil.get(bucket) ?? 0; until > this.now(); until = this.blockedUntil.get(bucket) ?? 0)
      await this.wait(until - this.now(), 'rate-limit', target.model, signal);
    if (target.free && this.freePerWindow > 0) {
      await this.freeQueue.run(async () => {
        for (;;) {
          const now = this.now();
          while (this.freeStarts.length > 0 && (this.freeStarts[0] as number) <= now - this.windowMs)
            this.freeStarts.shift();
          if (this.freeStarts.length < this.freePerWindow) break;
          await this.wait((this.freeStarts[0] as number) + this.windowMs - now, 'free-tier', target.model, signal);
        }
        this.freeStarts.push(this.now());
      });
    }
    await this.paceQueue.run(async () => {
      const wait = this.nextStartAt - this.now();
      if (wait > 0) await this.wait(wait, 'delay', target.model, signal);
      this.nextStartAt = this.now() + this.intervalMs;
    });
  }

  /** The server refused `target` for `ms` (with `error`): its bucket waits that long (the longest block wins). */
  block(target: PacedTarget, ms: number, error?: Error): void {
    const bucket = this.bucket(target);
    const until = this.now() + ms;
    if (until > (this.blockedUntil.get(bucket) ?? 0)) {
      this.blockedUntil.set(bucket, until);
      if (error) this.blockedBy.set(bucket, error);
      else this.blockedBy.delete(bucket);
    }
  }

  /** How long `target`'s bucket is still blocked, and the refusal that blocked it; undefined when it is not. */
  blocked(target: PacedTarget): { ms: number; error?: Error } | undefined {
    const bucket = this.bucket(target);
    const ms = (this.blockedUntil.get(bucket) ?? 0) - this.now();
    return ms > 0 ? { ms, error: this.blockedBy.get(bucket) } : undefined;
  }

  private async wait(ms: number, reason: WaitReason, model: string, signal?: AbortSignal): Promise<void> {
    if (ms >= 1000) this.onWait?.(ms, reason, model);
    await this.sleep(ms, signal);
  }
}
