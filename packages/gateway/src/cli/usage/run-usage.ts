import { existsSync } from 'node:fs';
import { ledgerTarget, safeMessage } from '../../shared/connection-targets.js';
import type { LedgerFilter, LedgerGroupBy } from '../../stores/ledger-types.js';
import { FailureExit, UsageError } from '../support/exit-codes.js';
import { createOutput } from '../support/output.js';
import { render } from './usage-table.js';

// The implementation of `switchyard usage` (commands/usage.ts defines the command). The stores (better-sqlite3,
// pg) and the report code are imported further down, once the flags are known to be valid.

export interface UsageFlags {
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

/** Read the ledger, build the report and print it (table, JSON or CSV). */
export async function runUsage(flags: UsageFlags): Promise<void> {
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
    // The stores' errors name the ledger (file, or server without credentials) themselves.
    throw new FailureExit(safeMessage(error, [config.databaseUrl]));
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
}
