import { AbortError } from '@switchyard/sdk';

/**
 * The requests a gateway is serving, for graceful shutdown: once draining, new work is refused (503
 * `shutting_down`), running requests get up to the grace period to finish, and what is still running after it is
 * aborted — and, like any aborted request, settled and recorded with what it cost before the ledger is flushed.
 */
export class Lifecycle {
  #draining = false;
  readonly #running = new Set<AbortController>();
  #idle: (() => void)[] = [];

  get draining(): boolean {
    return this.#draining;
  }

  get inflight(): number {
    return this.#running.size;
  }

  /** Registers a request; `end` must be called once it is settled (its ledger rows queued). */
  begin(): { controller: AbortController; end: () => void } {
    const controller = new AbortController();
    this.#running.add(controller);
    let ended = false;
    return {
      controller,
      end: () => {
        if (ended) return;
        ended = true;
        this.#running.delete(controller);
        if (this.#running.size === 0) for (const wake of this.#idle.splice(0)) wake();
      },
    };
  }

  private waitIdle(ms: number): Promise<boolean> {
    if (this.#running.size === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), ms);
      this.#idle.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  /** Stops admitting, waits up to `graceMs` for running requests, then aborts the rest. Returns how many it aborted. */
  async drain(graceMs: number): Promise<number> {
    this.#draining = true;
    if (await this.waitIdle(graceMs)) return 0;
    const aborted = this.#running.size;
    for (const controller of this.#running) controller.abort(new AbortError('The gateway is shutting down'));
    // Aborted requests settle and record asynchronously; give them a moment so their rows reach the ledger flush.
    await this.waitIdle(5_000);
    return aborted;
  }
}
