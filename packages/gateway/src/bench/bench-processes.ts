import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { request } from 'undici';

/** The `switchyard` executable of this package (the same CLI a user runs). */
const BIN = fileURLToPath(new URL('../../bin/switchyard.js', import.meta.url));
/**
 * Stops a child whose parent died (see child-guard.ts). Compiled next to this file; when this module runs from
 * `src/` (tests), the compiled copy in `dist/` is used — the children run the built CLI either way.
 */
const GUARD = compiled('child-guard.js').href;
/** The minimal proxy the gateway is compared with (floor-proxy.ts), compiled the same way. */
const FLOOR_PROXY = fileURLToPath(compiled('floor-proxy.js'));

/** A compiled module of this folder: beside this file, or in `dist/` when this module runs from `src/`. */
function compiled(name: string): URL {
  const beside = new URL(`./${name}`, import.meta.url);
  return existsSync(fileURLToPath(beside)) ? beside : new URL(`../../dist/bench/${name}`, import.meta.url);
}
const START_TIMEOUT_MS = 20_000;
const STOP_GRACE_MS = 5_000;
const OUTPUT_KEPT = 16_384;

/** A simulator or gateway started by the bench as a child process. */
export interface BenchChild {
  name: string;
  pid: number;
  /** `http://127.0.0.1:PORT` */
  origin: string;
  /** The last lines the child wrote (stdout and stderr), for error messages. */
  output(): string;
  /** SIGTERM, then SIGKILL after a grace period; resolves once the process has exited. */
  stop(): Promise<void>;
}

/** Every child that is still running, so that a deadline or a signal can stop them synchronously. */
const live = new Set<ChildProcess>();

/** SIGKILL to every child this module started that has not exited (deadline, second signal). */
export function killChildrenNow(): void {
  for (const child of live) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}

/** SIGTERM to every running child (first signal: let them shut down gracefully). */
export function terminateChildren(): void {
  for (const child of live) if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
}

/** Environment for a child: no database, Redis, admin or upstream settings inherited from the caller's shell. */
export function childEnv(extra: Record<string, string>, lifetimeMs: number): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (/^(OPENROUTER_|SWITCHYARD_|DATABASE_URL$|REDIS_URL$|PORT$|HOST$|LOG_LEVEL$|DEV_MODE$|NODE_OPTIONS$)/.test(name))
      continue;
    env[name] = value;
  }
  return { ...env, ...extra, SWITCHYARD_BENCH_CHILD_LIFETIME_MS: String(lifetimeMs) };
}

interface SpawnOptions {
  name: string;
  args: string[];
  /** Working directory (a temp dir: no switchyard.toml of the caller's is picked up). */
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Extra node flags (e.g. `--cpu-prof`). */
  nodeArgs?: string[];
  /** The program to run (default: the `switchyard` CLI). */
  script?: string;
}

function spawnCli(options: SpawnOptions) {
  const program = options.script ?? BIN;
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), '--import', GUARD, program, ...options.args], {
    cwd: options.cwd,
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  live.add(child);
  let output = '';
  const keep = (chunk: Buffer) => {
    output += chunk.toString();
    if (output.length > OUTPUT_KEPT) output = output.slice(-OUTPUT_KEPT);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((done) => {
    child.once('exit', () => {
      live.delete(child);
      done();
    });
    child.once('error', () => {
      live.delete(child);
      done();
    });
  });
  const running = () => child.exitCode === null && child.signalCode === null && live.has(child);
  const stop = async () => {
    if (!running()) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
    await exited;
    clearTimeout(timer);
  };
  const failedEarly = new Promise<never>((_, fail) => {
    const describe = () => `${options.name} exited before it was ready (${child.exitCode ?? child.signalCode})`;
    child.once('exit', () => fail(new Error(`${describe()}:\n${output.trim().slice(-2000)}`)));
    child.once('error', (error) => fail(new Error(`${options.name} could not be started: ${error.message}`)));
  });
  failedEarly.catch(() => {});
  return { child, output: () => output, stop, failedEarly };
}

/** `work`, or a rejection after `ms`. */
async function within<T>(ms: number, what: string, work: Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, fail) => {
    timer = setTimeout(() => fail(new Error(`${what} within ${ms / 1000} s`)), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function firstLine(child: ChildProcess): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    const onData = (chunk: Buffer) => {
      text += chunk.toString();
      const newline = text.indexOf('\n');
      if (newline >= 0) {
        child.stdout?.off('data', onData);
        resolve(text.slice(0, newline).trim());
      }
    };
    child.stdout?.on('data', onData);
  });
}

function loopbackOrigin(url: string, what: string): string {
  const parsed = new URL(url);
  if (parsed.hostname !== '127.0.0.1') throw new Error(`${what} is not on 127.0.0.1: ${url}`);
  return parsed.origin;
}

/** A child that prints its URL on its first line of output. */
async function startPrintingChild(options: SpawnOptions): Promise<BenchChild> {
  const spawned = spawnCli(options);
  try {
    const url = await within(
      START_TIMEOUT_MS,
      `the ${options.name} did not print its URL`,
      Promise.race([firstLine(spawned.child), spawned.failedEarly]),
    );
    return {
      name: options.name,
      pid: spawned.child.pid ?? -1,
      origin: loopbackOrigin(url, `the ${options.name}`),
      output: spawned.output,
      stop: spawned.stop,
    };
  } catch (error) {
    await spawned.stop();
    throw error;
  }
}

/** `switchyard simulate --pace instant --port 0`: its base URL is the first line it prints. */
export function startSimulatorChild(options: { cwd: string; lifetimeMs: number }): Promise<BenchChild> {
  return startPrintingChild({
    name: 'simulator',
    args: ['simulate', '--pace', 'instant', '--port', '0', '--host', '127.0.0.1'],
    cwd: options.cwd,
    env: childEnv({}, options.lifetimeMs),
  });
}

/** The minimal proxy (floor-proxy.ts) in front of `upstreamOrigin`. */
export function startFloorProxyChild(options: {
  cwd: string;
  upstreamOrigin: string;
  lifetimeMs: number;
}): Promise<BenchChild> {
  return startPrintingChild({
    name: 'minimal proxy',
    script: FLOOR_PROXY,
    args: [loopbackOrigin(options.upstreamOrigin, 'the upstream')],
    cwd: options.cwd,
    env: childEnv({}, options.lifetimeMs),
  });
}

/** A free TCP port on 127.0.0.1 (bound, then released for the child to take). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function healthy(origin: string): Promise<boolean> {
  try {
    const response = await request(`${origin}/healthz`, { headersTimeout: 1_000, bodyTimeout: 1_000 });
    await response.body.dump();
    return response.statusCode === 200;
  } catch {
    return false;
  }
}

async function untilHealthy(origin: string, failedEarly: Promise<never>): Promise<void> {
  for (let i = 0; i < START_TIMEOUT_MS / 50; i++) {
    if (await Promise.race([healthy(origin), failedEarly])) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`the gateway did not answer ${origin}/healthz within ${START_TIMEOUT_MS / 1000} s`);
}

export interface GatewayChildOptions {
  cwd: string;
  /** SQLite ledger file (in a temp dir). */
  dbPath: string;
  /** The simulator's base URL, used as the gateway's OpenRouter upstream. */
  upstreamBaseURL: string;
  lifetimeMs: number;
  nodeArgs?: string[];
  /** Extra environment (tests: `REDIS_URL`, `SWITCHYARD_ADMIN_TOKEN`). */
  env?: Record<string, string>;
}

/**
 * `switchyard serve` on a free loopback port with a throwaway SQLite ledger, routed to the simulator as if it were
 * OpenRouter (`OPENROUTER_API_KEY` + `OPENROUTER_BASE_URL`). Logs at `warn`, so request logging is off; readiness
 * is polled on `/healthz`.
 */
export async function startGatewayChild(options: GatewayChildOptions): Promise<BenchChild> {
  loopbackOrigin(options.upstreamBaseURL, 'the upstream');
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const origin = `http://127.0.0.1:${port}`;
    const spawned = spawnCli({
      name: 'gateway',
      args: ['serve', '--host', '127.0.0.1', '--port', String(port), '--db', options.dbPath, '--log-level', 'warn'],
      cwd: options.cwd,
      env: childEnv(
        {
          OPENROUTER_API_KEY: 'sk-or-v1-switchyard-bench',
          OPENROUTER_BASE_URL: options.upstreamBaseURL,
          ...options.env,
        },
        options.lifetimeMs,
      ),
      nodeArgs: options.nodeArgs,
    });
    try {
      await untilHealthy(origin, spawned.failedEarly);
      return { name: 'gateway', pid: spawned.child.pid ?? -1, origin, output: spawned.output, stop: spawned.stop };
    } catch (error) {
      await spawned.stop();
      lastError = error;
      // Another process took the port between our probe and the child's listen: try another one.
      if (!/EADDRINUSE/.test(spawned.output())) break;
    }
  }
  throw lastError;
}
