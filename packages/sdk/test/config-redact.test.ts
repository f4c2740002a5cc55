import { spawnSync } from 'node:child_process';
import { Console } from 'node:console';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { format, inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config/load-config.js';
import { isSecretKey, maskSecret, redactConfig, redactString } from '../src/config/redact.js';
import { resolveConfig } from '../src/config/resolve-config.js';

const KEY = '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';
const PROVIDER_KEY = 'sk-proj-Zx81LmQpR4tUvW2yA9bC3dE5fG7hJ0kLmN';
const RAW_SECRETS = [KEY, PROVIDER_KEY, 'hunter2-database-password', 'super-secret-bearer-token-value'];

describe('maskSecret', () => {
  it('keeps the sk-or-v1- prefix, two characters, an ellipsis and the last two', () => {
    expect(maskSecret(KEY)).toBe('sk-or-v1-7f…5f');
    expect(maskSecret(PROVIDER_KEY)).toBe('sk-proj-Zx…mN');
    expect(maskSecret('abcdefghijklmnopqrstuvwxyz')).toBe('ab…yz');
  });
  it('shows nothing of short values', () => {
    expect(maskSecret('')).toBe('***');
    expect(maskSecret('dummy-key')).toBe('***');
    expect(maskSecret('sk-or-v1-short')).toBe('sk-or-v1-***');
  });
});

describe('isSecretKey', () => {
  it.each([
    'apiKey',
    'api_key',
    'API-KEY',
    'x-api-key',
    'token',
    'accessToken',
    'bearer_token',
    'secret',
    'clientSecret',
    'password',
    'db_password',
    'Authorization',
    'proxy-authorization',
    'cookie',
    'key',
  ])('%s is secret', (name) => expect(isSecretKey(name)).toBe(true));
  it.each(['max_tokens', 'firstTokenMs', 'tokens', 'keys', 'model', 'baseURL', 'secretName'])('%s is not', (name) =>
    expect(isSecretKey(name)).toBe(false),
  );
});

describe('redactString', () => {
  it('masks URL passwords, bearer tokens, sk- keys and key-like query parameters', () => {
    expect(redactString('redis://:hunter2-database-password@127.0.0.1:6379/0')).toBe('redis://:***@127.0.0.1:6379/0');
    expect(redactString('postgres://app:pw@db/x')).toBe('postgres://app:***@db/x');
    expect(redactString('Bearer super-secret-bearer-token-value')).toBe('Bearer su…ue');
    expect(redactString(`key is ${KEY}.`)).toBe('key is sk-or-v1-7f…5f.');
    expect(redactString('https://x.example/v1?api_key=abcdefghijklmnopqrstu&x=1')).toBe(
      'https://x.example/v1?api_key=ab…tu&x=1',
    );
    expect(redactString('https://openrouter.ai/api/v1')).toBe('https://openrouter.ai/api/v1');
  });
});

describe('redactConfig', () => {
  it('returns a deep copy with every secret masked and the rest unchanged', () => {
    const input = {
      apiKey: KEY,
      providers: { local: { apiKey: PROVIDER_KEY, baseURL: 'http://localhost:1' } },
      headers: { Authorization: 'Bearer super-secret-bearer-token-value', 'x-trace': 'abc' },
      redis: { url: 'redis://:hunter2-database-password@h:1' },
      nested: [{ password: 'hunter2-database-password' }],
      defaults: { max_tokens: 100 },
    };
    const out = redactConfig(input);
    expect(out).toEqual({
      apiKey: 'sk-or-v1-7f…5f',
      providers: { local: { apiKey: 'sk-proj-Zx…mN', baseURL: 'http://localhost:1' } },
      headers: { Authorization: 'Bearer su…ue', 'x-trace': 'abc' },
      redis: { url: 'redis://:***@h:1' },
      nested: [{ password: 'hu…rd' }],
      defaults: { max_tokens: 100 },
    });
    expect(input.apiKey).toBe(KEY);
    const cyclic: Record<string, unknown> = { token: 'abcdefghijklmnopqrstuvwxyz' };
    cyclic.self = cyclic;
    expect(redactConfig(cyclic)).toEqual({ token: 'ab…yz', self: '[Circular]' });
  });
});

describe('a resolved config never prints a secret', () => {
  const config = resolveConfig({
    env: { OPENROUTER_API_KEY: KEY },
    headers: { authorization: 'Bearer super-secret-bearer-token-value' },
    providers: {
      local: { baseURL: 'http://localhost:11434/v1', apiKey: PROVIDER_KEY, headers: { 'x-api-key': PROVIDER_KEY } },
    },
    fileConfig: parseConfig('[redis]\nurl = "redis://:hunter2-database-password@127.0.0.1:6390"', { env: {} }),
  });

  const printed = () => [
    inspect(config),
    inspect(config, { depth: Number.POSITIVE_INFINITY }),
    format('%o', config),
    format('%O', config),
    `${JSON.stringify(config)}`,
    JSON.stringify(config, null, 2),
    JSON.stringify({ wrapped: config }),
  ];

  it('keeps the real key for use', () => {
    expect(config.apiKey).toBe(KEY);
    expect(config.providers.local?.apiKey).toBe(PROVIDER_KEY);
  });

  it('util.inspect, console.log formats and JSON.stringify show the masked form', () => {
    for (const text of printed()) {
      expect(text).toContain('sk-or-v1-7f…5f');
      for (const secret of RAW_SECRETS) expect(text).not.toContain(secret);
    }
  });

  it('console.log output contains no key (a real Console writing to a stream)', () => {
    const lines: string[] = [];
    const stream = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const logger = new Console({ stdout: stream, stderr: stream });
    logger.log(config);
    logger.log('config: %o', config);
    logger.dir(config, { depth: null });
    logger.error({ config });
    logger.log(JSON.stringify(config));
    const output = lines.join('');
    expect(output).toMatch(/sk-or-v1-7f…5f/);
    for (const secret of RAW_SECRETS) expect(output.includes(secret), `leaked ${secret.slice(0, 8)}`).toBe(false);
  });

  it('the stdout of a process that console.logs the config does not contain the key', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'switchyard-redact-'));
    try {
      const script = join(dir, 'print.ts');
      const entry = fileURLToPath(new URL('../src/config/index.ts', import.meta.url));
      await writeFile(
        script,
        `import { resolveConfig } from ${JSON.stringify(pathToFileURL(entry).href)};\n` +
          `const config = resolveConfig({ providers: { local: { baseURL: 'http://localhost:1/v1', apiKey: process.env.PROVIDER_KEY } } });\n` +
          `console.log(config);\nconsole.log(JSON.stringify(config));\nconsole.error(config);\n`,
      );
      const result = spawnSync(process.execPath, ['--import', 'tsx', script], {
        cwd: fileURLToPath(new URL('../../..', import.meta.url)),
        env: { ...process.env, OPENROUTER_API_KEY: KEY, PROVIDER_KEY },
        encoding: 'utf8',
        timeout: 15_000,
      });
      expect(result.status, result.stderr).toBe(0);
      const output = result.stdout + result.stderr;
      expect(output).toContain('sk-or-v1-7f…5f');
      expect(output).toContain('sk-proj-Zx…mN');
      expect(output).not.toContain(KEY);
      expect(output).not.toContain(PROVIDER_KEY);
      expect(output).not.toMatch(/sk-or-v1-[0-9a-f]{20,}/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('the redaction helpers are invisible to Object.keys and spreads', () => {
    expect(Object.keys(config)).not.toContain('toJSON');
    expect(JSON.parse(JSON.stringify(config)).sources.apiKey).toBe('env');
    expect(JSON.parse(JSON.stringify(config)).origins.apiKey).toBe('env OPENROUTER_API_KEY');
  });
});
