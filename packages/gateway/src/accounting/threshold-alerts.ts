import type { Logger } from '../logging/logger.js';
import type { GatewayMetrics } from '../metrics/metrics.js';
import type { ThresholdEvent } from '../stores/budget-types.js';

/** What a budget crossing 50 / 80 / 100 % does: one warn line, and a count in the metrics when there are any. */
export function thresholdAlert(logger: Logger, metrics?: GatewayMetrics): (event: ThresholdEvent) => void {
  return (event) => {
    metrics?.budgetAlert(event.limit.scope, event.limit.period, event.share);
    logger.warn(
      {
        scope: event.limit.scope,
        scopeId: event.limit.scopeId,
        period: event.limit.period,
        periodKey: event.periodKey,
        share: event.share,
      },
      `budget threshold: ${Math.round(event.share * 100)} % of the ${event.limit.scope} ${event.limit.period} budget used`,
    );
  };
}
