/**
 * `--budget`: a hard cap on what one run spends. Before a request is sent its worst case is reserved; when the
 * answer arrives the reservation becomes the actual cost. A request whose worst case does not fit what is left is
 * not sent — after waiting for the requests in flight to settle, since they usually cost less than reserved.
 */
export class BudgetGate {
  private spentUsd = 0;
  private reservedUsd = 0;
  /** Reservations not settled yet: "nothing in flight" is judged by this count, not by `reservedUsd`, which float
   * rounding can leave a hair above 0 (a wait for a settle that never comes). */
  private inFlight = 0;
  private settled: (() => void)[] = [];

  constructor(readonly limitUsd: number) {}

  get spent(): number {
    return this.spentUsd;
  }

  /**
   * Reserves `worstUsd` and returns what was reserved; undefined when it can never fit (nothing is in flight and
   * it still does not). An unknown worst case (undefined: no catalog to price the request with) reserves everything
   * that is left once nothing else is in flight: such a request then runs alone and only while money is left, so it
   * cannot overshoot by more than its own price — reserving 0 instead let every lane start one at once and spend past
   * the cap.
   */
  async reserve(worstUsd: number | undefined): Promise<number | undefined> {
    for (;;) {
      const left = this.limitUsd - this.spentUsd - this.reservedUsd;
      if (worstUsd === undefined) {
        if (this.inFlight === 0) return left > 0 ? this.hold(left) : undefined;
      } else if (worstUsd <= left) return this.hold(worstUsd);
      else if (this.inFlight === 0) return undefined;
      await new Promise<void>((resolve) => this.settled.push(resolve));
    }
  }

  private hold(usd: number): number {
    this.inFlight++;
    this.reservedUsd += usd;
    return usd;
  }

  /** A request ended: its reservation is released and what it cost is counted. */
  settle(reservedUsd: number, actualUsd: number): void {
    this.inFlight = Math.max(0, this.inFlight - 1);
    this.reservedUsd = this.inFlight === 0 ? 0 : Math.max(0, this.reservedUsd - reservedUsd);
    this.spentUsd += actualUsd;
    const waiting = this.settled;
    this.settled = [];
    for (const wake of waiting) wake();
  }
}
