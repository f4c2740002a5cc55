/**
 * The built `switchyard` CLI driven as users run it: `node bin/switchyard.js ARGS` in a child process (it runs the
 * compiled dist/, so build first), with an environment of the test's choosing and its output collected.
 *
 * - `cliEnv()` builds a clean environment: a throwaway HOME and cache directories, no key unless an OpenRouter
 *   stand-in is named, and only the settings a test asks for (CI, LANG, …).
 * - `runCli()` runs a command to its end; `startCli()` starts one the test interacts with (signals, polling).
 *   Both track the child: `afterEach(stopCliChildren)` kills whatever a failed test left running.
 * - `startSimulateProcess()` runs `switchyard simulate` as a separate server (with a fault scenario) and reads its
 *   URL; `useSimulators()` starts in-process simulators and closes them after the file's tests.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type SimulatorHandle, type SimulatorOptions, startSimulator } from '@switchyard/simulator';
import { afterAll, expect } from 'vitest';

/** Path of the CLI entry point, `packages/gateway/bin/switchyard.js`. */
export const CLI_BIN = new URL('../../bin/switchyard.js', import.meta.url).pathname;

/** An OpenRouter-compatible server (a simulator) for the CLI to use instead of its embedded one. */
export interface OpenRouterTarget {
  /** Base URL, `http://127.0.0.1:PORT/api/v1`. */
  url: string;
  apiKey: string;
  /** Two attempts with a 10 ms backoff base (OPENROUTER_RETRY_*), so a failing upstream fails fast. */
  fastRetry?: boolean;
}

export interface CliEnvOptions {
  /** CI=1 and NO_COLOR=1: plain output (no spinner, progress bar or colour). */
  ci?: boolean;
  /** LANG of the child (unset unless given), e.g. `C.UTF-8`. */
  lang?: string;
  /** OPENROUTER_API_KEY and OPENROUTER_BASE_URL; without it no key is set and the CLI uses its own simulator. */
  openRouter?: OpenRouterTarget;
  /** More variables, set last (they win). */
  extra?: Record<string, string>;
}

/**
 * A clean environment for the CLI: PATH, `home` as HOME with the caches below it (XDG_CACHE_HOME `home/.cache`,
 * SWITCHYARD_CACHE_DIR `home/.cache/switchyard`), and what `options` add. Nothing else of the test process's
 * environment is passed on (no key, no config, no colour settings).
 */
export function cliEnv(home: string, options: CliEnvOptions = {}): Record<string, string> {
  const { openRouter } = options;
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: home,
    XDG_CACHE_HOME: join(home, '.cache'),
    SWITCHYARD_CACHE_DIR: join(home, '.cache', 'switchyard'),
    ...(options.ci ? { CI: '1', NO_COLOR: '1' } : {}),
    ...(options.lang ? { LANG: options.lang } : {}),
    ...(openRouter ? { OPENROUTER_API_KEY: openRouter.apiKey, OPENROUTER_BASE_URL: openRouter.url } : {}),
    ...(openRouter?.fastRetry ? { OPENROUTER_RETRY_ATTEMPTS: '2', OPENROUTER_RETRY_BACKOFF_BASE: '0.01' } : {}),
    ...options.extra,
  };
}

/** How a CLI run ended: the exit code (null when killed by a signal) and everything it printed. */
export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  /** Working directory (default: the test process's). */
  cwd?: string;
  /** The child's whole environment (default: the test process's, inherited); see `cliEnv()`. */
  env?: NodeJS.ProcessEnv;
  /** Written to stdin, which is then closed; without it stdin is /dev/null. */
  input?: string;
  /** SIGKILL after this many milliseconds (default: no limit). */
  timeoutMs?: number;
  /**
   * Whether `stopCliChildren()` kills it (default true). False for a process that outlives one test (started in
   * beforeAll): the test file stops it itself.
   */
  track?: boolean;
}

/** A started CLI process. */
export interface CliProcess {
  child: ChildProcess;
  /** Resolves when the process has ended and its output is closed. */
  done: Promise<CliRun>;
  /** What it printed so far, stdout and stderr interleaved as they came. */
  output(): string;
}

const running = new Set<ChildProcess>();

const isRunning = (child: ChildProcess) => child.exitCode === null && child.signalCode === null;

/** Starts `switchyard ARGS`; stdout and stderr are piped and collected. */
export function startCli(args: string[], options: CliOptions = {}): CliProcess {
  const child = spawn(process.execPath, [CLI_BIN, ...args], {
    cwd: options.cwd,
    env: options.env,
    stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
  });
  if (options.track !== false) {
    running.add(child);
    child.once('exit', () => running.delete(child));
  }
  let stdout = '';
  let stderr = '';
  let output = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    output += chunk;
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
    output += chunk;
  });
  const timer =
    options.timeoutMs === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), options.timeoutMs);
  const done = new Promise<CliRun>((resolve) =>
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    }),
  );
  if (options.input !== undefined) {
    child.stdin?.on('error', () => {}); // EPIPE when the CLI exits without reading all of it
    child.stdin?.end(options.input);
  }
  return { child, done, output: () => output };
}

/** Runs `switchyard ARGS` to its end. */
export function runCli(args: string[], options: CliOptions = {}): Promise<CliRun> {
  return startCli(args, options).done;
}

/** Kills (SIGKILL) every tracked CLI process still running: `afterEach(stopCliChildren)`. */
export function stopCliChildren(): void {
  for (const child of running) if (isRunning(child)) child.kill('SIGKILL');
  running.clear();
}

/** Asserts that `text` (usually stderr) holds no stack trace: errors reach users as one plain line. */
export function expectNoStackTrace(text: string): void {
  expect(text).not.toMatch(/\n\s+at /);
}

/** Polls every 25 ms until `check` holds; throws `timed out waiting for WHAT` after `ms`. */
export async function waitUntil(check: () => boolean, what: string, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** A simulator scenario file's contents (`switchyard simulate --scenario FILE`). */
export interface Scenario {
  rules: object[];
}

/**
 * Breaks streamed answers: openai/gpt-4o fails after 3 chunks (an in-band error), openai/gpt-4o-mini streams 2
 * chunks then stalls (keep-alive comments only) until the client gives up.
 */
export const BROKEN_STREAMS: Scenario = {
  rules: [
    { match: { model: 'openai/gpt-4o' }, fault: { kind: 'mid-stream-error', afterChunks: 3 } },
    {
      match: { model: 'openai/gpt-4o-mini', stream: true },
      fault: { kind: 'stall', afterChunks: 2, mode: 'keepalive' },
    },
  ],
};

/** switchyard.toml text with one `[providers.NAME]` entry: an OpenRouter-compatible server at `url` (a simulator). */
export function providerConfig(name: string, url: string, apiKey: string): string {
  return `[providers.${name}]\ntype = "openrouter"\nbase_url = "${url}"\napi_key = "${apiKey}"\n`;
}

export interface SimulateProcessOptions extends Omit<CliOptions, 'input' | 'timeoutMs'> {
  /** `--scenario`: a file, or a scenario written to a temporary file (removed by `stop()`). */
  scenario?: string | Scenario;
  /** More flags after `simulate --port 0`, e.g. `['--seed', '42']`. */
  args?: string[];
}

export interface SimulateProcess {
  /** The base URL it printed first, `http://127.0.0.1:PORT/api/v1`. */
  url: string;
  child: ChildProcess;
  /** SIGTERM (SIGKILL after 5 s) and the exit code; removes a written scenario. Safe twice. */
  stop(): Promise<number | null>;
}

/**
 * `switchyard simulate --port 0 [--scenario FILE]` as a child process; resolves with the URL from its first stdout
 * line, or rejects with its stderr when it exits before printing one.
 */
export async function startSimulateProcess(options: SimulateProcessOptions = {}): Promise<SimulateProcess> {
  const { scenario, args = [], ...cli } = options;
  let scenarioDir: string | undefined;
  let scenarioFile: string | undefined;
  if (typeof scenario === 'object') {
    scenarioDir = mkdtempSync(join(tmpdir(), 'sy-scenario-'));
    scenarioFile = join(scenarioDir, 'scenario.json');
    writeFileSync(scenarioFile, JSON.stringify(scenario));
  } else {
    scenarioFile = scenario;
  }
  const removeScenario = () => {
    if (scenarioDir) rmSync(scenarioDir, { recursive: true, force: true });
  };
  const scenarioArgs = scenarioFile === undefined ? [] : ['--scenario', scenarioFile];
  const { child, done } = startCli(['simulate', '--port', '0', ...scenarioArgs, ...args], cli);
  let url: string;
  try {
    url = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout?.on('data', (chunk: string) => {
        out += chunk;
        const newline = out.indexOf('\n');
        if (newline >= 0) resolve(out.slice(0, newline));
      });
      void done.then((run) => reject(new Error(`simulate exited ${run.code}: ${run.stderr}`)));
    });
  } catch (error) {
    removeScenario();
    throw error;
  }
  return {
    url,
    child,
    async stop() {
      if (isRunning(child)) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
        await done;
        clearTimeout(timer);
      }
      removeScenario();
      return (await done).code;
    },
  };
}

/**
 * In-process simulators for the CLI to reach over loopback: the returned function starts one on a free port, and
 * all are closed after the file's tests (registers afterAll).
 */
export function useSimulators(): (options?: SimulatorOptions) => Promise<SimulatorHandle> {
  const sims: SimulatorHandle[] = [];
  afterAll(async () => {
    await Promise.all(sims.splice(0).map((sim) => sim.close()));
  });
  return async (options = {}) => {
    const sim = await startSimulator({ port: 0, ...options });
    sims.push(sim);
    return sim;
  };
}
