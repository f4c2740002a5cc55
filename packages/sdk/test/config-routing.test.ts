import { describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config-file.js';
import { ConfigError, resolveConfig } from '../src/index.js';

const fromToml = (text: string, env: Record<string, string> = {}) =>
  resolveConfig({ env, fileConfig: parseConfig(text, { path: 'switchyard.toml' }) });

const problem = (text: string) => {
  try {
    fromToml(text);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected a ConfigError');
};

describe('routing configuration', () => {
  it('reads [routing] and [breaker] with units', () => {
    const config = fromToml(`
[routing]
fallback_strategy = "both"
selection = "health"
max_prompt_price = 2.5
max_completion_price = 10
preflight = "reroute"
context_warn_at = 0.9
on_context_length_error = "drop-context"
on_insufficient_credits = "fail"
hedge_after = 1.5

[breaker]
failure_threshold = 3
failure_rate = 0.6
min_requests = 20
window = 120
recovery = 30
probe_timeout = 10
`);
    expect(config.routing).toEqual({
      fallbackStrategy: 'both',
      selection: 'health',
      maxPromptPrice: 2.5,
      maxCompletionPrice: 10,
      preflight: 'reroute',
      contextWarnAt: 0.9,
      onContextLengthError: 'drop-context',
      onInsufficientCredits: 'fail',
      hedgeAfterMs: 1500,
    });
    expect(config.breaker).toEqual({
      failureThreshold: 3,
      failureRate: 0.6,
      minRequests: 20,
      windowMs: 120_000,
      recoveryMs: 30_000,
      probeTimeoutMs: 10_000,
    });
  });

  it('lets options win over the file', () => {
    const config = resolveConfig({
      env: {},
      routing: { selection: 'price' },
      fileConfig: parseConfig('[routing]\nselection = "health"\npreflight = "off"\n', { path: 'switchyard.toml' }),
    });
    expect(config.routing.selection).toBe('price');
    expect(config.routing.preflight).toBe('off');
    expect(config.origins['routing.selection']).toBe('options (routing.selection)');
  });

  it('names the file, key and reason of a bad value', () => {
    expect(problem('[routing]\nselection = "cheapest"\n')).toBe(
      'Invalid selection policy "cheapest" from switchyard.toml (routing.selection): must be one of "context", "price", "health"',
    );
    expect(problem('[breaker]\nfailure_rate = 1.5\n')).toMatch(
      /breaker failure rate 1\.5 from switchyard\.toml \(breaker\.failure_rate\): must be more than 0 and at most 1/,
    );
    expect(problem('[routing]\nhedge_after = -1\n')).toMatch(/hedge delay/);
    expect(problem('[routing]\non_insufficient_credits = "shrink"\n')).toBe(
      'Invalid insufficient-credits policy "shrink" from switchyard.toml (routing.on_insufficient_credits): must be one of "lower-max-tokens", "fail"',
    );
    expect(problem('[routing]\nselectoin = "price"\n')).toMatch(
      /unknown setting "routing\.selectoin" \(did you mean "selection"\?\)/,
    );
  });

  it('validates per-model routing as the routing issue asks', () => {
    const good = fromToml(`
[models.kimi]
provider = "openrouter"
model = "moonshotai/kimi-k2.5"
routing = ["moonshotai"]

[models.kimi.provider]
allow_fallbacks = false
sort = "price"
max_price = { prompt = 1, completion = "3" }
`);
    expect(good.models.kimi).toEqual({
      provider: 'openrouter',
      model: 'moonshotai/kimi-k2.5',
      routing: ['moonshotai'],
      providerPreferences: { allow_fallbacks: false, sort: 'price', max_price: { prompt: 1, completion: '3' } },
    });
    expect(problem('[models.k]\nmodel = "a/b"\n[models.k.provider]\nAllow_Fallbacks = false\n')).toMatch(
      /provider preference "Allow_Fallbacks" of "k".*unknown provider preference/,
    );
    expect(problem('[models.k]\nmodel = "a/b"\n[models.k.provider]\nsort = "cheapest"\n')).toMatch(
      /provider preference "sort" of "k".*must be one of price/,
    );
    expect(problem('[models.k]\nmodel = "a/b"\n[models.k.provider]\nonly = "groq"\n')).toMatch(
      /"only" of "k".*must be a list of provider slugs/,
    );
    expect(problem('[models.k]\nmodel = "a/b"\nrouting = []\n')).toMatch(
      /^switchyard\.toml: models\.k\.routing must be a non-empty list of provider slugs/,
    );
    expect(problem('[models.k]\nmodel = "a/b"\nrouting = ["", " "]\n')).toMatch(
      /models\.k\.routing must be a non-empty list/,
    );
    expect(
      problem(
        '[providers.local]\ntype = "openai-compatible"\nbase_url = "http://127.0.0.1:11434/v1"\n[models.k]\nprovider = "local"\nmodel = "llama3"\nrouting = ["groq"]\n',
      ),
    ).toMatch(
      /models\.k\.routing is only valid for OpenRouter models \(provider = "openrouter"\), but provider is "local"/,
    );
  });
});
