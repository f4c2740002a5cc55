// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these fixtures are literal `${VAR}` config text, not templates
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { interpolateString } from '../src/config/interpolate.js';
import { loadConfig, parseConfig } from '../src/config/load-config.js';
import { ConfigError } from '../src/errors/client-errors.js';

describe('interpolateString', () => {
  const env = { SET: 'value', EMPTY: '', PORT: '8080' };

  it('substitutes set variables, also several and inside text', () => {
    expect(interpolateString('${SET}', env)).toBe('value');
    expect(interpolateString('http://localhost:${PORT}/v1?x=${SET}', env)).toBe('http://localhost:8080/v1?x=value');
  });

  it('leaves the whole setting unset when a variable without default is unset or empty', () => {
    expect(interpolateString('${MISSING}', env)).toBeUndefined();
    expect(interpolateString('prefix-${MISSING}', env)).toBeUndefined();
    expect(interpolateString('${EMPTY}', env)).toBeUndefined();
  });

  it('uses ${VAR:-default} when unset or empty, including an empty default', () => {
    expect(interpolateString('${MISSING:-fallback}', env)).toBe('fallback');
    expect(interpolateString('${EMPTY:-fallback}', env)).toBe('fallback');
    expect(interpolateString('${SET:-fallback}', env)).toBe('value');
    expect(interpolateString('${MISSING:-}', env)).toBe('');
    expect(interpolateString('${MISSING:-http://a:1/b}', env)).toBe('http://a:1/b');
  });

  it('throws the given message for ${VAR:?message}', () => {
    expect(() => interpolateString('${MISSING:?set MISSING to your key}', env, 'here')).toThrow(
      new ConfigError('here: MISSING: set MISSING to your key'),
    );
    expect(() => interpolateString('${MISSING:?}', env, 'here')).toThrow('here: MISSING: is required but not set');
    expect(interpolateString('${SET:?unused}', env)).toBe('value');
  });

  it('keeps lone $ characters, supports $${ as a literal ${ and rejects malformed references', () => {
    expect(interpolateString('pa$$word $5 $', env)).toBe('pa$$word $5 $');
    expect(interpolateString('$${SET}', env)).toBe('${SET}');
    expect(() => interpolateString('${1BAD}', env, 'x')).toThrow(/x: invalid variable reference "\$\{1BAD\}"/);
    expect(() => interpolateString('${UNCLOSED', env, 'x')).toThrow(/invalid variable reference/);
  });
});

describe('parseConfig', () => {
  it('maps every SDK section to option names and units (seconds → ms)', () => {
    const config = parseConfig(
      `
[openrouter]
api_key = "sk-or-v1-x"
base_url = "https://example.com/api/v1"
default_model = "openai/gpt-4o"
fallback_models = ["a/b", "c/d"]
provider = "openrouter"
dev_mode = false
timeout = 12.5
allow_insecure_http = true
[timeouts]
headers = 1
first_token = 2
idle = 0.5
[retry]
attempts = 4
backoff_base = 0.5
backoff_max = 8
jitter = 0.1
[app]
url = "https://app.example"
name = "My App"
categories = ["cli-agent"]
[defaults]
temperature = 0.2
max_tokens = 100
stop = ["END"]
[aliases]
fast = "openai/gpt-4o-mini"
[providers.local]
type = "openai-compatible"
base_url = "http://localhost:11434/v1"
api_key = "ollama"
models = ["llama3.1:8b"]
prices = { "llama3.1:8b" = { prompt = 0, completion = "0.5" } }
headers = { "x-extra" = "1" }
[models.kimi]
provider = "openrouter"
model = "moonshotai/kimi-k2"
routing = ["groq", "together"]
[models.sonnet]
model = "anthropic/claude-sonnet-4.5"
[models.sonnet.provider]
order = ["anthropic"]
allow_fallbacks = false
[gateway]
port = 8787
[keys.alice]
budget = 5
[budgets]
[limits]
[ledger]
[redis]
url = "redis://127.0.0.1:6390"
[dashboard]
enabled = true
`,
      { env: {} },
    );
    expect(config).toEqual({
      path: 'switchyard.toml',
      apiKey: 'sk-or-v1-x',
      baseURL: 'https://example.com/api/v1',
      defaultModel: 'openai/gpt-4o',
      fallbackModels: ['a/b', 'c/d'],
      provider: 'openrouter',
      devMode: false,
      timeoutMs: 12_500,
      allowInsecureHttp: true,
      timeouts: { headersMs: 1000, firstTokenMs: 2000, idleMs: 500 },
      retry: { attempts: 4, backoffBaseMs: 500, backoffMaxMs: 8000, jitter: 0.1 },
      appUrl: 'https://app.example',
      appName: 'My App',
      appCategories: ['cli-agent'],
      defaults: { temperature: 0.2, max_tokens: 100, stop: ['END'] },
      aliases: { fast: 'openai/gpt-4o-mini' },
      providers: {
        local: {
          type: 'openai-compatible',
          baseURL: 'http://localhost:11434/v1',
          apiKey: 'ollama',
          models: ['llama3.1:8b'],
          prices: { 'llama3.1:8b': { prompt: 0, completion: '0.5' } },
          headers: { 'x-extra': '1' },
        },
      },
      models: {
        kimi: { provider: 'openrouter', model: 'moonshotai/kimi-k2', routing: ['groq', 'together'] },
        sonnet: {
          model: 'anthropic/claude-sonnet-4.5',
          providerPreferences: { order: ['anthropic'], allow_fallbacks: false },
        },
      },
      gateway: { port: 8787 },
      keys: { alice: { budget: 5 } },
      budgets: {},
      limits: {},
      ledger: {},
      redis: { url: 'redis://127.0.0.1:6390' },
      dashboard: { enabled: true },
    });
  });

  it('interpolates every string, drops settings whose variable is unset, and coerces interpolated numbers', () => {
    const config = parseConfig(
      `
[openrouter]
api_key = "\${OPENROUTER_API_KEY}"
default_model = "\${MODEL:-openai/gpt-4o-mini}"
fallback_models = ["\${FB1}", "\${FB2}", "x/y"]
timeout = "\${TIMEOUT:-30}"
dev_mode = "\${DEV_MODE:-false}"
[redis]
url = "\${REDIS_URL:-redis://localhost}"
`,
      { env: { FB2: 'a/b' } },
    );
    expect(config).toEqual({
      path: 'switchyard.toml',
      defaultModel: 'openai/gpt-4o-mini',
      fallbackModels: ['a/b', 'x/y'],
      timeoutMs: 30_000,
      devMode: false,
      redis: { url: 'redis://localhost' },
    });
    expect('apiKey' in config).toBe(false);
  });

  it('accepts a comma-separated string for list settings (for "${OPENROUTER_FALLBACK_MODELS}")', () => {
    const config = parseConfig('[openrouter]\nfallback_models = "${FB}"', { env: { FB: 'a/b, c/d' } });
    expect(config.fallbackModels).toEqual(['a/b', 'c/d']);
  });

  it('reports ${VAR:?message} with the file and setting', () => {
    expect(() =>
      parseConfig('[openrouter]\napi_key = "${OPENROUTER_API_KEY:?get one at openrouter.ai/keys}"', { env: {} }),
    ).toThrow('switchyard.toml (openrouter.api_key): OPENROUTER_API_KEY: get one at openrouter.ai/keys');
  });

  it.each([
    ['[openrouter]\napi_kye = "x"', 'switchyard.toml: unknown setting "openrouter.api_kye" (did you mean "api_key"?)'],
    ['[retry]\nattemps = 2', 'switchyard.toml: unknown setting "retry.attemps" (did you mean "attempts"?)'],
    [
      '[defaults]\ntemprature = 1',
      'switchyard.toml: unknown setting "defaults.temprature" (did you mean "temperature"?)',
    ],
    [
      '[providers.local]\nbase_ur = "http://localhost"',
      'switchyard.toml: unknown setting "providers.local.base_ur" (did you mean "base_url"?)',
    ],
    ['[models.x]\nmodle = "a/b"', 'switchyard.toml: unknown setting "models.x.modle" (did you mean "model"?)'],
    ['[gatway]\nport = 1', 'switchyard.toml: unknown section [gatway] (did you mean [gateway]?)'],
    ['[frobnicate]', 'switchyard.toml: unknown section [frobnicate]'],
    [
      'api_key = "x"',
      'switchyard.toml: unknown setting "api_key" (did you mean "openrouter.api_key", under [openrouter]?)',
    ],
  ])('rejects unknown names with a suggestion: %s', (text, message) => {
    expect(() => parseConfig(text, { env: {} })).toThrow(new ConfigError(message));
  });

  it.each([
    ['[openrouter]\ntimeout = "soon"', 'switchyard.toml: openrouter.timeout must be a number of seconds, got "soon"'],
    ['[openrouter]\ndev_mode = "maybe"', 'switchyard.toml: openrouter.dev_mode must be true or false, got "maybe"'],
    [
      '[openrouter]\nfallback_models = [1, 2]',
      'switchyard.toml: openrouter.fallback_models must be a list of strings, got a list',
    ],
    ['[openrouter]\napi_key = 42', 'switchyard.toml: openrouter.api_key must be a string, got 42'],
    ['openrouter = 1', 'switchyard.toml: [openrouter] must be a table, got 1'],
    ['[models.x]\nprovider = "openrouter"', 'switchyard.toml: models.x.model is required'],
    ['[models.x]\nmodel = 5', 'switchyard.toml: models.x.model must be a string, got 5'],
    ['[models.x]\nmodel = "a/b"\nrouting = []', 'switchyard.toml: models.x.routing must be a non-empty list'],
    ['[models.x]\nmodel = "a/b"\nrouting = ["groq", ""]', 'switchyard.toml: models.x.routing must be a non-empty list'],
    [
      '[providers.local]\nbase_url = "http://localhost:1/v1"\n[models.x]\nprovider = "local"\nmodel = "m"\nrouting = ["groq"]',
      'switchyard.toml: models.x.routing is only valid for OpenRouter models (provider = "openrouter"), but provider is "local"',
    ],
    [
      '[providers.local]\nprices = { m = { prompt = 1, output = 2 } }',
      'switchyard.toml: unknown setting "providers.local.prices.m.output"',
    ],
  ])('rejects wrong types: %s', (text, message) => {
    expect(() => parseConfig(text, { env: {} })).toThrow(message);
  });

  it('masks secrets in type errors', () => {
    expect(() => parseConfig('[openrouter]\napi_key = ["sk-or-v1-0123456789abcdef0123"]', { env: {} })).toThrow(
      'openrouter.api_key must be a string, got a list',
    );
  });

  it('allows routing for an openrouter-type configured provider', () => {
    const text =
      '[providers.second]\ntype = "openrouter"\n[models.x]\nprovider = "second"\nmodel = "a/b"\nrouting = ["groq"]';
    expect(parseConfig(text, { env: {} }).models?.x?.routing).toEqual(['groq']);
  });

  it('reports TOML syntax errors with file:line:column', () => {
    expect(() => parseConfig('[openrouter]\n\napi_key "x"', { path: 'conf/switchyard.toml', env: {} })).toThrow(
      "conf/switchyard.toml:3:9: expected '=' after key, found '\"'",
    );
  });

  it('parses JSON with the same mapping and interpolation', () => {
    const json = JSON.stringify({
      $schema: './s.json',
      openrouter: { api_key: '${K}', timeout: 5 },
      aliases: { fast: 'a/b' },
    });
    expect(parseConfig(json, { path: 'switchyard.json', env: { K: 'key' } })).toEqual({
      path: 'switchyard.json',
      apiKey: 'key',
      timeoutMs: 5000,
      aliases: { fast: 'a/b' },
    });
    expect(() => parseConfig('{"openrouter": ', { path: 'x.json', env: {} })).toThrow(/^x\.json: invalid JSON/);
    expect(() => parseConfig('[1]', { path: 'x.json', env: {} })).toThrow('x.json: the top level must be an object');
  });
});

describe('loadConfig', () => {
  let dir: string;
  let cwd: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'switchyard-config-'));
    cwd = process.cwd();
  });
  afterAll(async () => {
    process.chdir(cwd);
    await rm(dir, { recursive: true, force: true });
  });

  it('reads a TOML file and interpolates from the given env', async () => {
    const file = join(dir, 'a.toml');
    await writeFile(file, '[openrouter]\napi_key = "${MY_KEY}"\ntimeout = 5\n');
    expect(await loadConfig(file, { env: { MY_KEY: 'k' } })).toEqual({ path: file, apiKey: 'k', timeoutMs: 5000 });
  });

  it('reads a .json file as JSON', async () => {
    const file = join(dir, 'config.json');
    await writeFile(file, JSON.stringify({ retry: { attempts: 1 } }));
    expect(await loadConfig(file, { env: {} })).toEqual({ path: file, retry: { attempts: 1 } });
  });

  it('returns {} when the default switchyard.toml does not exist, and reads it when it does', async () => {
    const empty = await mkdtemp(join(dir, 'empty-'));
    process.chdir(empty);
    try {
      expect(await loadConfig(undefined, { env: {} })).toEqual({});
      await writeFile(join(empty, 'switchyard.toml'), '[retry]\njitter = 0.5\n');
      expect(await loadConfig(undefined, { env: {} })).toEqual({ path: 'switchyard.toml', retry: { jitter: 0.5 } });
    } finally {
      process.chdir(cwd);
    }
  });

  it('fails naming an explicitly given file that does not exist', async () => {
    const file = join(dir, 'nope.toml');
    await expect(loadConfig(file)).rejects.toThrow(new ConfigError(`Config file not found: ${file}`));
  });

  it('fails on unreadable paths (a directory) with a ConfigError', async () => {
    await expect(loadConfig(dir)).rejects.toBeInstanceOf(ConfigError);
  });

  it('names the unknown key with a suggestion', async () => {
    const file = join(dir, 'typo.toml');
    await writeFile(file, '[openrouter]\napi_kye = "x"\n');
    await expect(loadConfig(file)).rejects.toThrow(
      `${file}: unknown setting "openrouter.api_kye" (did you mean "api_key"?)`,
    );
  });

  it('uses process.env for interpolation by default', async () => {
    const file = join(dir, 'env.toml');
    await writeFile(file, '[app]\nname = "${SWITCHYARD_TEST_APP_NAME}"\n');
    process.env.SWITCHYARD_TEST_APP_NAME = 'from-process-env';
    try {
      expect((await loadConfig(file)).appName).toBe('from-process-env');
    } finally {
      delete process.env.SWITCHYARD_TEST_APP_NAME;
    }
  });
});
