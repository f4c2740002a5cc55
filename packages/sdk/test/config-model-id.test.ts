import { describe, expect, it } from 'vitest';
import { checkBaseURL, isLoopbackHost } from '../src/config/base-url.js';
import { isModelId, modelIdProblem, resolveAlias } from '../src/config/model-id.js';
import { resolveConfig } from '../src/config/resolve-config.js';
import { ConfigError } from '../src/errors/client-errors.js';

describe('isModelId', () => {
  it.each([
    'openai/gpt-4o',
    'openai/gpt-4o-mini',
    'anthropic/claude-3.5-sonnet',
    'anthropic/claude-sonnet-4.5',
    'meta-llama/llama-3.3-70b-instruct:free',
    'google/gemini-2.0-flash-exp:free',
    'deepseek/deepseek-r1:nitro',
    'mistralai/mistral-7b-instruct-v0.1',
    'moonshotai/kimi-k2.5',
    '01-ai/yi-large',
    'x-ai/grok-4',
    'qwen/qwen_2.5',
    'openai/gpt-4o:free:online',
    'openrouter/auto',
    'openrouter/auto-beta',
    'openrouter/free',
    '~anthropic/claude-sonnet-latest',
    '@preset/my-preset',
    'openai/gpt-4o@preset/email-copywriter',
  ])('accepts %s', (id) => {
    expect(isModelId(id)).toBe(true);
    expect(modelIdProblem(id)).toBeUndefined();
  });

  it.each([
    ['', 'no author'],
    ['gpt-4o', 'no author'],
    ['OpenAI/GPT-4o', 'uppercase'],
    ['openai/', 'empty slug'],
    ['/gpt-4o', 'empty author'],
    ['openai/gpt 4o', 'space'],
    [' openai/gpt-4o', 'leading space'],
    ['openai/gpt-4o:', 'empty variant'],
    ['openai/gpt-4o:8b', 'variant with digits'],
    ['openai/gpt-4o/extra', 'three segments'],
    ['-openai/gpt', 'leading dash'],
    ['openai/.hidden', 'leading dot in slug'],
    ['~anthropic/claude:free', 'variant on a tilde alias'],
    ['../etc/passwd', 'path'],
  ])('rejects %j (%s)', (id) => {
    expect(isModelId(id)).toBe(false);
    expect(modelIdProblem(id)).toMatch(/^expected author\/slug/);
  });

  it('gives a hint for the common mistakes', () => {
    expect(modelIdProblem('OpenAI/GPT-4o')).toContain('model ids are lowercase: "openai/gpt-4o"');
    expect(modelIdProblem('gpt-4o')).toContain('e.g. "openai/gpt-4o"');
    expect(modelIdProblem(' openai/gpt-4o')).toContain('remove the surrounding spaces');
  });
});

describe('resolveAlias', () => {
  const aliases = { fast: 'openai/gpt-4o-mini', quick: 'fast', loop: 'loop2', loop2: 'loop' };
  it('follows aliases and chains, and passes other ids through', () => {
    expect(resolveAlias('fast', aliases)).toBe('openai/gpt-4o-mini');
    expect(resolveAlias('quick', aliases)).toBe('openai/gpt-4o-mini');
    expect(resolveAlias('openai/gpt-4o', aliases)).toBe('openai/gpt-4o');
    expect(resolveAlias('fast', undefined)).toBe('fast');
    expect(resolveAlias('toString', aliases)).toBe('toString');
  });
  it('throws on cycles', () => {
    expect(() => resolveAlias('loop', aliases)).toThrow(new ConfigError('Alias cycle: loop → loop2 → loop'));
  });
});

describe('model ids in resolveConfig', () => {
  it('accepts alias names, model entries and ~aliases as the default model', () => {
    expect(resolveConfig({ env: {}, defaultModel: 'fast', aliases: { fast: 'openai/gpt-4o-mini' } }).defaultModel).toBe(
      'fast',
    );
    expect(
      resolveConfig({ env: {}, defaultModel: 'k', models: { k: { model: 'moonshotai/kimi-k2' } } }).defaultModel,
    ).toBe('k');
    expect(resolveConfig({ env: {}, defaultModel: '~openai/gpt-latest' }).defaultModel).toBe('~openai/gpt-latest');
  });
});

describe('base URL rules', () => {
  it.each(['localhost', 'LOCALHOST', '127.0.0.1', '127.1.2.3', '[::1]'])('%s is loopback', (host) => {
    expect(isLoopbackHost(host)).toBe(true);
  });
  it.each(['example.com', '10.0.0.1', '128.0.0.1', 'localhost.example.com', '[::2]', '0.0.0.0'])(
    '%s is not loopback',
    (host) => {
      expect(isLoopbackHost(host)).toBe(false);
    },
  );

  it.each([
    'https://openrouter.ai/api/v1',
    'https://example.com:8443/openrouter/api/v1',
    'http://localhost:8787/api/v1',
    'http://127.0.0.1:11434/v1',
    'http://127.1:11434/v1',
    'http://[::1]:8080/v1',
  ])('accepts %s', (url) => {
    expect(resolveConfig({ env: {}, baseURL: url }).baseURL).toBe(url);
  });

  it('strips trailing slashes', () => {
    expect(resolveConfig({ env: {}, baseURL: 'https://openrouter.ai/api/v1///' }).baseURL).toBe(
      'https://openrouter.ai/api/v1',
    );
  });

  it.each([
    ['http://example.com/api/v1', 'http:// would send the API key unencrypted'],
    ['http://10.0.0.5:8080/v1', 'http:// would send the API key unencrypted'],
    ['http://localhost.evil.example/v1', 'http:// would send the API key unencrypted'],
    ['openrouter.ai/api/v1', 'not an absolute URL'],
    ['ftp://example.com', 'unsupported scheme ftp:'],
    ['https://example.com/v1?key=1', 'must not contain a query string or fragment'],
  ])('rejects %s', (url, reason) => {
    expect(() => resolveConfig({ env: {}, baseURL: url })).toThrow(
      `Invalid base URL "${url}" from options (baseURL): ${reason}`,
    );
  });

  it('allows remote http only with allowInsecureHttp (option, or allow_insecure_http in the file)', () => {
    expect(resolveConfig({ env: {}, baseURL: 'http://example.com/v1', allowInsecureHttp: true }).baseURL).toBe(
      'http://example.com/v1',
    );
    expect(
      resolveConfig({
        env: { OPENROUTER_BASE_URL: 'http://gateway.internal:8787/api/v1' },
        fileConfig: { allowInsecureHttp: true },
      }).baseURL,
    ).toBe('http://gateway.internal:8787/api/v1');
  });

  it('applies the same rule to named providers', () => {
    expect(() => resolveConfig({ env: {}, providers: { lan: { baseURL: 'http://192.168.1.5:11434/v1' } } })).toThrow(
      'Invalid base URL "http://192.168.1.5:11434/v1" from options (providers.lan.baseURL)',
    );
    expect(
      resolveConfig({ env: {}, providers: { lan: { baseURL: 'http://[::1]:11434/v1' } } }).providers.lan?.baseURL,
    ).toBe('http://[::1]:11434/v1');
  });

  it('checkBaseURL reports without throwing', () => {
    expect(checkBaseURL('https://a.example/', false)).toEqual({ ok: true, normalised: 'https://a.example' });
    expect(checkBaseURL('http://a.example/', false).ok).toBe(false);
  });
});
