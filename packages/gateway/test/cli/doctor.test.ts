import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type SimulatorHandle, startSimulator } from '@switchyard/simulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStores } from '../../src/stores/open-stores.js';
import { makeRow } from '../stores/rows.js';
import { type CliRun, cliEnv, runCli } from '../support/cli.js';
import { usePostgres } from '../support/postgres.js';
import { useRedis } from '../support/redis.js';

// `switchyard doctor` as users run it: the built CLI in a child process with a clean environment, against a real
// simulator on loopback (standing in for OpenRouter), real Redis and PostgreSQL servers and a real SQLite ledger.

const root = mkdtempSync(join(tmpdir(), 'sy-doctor-'));
const home = join(root, 'home');
mkdirSync(home);

const KEY = 'sk-or-v1-doctortest0123456789abcdef0123456789abcdef';
const MANAGEMENT_KEY = 'sk-or-v1-doctormgmt0123456789abcdef0123456789abcdef';
const UNKNOWN_KEY = 'sk-or-v1-notregistered0123456789abcdef0123456789ab';

interface Check {
  name: string;
  status: 'ok' | 'info' | 'skip' | 'fail';
  detail: string;
}

function doctor(args: string[], env: Record<string, string> = {}, cwd = root): Promise<CliRun> {
  return runCli(['doctor', '--timeout', '5', ...args], {
    cwd,
    env: cliEnv(home, { lang: 'C.UTF-8', extra: env }),
    timeoutMs: 30_000,
  });
}

/** The line of one check: `STATUS  name  detail`. */
const line = (stdout: string, name: string) =>
  stdout.split('\n').find((l) => new RegExp(`^[A-Z]{2,4}\\s+${name.replace(' ', '\\s')}\\s`).test(l)) ?? '';

let sim: SimulatorHandle;
let sqlite: string;

beforeAll(async () => {
  sim = await startSimulator({
    port: 0,
    host: '127.0.0.1',
    pace: 'instant',
    openKeys: false,
    keys: [
      { key: KEY, limit: 25 },
      { key: MANAGEMENT_KEY, management: true },
    ],
  });
  sqlite = join(root, 'ledger', 'switchyard.db');
  const stores = await openStores({ sqlitePath: sqlite, ledgerWorker: false });
  await stores.ledger.append([makeRow({ at: Date.now() - 60_000 })]);
  await stores.close();
});

afterAll(async () => {
  await sim?.close();
  rmSync(root, { recursive: true, force: true });
});

describe('switchyard doctor', () => {
  const redis = useRedis();
  const pg = usePostgres();

  it('all green against a simulator with a key, PostgreSQL and Redis: one line per check, exit 0', async () => {
    const database = await pg.server.createDatabase();
    const run = await doctor([], {
      OPENROUTER_API_KEY: KEY,
      OPENROUTER_BASE_URL: sim.url,
      DATABASE_URL: database,
      REDIS_URL: redis.server.url,
    });
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stderr).toBe('');
    expect(line(run.stdout, 'node')).toMatch(/^OK\s+node\s+Node\.js 2\d\./);
    expect(line(run.stdout, 'config')).toMatch(/^INFO\s+config\s+no switchyard\.toml .*config init/);
    expect(line(run.stdout, 'api key')).toMatch(/^OK\s+api key\s+sk-or-v1-do…ef \(from env OPENROUTER_API_KEY\)$/);
    expect(line(run.stdout, 'key valid')).toMatch(/^OK\s+key valid\s+accepted by .*: limit \$25\.00, \$25\.00 left/);
    // An ordinary key may not read /credits: said, but not a failure.
    expect(line(run.stdout, 'credits')).toMatch(/^INFO\s+credits\s+.*needs a management key \(not a problem\)/);
    expect(line(run.stdout, 'catalog')).toMatch(/^OK\s+catalog\s+\d+ models from http:\/\/127\.0\.0\.1:\d+\/api\/v1$/);
    expect(line(run.stdout, 'ledger')).toMatch(
      new RegExp(`^OK\\s+ledger\\s+PostgreSQL postgres://127\\.0\\.0\\.1:${pg.server.port}/\\w+: reachable`),
    );
    expect(line(run.stdout, 'redis')).toMatch(
      /^OK\s+redis\s+redis:\/\/127\.0\.0\.1:\d+\/0: PONG in [\d.]+ ms, Redis \d/,
    );
    expect(run.stdout.trimEnd().split('\n').at(-1)).toMatch(/^No problems found \(\d+ checks\)\.$/);
    expect(run.stdout).not.toContain(KEY);
    expect(run.stdout).not.toContain('\u001b['); // piped: no colour
  }, 60_000);

  it('reads credits with a management key, and the SQLite ledger with --db', async () => {
    const run = await doctor(['--db', sqlite], { OPENROUTER_API_KEY: MANAGEMENT_KEY, OPENROUTER_BASE_URL: sim.url });
    expect(run.code, run.stdout).toBe(0);
    expect(line(run.stdout, 'credits')).toMatch(/^OK\s+credits\s+\$[\d.]+ left \(\$1000\.00 bought, \$[\d.]+ used\)$/);
    expect(line(run.stdout, 'ledger')).toMatch(
      /^OK\s+ledger\s+SQLite .*switchyard\.db: readable, last write \d+ s ago/,
    );
    expect(line(run.stdout, 'redis')).toMatch(/^INFO\s+redis\s+REDIS_URL not set/);
    expect(run.stdout).not.toContain(MANAGEMENT_KEY);
  }, 60_000);

  it('without a key: says the simulator will be used, skips the key checks, and still passes', async () => {
    const run = await doctor([]);
    expect(run.code, run.stdout).toBe(0);
    expect(line(run.stdout, 'api key')).toMatch(
      /^INFO\s+api key\s+no OPENROUTER_API_KEY: commands use the offline simulator/,
    );
    expect(line(run.stdout, 'key valid')).toMatch(/^SKIP\s+key valid\s+no key to check$/);
    expect(line(run.stdout, 'credits')).toMatch(/^SKIP\s+credits/);
    expect(line(run.stdout, 'catalog')).toMatch(/^OK\s+catalog\s+\d+ models from the offline simulator$/);
    expect(line(run.stdout, 'ledger')).toMatch(/^INFO\s+ledger\s+SQLite \.switchyard\/switchyard\.db: not created yet/);
  }, 60_000);

  it('--json: { ok, checks } with a status per check', async () => {
    const run = await doctor(['--json'], { OPENROUTER_API_KEY: KEY, OPENROUTER_BASE_URL: sim.url });
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as { ok: boolean; checks: Check[] };
    expect(report.ok).toBe(true);
    const status = Object.fromEntries(report.checks.map((c) => [c.name, c.status]));
    expect(status).toMatchObject({
      node: 'ok',
      config: 'info',
      settings: 'ok',
      'api key': 'ok',
      'key valid': 'ok',
      credits: 'info',
      catalog: 'ok',
      ledger: 'info',
      redis: 'info',
    });
    expect(run.stdout).not.toContain(KEY);
  }, 60_000);

  it('fails (exit 1) on unreachable DATABASE_URL and REDIS_URL, naming the hosts but never the passwords', async () => {
    const env = {
      OPENROUTER_API_KEY: KEY,
      OPENROUTER_BASE_URL: sim.url,
      DATABASE_URL: 'postgres://ledger_user:pg-Secret-Pw%21@127.0.0.1:1/ledger',
      REDIS_URL: 'redis://:redis-Secret-Pw@127.0.0.1:1/0',
    };
    const started = Date.now();
    const run = await doctor([], env);
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(run.code).toBe(1);
    expect(line(run.stdout, 'ledger')).toMatch(
      /^FAIL\s+ledger\s+PostgreSQL postgres:\/\/127\.0\.0\.1:1\/ledger \(DATABASE_URL\): .*ECONNREFUSED/,
    );
    expect(line(run.stdout, 'redis')).toMatch(
      /^FAIL\s+redis\s+redis:\/\/127\.0\.0\.1:1\/0 \(REDIS_URL\): .*ECONNREFUSED/,
    );
    expect(line(run.stdout, 'key valid')).toMatch(/^OK\s/);
    expect(run.stderr.trim()).toMatch(/^switchyard: doctor: 2 of \d+ checks failed \(ledger, redis\)$/);
    const everything = run.stdout + run.stderr;
    for (const secret of ['pg-Secret-Pw', 'redis-Secret-Pw', 'ledger_user', KEY])
      expect(everything).not.toContain(secret);

    const json = await doctor(['--json'], env);
    expect(json.code).toBe(1);
    const report = JSON.parse(json.stdout) as { ok: boolean; checks: Check[] };
    expect(report.ok).toBe(false);
    expect(report.checks.filter((c) => c.status === 'fail').map((c) => c.name)).toEqual(['ledger', 'redis']);
    expect(json.stdout).not.toContain('Secret-Pw');
  }, 60_000);

  it('fails (exit 1) on an invalid config file, without printing the secrets in it', async () => {
    const dir = join(root, 'bad-config');
    mkdirSync(dir);
    writeFileSync(
      join(dir, 'switchyard.toml'),
      `[openrouter]\napi_key = "${KEY}"\ntimeout = -5\n\n[gateway]\nredis_url = "redis://:file-Secret-Pw@127.0.0.1:1/0"\n`,
    );
    const run = await doctor([], {}, dir);
    expect(run.code).toBe(1);
    expect(line(run.stdout, 'settings')).toMatch(/^FAIL\s+settings\s+.*timeout/);
    expect(line(run.stdout, 'config')).toMatch(/^OK\s+config\s+switchyard\.toml: valid, 3 settings set$/);
    expect(run.stderr).toMatch(/^switchyard: doctor: \d+ of \d+ checks failed \(settings, redis\)\n$/);
    const broken = join(dir, 'broken.toml');
    writeFileSync(broken, `[openrouter]\napi_key = "${KEY}"\ntimeout = = 3\n`);
    const syntax = await doctor(['--config', broken], {}, dir);
    expect(syntax.code).toBe(1);
    expect(line(syntax.stdout, 'config')).toMatch(/^FAIL\s+config\s+.*broken\.toml/);
    expect(line(syntax.stdout, 'catalog')).toMatch(/^SKIP\s+catalog\s+settings are invalid$/);
    const missing = await doctor(['--config', join(dir, 'nope.toml')], {}, dir);
    expect(missing.code).toBe(1);
    expect(line(missing.stdout, 'config')).toMatch(/^FAIL\s+config\s+Config file not found: .*nope\.toml$/);
    for (const output of [run, syntax, missing].map((r) => r.stdout + r.stderr)) {
      expect(output).not.toContain(KEY);
      expect(output).not.toContain('file-Secret-Pw');
    }
  }, 60_000);

  it('fails when OpenRouter (here: the simulator) rejects the key', async () => {
    const run = await doctor([], { OPENROUTER_API_KEY: UNKNOWN_KEY, OPENROUTER_BASE_URL: sim.url });
    expect(run.code).toBe(1);
    expect(line(run.stdout, 'key valid')).toMatch(/^FAIL\s+key valid\s+GET \/key at .* failed \(HTTP 401\)/);
    expect(run.stdout + run.stderr).not.toContain(UNKNOWN_KEY);
  }, 60_000);

  it('documents itself with examples', async () => {
    const run = await doctor(['--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Examples:');
    expect(run.stdout).toContain('--json');
  }, 60_000);
});
