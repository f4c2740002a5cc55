import type { BenchResult, Verdict } from './bench-result.js';

/** The gateway's performance budgets (issue: `npx switchyard bench`). */
export const BUDGETS = {
  /** Added non-stream latency at c=1, p50 and p99 (gateway − direct). */
  addedP50Ms: 0.15,
  addedP99Ms: 0.6,
  /** Added time to first content token of a stream, p99. */
  addedTtftP99Ms: 0.3,
  /** Best gateway requests/s as a share of the best direct requests/s over the sweep. */
  throughputPercent: 40,
} as const;

function verdict(
  name: string,
  measured: number,
  budget: number,
  unit: Verdict['unit'],
  kind: Verdict['kind'],
  floor: number,
): Verdict {
  const pass = Number.isFinite(measured) && (kind === 'max' ? measured <= budget : measured >= budget);
  return { name, measured, budget, unit, kind, pass, floor };
}

export function judge(result: Omit<BenchResult, 'budgets' | 'profiles'>): Verdict[] {
  const { floor } = result;
  /** An added time in ms that must stay within its budget. */
  const addedMs = (name: string, measured: number, budget: number, floorValue: number) =>
    verdict(name, measured, budget, 'ms', 'max', floorValue);
  return [
    addedMs(
      'added latency, non-stream, p50',
      result.nonStream.added.p50,
      BUDGETS.addedP50Ms,
      floor.nonStream.added.p50,
    ),
    addedMs(
      'added latency, non-stream, p99',
      result.nonStream.added.p99,
      BUDGETS.addedP99Ms,
      floor.nonStream.added.p99,
    ),
    addedMs(
      'added time to first token, p99',
      result.stream.added.ttftP99,
      BUDGETS.addedTtftP99Ms,
      floor.stream.added.ttftP99,
    ),
    verdict(
      'throughput, share of direct',
      100 * result.throughput.ratio,
      BUDGETS.throughputPercent,
      '%',
      'min',
      100 * floor.throughputRatio,
    ),
  ];
}
