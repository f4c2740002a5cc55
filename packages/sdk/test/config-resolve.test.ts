import { describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config/load-config.js';
import type { FileConfig, SwitchyardOptions } from '../src/config/options.js';
import { resolveConfig } from '../src/config/resolve-config.js';
import { ConfigError } from '../src/errors/client-errors.js';

const file = (text: string, env: Record<string, string> = {}) => parseConfig(text, { env });
/** Resolves with an explicit, isolated environment (never the test runner's own). */
const resolve = (options: SwitchyardOptions = {}, env: Record<string, string> = {}) =>
  resolveConfig({ env, ...options });

describe('resolveConfig: defaults', () => {
  it('fills every field with its default when nothing is configured', () => {
    const config = resolve();
    expect({ ...config, fetch: undefined, sources: undefined, origins: undefined }).toEqual({
      apiKey: undefined,
      baseURL: 'https://openrouter.ai/api/v1',
      defaultModel: undefined,
      fallbackModels: [],
      provider: 'openrouter',
      devMode: false,
      timeoutMs: 60_000,
      timeouts: { headersMs: 30_000, firstTokenMs: 45_000, idleMs: 30_000 },
      maxResponseBytes: 64 * 1024 * 1024,
      retry: { attempts: 3, backoffBaseMs: 1000, backoffMaxMs: 12_000, jitter: 0.25 },
      appUrl: undefined,
      appName: undefined,
      appCategories: [],
      headers: {},
      defaults: {},
      aliases: {},
      models: {},
      providers: {},
      allowInsecureHttp: false,
      routing: {
        fallbackStrategy: 'client',
        selection: 'context',
        maxPromptPrice: Number.POSITIVE_INFINITY,
        maxCompletionPrice: Number.POSITIVE_INFINITY,
        preflight: 'reject',
        contextWarnAt: 0.8,
        onContextLengthError: 'prune',
        onInsufficientCredits: 'lower-max-tokens',
        hedgeAfterMs: 0,
      },
      breaker: {
        failureThreshold: 5,
        failureRate: 0.5,
        minRequests: 10,
        windowMs: 60_000,
        recoveryMs: 60_000,
        probeTimeoutMs: 60_000,
      },
      catalog: { ttlMs: 3_600_000, cacheDir: undefined },
      costBackfill: false,
      fetch: undefined,
      sources: undefined,
      origins: undefined,
    });
    expect(typeof config.fetch).toBe('function');
    expect(config.sources).toMatchObject({ apiKey: 'default', timeoutMs: 'default', 'retry.jitter': 'default' });
  });

  it('reads process.env when no env is given', () => {
    process.env.OPENROUTER_APP_NAME = 'from process';
    try {
      expect(resolveConfig({}).appName).toBe('from process');
    } finally {
      delete process.env.OPENROUTER_APP_NAME;
    }
  });

  it('returns a frozen object and leaves the caller’s objects mutable', () => {
    const reasoning = { effort: 'low' as const };
    const config = resolve({ defaults: { reasoning } });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.retry)).toBe(true);
    expect(Object.isFrozen(reasoning)).toBe(false);
  });

  it('uses the injected fetch, and otherwise calls globalThis.fetch at call time', async () => {
    const mine = (async () => new Response('mine')) as typeof fetch;
    expect(resolve({ fetch: mine }).fetch).toBe(mine);
    const config = resolve();
    const original = globalThis.fetch;
    globalThis.fetch = (async () => new Response('patched')) as typeof fetch;
    try {
      expect(await (await config.fetch('http://127.0.0.1:1/')).text()).toBe('patched');
    } finally {
      globalThis.fetch = original;
    }
  });
});

describe('resolveConfig: precedence option > env > file > default', () => {
  // For each field family: the value each layer provides, the env var, and how to read the result.
  const families: {
    name: string;
    option: SwitchyardOptions;
    env: Record<string, string>;
    file: string;
    read: (c: ReturnType<typeof resolveConfig>) => unknown;
    values: [option: unknown, env: unknown, file: unknown, fallback: unknown];
    source: string;
  }[] = [
    {
      name: 'apiKey',
      option: { apiKey: 'key-option' },
      env: { OPENROUTER_API_KEY: 'key-env' },
      file: '[openrouter]\napi_key = "key-file"',
      read: (c) => c.apiKey,
      values: ['key-option', 'key-env', 'key-file', undefined],
      source: 'apiKey',
    },
    {
      name: 'baseURL',
      option: { baseURL: 'https://option.example/v1' },
      env: { OPENROUTER_BASE_URL: 'https://env.example/v1' },
      file: '[openrouter]\nbase_url = "https://file.example/v1"',
      read: (c) => c.baseURL,
      values: [
        'https://option.example/v1',
        'https://env.example/v1',
        'https://file.example/v1',
        'https://openrouter.ai/api/v1',
      ],
      source: 'baseURL',
    },
    {
      name: 'defaultModel',
      option: { defaultModel: 'o/option' },
      env: { OPENROUTER_MODEL: 'e/env' },
      file: '[openrouter]\ndefault_model = "f/file"',
      read: (c) => c.defaultModel,
      values: ['o/option', 'e/env', 'f/file', undefined],
      source: 'defaultModel',
    },
    {
      name: 'fallbackModels',
      option: { fallbackModels: ['o/a'] },
      env: { OPENROUTER_FALLBACK_MODELS: 'e/a,e/b' },
      file: '[openrouter]\nfallback_models = ["f/a"]',
      read: (c) => c.fallbackModels,
      values: [['o/a'], ['e/a', 'e/b'], ['f/a'], []],
      source: 'fallbackModels',
    },
    {
      name: 'provider',
      option: { provider: 'simulator' },
      env: { DEFAULT_PROVIDER: 'openai-compatible', OPENROUTER_BASE_URL: 'http://localhost:1/v1' },
      file: '[openrouter]\nprovider = "local"\n[providers.local]\nbase_url = "http://localhost:2/v1"',
      read: (c) => c.provider,
      values: ['simulator', 'openai-compatible', 'local', 'openrouter'],
      source: 'provider',
    },
    {
      name: 'timeoutMs',
      option: { timeoutMs: 1000 },
      env: { OPENROUTER_TIMEOUT: '2' },
      file: '[openrouter]\ntimeout = 3',
      read: (c) => c.timeoutMs,
      values: [1000, 2000, 3000, 60_000],
      source: 'timeoutMs',
    },
    {
      name: 'retry.attempts',
      option: { retry: { attempts: 1 } },
      env: { OPENROUTER_RETRY_ATTEMPTS: '2' },
      file: '[retry]\nattempts = 4',
      read: (c) => c.retry.attempts,
      values: [1, 2, 4, 3],
      source: 'retry.attempts',
    },
    {
      name: 'retry.jitter',
      option: { retry: { jitter: 0.1 } },
      env: { OPENROUTER_RETRY_JITTER: '0.2' },
      file: '[retry]\njitter = 0.3',
      read: (c) => c.retry.jitter,
      values: [0.1, 0.2, 0.3, 0.25],
      source: 'retry.jitter',
    },
    {
      name: 'appUrl',
      option: { appUrl: 'https://o.example' },
      env: { OPENROUTER_HTTP_REFERER: 'https://e.example' },
      file: '[app]\nurl = "https://f.example"',
      read: (c) => c.appUrl,
      values: ['https://o.example', 'https://e.example', 'https://f.example', undefined],
      source: 'appUrl',
    },
    {
      name: 'appName',
      option: { appName: 'Option' },
      env: { OPENROUTER_X_TITLE: 'Env' },
      file: '[app]\nname = "File"',
      read: (c) => c.appName,
      values: ['Option', 'Env', 'File', undefined],
      source: 'appName',
    },
    {
      name: 'devMode',
      option: { devMode: false },
      env: { DEV_MODE: 'yes' },
      file: '[openrouter]\ndev_mode = false',
      read: (c) => c.devMode,
      values: [false, true, false, false],
      source: 'devMode',
    },
  ];

  it.each(families)('$name', ({ option, env, file: text, read, values, source }) => {
    const fileConfig = file(text);
    const [fromOption, fromEnv, fromFile, fallback] = values;
    const all = resolve({ ...option, fileConfig }, env);
    expect(read(all)).toEqual(fromOption);
    expect(all.sources[source]).toBe('option');
    const noOption = resolve({ fileConfig }, env);
    expect(read(noOption)).toEqual(fromEnv);
    expect(noOption.sources[source]).toBe('env');
    const onlyFile = resolve({ fileConfig });
    expect(read(onlyFile)).toEqual(fromFile);
    expect(onlyFile.sources[source]).toBe('file');
    const none = resolve();
    expect(read(none)).toEqual(fallback);
    expect(none.sources[source]).toBe('default');
  });

  it('max_response_bytes: option over file over the 64 MiB default, a whole positive number', () => {
    expect(resolve({ fileConfig: file('[openrouter]\nmax_response_bytes = 1048576') }).maxResponseBytes).toBe(
      1_048_576,
    );
    expect(
      resolve({ maxResponseBytes: 4096, fileConfig: file('[openrouter]\nmax_response_bytes = 1048576') }).origins,
    ).toMatchObject({ maxResponseBytes: 'options (maxResponseBytes)' });
    expect(() => resolve({ maxResponseBytes: 0 })).toThrow(/max response bytes.*whole number of bytes/);
    expect(() => resolve({ maxResponseBytes: 1.5 })).toThrow(/max response bytes/);
  });

  it('merges retry and timeouts per field across layers', () => {
    const config = resolve(
      {
        retry: { attempts: 7 },
        timeouts: { idleMs: 5 },
        fileConfig: file('[retry]\nbackoff_max = 20\njitter = 0.5\n[timeouts]\nheaders = 9\nidle = 99'),
      },
      { OPENROUTER_RETRY_BACKOFF_BASE: '0.2' },
    );
    expect(config.retry).toEqual({ attempts: 7, backoffBaseMs: 200, backoffMaxMs: 20_000, jitter: 0.5 });
    expect(config.timeouts).toEqual({ headersMs: 9000, firstTokenMs: 45_000, idleMs: 5 });
    expect(config.origins).toMatchObject({
      'retry.attempts': 'options (retry.attempts)',
      'retry.backoffBaseMs': 'env OPENROUTER_RETRY_BACKOFF_BASE',
      'retry.backoffMaxMs': 'switchyard.toml (retry.backoff_max)',
      'timeouts.firstTokenMs': 'default',
    });
  });

  it('merges maps per key: defaults, aliases, providers (per field)', () => {
    const config = resolve({
      defaults: { temperature: 0.1 },
      aliases: { smart: 'anthropic/claude-sonnet-4.5' },
      providers: { local: { apiKey: 'option-key' } },
      fileConfig: file(
        '[defaults]\ntemperature = 1\nmax_tokens = 50\n[aliases]\nfast = "openai/gpt-4o-mini"\n[providers.local]\nbase_url = "http://127.0.0.1:8080/v1/"\napi_key = "file-key"',
      ),
    });
    expect(config.defaults).toEqual({ temperature: 0.1, max_tokens: 50 });
    expect(config.aliases).toEqual({ fast: 'openai/gpt-4o-mini', smart: 'anthropic/claude-sonnet-4.5' });
    expect(config.providers.local).toMatchObject({
      baseURL: 'http://127.0.0.1:8080/v1',
      apiKey: 'option-key',
      type: 'openai-compatible',
    });
  });

  it('lets an empty option or env value fall through to the next layer', () => {
    const config = resolve(
      { defaultModel: '', fileConfig: file('[openrouter]\ndefault_model = "f/file"') },
      { OPENROUTER_DEFAULT_MODEL: '' },
    );
    expect(config.defaultModel).toBe('f/file');
  });
});

describe('resolveConfig: dev mode and provider', () => {
  it('DEV_MODE=true switches to the simulator', () => {
    const config = resolve({}, { DEV_MODE: 'true', OPENROUTER_API_KEY: 'dummy-key' });
    expect(config.provider).toBe('simulator');
    expect(config.origins.provider).toBe('env DEV_MODE');
  });

  it('a provider set in a more explicit layer than devMode wins; same layer → simulator', () => {
    expect(resolve({ provider: 'openrouter' }, { DEV_MODE: 'true' }).provider).toBe('openrouter');
    expect(resolve({}, { DEV_MODE: 'true', DEFAULT_PROVIDER: 'openrouter' }).provider).toBe('simulator');
    expect(
      resolve({ fileConfig: file('[openrouter]\ndev_mode = true') }, { DEFAULT_PROVIDER: 'openrouter' }).provider,
    ).toBe('openrouter');
  });

  it('rejects unknown providers with a suggestion, and openai-compatible without a base URL', () => {
    expect(() => resolve({ provider: 'locl', providers: { local: { baseURL: 'http://localhost:1' } } })).toThrow(
      'Invalid provider "locl" from options (provider): must be one of openrouter, openai-compatible, simulator, local (did you mean "local"?)',
    );
    expect(() => resolve({}, { DEFAULT_PROVIDER: 'openai-compatible' })).toThrow(
      'Invalid provider "openai-compatible" from env DEFAULT_PROVIDER: needs a base URL',
    );
  });

  it('validates named providers', () => {
    expect(() => resolve({ providers: { local: { models: ['m'] } } })).toThrow('Provider "local" needs a base URL');
    expect(() => resolve({ providers: { openrouter: { baseURL: 'https://x.example' } } })).toThrow(
      'it is a built-in provider',
    );
    expect(() => resolve({ providers: { local: { type: 'grpc' as never, baseURL: 'http://localhost' } } })).toThrow(
      'Invalid provider type "grpc" from options (providers.local.type)',
    );
    expect(() =>
      resolve({ providers: { local: { baseURL: 'http://localhost', prices: { m: { prompt: -1, completion: 0 } } } } }),
    ).toThrow(
      'Invalid prompt price of m -1 from options (providers.local.prices): must be a non-negative number (USD per million tokens)',
    );
    const ok = resolve({ providers: { or2: { type: 'openrouter', models: ['openai/gpt-4o'] } } });
    expect(ok.providers.or2).toMatchObject({ type: 'openrouter', baseURL: 'https://openrouter.ai/api/v1' });
    expect(() => resolve({ providers: { or2: { type: 'openrouter', models: ['gpt-4o'] } } })).toThrow(
      'Invalid model id in provider "or2" "gpt-4o"',
    );
  });

  it('accepts free-form model names for openai-compatible providers, and converts prices to numbers', () => {
    const config = resolve({
      provider: 'local',
      defaultModel: 'llama3.1:8b',
      providers: {
        local: {
          baseURL: 'http://localhost:11434/v1',
          models: ['llama3.1:8b', 'Qwen2.5-Coder'],
          prices: { 'llama3.1:8b': { prompt: '0.05', completion: 0.1 } },
        },
      },
    });
    expect(config.defaultModel).toBe('llama3.1:8b');
    expect(config.providers.local?.prices).toEqual({ 'llama3.1:8b': { prompt: 0.05, completion: 0.1 } });
  });
});

describe('resolveConfig: models and aliases', () => {
  it('accepts [models.<alias>] entries as model names and checks routing', () => {
    const config = resolve({
      defaultModel: 'kimi25',
      fallbackModels: ['fast'],
      fileConfig: file(
        '[aliases]\nfast = "openai/gpt-4o-mini"\n[models.kimi25]\nprovider = "openrouter"\nmodel = "moonshotai/kimi-k2.5"\nrouting = ["anthropic"]\n[models.sonnet]\nmodel = "anthropic/claude-sonnet-4.5"\n[models.sonnet.provider]\nsort = "price"',
      ),
    });
    expect(config.models).toEqual({
      kimi25: { provider: 'openrouter', model: 'moonshotai/kimi-k2.5', routing: ['anthropic'] },
      sonnet: { model: 'anthropic/claude-sonnet-4.5', providerPreferences: { sort: 'price' } },
    });
  });

  it('rejects routing for a non-OpenRouter model entry', () => {
    expect(() =>
      resolve({
        providers: { local: { baseURL: 'http://localhost:1' } },
        models: { x: { provider: 'local', model: 'm', routing: ['groq'] } },
      }),
    ).toThrow(
      'Invalid routing of "x" ["groq"] from options (models.x.routing): only OpenRouter models can be routed, but provider is "local"',
    );
    expect(() => resolve({ models: { x: { model: 'a/b', routing: [''] } } })).toThrow(
      'must be a non-empty list of provider slugs',
    );
  });

  it('follows alias chains and rejects cycles, bad names and clashes', () => {
    expect(resolve({ aliases: { a: 'b', b: 'openai/gpt-4o' } }).aliases).toEqual({ a: 'b', b: 'openai/gpt-4o' });
    expect(() => resolve({ aliases: { a: 'b', b: 'a' } })).toThrow('Alias cycle: a → b → a');
    expect(() => resolve({ aliases: { 'openai/gpt-4o': 'openai/gpt-4o-mini' } })).toThrow(
      'alias names must not be empty or contain "/"',
    );
    expect(() => resolve({ aliases: { x: 'a/b' }, models: { x: { model: 'a/b' } } })).toThrow(
      'also defined as a model entry',
    );
    expect(() => resolve({ aliases: { x: 'gpt-4o' } })).toThrow('Invalid alias "x" "gpt-4o" from options (aliases.x)');
  });
});

describe('resolveConfig: validation messages name the setting and its source', () => {
  const cases: [string, SwitchyardOptions, Record<string, string>, string][] = [
    [
      'temperature from file',
      { fileConfig: file('[defaults]\ntemperature = 3') },
      {},
      'Invalid temperature 3 from switchyard.toml (defaults.temperature): must be between 0 and 2',
    ],
    [
      'temperature from options',
      { defaults: { temperature: -0.5 } },
      {},
      'Invalid temperature -0.5 from options (defaults.temperature): must be between 0 and 2',
    ],
    [
      'max_tokens zero',
      { defaults: { max_tokens: 0 } },
      {},
      'Invalid max_tokens 0 from options (defaults.max_tokens): must be greater than 0',
    ],
    [
      'max_tokens fraction',
      { defaults: { max_tokens: 1.5 } },
      {},
      'Invalid max_tokens 1.5 from options (defaults.max_tokens): must be a whole number',
    ],
    [
      'top_p zero',
      { defaults: { top_p: 0 } },
      {},
      'Invalid top_p 0 from options (defaults.top_p): must be greater than 0 and at most 1',
    ],
    [
      'top_p above 1',
      { fileConfig: file('[defaults]\ntop_p = 1.5') },
      {},
      'Invalid top_p 1.5 from switchyard.toml (defaults.top_p)',
    ],
    ['stop too many', { defaults: { stop: ['a', 'b', 'c', 'd', 'e'] } }, {}, 'must have at most 4 stop sequences'],
    [
      'reasoning_effort',
      { defaults: { reasoning_effort: 'huge' as never } },
      {},
      'Invalid reasoning_effort "huge" from options (defaults.reasoning_effort): must be one of max, xhigh',
    ],
    [
      'unknown default',
      { defaults: { temprature: 1 } as never },
      {},
      'Unknown chat default "temprature" from options (defaults.temprature) (did you mean "temperature"?)',
    ],
    [
      'negative timeout from file',
      { fileConfig: file('[openrouter]\ntimeout = -1') },
      {},
      'Invalid timeout -1s from switchyard.toml (openrouter.timeout): must be zero or more seconds',
    ],
    [
      'negative idle from options',
      { timeouts: { idleMs: -5 } },
      {},
      'Invalid idle timeout -5 from options (timeouts.idleMs): must be zero or more milliseconds',
    ],
    ['NaN timeout from file', { fileConfig: file('[openrouter]\ntimeout = nan') }, {}, 'Invalid timeout NaN'],
    [
      'attempts fraction',
      {},
      { OPENROUTER_RETRY_ATTEMPTS: '2.5' },
      'Invalid retry attempts 2.5 from env OPENROUTER_RETRY_ATTEMPTS: must be a whole number, 0 or more',
    ],
    ['attempts negative', { retry: { attempts: -1 } }, {}, 'Invalid retry attempts -1 from options (retry.attempts)'],
    [
      'jitter',
      {},
      { OPENROUTER_RETRY_JITTER: '1.5' },
      'Invalid retry jitter 1.5 from env OPENROUTER_RETRY_JITTER: must be between 0 and 1',
    ],
    [
      'backoff base > max',
      { fileConfig: file('[retry]\nbackoff_max = 2') },
      { OPENROUTER_RETRY_BACKOFF_BASE: '5' },
      'Invalid retry backoff: base 5s from env OPENROUTER_RETRY_BACKOFF_BASE is larger than max 2s from switchyard.toml (retry.backoff_max)',
    ],
    [
      'wrong type',
      { timeoutMs: '60' as never },
      {},
      'Invalid timeout "60" from options (timeoutMs): must be a finite number',
    ],
    [
      'devMode type',
      { devMode: 'yes' as never },
      {},
      'Invalid dev mode "yes" from options (devMode): must be true or false',
    ],
    [
      'default model',
      {},
      { OPENROUTER_DEFAULT_MODEL: 'GPT-4o' },
      'Invalid default model "GPT-4o" from env OPENROUTER_DEFAULT_MODEL: expected author/slug[:variant]',
    ],
    [
      'fallback model',
      { fileConfig: file('[openrouter]\nfallback_models = ["openai/gpt 4o"]') },
      {},
      'Invalid fallback model "openai/gpt 4o" from switchyard.toml (openrouter.fallback_models)',
    ],
    [
      'app category shape',
      { appCategories: ['CLI Agent'] },
      {},
      'Invalid app category "CLI Agent" from options (appCategories): must be lowercase-hyphenated',
    ],
    ['app category length', { appCategories: ['a'.repeat(31)] }, {}, 'at most 30 characters'],
    [
      'too many categories',
      { appCategories: ['cli-agent', 'general-chat', 'legal'] },
      {},
      'Invalid app categories ["cli-agent","general-chat","legal"] from options (appCategories): OpenRouter accepts at most 2 categories per request',
    ],
    [
      'app url',
      {},
      { OPENROUTER_HTTP_REFERER: 'myapp.com' },
      'Invalid app URL "myapp.com" from env OPENROUTER_HTTP_REFERER: must be an http(s) URL, e.g. "https://myapp.com"',
    ],
    ['app name newline', { appName: 'a\nb' }, {}, 'Invalid app name'],
    [
      'header name',
      { headers: { 'bad header': 'x' } },
      {},
      'Invalid header name "bad header" from options (headers.bad header): not a valid HTTP header name',
    ],
    [
      'header value',
      { headers: { 'x-a': 'line\nbreak' } },
      {},
      'Invalid header x-a "line\\nbreak" from options (headers.x-a): must be a string without line breaks',
    ],
    ['unknown option', { apikey: 'x' } as never, {}, 'Unknown option "apikey" (did you mean "apiKey"?)'],
    [
      'unknown nested option',
      { timeouts: { idle: 5 } } as never,
      {},
      'Unknown option "timeouts.idle" (did you mean "idleMs"?)',
    ],
    ['fetch not a function', { fetch: 'nope' as never }, {}, 'Invalid fetch from options (fetch): must be a function'],
  ];
  it.each(cases)('%s', (_name, options, env, message) => {
    let error: unknown;
    try {
      resolve(options, env);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toContain(message);
  });

  it('names the file it was loaded from', () => {
    const fileConfig: FileConfig = parseConfig('[defaults]\ntemperature = 9', {
      path: '/etc/app/switchyard.toml',
      env: {},
    });
    expect(() => resolve({ fileConfig })).toThrow(
      'Invalid temperature 9 from /etc/app/switchyard.toml (defaults.temperature)',
    );
  });

  it('masks the API key in its own validation errors', () => {
    const key = 'sk-or-v1-0123456789abcdef0123456789abcdef\n0123';
    try {
      resolve({ apiKey: key });
      expect.unreachable();
    } catch (error) {
      expect((error as Error).message).toBe(
        'Invalid API key sk-or-v1-01…23 from options (apiKey): contains whitespace or control characters (a broken copy/paste?)',
      );
    }
  });

  it('trims a pasted key', () => {
    expect(resolve({}, { OPENROUTER_API_KEY: '  sk-or-v1-abc\n' }).apiKey).toBe('sk-or-v1-abc');
  });
});
