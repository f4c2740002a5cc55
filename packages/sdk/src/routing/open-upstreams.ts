import type { BreakerEvent, CircuitBreakers } from './circuit-breaker.js';

const REFRESH_MS = 1000;

/**
 * Which breakers are open, without scanning the breaker store on every request: transitions seen by this instance
 * update the set at once, and a full read of the store (which other instances may share) refreshes it at most once
 * a second.
 */
export class OpenBreakers {
  private open = new Set<string>();
  private refreshedAt = 0;
  private refreshing: Promise<void> | undefined;

  constructor(private readonly breakers: CircuitBreakers) {}

  /** Feed breaker transitions here (the client wires its breaker events to it). */
  note(event: Pick<BreakerEvent, 'type' | 'key'>): void {
    if (event.type === 'breaker_open') this.open.add(event.key);
    else this.open.delete(event.key);
  }

  /** `under(prefix)` from the cached view without a promise, or `undefined` when the view is due for a refresh. */
  underNow(prefix: string): string[] | undefined {
    if (Date.now() - this.refreshedAt > REFRESH_MS) return undefined;
    const out: string[] = [];
    for (const key of this.open) if (key.startsWith(prefix)) out.push(key);
    return out;
  }

  /** True when the cached view is fresh and no breaker is open: `under(anything)` would be empty. */
  noneOpen(): boolean {
    return this.open.size === 0 && Date.now() - this.refreshedAt <= REFRESH_MS;
  }

  /** Keys under `prefix` whose breakers are open. */
  async under(prefix: string): Promise<string[]> {
    if (Date.now() - this.refreshedAt > REFRESH_MS) {
      this.refreshing ??= this.breakers
        .snapshot()
        .then((all) => {
          this.open = new Set(all.filter((b) => b.state === 'open').map((b) => b.key));
          this.refreshedAt = Date.now();
        })
        .finally(() => {
          this.refreshing = undefined;
        });
      await this.refreshing;
    }
    const out: string[] = [];
    for (const key of this.open) if (key.startsWith(prefix)) out.push(key);
    return out;
  }
}
