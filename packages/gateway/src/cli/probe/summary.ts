import type { Output } from '../support/output.js';
import { usd } from '../support/output.js';
import { seconds } from './duration.js';
import type { ProbeResult } from './probe-result.js';

/** The summary of a probe (also stored as `summary` in the results file). */
export interface ProbeSummary {
  models_tested: number;
  succeeded: number;
  failed: number;
  /** 0–100, one decimal. */
  success_rate: number;
  /** Mean latency of the successful tests. */
  average_latency_ms: number | null;
  average_ttft_ms: number | null;
  /** Wall time of every run that wrote the file (resumed runs add up). */
  total_duration_ms: number;
  total_tokens: number;
  total_cost_usd: number;
  failed_models: { model: string; reason: string }[];
  /** The five fastest successful models, fastest first. */
  fastest: { model: string; latency_ms: number }[];
}

const mean = (values: number[]) =>
  values.length === 0 ? null : Math.round(values.reduce((a, b) => a + b, 0) / values.length);

export function summarize(results: readonly ProbeResult[], durationMs: number): ProbeSummary {
  const ok = results.filter((r) => r.success);
  const failed = results.filter((r) => !r.success);
  const latencies = ok.map((r) => r.latency_ms).filter((v): v is number => v !== null);
  const ttfts = ok.map((r) => r.ttft_ms).filter((v): v is number => v !== null);
  return {
    models_tested: results.length,
    succeeded: ok.length,
    failed: failed.length,
    success_rate: results.length === 0 ? 0 : Math.round((ok.length / results.length) * 1000) / 10,
    average_latency_ms: mean(latencies),
    average_ttft_ms: mean(ttfts),
    total_duration_ms: Math.round(durationMs),
    total_tokens: results.reduce((sum, r) => sum + (r.tokens?.total ?? 0), 0),
    total_cost_usd: results.reduce((sum, r) => sum + r.cost_usd, 0),
    failed_models: failed.map((r) => ({ model: r.model, reason: r.reason ?? 'failed' })),
    fastest: ok
      .filter((r) => r.latency_ms !== null)
      .sort((a, b) => (a.latency_ms as number) - (b.latency_ms as number))
      .slice(0, 5)
      .map((r) => ({ model: r.model, latency_ms: r.latency_ms as number })),
  };
}

function totalDuration(ms: number): string {
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} seconds`;
  if (ms < 3_600_000) return `${(ms / 60_000).toFixed(1)} minutes`;
  return `${(ms / 3_600_000).toFixed(1)} hours`;
}

/** The summary block of the requirement docs' model test, with the same lines in the same order. */
export function formatSummary(s: ProbeSummary, output: Output): string {
  const rule = '='.repeat(80);
  const lines = [
    output.bold('SWITCHYARD MODEL PROBE SUMMARY'),
    rule,
    `Total Models Tested: ${s.models_tested}`,
    `Successful Tests: ${s.succeeded}`,
    `Failed Tests: ${s.failed}`,
    `Success Rate: ${s.success_rate.toFixed(1)}%`,
    `Average Latency: ${s.average_latency_ms === null ? '—' : `${seconds(s.average_latency_ms)} seconds`}`,
    `Average Time To First Token: ${s.average_ttft_ms === null ? '—' : `${seconds(s.average_ttft_ms)} seconds`}`,
    `Total Tokens: ${s.total_tokens.toLocaleString('en-US')}`,
    `Total Cost: ${usd(s.total_cost_usd)}`,
    `Total Duration: ${totalDuration(s.total_duration_ms)}`,
  ];
  if (s.failed_models.length > 0) {
    lines.push('', output.red('FAILED MODELS:'));
    for (const f of s.failed_models) lines.push(`  - ${f.model}: ${f.reason}`);
  }
  if (s.fastest.length > 0) {
    lines.push('', output.green(`TOP ${s.fastest.length} FASTEST MODELS:`));
    s.fastest.forEach((f, i) => {
      lines.push(`  ${i + 1}. ${f.model}: ${seconds(f.latency_ms)}s`);
    });
  }
  return lines.join('\n');
}
