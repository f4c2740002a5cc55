/**
 * CLI start-up benchmark: wall time of `switchyard --help` and `switchyard models --json` (catalog from the on-disk
 * cache), budget 300 ms each (median of the runs). Spawns the BUILT CLI (`bin/switchyard.js` → `dist/`), so build
 * first: `npx tsc -b && npm run bundle -w @switchyard/sdk`.
 *
 * `models --json` is measured only once the `models` command is registered (it is looked up in `switchyard --help`);
 * until then, and always, `simulate --help` is measured too (a subcommand's help: the same module loading).
 * For `models --json` the bench starts `switchyard simulate` on 127.0.0.1, points OPENROUTER_BASE_URL and a throwaway
 * key at it, runs `models --json` once to fill a temporary SWITCHYARD_CACHE_DIR, then STOPS the simulator: every timed
 * run must answer from the disk cache (a run that tried the network would fail, and the bench says so).
 *
 * Runs are interleaved across the commands (noise spreads evenly) after unrecorded warm-up runs; `node -e 0` is
 * timed alongside as the floor no command can beat. Bounded: fixed run counts, 15 s per spawn, 120 s in total.
 *
 * Run:   node --import tsx bench/cli-startup.ts [--runs 20] [--warmup 3] [--budget 300] [--json file] [--check]
 * Exit:  0; 1 with --check when a budget is missed; 2 when the bench itself failed (not built, a command failed).
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const BIN = join(root, 'bin', 'switchyard.js');
const SPAWN_TIMEOUT_MS = 15_000;
const DEADLINE_MS = 120_000;
const started = performance.now();

interface Settings {
  runs: number;
  warmup: number;
  budgetMs: number;
  json?: string;
  check: boolean;
}

function fail(message: string): never {
  process.stderr.write(`cli-startup: ${message}\n`);
  process.exit(2);
}

function parseArgs(argv: string[]): Settings {
  const settings: Settings = { runs: 20, warmup: 3, budgetMs: 300, check: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const next = argv[++i];
      if (next === undefined) fail(`${arg} needs a value`);
      return next;
    };
    const count = (min: number) => {
      const n = Number(value());
      if (!Number.isInteger(n) || n < min) fail(`${arg} expects an integer ≥ ${min}`);
      return n;
    };
    if (arg === '--runs') settings.runs = count(5);
    else if (arg === '--warmup') settings.warmup = count(0);
    else if (arg === '--budget') settings.budgetMs = count(1);
    else if (arg === '--json') settings.json = value();
    else if (arg === '--check') settings.check = true;
    else fail(`unknown argument ${arg} (see the comment at the top of bench/cli-startup.ts)`);
  }
  return settings;
}

interface Target {
  label: string;
  args: string[];
  /** Judged against the budget (the Node floor is not). */
  budgeted: boolean;
  /** Run with this instead of the CLI (the floor). */
  bare?: boolean;
}

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return (sorted[lo] as number) + ((sorted[hi] as number) - (sorted[lo] as number)) * (pos - lo);
}

function runOnce(target: Target, env: NodeJS.ProcessEnv, cwd: string): number {
  if (performance.now() - started > DEADLINE_MS) fail(`deadline of ${DEADLINE_MS / 1000} s reached`);
  const args = target.bare ? ['-e', '0'] : [BIN, ...target.args];
  const t0 = performance.now();
  const result = spawnSync(process.execPath, args, { cwd, env, encoding: 'utf8', timeout: SPAWN_TIMEOUT_MS });
  const ms = performance.now() - t0;
  if (result.error) fail(`\`${target.label}\` could not run: ${result.error.message}`);
  if (result.status !== 0) {
    fail(
      `\`${target.label}\` exited with ${result.status ?? result.signal}: ${(result.stderr || result.stdout).trim().split('\n').slice(0, 3).join(' | ')}`,
    );
  }
  return ms;
}

/** `switchyard simulate --port 0` as a child; resolves with its base URL (first stdout line). */
function startSimulator(env: NodeJS.ProcessEnv, cwd: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [BIN, 'simulate', '--port', '0', '--host', '127.0.0.1'], {
    cwd,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the simulator did not start within 10 s: ${out}`));
    }, 10_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const line = out.split('\n')[0] ?? '';
      if (out.includes('\n') && /^http:\/\/127\.0\.0\.1:\d+/.test(line)) {
        clearTimeout(timer);
        resolve({ child, url: line.trim() });
      }
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the simulator exited with ${code}: ${out}`));
    });
  });
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 3_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

async function main(): Promise<number> {
  const settings = parseArgs(process.argv.slice(2));
  if (!existsSync(join(root, 'dist', 'cli', 'main.js')))
    fail('the CLI is not built: run `npx tsc -b && npm run bundle -w @switchyard/sdk` at the repository root');

  const work = mkdtempSync(join(tmpdir(), 'switchyard-startup-'));
  let simulator: ChildProcess | undefined;
  try {
    const cacheDir = join(work, 'cache');
    mkdirSync(cacheDir);
    // A clean environment: no key of the user's, no colour, plain (CI) output, a private catalog cache.
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: work,
      SWITCHYARD_CACHE_DIR: cacheDir,
      NO_COLOR: '1',
      CI: '1',
    };

    const help = spawnSync(process.execPath, [BIN, '--help'], { cwd: work, env, encoding: 'utf8' });
    if (help.status !== 0) fail(`switchyard --help failed: ${help.stderr.trim()}`);
    const hasModels = /^\s+models\b/m.test(help.stdout);

    const targets: Target[] = [
      { label: 'node -e 0 (floor)', args: [], budgeted: false, bare: true },
      { label: 'switchyard --help', args: ['--help'], budgeted: true },
      { label: 'switchyard simulate --help', args: ['simulate', '--help'], budgeted: true },
    ];
    if (hasModels) {
      const sim = await startSimulator(env, work);
      simulator = sim.child;
      env.OPENROUTER_API_KEY = 'sk-or-v1-startup-bench-0000000000000000';
      env.OPENROUTER_BASE_URL = sim.url;
      const fill = spawnSync(process.execPath, [BIN, 'models', '--json'], {
        cwd: work,
        env,
        encoding: 'utf8',
        timeout: SPAWN_TIMEOUT_MS,
      });
      if (fill.status !== 0) fail(`filling the catalog cache with \`models --json\` failed: ${fill.stderr.trim()}`);
      await stop(sim.child);
      simulator = undefined;
      targets.push({ label: 'switchyard models --json (cache)', args: ['models', '--json'], budgeted: true });
    }

    const samples = new Map<Target, number[]>(targets.map((t) => [t, []]));
    for (let round = 0; round < settings.warmup + settings.runs; round++) {
      for (const target of targets) {
        const ms = runOnce(target, env, work);
        if (round >= settings.warmup) samples.get(target)?.push(ms);
      }
    }

    const [load1] = loadavg();
    process.stdout.write(
      `CLI start-up (${settings.runs} runs each after ${settings.warmup} warm-up, interleaved; Node ${process.versions.node}, ` +
        `${cpus().length} CPUs, load ${load1?.toFixed(2)}); budget: median ≤ ${settings.budgetMs} ms\n`,
    );
    if (!hasModels) {
      process.stdout.write('  (`models` is not registered yet: `models --json` is measured once it is)\n');
    }
    const rows = targets.map((target) => {
      const sorted = [...(samples.get(target) ?? [])].sort((a, b) => a - b);
      const median = quantile(sorted, 0.5);
      const p90 = quantile(sorted, 0.9);
      const pass = !target.budgeted || median <= settings.budgetMs;
      return {
        command: target.label,
        medianMs: Math.round(median * 10) / 10,
        p90Ms: Math.round(p90 * 10) / 10,
        minMs: Math.round((sorted[0] ?? Number.NaN) * 10) / 10,
        maxMs: Math.round((sorted.at(-1) ?? Number.NaN) * 10) / 10,
        budgetMs: target.budgeted ? settings.budgetMs : null,
        verdict: target.budgeted ? (pass ? 'PASS' : 'FAIL') : '',
      };
    });
    const width = Math.max(...rows.map((r) => r.command.length));
    process.stdout.write(`  ${'command'.padEnd(width)}  median     p90     min     max\n`);
    for (const r of rows) {
      const n = (v: number) => `${v.toFixed(0).padStart(5)} ms`;
      process.stdout.write(
        `  ${r.command.padEnd(width)}  ${n(r.medianMs)}  ${n(r.p90Ms)}  ${n(r.minMs)}  ${n(r.maxMs)}  ${r.verdict}\n`,
      );
    }
    const failed = rows.filter((r) => r.verdict === 'FAIL');
    if (settings.json) {
      mkdirSync(dirname(settings.json), { recursive: true });
      writeFileSync(
        settings.json,
        `${JSON.stringify({ at: new Date().toISOString(), node: process.versions.node, cpus: cpus().length, load1, ...settings, modelsMeasured: hasModels, results: rows }, null, 2)}\n`,
      );
    }
    if (failed.length > 0) {
      process.stdout.write(
        `FAIL: ${failed.map((r) => r.command).join(', ')} over ${settings.budgetMs} ms. Usual cause: a command module that ` +
          'imports heavy packages (fastify, pino, better-sqlite3, pg, ioredis, undici, the simulator) at top level — ' +
          'every run loads every command module; import them inside the action instead.\n',
      );
      return settings.check ? 1 : 0;
    }
    process.stdout.write('PASS\n');
    return 0;
  } finally {
    if (simulator) await stop(simulator);
    rmSync(work, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => fail((error as Error).message),
);
