import {
  ConfigError,
  type FileConfig,
  isLoopbackHost,
  maskSecret,
  resolveConfig,
  type SwitchyardOptions,
} from '@switchyard/sdk';

/** Settings of the gateway process (`[gateway]` in switchyard.toml, flags of `switchyard serve`, environment). */
export interface GatewayConfig {
  host: string;
  port: number;
  /** Largest request body in bytes (default 10 MiB); larger → 413. */
  bodyLimit: number;
  /** How long running streams may finish after SIGINT/SIGTERM (default 10 s). */
  graceMs: number;
  /** Largest upstream answer in bytes, stream or not (default 64 MiB); beyond it the answer is cut with an error. */
  maxUpstreamResponseBytes: number;
  /**
   * Longest a client may take to send a whole request, headers and body (default 120 s); slower → 408 and the
   * connection is closed, so slow senders cannot hold connections and memory forever. Answers are not limited by it.
   */
  requestTimeoutMs: number;
  /** Token of the admin API (`Authorization: Bearer …`); without one the admin API is off. */
  adminToken?: string;
  /** Secret for the HMAC of virtual keys; generated and stored in the database when not set. */
  keySecret?: string;
  /** Log prompts and answers (default false: they can hold personal data). */
  logPrompts: boolean;
  /** Serve without virtual keys on a non-loopback interface (dangerous; refused unless set). */
  insecureNoAuth: boolean;
  /**
   * Origins of web pages that may call the API from a browser (CORS): exact origins, `scheme://host:*` for any port,
   * or `*`. Other pages get 403. Default: pages served from this machine (`http://localhost:*`, `http://127.0.0.1:*`,
   * `http://[::1]:*`).
   */
  corsOrigins: string[];
  /**
   * Host names an open (keyless, loopback-bound) gateway answers besides loopback ones — e.g. the name a local reverse
   * proxy forwards in `Host`. Guards against DNS rebinding.
   */
  allowedHosts: string[];
  /** Where requests go: OpenRouter with the key from the environment, or the embedded simulator. */
  /** `reason`: why the embedded simulator answers (said on start-up). */
  upstream: { mode: 'openrouter' | 'simulator'; baseURL?: string; apiKey?: string; reason?: string };
  /** PostgreSQL ledger when set, else SQLite at `sqlitePath`. */
  databaseUrl?: string;
  sqlitePath: string;
  /** Shared state (rate limits, breakers, budget reservations) in Redis when set, else in memory. */
  redisUrl?: string;
  /** Options for the SDK client the gateway routes through (file layer, env). */
  sdk: SwitchyardOptions;
}

export interface GatewayFlags {
  host?: string;
  port?: number;
  insecureNoAuth?: boolean;
  sqlitePath?: string;
  env?: Record<string, string | undefined>;
  fileConfig?: FileConfig;
}

function table(file: FileConfig | undefined, name: 'gateway'): Record<string, unknown> {
  const section = file?.[name];
  return section && typeof section === 'object' ? (section as Record<string, unknown>) : {};
}

const KNOWN = new Set([
  'host',
  'port',
  'body_limit',
  'grace_period',
  'request_timeout',
  'max_upstream_response',
  'admin_token',
  'key_secret',
  'log_prompts',
  'insecure_no_auth',
  'cors_origins',
  'allowed_hosts',
  'sqlite_path',
  'database_url',
  'redis_url',
]);

/** Pages served from this machine, on any port. */
export const LOOPBACK_ORIGINS = ['http://localhost:*', 'http://127.0.0.1:*', 'http://[::1]:*'];

/** `*`, or an origin (scheme, host, optional port or `:*`), without path; lower-cased. */
function corsOrigin(entry: string): string {
  const value = entry.trim().toLowerCase();
  if (value === '*' || /^https?:\/\/(?:\[[0-9a-f:.]+\]|[a-z0-9.-]+)(?::(?:\d{1,5}|\*))?$/.test(value)) return value;
  throw new ConfigError(
    `Invalid CORS origin ${JSON.stringify(entry)}: expected "*" or scheme://host[:port], e.g. "https://app.example.com" or "http://localhost:*" (no path, no trailing slash)`,
  );
}

/** A list setting: a TOML array of strings, or a comma-separated environment variable (which wins). */
function stringList(envValue: string | undefined, fileValue: unknown, key: string): string[] | undefined {
  if (envValue?.trim())
    return envValue
      .split(',')
      .map((item) => item.trim())
      .filter(Boolean);
  if (fileValue === undefined) return undefined;
  if (!Array.isArray(fileValue) || !fileValue.every((item) => typeof item === 'string'))
    throw new ConfigError(`Invalid [gateway] ${key} ${JSON.stringify(fileValue)}: must be an array of strings`);
  return fileValue as string[];
}

function typed<T>(value: unknown, key: string, check: (v: unknown) => boolean, expected: string): T | undefined {
  if (value === undefined || value === '') return undefined;
  if (!check(value)) throw new ConfigError(`Invalid [gateway] ${key} ${JSON.stringify(value)}: must be ${expected}`);
  return value as T;
}

/** Flags win over the environment, which wins over `[gateway]`, which wins over defaults. */
export function resolveGatewayConfig(flags: GatewayFlags = {}): GatewayConfig {
  const env = flags.env ?? process.env;
  const file = table(flags.fileConfig, 'gateway');
  for (const key of Object.keys(file)) {
    if (!KNOWN.has(key))
      throw new ConfigError(`switchyard.toml: unknown setting "gateway.${key}" (known: ${[...KNOWN].join(', ')})`);
  }
  const isString = (v: unknown) => typeof v === 'string';
  const isPositive = (v: unknown) => typeof v === 'number' && Number.isFinite(v) && v > 0;
  const port =
    flags.port ??
    (env.PORT ? Number(env.PORT) : undefined) ??
    typed<number>(file.port, 'port', (v) => Number.isInteger(v), 'an integer');
  if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65_535)) {
    throw new ConfigError(`Invalid port ${port}: must be an integer between 0 and 65535`);
  }
  const apiKey = env.OPENROUTER_API_KEY?.trim() || flags.fileConfig?.apiKey || undefined;
  const devMode = /^(1|true|yes)$/i.test(env.DEV_MODE ?? '') || flags.fileConfig?.devMode === true;
  const host = flags.host ?? env.HOST ?? typed<string>(file.host, 'host', isString, 'a string') ?? '127.0.0.1';
  const insecureNoAuth =
    flags.insecureNoAuth ??
    typed<boolean>(file.insecure_no_auth, 'insecure_no_auth', (v) => typeof v === 'boolean', 'true or false') ??
    false;
  return {
    host,
    port: port ?? 8787,
    bodyLimit:
      typed<number>(file.body_limit, 'body_limit', isPositive, 'a positive number of bytes') ?? 10 * 1024 * 1024,
    graceMs:
      (typed<number>(file.grace_period, 'grace_period', (v) => typeof v === 'number' && v >= 0, 'seconds ≥ 0') ?? 10) *
      1000,
    maxUpstreamResponseBytes:
      typed<number>(
        file.max_upstream_response,
        'max_upstream_response',
        (v) => Number.isInteger(v) && (v as number) > 0,
        'a positive whole number of bytes',
      ) ?? 64 * 1024 * 1024,
    requestTimeoutMs:
      (typed<number>(file.request_timeout, 'request_timeout', isPositive, 'a positive number of seconds') ?? 120) *
      1000,
    adminToken:
      env.SWITCHYARD_ADMIN_TOKEN?.trim() ||
      typed<string>(file.admin_token, 'admin_token', isString, 'a string') ||
      undefined,
    keySecret:
      env.SWITCHYARD_KEY_SECRET?.trim() ||
      typed<string>(file.key_secret, 'key_secret', isString, 'a string') ||
      undefined,
    logPrompts:
      typed<boolean>(file.log_prompts, 'log_prompts', (v) => typeof v === 'boolean', 'true or false') ?? false,
    insecureNoAuth,
    corsOrigins: (stringList(env.SWITCHYARD_CORS_ORIGINS, file.cors_origins, 'cors_origins') ?? LOOPBACK_ORIGINS).map(
      corsOrigin,
    ),
    allowedHosts: (stringList(env.SWITCHYARD_ALLOWED_HOSTS, file.allowed_hosts, 'allowed_hosts') ?? []).map((host) =>
      host.trim().toLowerCase(),
    ),
    upstream:
      apiKey && !devMode
        ? {
            mode: 'openrouter',
            apiKey,
            baseURL: env.OPENROUTER_BASE_URL?.trim() || flags.fileConfig?.baseURL || undefined,
          }
        : { mode: 'simulator', reason: apiKey ? 'DEV_MODE is set' : 'no OPENROUTER_API_KEY is set' },
    databaseUrl:
      env.DATABASE_URL?.trim() || typed<string>(file.database_url, 'database_url', isString, 'a string') || undefined,
    sqlitePath:
      flags.sqlitePath ??
      typed<string>(file.sqlite_path, 'sqlite_path', isString, 'a path') ??
      '.switchyard/switchyard.db',
    redisUrl: env.REDIS_URL?.trim() || typed<string>(file.redis_url, 'redis_url', isString, 'a string') || undefined,
    sdk: sdkOptions(env, flags.fileConfig),
  };
}

/**
 * The gateway answers for other apps, whose own clients wait much longer than the SDK's 60 s default deadline
 * (`openai` waits 10 minutes). A long non-stream answer cut at 60 s is still billed by OpenRouter (non-stream
 * requests cannot be cancelled) and lost to the client: unless the operator set a `timeout` (file or
 * `OPENROUTER_TIMEOUT`), the gateway's deadline is 10 minutes. Streams are unaffected (theirs ends at the first token).
 */
export const GATEWAY_TIMEOUT_MS = 600_000;

function sdkOptions(env: Record<string, string | undefined>, fileConfig: FileConfig | undefined): SwitchyardOptions {
  const sdk: SwitchyardOptions = { env, fileConfig };
  let defaulted: boolean;
  try {
    defaulted = resolveConfig(sdk).sources.timeoutMs === 'default';
  } catch {
    // An invalid SDK setting is reported where the SDK settings are used (`serve`, `doctor`'s settings check), as ever.
    return sdk;
  }
  if (defaulted) sdk.timeoutMs = GATEWAY_TIMEOUT_MS;
  return sdk;
}

/** Whether the gateway would be reachable from other machines. */
export function isPublicBind(host: string): boolean {
  return !isLoopbackHost(host.replace(/^\[|\]$/g, ''));
}

/** A printable summary (secrets masked) for the first log lines. */
export function describeConfig(config: GatewayConfig): Record<string, unknown> {
  return {
    listen: `${config.host}:${config.port}`,
    upstream:
      config.upstream.mode === 'openrouter'
        ? `OpenRouter (${config.upstream.baseURL ?? 'https://openrouter.ai/api/v1'}, key ${maskSecret(config.upstream.apiKey ?? '')})`
        : 'embedded simulator (demo pacing)',
    ledger: config.databaseUrl ? 'PostgreSQL' : `SQLite ${config.sqlitePath}`,
    sharedState: config.redisUrl ? 'Redis' : 'memory',
    adminApi: config.adminToken ? 'on' : 'off (set SWITCHYARD_ADMIN_TOKEN)',
    corsOrigins: config.corsOrigins.join(', '),
  };
}
