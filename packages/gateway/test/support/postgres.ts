/**
 * A throwaway PostgreSQL server for one test file: initdb into a temp dir, start on a free 127.0.0.1 port, stop by
 * the PID in postmaster.pid (SIGINT = fast shutdown) and delete the directory. PostgreSQL refuses to run as root,
 * so as root the binaries run as the `postgres` user via runuser, in a directory that user owns.
 *
 * `usePostgres()` registers beforeAll/afterAll, so the server is stopped even when tests fail; a process 'exit'
 * hook kills it if the worker dies before afterAll runs.
 */
import { execFile } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll } from 'vitest';

const run = promisify(execFile);

export interface TestPostgres {
  /** `postgres://postgres@127.0.0.1:PORT/postgres` */
  url: string;
  port: number;
  /** Creates an empty database and returns its URL (cheap: a fresh database per test keeps tests independent). */
  createDatabase(name?: string): Promise<string>;
  /** Stops the server (SIGINT, then SIGKILL after 10 s) and removes its files. Safe to call twice. */
  stop(): Promise<void>;
}

/** Directory holding initdb/pg_ctl: `$PG_BIN`, else the newest /usr/lib/postgresql/<version>/bin. */
function findBinaries(): string {
  const candidates: string[] = [];
  if (process.env.PG_BIN) candidates.push(process.env.PG_BIN);
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    const versions = readdirSync(root).sort((a, b) => Number(b) - Number(a));
    for (const version of versions) candidates.push(join(root, version, 'bin'));
  }
  const found = candidates.find((dir) => existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'pg_ctl')));
  if (!found) {
    throw new Error(
      'PostgreSQL server binaries (initdb, pg_ctl) not found in /usr/lib/postgresql/*/bin or $PG_BIN. ' +
        'Install them with: apt-get install postgresql',
    );
  }
  return found;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function userIds(name: string): { uid: number; gid: number } {
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${name}:`));
  if (!line) throw new Error(`user ${name} does not exist (apt-get install postgresql creates it)`);
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function postmasterPid(dataDir: string): number | undefined {
  try {
    const pid = Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

export async function startPostgres(): Promise<TestPostgres> {
  const bin = findBinaries();
  const asRoot = process.getuid?.() === 0;
  const exec = (tool: string, args: string[]) =>
    asRoot ? run('runuser', ['-u', 'postgres', '--', join(bin, tool), ...args]) : run(join(bin, tool), args);

  const parent = mkdtempSync(join(tmpdir(), 'switchyard-pg-'));
  if (asRoot) {
    const { uid, gid } = userIds('postgres');
    chownSync(parent, uid, gid);
  }
  const dataDir = join(parent, 'data');
  let pid: number | undefined;
  let port = 0;
  const killNow = () => {
    if (pid !== undefined && alive(pid)) process.kill(pid, 'SIGKILL');
  };
  const cleanup = () => rmSync(parent, { recursive: true, force: true });

  try {
    // --no-sync and fsync=off: a test server needs no crash safety of its own (the tests kill clients, not it).
    await exec('initdb', ['-D', dataDir, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--locale=C', '--no-sync']);
    for (let attempt = 1; ; attempt++) {
      port = await freePort();
      const options = `-h 127.0.0.1 -p ${port} -k ${dataDir} -c fsync=off -c full_page_writes=off`;
      try {
        const log = join(dataDir, 'server.log');
        await exec('pg_ctl', ['-D', dataDir, '-o', options, '-l', log, '-w', '-t', '30', 'start']);
        break;
      } catch (error) {
        // Another process may have taken the port between probe and bind: try another one.
        if (attempt >= 3) throw error;
      }
    }
    pid = postmasterPid(dataDir);
    if (pid === undefined) throw new Error('PostgreSQL started but postmaster.pid is missing');
    process.once('exit', killNow);
  } catch (error) {
    killNow();
    const log = existsSync(join(dataDir, 'server.log')) ? readFileSync(join(dataDir, 'server.log'), 'utf8') : '';
    cleanup();
    throw new Error(`could not start PostgreSQL: ${(error as Error).message}\n${log.slice(-2000)}`, { cause: error });
  }

  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  let counter = 0;
  let stopped = false;
  return {
    url,
    port,
    async createDatabase(name = `t${process.pid}_${++counter}_${Math.random().toString(36).slice(2, 8)}`) {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE "${name.replaceAll('"', '')}"`);
      } finally {
        await client.end();
      }
      return `postgres://postgres@127.0.0.1:${port}/${name}`;
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      process.removeListener('exit', killNow);
      if (pid !== undefined && alive(pid)) {
        process.kill(pid, 'SIGINT');
        const deadline = Date.now() + 10_000;
        while (alive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
        killNow();
      }
      cleanup();
    },
  };
}

/** Starts a server before the file's tests and stops it after them (also when they fail). */
export function usePostgres(): { readonly server: TestPostgres } {
  let server: TestPostgres | undefined;
  beforeAll(async () => {
    server = await startPostgres();
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
  });
  return {
    get server(): TestPostgres {
      if (!server) throw new Error('PostgreSQL is not started yet (use it inside tests or hooks)');
      return server;
    },
  };
}
