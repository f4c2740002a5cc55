/**
 * Thrown by the routing engine when every target was skipped because its circuit breaker is open (or its half-open
 * probe is already out), so no request was sent. Retryable: `retryAfterMs` is the wait until the earliest target
 * may admit a probe, which lets callers and the gateway's `Retry-After` say when to come back.
 */
import { SwitchyardError, type SwitchyardErrorOptions } from '../errors/switchyard-error.js';

export interface CircuitOpenErrorOptions extends SwitchyardErrorOptions {
  /** Breaker keys of the skipped targets. */
  keys: string[];
  /** Earliest time (epoch ms) any of them may admit a probe. */
  retryAt?: number;
  /** Current time for `retryAfterMs` (default `Date.now()`; inject for tests). */
  now?: number;
}

export class CircuitOpenError extends SwitchyardError {
  static override readonly kind: string = 'CircuitOpenError';
  override readonly code: string = 'circuit_open';
  /** Breaker keys of the skipped targets. */
  readonly keys: string[];
  /** Earliest time (epoch ms) any of them may admit a probe. */
  readonly retryAt?: number;

  constructor(message: string, options: CircuitOpenErrorOptions) {
    const { keys, retryAt, now = Date.now(), ...rest } = options;
    super(message, {
      ...rest,
      retryable: true,
      retryAfterMs: retryAt === undefined ? rest.retryAfterMs : Math.max(0, retryAt - now),
    });
    this.keys = [...keys];
    this.retryAt = retryAt;
  }

  /** Builds the error from the skipped targets and their `Admission.retryAt`, with a message naming them. */
  static fromTargets(targets: { key: string; retryAt?: number }[], now: number = Date.now()): CircuitOpenError {
    const times = targets.map((t) => t.retryAt).filter((t): t is number => t !== undefined);
    const retryAt = times.length > 0 ? Math.min(...times) : undefined;
    const keys = targets.map((t) => t.key);
    const wait = retryAt === undefined ? '' : `; next probe in ${Math.ceil(Math.max(0, retryAt - now) / 1000)} s`;
    const noun = keys.length === 1 ? 'target' : 'targets';
    return new CircuitOpenError(`Circuit open for ${keys.length} ${noun} (${keys.join(', ')})${wait}`, {
      keys,
      retryAt,
      now,
    });
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), keys: this.keys, retryAt: this.retryAt };
  }
}
