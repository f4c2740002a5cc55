import type { BudgetPeriod } from './budget-types.js';

/** The counter bucket of a period at an instant, in UTC: `2026-11-21`, `2026-11` or `total`. */
export function periodKey(period: BudgetPeriod, now: number): string {
  if (period === 'total') return 'total';
  const iso = new Date(now).toISOString();
  return period === 'day' ? iso.slice(0, 10) : iso.slice(0, 7);
}

export const PERIODS: readonly BudgetPeriod[] = ['day', 'month', 'total'];
