import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LedgerRow } from '../../src/stores/ledger-types.js';
import { openStores } from '../../src/stores/open-stores.js';
import { makeRow } from '../stores/rows.js';
import { type CliRun, cliEnv, runCli } from '../support/cli.js';
import { HELLO, post, startTestGateway } from '../support/gateway.js';
import { usePostgres } from '../support/postgres.js';

// `switchyard usage` as users run it: the built CLI in a child process with a clean environment, reading a ledger
// that a real gateway wrote (SQLite), one filled with known rows (SQLite and PostgreSQL).

const root = mkdtempSync(join(tmpdir(), 'sy-usage-'));
const home = join(root, 'home');
mkdirSync(home);

function usage(args: string[], env: Record<string, string> = {}): Promise<CliRun> {
  return runCli(['usage', ...args], {
    cwd: root,
    env: cliEnv(home, { lang: 'C.UTF-8', extra: env }),
    timeoutMs: 15_000,
  });
}

afterAll(() => rmSync(root, { recursive: true, force: true }));

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const now = Date.now();
const nano = (usd: number) => BigInt(Math.round(usd * 1e9));

/** Known rows: 1 / 0.50 / 0.25 / 0.125 USD per model (the 1 USD row 10 days old), a failed attempt, cache savings. */
function knownRows(keyId: string): LedgerRow[] {
  return [
    makeRow({
      at: now - HOUR,
      modelServed: 'openai/gpt-4o',
      modelRequested: 'openai/gpt-4o',
      costReportedNano: nano(0.3),
      keyId,
      savingsNano: nano(0.01),
      cachedTokens: 500,
    }),
    makeRow({
      at: now - 2 * HOUR,
      modelServed: 'openai/gpt-4o',
      modelRequested: 'openai/gpt-4o',
      costReportedNano: nano(0.2),
      keyId,
    }),
    makeRow({
      at: now - 2 * DAY,
      modelServed: 'anthropic/claude-3.5-haiku',
      modelRequested: 'anthropic/claude-3.5-haiku',
      provider: 'Anthropic',
      costReportedNano: nano(0.25),
    }),
    makeRow({
      at: now - 3 * HOUR,
      modelServed: 'meta-llama/llama-3.3-70b-instruct',
      modelRequested: 'meta-llama/llama-3.3-70b-instruct',
      provider: 'DeepInfra',
      costReportedNano: nano(0.125),
    }),
    makeRow({
      at: now - 3 * HOUR,
      requestId: 'req-failed',
      modelServed: undefined,
      modelRequested: 'openai/gpt-4o',
      outcome: 'failed',
      status: 500,
      code: 'server_error',
      promptTokens: 0,
      completionTokens: 0,
      costReportedNano: undefined,
      keyId,
    }),
    makeRow({
      at: now - 10 * DAY,
      modelServed: 'mistralai/mistral-small',
      modelRequested: 'mistralai/mistral-small',
      provider: 'Mistral',
      costReportedNano: nano(1),
    }),
  ];
}

/** The bar cell of a table line: the trailing run of block characters. */
const barOf = (line: string | undefined) => /([█▉▊▋▌▍▎▏]+)$/.exec(line ?? '')?.[1] ?? '';
const lineFor = (stdout: string, label: string) => stdout.split('\n').find((line) => line.startsWith(label));

describe('switchyard usage on a ledger of known rows (SQLite)', () => {
  const db = join(root, 'known', 'switchyard.db');
  let keyId = '';

  beforeAll(async () => {
    const stores = await openStores({ sqlitePath: db, ledgerWorker: false });
    try {
      const { VirtualKeys } = await import('../../src/keys/virtual-keys.js');
      const { key } = await new VirtualKeys(stores.keys).create({ name: 'billing-bot' });
      keyId = key.id;
      await stores.ledger.append(knownRows(keyId));
    } finally {
      await stores.close();
    }
  });

  it('prints a table by model with a cost bar per row scaled to the largest cost, and a total row', async () => {
    const run = await usage(['--db', db]);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines[0]).toContain('Usage by model, all time');
    expect(lines[0]).toContain(`ledger: SQLite ${db}`);
    expect(lines[1]).toMatch(/^model\s+requests\s+failed\s+tokens in\s+tokens out\s+cost\s+cache saved$/);
    // Largest cost first; the largest gets the full 20-cell bar when piped, the others their share of it.
    const order = lines.slice(3, 7).map((line) => line.split(/\s+/)[0]);
    expect(order).toEqual([
      'mistralai/mistral-small',
      'openai/gpt-4o',
      'anthropic/claude-3.5-haiku',
      'meta-llama/llama-3.3-70b-instruct',
    ]);
    expect(barOf(lineFor(run.stdout, 'mistralai/mistral-small'))).toBe('█'.repeat(20));
    expect(barOf(lineFor(run.stdout, 'openai/gpt-4o '))).toBe('█'.repeat(10));
    expect(barOf(lineFor(run.stdout, 'anthropic/'))).toBe('█'.repeat(5));
    expect(barOf(lineFor(run.stdout, 'meta-llama/'))).toBe('██▌');
    const gpt4o = lineFor(run.stdout, 'openai/gpt-4o ') ?? '';
    expect(gpt4o).toMatch(/openai\/gpt-4o\s+2\s+1\s+200\s+40\s+\$0\.500\s+\$0\.0100\s/);
    // A rule, then the total (which has no bar).
    expect(lines.at(-2)).toMatch(/^-+\s+-+/);
    expect(lines.at(-1)).toMatch(/^total\s+5\s+1\s+500\s+100\s+\$1\.88\s+\$0\.0100$/);
    // Piped: plain text, no colour codes.
    expect(run.stdout).not.toContain('\u001b[');
  }, 60_000);

  it('--since takes durations and ISO dates; --until bounds the end', async () => {
    const week = await usage(['--db', db, '--since', '7d', '--json']);
    expect(week.code).toBe(0);
    const report = JSON.parse(week.stdout);
    expect(report.rows.map((r: { group: string }) => r.group).sort()).toEqual([
      'anthropic/claude-3.5-haiku',
      'meta-llama/llama-3.3-70b-instruct',
      'openai/gpt-4o',
    ]);
    expect(report.total.costUsd).toBe('0.875000000');

    const hours = await usage(['--db', db, '--since', '90m', '--json']);
    expect(JSON.parse(hours.stdout).total).toMatchObject({ requests: 1, costUsd: '0.300000000' });

    const isoDay = new Date(now - 5 * DAY).toISOString().slice(0, 10);
    const fromDate = await usage(['--db', db, '--since', isoDay, '--json']);
    expect(JSON.parse(fromDate.stdout).total.costUsd).toBe('0.875000000');
    expect(JSON.parse(fromDate.stdout).filter.from).toBe(Date.parse(`${isoDay}T00:00:00Z`));

    const older = await usage(['--db', db, '--until', '7d', '--json']);
    expect(JSON.parse(older.stdout).total).toMatchObject({ requests: 1, costUsd: '1.000000000' });

    const table = await usage(['--db', db, '--since', '7d']);
    expect(table.stdout.split('\n')[0]).toMatch(/since \d{4}-\d\d-\d\d \d\d:\d\d UTC \(last 7d\)/);
    expect(table.stdout).not.toContain('mistralai');
  }, 60_000);

  it('--by day (oldest first), --by key (with key names), --by provider', async () => {
    const days = await usage(['--db', db, '--by', 'day']);
    expect(days.code).toBe(0);
    const dayRows = days.stdout
      .split('\n')
      .filter((line) => /^\d{4}-\d\d-\d\d\s/.test(line))
      .map((line) => line.slice(0, 10));
    expect(dayRows).toEqual([...dayRows].sort());
    expect(dayRows).toContain(new Date(now - 10 * DAY).toISOString().slice(0, 10));

    const keys = await usage(['--db', db, '--by', 'key']);
    expect(keys.stdout).toContain(`${keyId} (billing-bot)`);
    expect(keys.stdout).toMatch(/^\(none\)\s/m);

    const providers = await usage(['--db', db, '--by', 'provider', '--json']);
    const groups = JSON.parse(providers.stdout).rows.map((r: { group: string }) => r.group);
    expect(groups).toEqual(['Anthropic', 'DeepInfra', 'Mistral', 'OpenAI']);
  }, 60_000);

  it('--json and --csv carry exact money and the total', async () => {
    const json = JSON.parse((await usage(['--db', db, '--json'])).stdout);
    expect(json.groupBy).toBe('model');
    expect(json.total).toMatchObject({
      requests: 5,
      attempts: 6,
      failures: 1,
      costUsd: '1.875000000',
      savingsUsd: '0.010000000',
    });
    const gpt = json.rows.find((r: { group: string }) => r.group === 'openai/gpt-4o');
    expect(gpt).toMatchObject({ requests: 2, attempts: 3, failures: 1, costNano: '500000000', cachedTokens: 500 });

    const csv = await usage(['--db', db, '--csv', '--by', 'provider']);
    expect(csv.code).toBe(0);
    const lines = csv.stdout.trimEnd().split('\r\n');
    expect(lines[0]).toBe(
      'group,requests,attempts,failures,prompt_tokens,completion_tokens,cached_tokens,reasoning_tokens,cost_usd,savings_usd',
    );
    expect(lines.at(-1)).toBe('total,5,6,1,500,100,500,0,1.875000000,0.010000000');
    expect(lines).toHaveLength(6);
  }, 60_000);

  it('colours only when asked (FORCE_COLOR) and never with NO_COLOR', async () => {
    const forced = await usage(['--db', db], { FORCE_COLOR: '1' });
    expect(forced.stdout).toContain('\u001b[36m█');
    const off = await usage(['--db', db], { FORCE_COLOR: '1', NO_COLOR: '1' });
    expect(off.stdout).not.toContain('\u001b[');
  }, 60_000);

  it('rejects wrong usage with one line and exit code 2', async () => {
    const cases: [string[], RegExp][] = [
      [['--since', 'yesterday'], /--since expects a duration back from now .* got "yesterday"/],
      [['--since', '1d', '--until', '2d'], /--since .* must be before --until/],
      [['--json', '--csv'], /choose one of --json and --csv/],
      [['--by', 'color'], /argument 'color' is invalid/],
    ];
    for (const [args, message] of cases) {
      const run = await usage(['--db', db, ...args]);
      expect(run.code, args.join(' ')).toBe(2);
      expect(run.stderr).toMatch(message);
      expect(run.stdout).toBe('');
    }
    const missing = await usage(['--db', join(root, 'nowhere', 'x.db')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr.trim()).toMatch(/^switchyard: no ledger at .*nowhere\/x\.db: /);
    expect(missing.stderr.trim().split('\n')).toHaveLength(1);
  }, 60_000);

  it('says so when the window holds nothing', async () => {
    const run = await usage(['--db', db, '--since', '2000-01-01', '--until', '2000-01-02']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('No usage recorded in this window.');
  }, 60_000);

  it('documents itself with examples', async () => {
    const run = await usage(['--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Examples:');
    expect(run.stdout).toContain('--since <when>');
  }, 60_000);
});

describe('switchyard usage on a ledger written by a running gateway', () => {
  it('shows what the gateway recorded: requests per model, failed attempts, cost', async () => {
    const dir = join(root, 'gateway');
    mkdirSync(dir);
    const db = join(dir, 'switchyard.db');
    const gw = await startTestGateway({ sqlitePath: db });
    try {
      for (const model of ['openai/gpt-4o-mini', 'openai/gpt-4o-mini', 'anthropic/claude-3.5-haiku']) {
        expect((await post(`${gw.baseURL}/chat/completions`, { ...HELLO, model })).status).toBe(200);
      }
      const failed = await post(`${gw.baseURL}/chat/completions`, HELLO, { 'x-simulator-fault': '500' });
      expect(failed.status).toBeGreaterThanOrEqual(500);
    } finally {
      await gw.stop(); // flushes the ledger
    }
    const run = await usage(['--db', db]);
    expect(run.code).toBe(0);
    const mini = lineFor(run.stdout, 'openai/gpt-4o-mini') ?? '';
    expect(mini).toMatch(/^openai\/gpt-4o-mini\s+2\s+[1-9]\d*\s/);
    expect(barOf(mini).length).toBeGreaterThan(0);
    expect(lineFor(run.stdout, 'anthropic/claude-3.5-haiku')).toMatch(/\s1\s+0\s/);
    const json = JSON.parse((await usage(['--db', db, '--json'])).stdout);
    expect(json.total.requests).toBe(3);
    expect(json.total.failures).toBeGreaterThan(0);
    expect(Number(json.total.costUsd)).toBeGreaterThan(0);
  }, 60_000);
});

describe('switchyard usage on PostgreSQL (DATABASE_URL)', () => {
  const pg = usePostgres();

  it('reads the same report from the PostgreSQL ledger, naming it without credentials', async () => {
    const url = await pg.server.createDatabase();
    const stores = await openStores({ databaseUrl: url });
    try {
      await stores.ledger.append(knownRows('key_pg'));
    } finally {
      await stores.close();
    }
    const withPassword = url.replace('postgres://postgres@', 'postgres://postgres:pw-not-shown@');
    const run = await usage(['--since', '7d'], { DATABASE_URL: withPassword });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`ledger: PostgreSQL postgres://127.0.0.1:${pg.server.port}/`);
    expect(run.stdout).not.toContain('pw-not-shown');
    expect(barOf(lineFor(run.stdout, 'openai/gpt-4o '))).toBe('█'.repeat(20));
    const json = JSON.parse((await usage(['--json', '--since', '7d'], { DATABASE_URL: url })).stdout);
    expect(json.total).toMatchObject({ requests: 4, failures: 1, costUsd: '0.875000000' });
  }, 60_000);

  it('fails with exit 1 and the host only when PostgreSQL cannot be reached', async () => {
    const run = await usage([], { DATABASE_URL: 'postgres://app:s3cret-pw@127.0.0.1:1/app' });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('postgres://127.0.0.1:1/app');
    expect(run.stderr).not.toContain('s3cret-pw');
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
  }, 60_000);
});
