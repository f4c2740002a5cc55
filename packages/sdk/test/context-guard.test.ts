import { describe, expect, it } from 'vitest';
import { checkContext, estimateRequestTokens } from '../src/context/index.js';
import { ConfigError } from '../src/errors/index.js';
import type { Message } from '../src/protocol/messages.js';

const messages: Message[] = [
  { role: 'system', content: 'You are terse.' },
  { role: 'user', content: 'Explain context windows in one paragraph, please.' },
];
const prompt = estimateRequestTokens({ messages }, 'GPT').total;

describe('checkContext', () => {
  it('reports prompt, answer budget and share of the window', () => {
    const check = checkContext({ messages, max_tokens: 100 }, 1000, { family: 'GPT' });
    expect(check).toEqual({
      promptTokens: prompt,
      maxTokens: 100,
      contextLength: 1000,
      share: (prompt + 100) / 1000,
      fits: true,
      warn: false,
    });
  });

  it('prefers max_completion_tokens over max_tokens, as the wire does', () => {
    const check = checkContext({ messages, max_tokens: 10, max_completion_tokens: 500 }, 1000, { family: 'GPT' });
    expect(check.maxTokens).toBe(500);
    expect(check.share).toBe((prompt + 500) / 1000);
  });

  it('without an answer budget counts the prompt alone and leaves out maxTokens', () => {
    const check = checkContext({ messages }, 1000, { family: 'GPT' });
    expect(check).not.toHaveProperty('maxTokens');
    expect(check.share).toBe(prompt / 1000);
    expect(check.fits).toBe(true);
    // A prompt that fills the window exactly leaves no room for a single answer token.
    expect(checkContext({ messages }, prompt, { family: 'GPT' }).fits).toBe(false);
    expect(checkContext({ messages }, prompt + 1, { family: 'GPT' }).fits).toBe(true);
  });

  it('fits up to the exact window, not one token beyond', () => {
    expect(checkContext({ messages, max_tokens: 1000 - prompt }, 1000, { family: 'GPT' }).fits).toBe(true);
    const over = checkContext({ messages, max_tokens: 1001 - prompt }, 1000, { family: 'GPT' });
    expect(over.fits).toBe(false);
    expect(over.warn).toBe(true);
    expect(over.share).toBeGreaterThan(1);
  });

  it('warns at 80% by default, inclusive, and at a custom threshold', () => {
    const at = (share: number, warnAt?: number) =>
      checkContext({ messages, max_tokens: share * 1000 - prompt }, 1000, { family: 'GPT', warnAt });
    expect(at(0.79).warn).toBe(false);
    expect(at(0.8).warn).toBe(true);
    expect(at(0.8).fits).toBe(true);
    expect(at(0.6, 0.5).warn).toBe(true);
    expect(at(0.95, 0.99).warn).toBe(false);
  });

  it('uses the family: the same prompt is bigger for Claude than for GPT', () => {
    const long: Message[] = [{ role: 'user', content: 'A fairly ordinary English sentence. '.repeat(200) }];
    const gpt = checkContext({ messages: long }, 100_000, { family: 'GPT' });
    const claude = checkContext({ messages: long }, 100_000, { family: 'Claude' });
    expect(claude.promptTokens).toBeGreaterThan(gpt.promptTokens);
    expect(checkContext({ messages: long }, 100_000).promptTokens).toBeGreaterThanOrEqual(claude.promptTokens);
  });

  it('counts tools and response_format', () => {
    const tools = [{ type: 'function', function: { name: 'search', parameters: { type: 'object' } } }];
    const withTools = checkContext({ messages, tools }, 1000, { family: 'GPT' });
    expect(withTools.promptTokens).toBe(estimateRequestTokens({ messages, tools }, 'GPT').total);
    expect(withTools.promptTokens).toBeGreaterThan(prompt);
  });

  it('rejects a nonsensical window or threshold with a ConfigError', () => {
    expect(() => checkContext({ messages }, 0)).toThrow(ConfigError);
    expect(() => checkContext({ messages }, Number.NaN)).toThrow(ConfigError);
    expect(() => checkContext({ messages }, 1000, { warnAt: 0 })).toThrow(ConfigError);
  });
});
