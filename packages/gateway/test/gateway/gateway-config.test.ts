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
