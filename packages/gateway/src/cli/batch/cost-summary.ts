import { formatDuration } from '../probe/duration.js';
import { type Output, table, usd } from '../support/output.js';
import type { BatchRecord } from './batch-record.js';

export interface BatchTotals {
  lines: number;
  ok: number;
  failed: number;
  badLines: number;
  promptTokens: number;
  completionTokens: number;
  costUsd: number;
  byModel: Map<string, { ok: number; failed: number; tokens: number; costUsd: number }>;
}

export function totalsOf(records: Iterable<BatchRecord>): BatchTotals {
  const totals: BatchTotals = {
    lines: 0,
    ok: 0,
    failed: 0,
    badLines: 0,
    promptTokens: 0,
    completionTokens: 0,
    costUsd: 0,
    byModel: new Map(),
  };
  for (const r of records) {
    totals.lines++;
    if (r.error?.code === 'bad_line') {
      totals.badLines++;
      continue;
    }
    if (r.error) totals.failed++;
    else totals.ok++;
    totals.promptTokens += r.usage?.prompt_tokens ?? 0;
    totals.completionTokens += r.usage?.completion_tokens ?? 0;
    totals.costUsd += r.cost_usd ?? 0;
    const key = r.model ?? '(default model)';
    const row = totals.byModel.get(key) ?? { ok: 0, failed: 0, tokens: 0, costUsd: 0 };
    if (r.error) row.failed++;
    else row.ok++;
    row.tokens += r.usage?.total_tokens ?? 0;
    row.costUsd += r.cost_usd ?? 0;
    totals.byModel.set(key, row);
  }
  return totals;
}

export interface RunFacts {
  out: string;
  durationMs: number;
  /** Requests sent by this run and what they cost (earlier runs of a resumed batch are in the totals). */
  requests: number;
  runCostUsd: number;
  /** Lines of the input not in the output yet (stopped by Ctrl-C or the budget). */
  notRun: number;
}

const count = (n: number) => n.toLocaleString('en-US');

/** The cost summary printed when a batch ends. */
export function formatBatchSummary(totals: BatchTotals, run: RunFacts, output: Output): string {
  const parts = [`${count(totals.ok)} ok`, `${count(totals.failed)} failed`, `${count(totals.badLines)} bad`];
  const lines = [
    output.bold('BATCH SUMMARY'),
    '='.repeat(60),
    `Lines written:  ${count(totals.lines)} (${parts.join(', ')})${run.notRun > 0 ? output.yellow(`; ${count(run.notRun)} not run yet`) : ''}`,
    `Requests sent:  ${count(run.requests)} in this run (${usd(run.runCostUsd)})`,
    `Tokens:         ${count(totals.promptTokens)} prompt + ${count(totals.completionTokens)} completion = ${count(totals.promptTokens + totals.completionTokens)}`,
    `Total cost:     ${usd(totals.costUsd)}`,
    `Duration:       ${formatDuration(run.durationMs)}`,
    `Output:         ${run.out}`,
  ];
  if (totals.byModel.size > 0) {
    lines.push(
      '',
      table(
        [
          { header: 'MODEL' },
          { header: 'OK', align: 'right' },
          { header: 'FAILED', align: 'right' },
          { header: 'TOKENS', align: 'right' },
          { header: 'COST', align: 'right' },
        ],
        [...totals.byModel.entries()]
          .sort((a, b) => b[1].costUsd - a[1].costUsd)
          .map(([model, r]) => [model, count(r.ok), count(r.failed), count(r.tokens), usd(r.costUsd)]),
      ),
    );
  }
  return lines.join('\n');
}
