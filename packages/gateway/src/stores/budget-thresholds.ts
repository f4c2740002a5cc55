/**
 * Budget alerts: which of the 50 / 80 / 100 % thresholds a counter's settled usage has newly reached, and delivery
 * of the events to the store's `onThreshold` callback.
 */
import type { CounterState } from './budget-logic.js';
import type { ThresholdEvent, ThresholdShare } from './budget-types.js';

const THRESHOLDS: readonly ThresholdShare[] = [0.5, 0.8, 1];

/** Whether `used` reached `percent` % of `max` (exact integer arithmetic). Nothing is crossed while nothing is used. */
function reached(used: bigint, max: bigint | undefined, percent: number): boolean {
  return max !== undefined && used > 0n && used * 100n >= max * BigInt(percent);
}

/**
 * Thresholds the settled usage has reached that were not reported yet in this bucket, lowest first (a jump from
 * 10 % to 100 % reports 50, 80 and 100), and the new high-water mark to store.
 */
export function newCrossings(state: CounterState): { events: ThresholdEvent[]; alertedPercent: number } {
  const limit = state.limit;
  const events: ThresholdEvent[] = [];
  let alertedPercent = state.alertedPercent;
  if (!limit) return { events, alertedPercent };
  const maxTokens = limit.maxTokens === undefined ? undefined : BigInt(limit.maxTokens);
  const maxRequests = limit.maxRequests === undefined ? undefined : BigInt(limit.maxRequests);
  for (const share of THRESHOLDS) {
    const percent = Math.round(share * 100);
    if (percent <= alertedPercent) continue;
    const crossed =
      reached(state.spentCostNano, limit.maxCostNano, percent) ||
      reached(BigInt(state.spentTokens), maxTokens, percent) ||
      reached(BigInt(state.requests), maxRequests, percent);
    if (!crossed) break;
    alertedPercent = percent;
    events.push({
      limit,
      share,
      periodKey: state.periodKey,
      usedCostNano: state.spentCostNano,
      usedTokens: state.spentTokens,
      usedRequests: state.requests,
    });
  }
  return { events, alertedPercent };
}

/**
 * Delivers threshold events after the transaction that recorded them committed (so an alert is never sent for a
 * crossing that rolled back). A throwing handler must not turn a committed settlement into a rejected call: its
 * error becomes a process warning instead.
 */
export function notify(options: { onThreshold?: (event: ThresholdEvent) => void }, events: ThresholdEvent[]): void {
  for (const event of events) {
    try {
      options.onThreshold?.(event);
    } catch (error) {
      process.emitWarning(`budget onThreshold handler threw: ${(error as Error)?.message ?? String(error)}`);
    }
  }
}
