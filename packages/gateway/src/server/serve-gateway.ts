import { ConfigError, type FileConfig } from '@switchyard/sdk';
import { loadConfig } from '@switchyard/sdk/config';
import type { SimulatorOptions } from '@switchyard/simulator';
import { resolveGatewayConfig } from '../config/gateway-config.js';
import { type Gateway, startGateway } from './start-gateway.js';

const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LEVELS)[number];

/** Options of {@link serveGateway}: the flags of `switchyard serve`, plus where settings and logs come from. */
export interface ServeGatewayOptions {
  /** Interface to bind (default `HOST`, `[gateway] host`, else 127.0.0.1). Beyond loopback, virtual keys are required. */
  host?: string;
  /** Port (default `PORT`, `[gateway] port`, else 8787); 0 picks a free one — read it from the result. */
  port?: number;
  /**
   * The configuration file: a path (default `./switchyard.toml` when it exists), a configuration already parsed
   * (e.g. by `parseConfig` of `@switchyard/sdk/config`), or `false` for none.
   */
  config?: string | FileConfig | false;
  /** SQLite ledger file when `DATABASE_URL` is not set (default `.switchyard/switchyard.db`). */
  db?: string;
  /** Serve without virtual keys on a non-loopback interface (dangerous; refused unless set). */
  insecureNoAuth?: boolean;
  /**
   * Environment the settings are read from (default `process.env`): `OPENROUTER_API_KEY`, `DATABASE_URL`,
   * `REDIS_URL`, `SWITCHYARD_ADMIN_TOKEN`, … Without an upstream key the embedded simulator answers.
   */
  env?: Record<string, string | undefined>;
  /** Options of the embedded simulator (e.g. `{ pace: 'instant' }` in tests, or a fault `scenario`). */
  simulator?: SimulatorOptions;
  /** Lowest level written (default `LOG_LEVEL` of `env`, else `info`). */
  logLevel?: LogLevel;
  /** Where the JSON log lines go (default stdout); secrets are redacted before they get here. */
  logDestination?: { write(line: string): unknown };
}

/** A gateway started by {@link serveGateway}. */
export interface RunningGateway {
  /** `http://host:port`: the dashboard, `/healthz`, `/metrics`, `/ws`. */
  url: string;
  /** `http://host:port/api/v1`: the base URL for OpenAI/OpenRouter clients. */
  baseURL: string;
  port: number;
  /** Graceful shutdown: refuse new work, let running requests finish within the grace period, flush the ledger. */
  close(): Promise<void>;
}

/** The gateway from the options of {@link serveGateway}, with its internals (for `switchyard serve`). */
export async function launchGateway(options: ServeGatewayOptions): Promise<Gateway> {
  const { config: file = undefined } = options;
  if (file !== undefined && file !== false && typeof file !== 'string' && (typeof file !== 'object' || file === null))
    throw new ConfigError('config must be a file path, a parsed configuration or false');
  const fileConfig = file === false ? {} : typeof file === 'object' ? file : await loadConfig(file);
  const config = resolveGatewayConfig({
    host: options.host,
    port: options.port,
    insecureNoAuth: options.insecureNoAuth,
    sqlitePath: options.db,
    env: options.env,
    fileConfig,
  });
  const logLevel = options.logLevel ?? (options.env ?? process.env).LOG_LEVEL ?? 'info';
  if (!(LEVELS as readonly string[]).includes(logLevel))
    throw new ConfigError(`Invalid log level "${logLevel}": use ${LEVELS.join(', ')}`);
  return startGateway({
    config,
    logLevel,
    logDestination: options.logDestination,
    simulator: options.simulator,
  });
}

/**
 * Starts the gateway inside this process, configured as `switchyard serve` is (options here, then environment, then
 * the file's `[gateway]` table). Unlike the CLI it installs no signal handlers: call `close()` when done.
 */
export async function serveGateway(options: ServeGatewayOptions = {}): Promise<RunningGateway> {
  const gateway = await launchGateway(options);
  return { url: gateway.url, baseURL: gateway.baseURL, port: gateway.port, close: gateway.close };
}
