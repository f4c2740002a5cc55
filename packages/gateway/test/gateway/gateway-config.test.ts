import { resolveConfig } from '@switchyard/sdk';
import { parseConfig } from '@switchyard/sdk/config';
import { describe, expect, it } from 'vitest';
import { resolveGatewayConfig } from '../../src/config/gateway-config.js';

describe('gateway config: which upstream answers', () => {
  it('uses OpenRouter with a key, the simulator without one or with DEV_MODE, and says why', () => {
    const withKey = resolveGatewayConfig({ env: { OPENROUTER_API_KEY: 'sk-or-v1-x' } });
    expect(withKey.upstream).toMatchObject({ mode: 'openrouter', apiKey: 'sk-or-v1-x' });

    expect(resolveGatewayConfig({ env: {} }).upstream).toEqual({
      mode: 'simulator',
      reason: 'no OPENROUTER_API_KEY is set',
    });
    expect(resolveGatewayConfig({ env: { OPENROUTER_API_KEY: 'sk-or-v1-x', DEV_MODE: 'true' } }).upstream).toEqual({
      mode: 'simulator',
      reason: 'DEV_MODE is set',
    });
  });
});

describe('gateway config: the upstream deadline', () => {
  it("is 10 minutes unless the operator set one (the SDK's 60 s would cut long non-stream answers)", () => {
    const deadline = (options: Parameters<typeof resolveGatewayConfig>[0]) =>
      resolveConfig(resolveGatewayConfig(options).sdk).timeoutMs;
    expect(deadline({ env: {} })).toBe(600_000);
    expect(deadline({ env: { OPENROUTER_TIMEOUT: '90' } })).toBe(90_000);
    expect(deadline({ env: {}, fileConfig: parseConfig('[openrouter]\ntimeout = 30\n', { env: {} }) })).toBe(30_000);
    // The environment outranks the file, as everywhere else.
    const both = {
      env: { OPENROUTER_TIMEOUT: '0' },
      fileConfig: parseConfig('[openrouter]\ntimeout = 30\n', { env: {} }),
    };
    expect(deadline(both)).toBe(0);
  });
});
