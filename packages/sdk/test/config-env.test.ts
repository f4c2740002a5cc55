import { describe, expect, it } from 'vitest';
import { ENV_VARIABLES, readEnv } from '../src/config/env.js';
import { ConfigError } from '../src/errors/client-errors.js';

describe('readEnv', () => {
  it('reads every DESIGN.md §3 variable into option names and units', () => {
    const layer = readEnv({
      OPENROUTER_API_KEY: 'sk-or-v1-key',
      OPENROUTER_BASE_URL: 'https://example.com/api/v1',
      OPENROUTER_DEFAULT_MODEL: 'openai/gpt-4o',
      OPENROUTER_FALLBACK_MODELS: 'meta-llama/llama-3.3-70b-instruct:free, google/gemini-2.0-flash-exp:free,',
      OPENROUTER_TIMEOUT: '60',
      OPENROUTER_RETRY_ATTEMPTS: '3',
      OPENROUTER_RETRY_BACKOFF_BASE: '1.0',
      OPENROUTER_RETRY_BACKOFF_MAX: '12.0',
      OPENROUTER_RETRY_JITTER: '0.25',
      OPENROUTER_HTTP_REFERER: 'https://your-site.com',
      OPENROUTER_APP_NAME: 'Your App Name',
      DEFAULT_PROVIDER: 'openrouter',
      DEV_MODE: 'true',
      UNRELATED: 'ignored',
    });
    expect(layer.values).toEqual({
      apiKey: 'sk-or-v1-key',
      baseURL: 'https://example.com/api/v1',
      defaultModel: 'openai/gpt-4o',
      fallbackModels: ['meta-llama/llama-3.3-70b-instruct:free', 'google/gemini-2.0-flash-exp:free'],
      timeoutMs: 60_000,
      retry: { attempts: 3, backoffBaseMs: 1000, backoffMaxMs: 12_000, jitter: 0.25 },
      appUrl: 'https://your-site.com',
      appName: 'Your App Name',
      provider: 'openrouter',
      devMode: true,
    });
    expect(layer.vars).toMatchObject({
      apiKey: 'OPENROUTER_API_KEY',
      timeoutMs: 'OPENROUTER_TIMEOUT',
      'retry.backoffBaseMs': 'OPENROUTER_RETRY_BACKOFF_BASE',
    });
  });

  it('honours the aliases OPENROUTER_MODEL and OPENROUTER_X_TITLE', () => {
    const layer = readEnv({ OPENROUTER_MODEL: 'google/gemini-flash-1.5', OPENROUTER_X_TITLE: 'Title App' });
    expect(layer.values).toEqual({ defaultModel: 'google/gemini-flash-1.5', appName: 'Title App' });
    expect(layer.vars).toEqual({ defaultModel: 'OPENROUTER_MODEL', appName: 'OPENROUTER_X_TITLE' });
  });

  it('prefers the primary name when both a name and its alias are set', () => {
    const layer = readEnv({
      OPENROUTER_DEFAULT_MODEL: 'a/primary',
      OPENROUTER_MODEL: 'a/alias',
      OPENROUTER_APP_NAME: 'Primary',
      OPENROUTER_X_TITLE: 'Alias',
    });
    expect(layer.values).toEqual({ defaultModel: 'a/primary', appName: 'Primary' });
  });

  it('treats empty variables as unset (so an alias behind an empty primary still counts)', () => {
    const layer = readEnv({ OPENROUTER_DEFAULT_MODEL: '', OPENROUTER_MODEL: 'a/b', OPENROUTER_TIMEOUT: '  ' });
    expect(layer.values).toEqual({ defaultModel: 'a/b' });
  });

  it.each([
    ['true', true],
    ['TRUE', true],
    ['1', true],
    ['yes', true],
    ['Yes', true],
    ['false', false],
    ['0', false],
    ['no', false],
    [' false ', false],
  ])('parses DEV_MODE=%s', (raw, expected) => {
    expect(readEnv({ DEV_MODE: raw }).values.devMode).toBe(expected);
  });

  it('rejects other boolean spellings naming the variable', () => {
    expect(() => readEnv({ DEV_MODE: 'maybe' })).toThrow(
      new ConfigError('Invalid dev mode "maybe" from env DEV_MODE: expected true/false, 1/0 or yes/no'),
    );
  });

  it('converts seconds to milliseconds, including fractions', () => {
    const layer = readEnv({
      OPENROUTER_TIMEOUT: '2.5',
      OPENROUTER_RETRY_BACKOFF_BASE: '0.1',
      OPENROUTER_RETRY_BACKOFF_MAX: '1e1',
    });
    expect(layer.values).toEqual({ timeoutMs: 2500, retry: { backoffBaseMs: 100, backoffMaxMs: 10_000 } });
  });

  it.each([
    ['OPENROUTER_TIMEOUT', 'soon', 'Invalid timeout "soon" from env OPENROUTER_TIMEOUT: expected a number of seconds'],
    ['OPENROUTER_TIMEOUT', '60s', 'Invalid timeout "60s" from env OPENROUTER_TIMEOUT: expected a number of seconds'],
    [
      'OPENROUTER_RETRY_ATTEMPTS',
      'three',
      'Invalid retry attempts "three" from env OPENROUTER_RETRY_ATTEMPTS: expected a number',
    ],
    [
      'OPENROUTER_RETRY_JITTER',
      '0x1',
      'Invalid retry jitter "0x1" from env OPENROUTER_RETRY_JITTER: expected a number',
    ],
    [
      'OPENROUTER_RETRY_BACKOFF_MAX',
      'Infinity',
      'Invalid retry backoff max "Infinity" from env OPENROUTER_RETRY_BACKOFF_MAX',
    ],
  ])('rejects malformed numbers: %s=%s', (name, raw, message) => {
    expect(() => readEnv({ [name]: raw })).toThrow(message);
  });

  it('reads nothing from an empty environment', () => {
    expect(readEnv({})).toEqual({ values: {}, vars: {} });
  });

  it('lists every variable it reads', () => {
    expect(ENV_VARIABLES.map((v) => v.name)).toEqual([
      'OPENROUTER_API_KEY',
      'OPENROUTER_BASE_URL',
      'OPENROUTER_DEFAULT_MODEL',
      'OPENROUTER_MODEL',
      'OPENROUTER_FALLBACK_MODELS',
      'DEFAULT_PROVIDER',
      'DEV_MODE',
      'OPENROUTER_TIMEOUT',
      'OPENROUTER_RETRY_ATTEMPTS',
      'OPENROUTER_RETRY_BACKOFF_BASE',
      'OPENROUTER_RETRY_BACKOFF_MAX',
      'OPENROUTER_RETRY_JITTER',
      'OPENROUTER_HTTP_REFERER',
      'OPENROUTER_APP_NAME',
      'OPENROUTER_X_TITLE',
    ]);
  });
});
