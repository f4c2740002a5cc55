import type { AttemptRecord, ChatResult, Switchyard } from '@switchyard/sdk';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { BoundedLabels } from './bounded-labels.js';

const BREAKER_STATE = { closed: 0, half_open: 1, open: 2 } as const;

/**
 * Prometheus metrics of one gateway: traffic, latency and time to first token, tokens, cost, and the routing
 * engine's retries, fallbacks, breaker states and upstream errors by model and code (fallback frequency and error
 * rates per model). A registry per gateway, so several gateways in one process (tests) don't collide.
 */
export class GatewayMetrics {
  readonly registry = new Registry();
  private readonly requests = new Counter({
    name: 'switchyard_requests_total',
    help: 'HTTP requests by route and status',
    labelNames: ['route', 'status'],
    registers: [this.registry],
  });
  private readonly duration = new Histogram({
    name: 'switchyard_request_duration_seconds',
    help: 'Time from request to last byte, by route',
    labelNames: ['route'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [this.registry],
  });
  private readonly ttft = new Histogram({
    name: 'switchyard_ttft_seconds',
    help: 'Time to first content token of streams, by served model',
    labelNames: ['model'],
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 16],
    registers: [this.registry],
  });
  private readonly tokens = new Counter({
    name: 'switchyard_tokens_total',
    help: 'Tokens by served model and kind',
    labelNames: ['model', 'kind'],
    registers: [this.registry],
  });
  private readonly cost = new Counter({
    name: 'switchyard_cost_usd_total',
    help: 'Cost in USD by served model',
    labelNames: ['model'],
    registers: [this.registry],
  });
  private readonly attempts = new Counter({
    name: 'switchyard_attempts_total',
    help: 'Upstream attempts by model and outcome',
    labelNames: ['model', 'outcome'],
    registers: [this.registry],
  });
  private readonly retries = new Counter({
    name: 'switchyard_retries_total',
    help: 'Retries by model and error code',
    labelNames: ['model', 'code'],
    registers: [this.registry],
  });
  private readonly fallbacks = new Counter({
    name: 'switchyard_fallbacks_total',
    help: 'Fallbacks from one model to the next',
    labelNames: ['from', 'to', 'reason'],
    registers: [this.registry],
  });
  private readonly upstreamErrors = new Counter({
    name: 'switchyard_upstream_errors_total',
    help: 'Failed attempts by model and error code',
    labelNames: ['model', 'code'],
    registers: [this.registry],
  });
  private readonly breakers = new Gauge({
    name: 'switchyard_breaker_state',
    help: 'Circuit breaker state (0 closed, 1 half-open, 2 open)',
    labelNames: ['key'],
    registers: [this.registry],
  });
  private readonly budgetAlerts = new Counter({
    name: 'switchyard_budget_alerts_total',
    help: 'Budget thresholds crossed (50, 80, 100 %), by scope and period',
    labelNames: ['scope', 'period', 'percent'],
    registers: [this.registry],
  });
  /** Model ids label series only while bounded (see BoundedLabels); `observe` teaches it the catalog. */
  private models = new BoundedLabels();
  private readonly breakerKeys = new BoundedLabels(() => false, 500);
  private inflightNow: () => number = () => 0;
  private readonly inflight: Gauge = new Gauge({
    name: 'switchyard_inflight_requests',
    help: 'Requests being served',
    registers: [this.registry],
    collect: (): void => this.inflight.set(this.inflightNow()),
  });

  constructor(options: { defaults?: boolean } = {}) {
    if (options.defaults !== false) collectDefaultMetrics({ register: this.registry });
  }

  /** Wires the SDK's routing events into the metrics. */
  observe(sy: Switchyard): void {
    this.models = new BoundedLabels((id) => sy.models.getNow(id)?.model !== undefined);
    const model = (id: string) => this.models.of(id);
    const key = (k: string) => this.breakerKeys.of(k);
    sy.on('retry', (e) => this.retries.inc({ model: model(e.model), code: e.code }));
    sy.on('fallback', (e) => this.fallbacks.inc({ from: model(e.from), to: model(e.to), reason: e.reason }));
    sy.on('breaker_open', (e) => this.breakers.set({ key: key(e.key) }, BREAKER_STATE.open));
    sy.on('breaker_half_open', (e) => this.breakers.set({ key: key(e.key) }, BREAKER_STATE.half_open));
    sy.on('breaker_close', (e) => this.breakers.set({ key: key(e.key) }, BREAKER_STATE.closed));
  }

  request(route: string, status: number, seconds: number): void {
    this.requests.inc({ route, status: String(status) });
    this.duration.observe({ route }, seconds);
  }

  budgetAlert(scope: string, period: string, share: number): void {
    this.budgetAlerts.inc({ scope, period, percent: String(Math.round(share * 100)) });
  }

  /** The in-flight gauge reads this when scraped. */
  trackInflight(count: () => number): void {
    this.inflightNow = count;
  }

  attemptsOf(trace: readonly AttemptRecord[] | undefined): void {
    for (const a of trace ?? []) {
      const model = a.model ? this.models.of(a.model) : '(default)';
      this.attempts.inc({ model, outcome: a.outcome });
      if (a.outcome !== 'success' && a.code) this.upstreamErrors.inc({ model, code: a.code });
    }
  }

  result(result: ChatResult, streamed: boolean): void {
    const model = this.models.of(result.model);
    this.tokens.inc({ model, kind: 'prompt' }, result.usage.promptTokens);
    this.tokens.inc({ model, kind: 'completion' }, result.usage.completionTokens);
    if (result.usage.cachedTokens) this.tokens.inc({ model, kind: 'cached' }, result.usage.cachedTokens);
    if (result.usage.reasoningTokens) this.tokens.inc({ model, kind: 'reasoning' }, result.usage.reasoningTokens);
    if (result.cost.usd > 0) this.cost.inc({ model }, result.cost.usd);
    if (streamed && result.timing.ttftMs !== undefined) this.ttft.observe({ model }, result.timing.ttftMs / 1000);
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
