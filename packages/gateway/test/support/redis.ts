/**
 * A throwaway redis-server for one test file: started on a free 127.0.0.1 port with its working directory in a temp
 * dir and no persistence (`--save '' --appendonly no`), stopped by PID (SIGTERM, then SIGKILL) and its directory
 * deleted. Tests stay independent by using a fresh key prefix each (`prefix()`), so no FLUSHDB is needed.
 *
 * `useRedis()` registers beforeAll/afterAll, so the server is stopped even when tests fail; a process 'exit' hook
 * kills it if the worker dies before afterAll runs. Connections made through `connect()` are closed first.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll } from 'vitest';
import { closeRedis, connectRedis, type RedisConnectionOptions } from '../../src/shared/redis-connection.js';

export interface TestRedis {
  /** `redis://127.0.0.1:PORT/0` */
  url: string;
  port: number;
  pid: number;
  /** A key prefix no other test of this process uses: `t<pid>-<n>:`. */
  prefix(): string;
  /** A client (default: a fresh prefix), closed by `stop()` if the test does not close it. */
  connect(options?: RedisConnectionOptions): Redis;
  /** Closes the clients, stops the server (SIGTERM, SIGKILL after 5 s) and removes its directory. Safe twice. */
  stop(): Promise<void>;
}

/** `redis-server` on PATH or in /usr/bin, else a clear instruction. */
function findServer(): string {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/bin', '/usr/local/bin'];
  const found = dirs.map((dir) => join(dir, 'redis-server')).find((path) => existsSync(path));
  if (!found) {
    throw new Error('redis-server not found on PATH. Install it with: apt-get install -y redis-server');
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

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Whether the server answers PING on `port` (a raw RESP exchange, no client library involved). */
function answersPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    let reply = '';
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.on('error', () => done(false));
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      reply += chunk.toString('latin1');
      if (reply.includes('\r\n')) done(reply.startsWith('+PONG'));
    });
  });
}

/** Starts redis-server and waits until it answers, or throws with the tail of its output. */
async function launch(bin: string, dir: string, port: number): Promise<{ child: ChildProcess; output: () => string }> {
  const args = ['--bind', '127.0.0.1', '--port', String(port), '--dir', dir, '--save', '', '--appendonly', 'no'];
  const child = spawn(bin, [...args, '--protected-mode', 'yes', '--daemonize', 'no'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let gone = false;
  void exited.then(() => {
    gone = true;
  });
  const deadline = Date.now() + 10_000;
  while (!gone && Date.now() < deadline) {
    if (await answersPing(port)) return { child, output: () => output };
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  if (!gone) child.kill('SIGKILL');
  throw new Error(`redis-server did not start on port ${port}:\n${output.slice(-2000)}`);
}

export async function startRedis(): Promise<TestRedis> {
  const bin = findServer();
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-redis-'));
  let child: ChildProcess | undefined;
  let port = 0;
  try {
    for (let attempt = 1; ; attempt++) {
      port = await freePort();
      try {
        ({ child } = await launch(bin, dir, port));
        break;
      } catch (error) {
        // Another process may have taken the port between probe and bind: try another one.
        if (attempt >= 3) throw error;
      }
    }
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`could not start redis-server: ${(error as Error).message}`, { cause: error });
  }
  const pid = child!.pid!;
  const killNow = () => {
    if (alive(pid)) process.kill(pid, 'SIGKILL');
  };
  process.once('exit', killNow);

  const url = `redis://127.0.0.1:${port}/0`;
  const clients = new Set<Redis>();
  let counter = 0;
  let stopped = false;
  const prefix = () => `t${process.pid}-${++counter}:`;
  return {
    url,
    port,
    pid,
    prefix,
    connect(options = {}) {
      const client = connectRedis(url, { keyPrefix: prefix(), ...options });
      clients.add(client);
      client.once('end', () => clients.delete(client));
      return client;
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await Promise.all([...clients].map((client) => closeRedis(client, 500)));
      process.removeListener('exit', killNow);
      if (alive(pid)) {
        process.kill(pid, 'SIGTERM');
        const deadline = Date.now() + 5_000;
        while (alive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
        killNow();
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Starts a server before the file's tests and stops it after them (also when they fail). */
export function useRedis(): { readonly server: TestRedis } {
  let server: TestRedis | undefined;
  beforeAll(async () => {
    server = await startRedis();
  }, 30_000);
  afterAll(async () => {
    await server?.stop();
  });
  return {
    get server(): TestRedis {
      if (!server) throw new Error('redis-server is not started yet (use it inside tests or hooks)');
      return server;
    },
  };
}
