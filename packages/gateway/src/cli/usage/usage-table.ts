import type { LedgerGroupBy, ReportRow } from '../../stores/ledger-types.js';
import type { Report } from '../../stores/reports.js';
import { type Output, table, usd } from '../support/output.js';

// How `switchyard usage` shows a report in a terminal: an aligned table, a cost bar per row, a total row.

const EIGHTHS = ['', '▏', '▎', '▍', '▌', '▋', '▊', '▉'];

/** A horizontal bar of `width` cells at most, in eighths of a cell; any non-zero value shows at least a sliver. */
export function bar(value: number, max: number, width: number): string {
  if (!(max > 0) || !(value > 0)) return '';
  const eighths = Math.max(1, Math.round((value / max) * width * 8));
  return '█'.repeat(Math.floor(eighths / 8)) + (EIGHTHS[eighths % 8] as string);
}

const count = (n: number) => n.toLocaleString('en-US');
const dollars = (nano: bigint) => Number(nano) / 1e9;

function label(row: ReportRow, by: LedgerGroupBy, names: Map<string, string>): string {
  const name = by === 'key' ? names.get(row.group) : undefined;
  return name ? `${row.group} (${name})` : row.group;
}

/** The report as an aligned table with a cost bar per row and a total row. */
export function render(report: Report, names: Map<string, string>, output: Output): string {
  const by = report.groupBy;
  const rows =
    by === 'day'
      ? [...report.rows].sort((a, b) => (a.group < b.group ? -1 : 1))
      : [...report.rows].sort((a, b) =>
          b.costNano > a.costNano ? 1 : b.costNano < a.costNano ? -1 : b.requests - a.requests,
        );
  const max = rows.reduce((m, r) => Math.max(m, dollars(r.costNano)), 0);
  const cells = (r: ReportRow, group: string) => [
    group,
    count(r.requests),
    r.failures > 0 ? output.red(count(r.failures)) : '0',
    count(r.promptTokens),
    count(r.completionTokens),
    usd(dollars(r.costNano)),
    r.savingsNano > 0n ? output.green(usd(dollars(r.savingsNano))) : '$0',
  ];
  const columns = [
    { header: by, max: 48 },
    { header: 'requests', align: 'right' as const },
    { header: 'failed', align: 'right' as const },
    { header: 'tokens in', align: 'right' as const },
    { header: 'tokens out', align: 'right' as const },
    { header: 'cost', align: 'right' as const },
    { header: 'cache saved', align: 'right' as const },
  ];
  const body = rows.map((r) => cells(r, label(r, by, names)));
  const total = cells(report.total, 'total').map((cell) => output.bold(cell));
  // In a terminal the bar takes what the width leaves (10 to 40 cells); 20 cells when piped.
  const used = table(columns, [...body, total]).split('\n')[0]?.length ?? 0;
  const width = output.interactive ? Math.max(10, Math.min(40, output.columns - used - 3)) : 20;
  const lines = table(
    [...columns, { header: '' }],
    [
      ...body.map((cellsOfRow, i) => [
        ...cellsOfRow,
        output.cyan(bar(dollars((rows[i] as ReportRow).costNano), max, width)),
      ]),
      total,
    ],
  ).split('\n');
  // A rule above the total row, like the one under the header.
  lines.splice(lines.length - 1, 0, lines[1] as string);
  return lines.join('\n');
}
