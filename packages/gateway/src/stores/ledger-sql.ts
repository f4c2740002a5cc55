/**
 * SQL shared by both ledger stores (the statements are portable; only placeholders differ: `?` vs `$n`).
 */
import { FAILURE_OUTCOMES, type LedgerFilter, type LedgerGroupBy, NO_ID, type ReportRow } from './ledger-types.js';

/** What each report groups on; see `ReportRow` for the meaning. Constants only, never user input. */
export const GROUP_EXPRESSIONS: Record<LedgerGroupBy, string> = {
  model: 'COALESCE(model_served, model_requested)',
  day: 'day',
  key: `COALESCE(key_id, '${NO_ID}')`,
  user: `COALESCE(user_id, '${NO_ID}')`,
  provider: 'COALESCE(provider, backend)',
};

export type Placeholder = (index: number) => string;

/** `WHERE …` (or empty) for a filter, with its parameters; `placeholder(n)` renders the n-th (1-based) one. */
export function whereClause(filter: LedgerFilter, placeholder: Placeholder): { sql: string; params: unknown[] } {
  const parts: string[] = [];
  const params: unknown[] = [];
  const bind = (value: unknown): string => {
    params.push(value);
    return placeholder(params.length);
  };
  if (filter.from !== undefined) parts.push(`at >= ${bind(Math.floor(filter.from))}`);
  if (filter.to !== undefined) parts.push(`at < ${bind(Math.ceil(filter.to))}`);
  if (filter.keyId !== undefined) parts.push(`key_id = ${bind(filter.keyId)}`);
  if (filter.userId !== undefined) parts.push(`user_id = ${bind(filter.userId)}`);
  if (filter.requestId !== undefined) parts.push(`request_id = ${bind(filter.requestId)}`);
  if (filter.generationId !== undefined) parts.push(`generation_id = ${bind(filter.generationId)}`);
  if (filter.model !== undefined) {
    parts.push(`(model_requested = ${bind(filter.model)} OR model_served = ${bind(filter.model)})`);
  }
  return { sql: parts.length ? `WHERE ${parts.join(' AND ')}` : '', params };
}

const failures = FAILURE_OUTCOMES.map((outcome) => `'${outcome}'`).join(', ');

/** One aggregate row per group; money summed as integers in the database (exact, no float). */
export function totalsSql(groupBy: LedgerGroupBy, where: string): string {
  const group = GROUP_EXPRESSIONS[groupBy];
  if (!Object.hasOwn(GROUP_EXPRESSIONS, groupBy)) throw new RangeError(`unknown ledger grouping: ${String(groupBy)}`);
  return `SELECT ${group} AS grp,
      COUNT(DISTINCT CASE WHEN outcome = 'success' THEN request_id END) AS requests,
      COUNT(*) AS attempts,
      SUM(CASE WHEN outcome IN (${failures}) THEN 1 ELSE 0 END) AS failures,
      SUM(prompt_tokens) AS prompt_tokens,
      SUM(completion_tokens) AS completion_tokens,
      SUM(cached_tokens) AS cached_tokens,
      SUM(reasoning_tokens) AS reasoning_tokens,
      SUM(COALESCE(cost_reported_nano, cost_computed_nano, 0)) AS cost_nano,
      SUM(COALESCE(savings_nano, 0)) AS savings_nano
    FROM ledger ${where}
    GROUP BY ${group}`;
}

/**
 * Aggregate records from either driver (bigint from SQLite, decimal strings from pg) as report rows, ordered by
 * group in code-unit order: sorted here because database collations differ (PostgreSQL's locale vs SQLite's binary).
 */
export function recordsToReport(records: Record<string, unknown>[]): ReportRow[] {
  return records.map(recordToReport).sort((a, b) => (a.group < b.group ? -1 : a.group > b.group ? 1 : 0));
}

function recordToReport(r: Record<string, unknown>): ReportRow {
  return {
    group: String(r.grp),
    requests: Number(r.requests),
    attempts: Number(r.attempts),
    failures: Number(r.failures),
    promptTokens: Number(r.prompt_tokens),
    completionTokens: Number(r.completion_tokens),
    cachedTokens: Number(r.cached_tokens),
    reasoningTokens: Number(r.reasoning_tokens),
    costNano: BigInt(r.cost_nano as bigint | string),
    savingsNano: BigInt(r.savings_nano as bigint | string),
  };
}
