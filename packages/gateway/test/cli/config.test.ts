import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CONFIG_DEFAULTS, resolveConfig } from '@switchyard/sdk';
import { parseConfig } from '@switchyard/sdk/config';
import { afterAll, describe, expect, it } from 'vitest';
import { FIXED_SECTIONS } from '../../../sdk/src/config/file-schema.js';
import { configTemplate } from '../../src/cli/config/config-template.js';
import { resolveGatewayConfig } from '../../src/config/gateway-config.js';
import { type CliRun, cliEnv, runCli } from '../support/cli.js';

// `switchyard config init`: the built CLI in a child process, in a temporary directory, with a clean environment.

const root = mkdtempSync(join(tmpdir(), 'sy-config-'));
const env = cliEnv(root, { lang: 'C.UTF-8' });

function cli(args: string[], cwd: string): Promise<CliRun> {
  return runCli(args, { cwd, env, timeoutMs: 15_000 });
}

function freshDir(name: string): string {
  const dir = join(root, name);
  mkdirSync(dir);
  return dir;
}

afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Every `# name = value` setting line and `# [table]` example header turned into a live line. */
function uncommentAll(text: string): string {
  return text
    .split('\n')
    .map((line) => (/^# ([a-z_]+ = .+|\[[a-z_.]+\])$/.test(line) ? line.slice(2) : line))
    .join('\n');
}

function withoutSdk(config: ReturnType<typeof resolveGatewayConfig>) {
  const { sdk: _, ...rest } = config;
  return rest;
}

/** Both layers that read switchyard.toml, as `switchyard serve` and the SDK would, with an empty environment. */
function resolveBoth(text: string) {
  const fileConfig = parseConfig(text, { env: {} });
  return {
    fileConfig,
    sdk: resolveConfig({ fileConfig, env: {} }),
    gateway: resolveGatewayConfig({ fileConfig, env: {} }),
  };
}

describe('switchyard config init', () => {
  it('writes a commented switchyard.toml that is valid as written and changes nothing', async () => {
    const dir = freshDir('plain');
    const run = await cli(['config', 'init'], dir);
    expect(run.code).toBe(0);
    expect(run.stdout.trim()).toBe('wrote switchyard.toml: every setting commented out, with its default');
    const text = readFileSync(join(dir, 'switchyard.toml'), 'utf8');
    expect(text).toBe(configTemplate());

    const { sdk, gateway } = resolveBoth(text);
    const defaults = resolveConfig({ env: {} });
    for (const field of [
      'baseURL',
      'provider',
      'timeoutMs',
      'timeouts',
      'retry',
      'routing',
      'breaker',
      'catalog',
    ] as const) {
      expect(sdk[field], field).toEqual(defaults[field]);
    }
    expect(sdk.apiKey).toBeUndefined();
    expect(withoutSdk(gateway)).toEqual(withoutSdk(resolveGatewayConfig({ env: {} })));
    // ... and `switchyard doctor` (which reads it the way every command does) agrees.
    const doctor = await cli(['doctor', '--json', '--timeout', '5'], dir);
    const checks = JSON.parse(doctor.stdout).checks as { name: string; status: string; detail: string }[];
    expect(checks.find((c) => c.name === 'config')).toMatchObject({
      status: 'ok',
      detail: expect.stringContaining('no settings set'),
    });
  }, 60_000);

  it('names every section and every setting of the SDK and the gateway, each with an explanation above it', () => {
    const text = configTemplate();
    for (const [section, fields] of Object.entries(FIXED_SECTIONS)) {
      expect(text, `[${section}]`).toMatch(new RegExp(`^\\[${section}\\]$`, 'm'));
      for (const key of Object.keys(fields)) expect(text, `${section}.${key}`).toMatch(new RegExp(`^# ${key} = `, 'm'));
    }
    for (const section of ['defaults', 'aliases', 'gateway'])
      expect(text).toMatch(new RegExp(`^\\[${section}\\]$`, 'm'));
    expect(text).toMatch(/^# \[models\.kimi\]$/m);
    expect(text).toMatch(/^# \[providers\.local\]$/m);
    for (const key of [
      'host',
      'port',
      'body_limit',
      'grace_period',
      'admin_token',
      'key_secret',
      'log_prompts',
      'insecure_no_auth',
      'sqlite_path',
      'database_url',
      'redis_url',
    ]) {
      expect(text, `gateway.${key}`).toMatch(new RegExp(`^# ${key} = `, 'm'));
    }
    // Every setting line follows an explanation (a prose comment) or another setting of the same group.
    const lines = text.split('\n');
    const first = lines.findIndex((line) => /^# [a-z_]+ = /.test(line));
    expect(lines[first - 1]).toMatch(/^# [A-Z]/);
    // No secret values in the template: keys come from the environment.
    expect(text).not.toMatch(/sk-or-v1-[A-Za-z0-9]/);
    expect(text).toContain(`api_key = "\${OPENROUTER_API_KEY}"`);
  });

  it('stays valid with every line uncommented, and the defaults it shows are the real defaults', () => {
    const { sdk, gateway } = resolveBoth(uncommentAll(configTemplate()));
    const d = CONFIG_DEFAULTS;
    expect(sdk.timeoutMs).toBe(d.timeoutMs);
    expect(sdk.timeouts).toEqual(d.timeouts);
    expect(sdk.retry).toEqual(d.retry);
    expect(sdk.baseURL).toBe(d.baseURL);
    expect(sdk.provider).toBe('openrouter');
    const defaults = resolveConfig({ env: {} });
    expect(sdk.breaker).toEqual(defaults.breaker);
    expect(sdk.catalog.ttlMs).toBe(defaults.catalog.ttlMs);
    expect({ ...sdk.routing, maxPromptPrice: 0, maxCompletionPrice: 0 }).toEqual({
      ...defaults.routing,
      maxPromptPrice: 0,
      maxCompletionPrice: 0,
    });
    // Price caps are examples (the default is "no limit").
    expect([sdk.routing.maxPromptPrice, sdk.routing.maxCompletionPrice]).toEqual([10, 30]);
    // Examples took effect (so they are well-formed), and unset ${VARS} left their settings unset.
    expect(sdk.defaultModel).toBe('openai/gpt-4o-mini');
    expect(sdk.aliases).toMatchObject({ fast: 'openai/gpt-4o-mini' });
    expect(Object.keys(sdk.models)).toContain('kimi');
    expect(sdk.providers.local).toMatchObject({ type: 'openai-compatible', baseURL: 'http://127.0.0.1:11434/v1' });
    expect(sdk.apiKey).toBeUndefined();
    const gatewayDefaults = resolveGatewayConfig({ env: {} });
    for (const field of [
      'host',
      'port',
      'bodyLimit',
      'graceMs',
      'logPrompts',
      'insecureNoAuth',
      'sqlitePath',
    ] as const) {
      expect(gateway[field], field).toEqual(gatewayDefaults[field]);
    }
    expect(gateway.databaseUrl).toBeUndefined();
    expect(gateway.redisUrl).toBeUndefined();
    expect(gateway.adminToken).toBeUndefined();
  });

  it('refuses to overwrite an existing file without --force (exit 2), and replaces it with --force', async () => {
    const dir = freshDir('existing');
    const path = join(dir, 'switchyard.toml');
    writeFileSync(path, '[openrouter]\ndefault_model = "openai/gpt-4o"\n');
    const refused = await cli(['config', 'init'], dir);
    expect(refused.code).toBe(2);
    expect(refused.stderr.trim()).toBe(
      'switchyard: switchyard.toml already exists: not overwriting it (use --force to replace it)',
    );
    expect(readFileSync(path, 'utf8')).toBe('[openrouter]\ndefault_model = "openai/gpt-4o"\n');

    const forced = await cli(['config', 'init', '--force'], dir);
    expect(forced.code).toBe(0);
    expect(forced.stdout).toContain('(replaced)');
    expect(readFileSync(path, 'utf8')).toBe(configTemplate());
  }, 60_000);

  it('--path writes elsewhere; a missing directory is a usage error', async () => {
    const dir = freshDir('paths');
    mkdirSync(join(dir, 'ops'));
    const run = await cli(['config', 'init', '--path', 'ops/gateway.toml'], dir);
    expect(run.code).toBe(0);
    expect(readFileSync(join(dir, 'ops', 'gateway.toml'), 'utf8')).toBe(configTemplate());
    const missing = await cli(['config', 'init', '--path', 'nope/gateway.toml'], dir);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^switchyard: cannot write nope\/gateway\.toml: the directory .* does not exist\n$/);
  }, 60_000);

  it('documents itself with examples', async () => {
    const run = await cli(['config', 'init', '--help'], root);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Examples:');
    expect(run.stdout).toContain('--force');
  }, 60_000);
});
