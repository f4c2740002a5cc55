/**
 * The checks of `switchyard doctor`. Each one answers with one line: `ok`, `info` (worth knowing, not a problem),
 * `skip` (nothing to check) or `fail`. Each is bounded in time and never prints a secret: keys are masked with the
 * SDK's `maskSecret`, database and Redis URLs are reduced to scheme, host, port and database.
 */
import { existsSync } from 'node:fs';
import { type KeyInfo, maskSecret, type Switchyard, SwitchyardError } from '@switchyard/sdk';
import type pg from 'pg';
import type { GatewayConfig } from '../../config/gateway-config.js';
import { safeMessage, urlTarget } from '../../shared/connection-targets.js';
import { usd } from '../support/output.js';

export type CheckStatus = 'ok' | 'info' | 'skip' | 'fail';

export interface CheckResult {
  name: string;
  status: CheckStatus;
  detail: string;
}

export const check = (name: string, status: CheckStatus, detail: string): CheckResult => ({ name, status, detail });

/** Rejects after `ms` with a message naming what took too long; the work itself is left to its own timeouts. */
export function within<T>(ms: number, what: string, work: Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer from ${what} within ${ms / 1000} s`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

const ago = (ms: number) => {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 120) return `${s} s ago`;
  if (s < 7200) return `${Math.round(s / 60)} min ago`;
  if (s < 172_800) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86_400)} days ago`;
};

function lastWrite(at: unknown): string {
  const ms = at === null || at === undefined ? Number.NaN : Number(at);
  return Number.isFinite(ms)
    ? `last write ${ago(Date.now() - ms)} (${new Date(ms).toISOString()})`
    : 'no usage recorded yet';
}

/** Node.js itself: the packages need ≥ 20.19. */
export function nodeCheck(): CheckResult {
  const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
  const fine = major > 20 || (major === 20 && minor >= 19);
  return check(
    'node',
    fine ? 'ok' : 'fail',
    `Node.js ${process.versions.node}${fine ? '' : ' (switchyard needs ≥ 20.19)'}`,
  );
}

/** The OpenRouter key (masked, with where it came from), or why the simulator is used instead. */
export function apiKeyCheck(sy: Switchyard, simulated: boolean): CheckResult {
  const { apiKey, devMode, provider, origins } = sy.config;
  if (devMode) return check('api key', 'info', 'DEV_MODE is on: commands use the offline simulator');
  if (!apiKey) {
    return check(
      'api key',
      'info',
      simulated
        ? 'no OPENROUTER_API_KEY: commands use the offline simulator (simulated models, prices and answers)'
        : `none needed by provider "${provider}"`,
    );
  }
  return check('api key', 'ok', `${maskSecret(apiKey)} (from ${origins.apiKey ?? 'options'})`);
}

/** Keys of the configured OpenAI-compatible providers and of the gateway admin API: present or not, masked. */
export function otherKeysCheck(sy: Switchyard, gateway: GatewayConfig | undefined): CheckResult {
  const parts: string[] = [];
  for (const [name, entry] of Object.entries(sy.config.providers ?? {})) {
    const key = (entry as { apiKey?: string }).apiKey;
    parts.push(`provider ${name}: ${key ? maskSecret(key) : 'no key'}`);
  }
  if (gateway) {
    parts.push(`admin token: ${gateway.adminToken ? maskSecret(gateway.adminToken) : 'not set (admin API off)'}`);
    parts.push(`key secret: ${gateway.keySecret ? 'set' : 'generated in the database'}`);
  }
  return check('other keys', 'info', parts.join('; ') || 'none');
}

/** `GET /key`: the key is accepted, with its limit and usage. */
export async function keyValidCheck(sy: Switchyard, simulated: boolean, ms: number): Promise<CheckResult> {
  if (simulated || !sy.config.apiKey) return check('key valid', 'skip', 'no key to check');
  try {
    const info: KeyInfo = await within(ms, 'GET /key', sy.key({ signal: AbortSignal.timeout(ms) }));
    const limit =
      info.limit === null
        ? 'no spend limit'
        : `limit ${usd(info.limit)}${info.limit_reset ? ` ${info.limit_reset}` : ''}, ${usd(info.limit_remaining ?? 0)} left`;
    const remaining = info.limit_remaining;
    const exhausted = info.limit !== null && remaining !== null && remaining <= 0;
    return check(
      'key valid',
      exhausted ? 'fail' : 'ok',
      `accepted by ${sy.config.baseURL}: ${limit}, used ${usd(info.usage)}${info.is_free_tier ? ', free tier' : ''}${exhausted ? ' — the limit is used up' : ''}`,
    );
  } catch (error) {
    const status = error instanceof SwitchyardError && error.status ? ` (HTTP ${error.status})` : '';
    return check('key valid', 'fail', `GET /key at ${sy.config.baseURL} failed${status}: ${safeMessage(error)}`);
  }
}

/** `GET /credits`: needs a management key; a 403 for an ordinary key is expected, not a failure. */
export async function creditsCheck(sy: Switchyard, simulated: boolean, ms: number): Promise<CheckResult> {
  if (simulated || !sy.config.apiKey) return check('credits', 'skip', 'no key to check');
  try {
    const credits = await within(ms, 'GET /credits', sy.credits({ signal: AbortSignal.timeout(ms) }));
    const left = credits.total_credits - credits.total_usage;
    return check(
      'credits',
      left > 0 ? 'ok' : 'fail',
      `${usd(left)} left (${usd(credits.total_credits)} bought, ${usd(credits.total_usage)} used)${left > 0 ? '' : ': requests to paid models will fail with 402'}`,
    );
  } catch (error) {
    if (error instanceof SwitchyardError && error.status === 403) {
      return check('credits', 'info', 'not readable with this key: /credits needs a management key (not a problem)');
    }
    return check('credits', 'fail', `GET /credits failed: ${safeMessage(error)}`);
  }
}

/** The model catalog, fetched now (not from a cache). */
export async function catalogCheck(sy: Switchyard, simulated: boolean, ms: number): Promise<CheckResult> {
  const where = simulated ? 'the offline simulator' : sy.config.baseURL;
  try {
    const models = await within(ms, `${where} /models`, sy.models.refresh({ signal: AbortSignal.timeout(ms) }));
    const status = sy.models.status();
    if (status.source !== 'network') {
      return check(
        'catalog',
        'fail',
        `${where}: ${status.lastError ?? 'unreachable'} (only an older copy is available)`,
      );
    }
    return check('catalog', 'ok', `${models.length} models from ${where}`);
  } catch (error) {
    return check('catalog', 'fail', `${where}: ${safeMessage(error)}`);
  }
}

/** The ledger database: PostgreSQL reachable (DATABASE_URL), or the SQLite file readable. Read-only. */
export async function ledgerCheck(config: GatewayConfig, ms: number): Promise<CheckResult> {
  if (config.databaseUrl) return postgresLedger(config.databaseUrl, ms);
  return sqliteLedger(config.sqlitePath, ms);
}

async function postgresLedger(url: string, ms: number): Promise<CheckResult> {
  const target = `PostgreSQL ${urlTarget(url)}`;
  let client: pg.Client | undefined;
  try {
    const { default: driver } = await import('pg');
    client = new driver.Client({
      connectionString: url,
      connectionTimeoutMillis: ms,
      query_timeout: ms,
      application_name: 'switchyard-doctor',
    });
    client.on('error', () => {});
    const connected = client;
    await within(ms, target, connected.connect());
    const table = await connected.query<{ t: string | null }>("SELECT to_regclass('ledger')::text AS t");
    if (!table.rows[0]?.t)
      return check('ledger', 'ok', `${target}: reachable (no ledger yet: the gateway creates it at start)`);
    const last = await connected.query<{ last: string | null }>('SELECT MAX(at) AS last FROM ledger');
    return check('ledger', 'ok', `${target}: reachable, ${lastWrite(last.rows[0]?.last)}`);
  } catch (error) {
    return check('ledger', 'fail', `${target} (DATABASE_URL): ${safeMessage(error, [url])}`);
  } finally {
    await client?.end().catch(() => {});
  }
}

async function sqliteLedger(path: string, ms: number): Promise<CheckResult> {
  const target = `SQLite ${path}`;
  if (path === ':memory:' || path === '') return check('ledger', 'info', `${target}: in memory (nothing is kept)`);
  if (!existsSync(path)) return check('ledger', 'info', `${target}: not created yet (\`switchyard serve\` creates it)`);
  try {
    const { default: Database } = await import('better-sqlite3');
    const db = new Database(path, { readonly: true, fileMustExist: true, timeout: ms });
    try {
      const table = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'ledger'").get();
      if (!table)
        return check('ledger', 'fail', `${target}: exists but has no ledger table (not a switchyard database?)`);
      const last = db.prepare('SELECT MAX(at) AS last FROM ledger').get() as { last: number | null };
      return check('ledger', 'ok', `${target}: readable, ${lastWrite(last.last)}`);
    } finally {
      db.close();
    }
  } catch (error) {
    return check('ledger', 'fail', `${target}: ${safeMessage(error)}`);
  }
}

/** Redis (REDIS_URL): answers PING, with its version. */
export async function redisCheck(url: string | undefined, ms: number): Promise<CheckResult> {
  if (!url) return check('redis', 'info', 'REDIS_URL not set: rate limits, breakers and budgets are kept per process');
  const target = urlTarget(url);
  try {
    const [{ connectRedis, closeRedis }, { toRedisError }] = await Promise.all([
      import('../../shared/redis-connection.js'),
      import('../../shared/redis-errors.js'),
    ]);
    // The connection error (refused, timed out, auth) says more than the command's "max retries reached".
    let connectionError: Error | undefined;
    const redis = connectRedis(url, {
      connectTimeoutMs: ms,
      commandTimeoutMs: ms,
      maxRetriesPerRequest: 0,
      connectionName: 'switchyard-doctor',
      onError: (error) => {
        connectionError ??= error;
      },
    });
    try {
      const started = performance.now();
      await within(ms, target, redis.ping()).catch((error: unknown) => {
        throw toRedisError(connectionError ?? error, 'PING', redis.options.password);
      });
      const rtt = performance.now() - started;
      const info = await within(ms, target, redis.info('server'));
      const version = /redis_version:([^\r\n]+)/.exec(info)?.[1];
      return check('redis', 'ok', `${target}: PONG in ${rtt.toFixed(1)} ms${version ? `, Redis ${version}` : ''}`);
    } finally {
      await closeRedis(redis, 200);
    }
  } catch (error) {
    return check('redis', 'fail', `${target} (REDIS_URL): ${safeMessage(error, [url])}`);
  }
}
