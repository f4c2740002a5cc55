import { existsSync } from 'node:fs';
import { type Command, Option } from 'commander';
import type { LedgerFilter, LedgerGroupBy, ReportRow } from '../../stores/ledger-types.js';
import type { Report } from '../../stores/reports.js';
import { ledgerTarget, safeMessage } from '../doctor/targets.js';
import { FailureExit, UsageError } from '../support/exit-codes.js';
import { createOutput, type Output, table, usd } from '../support/output.js';

// The stores (better-sqlite3, pg) and the report code are imported inside the action: this module is loaded by every
// `switchyard` run, and start-up must stay fast.

const GROUPS = ['model', 'day', 'key', 'provider', 'user'] as const;

interface UsageFlags {
  since?: string;
  until?: string;
  by: LedgerGroupBy;
  key?: string;
  model?: string;
  json?: boolean;
  csv?: boolean;
  config?: string;
  db?: string;
}

const UNIT_MS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 };
const ISO = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)(Z|[+-]\d{2}:?\d{2})?)?$/i;

/**
 * A point in time for `--since`/`--until`: a duration back from `now` (`90m`, `12h`, `7d`, `2w`) or an ISO date
 * (`2025-06-01` = midnight UTC) or date-time (`2025-06-01T12:00`, UTC unless it carries an offset).
 */
export function parseWhen(text: string, flag: string, now = Date.now()): number {
  const value = text.trim();
  const duration = /^(\d+(?:\.\d+)?)\s*([mhdw])$/i.exec(value);
  if (duration) return now - Number(duration[1]) * (UNIT_MS[(duration[2] as string).toLowerCase()] as number);
  const iso = ISO.exec(value);
  if (iso) {
    const at = Date.parse(`${iso[1]}T${iso[2] ?? '00:00'}${iso[3] ?? 'Z'}`);
    if (Number.isFinite(at)) return at;
  }
  throw new UsageError(
    `${flag} expects a duration back from now (30m, 12h, 7d, 2w) or an ISO date (2025-06-01, 2025-06-01T12:00Z), got "${text}"`,
  );
}

const utc = (ms: number) => new Date(ms).toISOString().replace('T', ' ').slice(0, 16);

function windowText(filter: LedgerFilter, flags: UsageFlags): string {
  const parts: string[] = [];
  if (filter.from !== undefined)
    parts.push(`since ${utc(filter.from)} UTC${flags.since && !ISO.test(flags.since) ? ` (last ${flags.since})` : ''}`);
  if (filter.to !== undefined) parts.push(`until ${utc(filter.to)} UTC`);
  if (parts.length === 0) parts.push('all time');
  if (filter.keyId) parts.push(`key ${filter.keyId}`);
  if (filter.model) parts.push(`model ${filter.model}`);
  return parts.join(', ');
}

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
function render(report: Report, names: Map<string, string>, output: Output): string {
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

/** `switchyard usage`: what the gateway's ledger recorded, grouped, with a bar per row. */
export function registerUsage(program: Command): void {
  program
    .command('usage')
    .description('spend, tokens, requests and failures from the gateway ledger, with a cost bar per row')
    .option('--since <when>', 'from this time: 30m, 12h, 7d, 2w back, or an ISO date (default: all time)')
    .option('--until <when>', 'up to (not including) this time, same forms as --since (default: now)')
    .addOption(
      new Option('--by <group>', 'one row per model, day, key, provider or user').choices(GROUPS).default('model'),
    )
    .option('--key <id>', 'only requests made with this virtual key (key_…)')
    .option('--model <id>', 'only this model (requested or served)')
    .option('--json', 'print the report as JSON (money as exact decimal strings)')
    .option('--csv', 'print the report as CSV (the last line is the total)')
    .option('-c, --config <file>', 'switchyard.toml to read ([gateway] sqlite_path, database_url)')
    .option('--db <path>', 'SQLite ledger (default .switchyard/switchyard.db; DATABASE_URL selects PostgreSQL)')
    .addHelpText(
      'after',
      [
        '',
        'Examples:',
        '  switchyard usage                          everything, one row per model',
        '  switchyard usage --since 7d --by day      the last 7 days, one row per UTC day',
        '  switchyard usage --since 2025-06-01 --by key --csv > june.csv',
        '  DATABASE_URL=postgres://… switchyard usage --by provider --json',
        '',
        'Reads the ledger `switchyard serve` writes: every upstream attempt with its tokens and cost. "requests" counts',
        'requests that succeeded (once, where they succeeded); "failed" counts failed attempts (retries, fallbacks,',
        'errors). Cost is what the provider reported, else what the catalog prices give.',
      ].join('\n'),
    )
    .action(async (flags: UsageFlags) => {
      if (flags.json && flags.csv) throw new UsageError('choose one of --json and --csv');
      const now = Date.now();
      const filter: LedgerFilter = {};
      if (flags.since !== undefined) filter.from = parseWhen(flags.since, '--since', now);
      if (flags.until !== undefined) filter.to = parseWhen(flags.until, '--until', now);
      if (filter.from !== undefined && filter.to !== undefined && filter.from >= filter.to)
        throw new UsageError(`--since (${utc(filter.from)} UTC) must be before --until (${utc(filter.to)} UTC)`);
      if (flags.key) filter.keyId = flags.key;
      if (flags.model) filter.model = flags.model;

      const [{ loadConfig }, { resolveGatewayConfig }, { openStores }, reports] = await Promise.all([
        import('@switchyard/sdk/config'),
        import('../../config/gateway-config.js'),
        import('../../stores/open-stores.js'),
        import('../../stores/reports.js'),
      ]);
      const config = resolveGatewayConfig({ sqlitePath: flags.db, fileConfig: await loadConfig(flags.config) });
      const where = ledgerTarget(config);
      if (!config.databaseUrl && config.sqlitePath !== ':memory:' && !existsSync(config.sqlitePath)) {
        throw new UsageError(
          `no ledger at ${config.sqlitePath}: run this where \`switchyard serve\` runs, or pass --db <file> or set DATABASE_URL`,
        );
      }
      let stores: Awaited<ReturnType<typeof openStores>>;
      try {
        stores = await openStores({
          databaseUrl: config.databaseUrl,
          sqlitePath: config.sqlitePath,
          ledgerWorker: false,
        });
      } catch (error) {
        throw new FailureExit(`cannot open the ledger (${where}): ${safeMessage(error, [config.databaseUrl])}`);
      }
      try {
        const report = await reports.buildReport(stores.ledger, flags.by, filter);
        if (flags.json) {
          process.stdout.write(`${reports.reportToJson(report, 2)}\n`);
          return;
        }
        if (flags.csv) {
          process.stdout.write(reports.toCsv([...report.rows, report.total]));
          return;
        }
        const output = createOutput();
        const names = new Map<string, string>();
        if (flags.by === 'key') for (const key of await stores.keys.list()) names.set(key.id, key.name);
        output.out(output.dim(`Usage by ${flags.by}, ${windowText(filter, flags)} — ledger: ${where}`));
        if (report.rows.length === 0) {
          output.out('No usage recorded in this window.');
          return;
        }
        output.out(render(report, names, output));
      } finally {
        await stores.close();
      }
    });
}
