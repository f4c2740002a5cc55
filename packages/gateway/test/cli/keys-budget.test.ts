import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { closeRedis, connectRedis } from '../../src/shared/redis-connection.js';
import { openStores } from '../../src/stores/open-stores.js';
import { RedisBudgetStore } from '../../src/stores/redis/redis-budget-store.js';
import { type CliRun, cliEnv, runCli } from '../support/cli.js';
import { HELLO, post, startTestGateway, type TestGateway } from '../support/gateway.js';
import { usePostgres } from '../support/postgres.js';
import { useRedis } from '../support/redis.js';

// `switchyard keys set-budget` as users run it: the built CLI in a child process, writing to the database a real
// gateway uses (SQLite file; PostgreSQL + Redis), and the gateway enforcing the new budget on the next request.

const root = mkdtempSync(join(tmpdir(), 'sy-keys-budget-'));
const home = join(root, 'home');
mkdirSync(home);

function keys(args: string[], env: Record<string, string> = {}): Promise<CliRun> {
  return runCli(['keys', ...args], { cwd: root, env: cliEnv(home, { extra: env }), timeoutMs: 20_000 });
}

async function createKey(db: string[], name: string, extra: string[] = [], env: Record<string, string> = {}) {
  const run = await keys(['create', ...db, '--name', name, '--json', ...extra], env);
  expect(run.code, run.stderr).toBe(0);
  return JSON.parse(run.stdout) as { data: { id: string; budget: unknown }; secret: string };
}

const chat = (gw: TestGateway, secret: string) =>
  post(`${gw.baseURL}/chat/completions`, { ...HELLO, max_tokens: 1000 }, { authorization: `Bearer ${secret}` });

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('switchyard keys set-budget (SQLite)', () => {
  const dir = join(root, 'sqlite');
  mkdirSync(dir);
  const sqlitePath = join(dir, 'switchyard.db');
  const db = ['--db', sqlitePath];

  it('sets, changes and removes a budget; the running gateway enforces it from the next request', async () => {
    const gw = await startTestGateway({ sqlitePath });
    try {
      const { data, secret } = await createKey(db, 'budgeted');
      expect(data.budget).toBeNull();
      await new Promise((r) => setTimeout(r, 1100)); // the gateway re-checks "are there keys?" once a second
      expect((await chat(gw, secret)).status).toBe(200);

      const set = await keys(['set-budget', data.id, ...db, '--budget', '0.000001', '--period', 'day']);
      expect(set.code, set.stderr).toBe(0);
      expect(set.stdout.trim()).toMatch(
        new RegExp(
          `^budget of ${data.id} \\(budgeted\\) set to \\$0\\.000001/day \\(had none\\); spent today \\(UTC\\): \\$[\\d.]+$`,
        ),
      );
      const refused = await chat(gw, secret);
      expect(refused.status).toBe(402);
      expect(await refused.json()).toMatchObject({ error: { type: 'budget_exceeded' } });

      // The period stays when only the amount changes.
      const raised = await keys(['set-budget', data.id, ...db, '--budget', '50']);
      expect(raised.stdout).toContain('set to $50/day (was $0.000001/day)');
      expect((await chat(gw, secret)).status).toBe(200);

      const month = await keys(['set-budget', data.id, ...db, '--budget', '0', '--period', 'month', '--json']);
      expect(JSON.parse(month.stdout).data.budget).toEqual({ usd: 0, period: 'month' });
      expect((await chat(gw, secret)).status).toBe(402);

      const removed = await keys(['set-budget', data.id, ...db, '--none']);
      expect(removed.code).toBe(0);
      expect(removed.stdout.trim()).toBe(`removed the budget of ${data.id} (budgeted) (was $0/month)`);
      expect((await chat(gw, secret)).status).toBe(200);

      const listed = await keys(['list', ...db, '--json']);
      expect(JSON.parse(listed.stdout).data.find((k: { id: string }) => k.id === data.id).budget).toBeNull();
      expect(listed.stdout + raised.stdout + removed.stdout).not.toContain(secret);
    } finally {
      await gw.stop();
    }
    // The budget store holds no limit for the key any more (no stale day or month limit left behind).
    const stores = await openStores({ sqlitePath, ledgerWorker: false });
    try {
      expect(await stores.budgets.limits({ scope: 'key' })).toEqual([]);
    } finally {
      await stores.close();
    }
  }, 60_000);

  it('rejects wrong usage with one line and exit code 2', async () => {
    const { data } = await createKey(db, 'errors', ['--budget', '5', '--budget-period', 'day']);
    const cases: [string[], RegExp][] = [
      [['set-budget', data.id], /say what to set: --budget <usd>.*--none/],
      [['set-budget', data.id, '--none', '--budget', '1'], /--none removes the budget: it cannot be combined/],
      [['set-budget', data.id, '--budget', 'ten'], /--budget must be a number of USD from 0 to 1000000000, got "ten"/],
      [['set-budget', data.id, '--budget', '-1'], /--budget must be a number of USD from 0 to 1000000000, got "-1"/],
      [['set-budget', data.id, '--budget', '1', '--period', 'week'], /budget\.period/],
      [['set-budget', 'key_nope', '--budget', '1'], /no key with id key_nope/],
    ];
    for (const [args, message] of cases) {
      const run = await keys([...args, ...db]);
      expect(run.code, args.join(' ')).toBe(2);
      expect(run.stderr).toMatch(message);
      expect(run.stderr.trim().split('\n')).toHaveLength(1);
    }
    // Nothing changed.
    const listed = JSON.parse((await keys(['list', ...db, '--json'])).stdout);
    expect(listed.data.find((k: { id: string }) => k.id === data.id).budget).toEqual({ usd: 5, period: 'day' });

    await keys(['revoke', data.id, ...db]);
    const revoked = await keys(['set-budget', data.id, ...db, '--budget', '1']);
    expect(revoked.code).toBe(2);
    expect(revoked.stderr).toContain(`key ${data.id} (errors) is revoked`);
  }, 60_000);

  it('documents itself with examples', async () => {
    const run = await keys(['set-budget', '--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Examples:');
    expect(run.stdout).toContain('--period <period>');
  }, 60_000);
});

describe('switchyard keys set-budget (PostgreSQL + Redis)', () => {
  const pg = usePostgres();
  const redis = useRedis();

  it('writes the key record and the shared Redis budget, and a gateway on the same stores enforces it', async () => {
    const env = { DATABASE_URL: await pg.server.createDatabase(), REDIS_URL: redis.server.url };
    const gw = await startTestGateway({ env });
    // The Redis budget store as the gateway sees it, read directly (no key-budget restore on open).
    const client = connectRedis(redis.server.url);
    const shared = new RedisBudgetStore(client);
    try {
      const { data, secret } = await createKey([], 'shared', ['--budget', '3', '--budget-period', 'total'], env);
      expect(await shared.limits({ scope: 'key', scopeId: data.id })).toEqual([
        { scope: 'key', scopeId: data.id, period: 'total', maxCostNano: 3_000_000_000n },
      ]);
      await new Promise((r) => setTimeout(r, 1100));
      expect((await chat(gw, secret)).status).toBe(200);

      const set = await keys(['set-budget', data.id, '--budget', '0', '--period', 'day'], env);
      expect(set.code, set.stderr).toBe(0);
      expect(set.stdout).toContain('set to $0/day (was $3/total)');
      expect(await shared.limits({ scope: 'key', scopeId: data.id })).toEqual([
        { scope: 'key', scopeId: data.id, period: 'day', maxCostNano: 0n },
      ]);
      expect((await chat(gw, secret)).status).toBe(402);

      const removed = await keys(['set-budget', data.id, '--none'], env);
      expect(removed.code).toBe(0);
      expect(await shared.limits({ scope: 'key', scopeId: data.id })).toEqual([]);
      expect((await chat(gw, secret)).status).toBe(200);

      // The durable copy (PostgreSQL) agrees.
      const stores = await openStores({ databaseUrl: env.DATABASE_URL });
      try {
        expect((await stores.keys.byId(data.id))?.budget).toBeUndefined();
      } finally {
        await stores.close();
      }
    } finally {
      await closeRedis(client);
      await gw.stop();
    }
  }, 60_000);
});
