import { describe, expect, it } from 'vitest';
import { InvalidModelError } from '../src/index.js';
import { suggestModel } from '../src/routing/model-suggestion.js';
import { clientFor, failure, hello, modelRow, useSimulator } from './helpers.js';

/**
 * "Did you mean" for unknown model ids (a recurring complaint: `claude-sonnet-4-6` for `anthropic/claude-sonnet-4.6`).
 * OpenRouter's answer names only what is wrong; the catalog knows what was meant.
 */

const catalog = [
  'anthropic/claude-sonnet-4.6',
  'anthropic/claude-3.5-sonnet',
  'openai/gpt-4o-mini',
  'openai/gpt-4o',
  'meta-llama/llama-3.3-70b-instruct',
  'meta-llama/llama-3.3-70b-instruct:free',
  'openai/text-embedding-3-small',
].map((id) => modelRow(id));

describe('suggestModel', () => {
  it.each([
    ['anthropic/claude-sonnet-4-6', 'anthropic/claude-sonnet-4.6'],
    ['Anthropic/Claude_Sonnet_4.6', 'anthropic/claude-sonnet-4.6'],
    ['anthropic/claude-3-5-sonnet', 'anthropic/claude-3.5-sonnet'],
    ['openai/gpt4o-mini', 'openai/gpt-4o-mini'],
    ['openai/gpt-4o-mnii', 'openai/gpt-4o-mini'],
    ['meta-llama/llama-3-3-70b-instruct:free', 'meta-llama/llama-3.3-70b-instruct:free'],
    // A variant the catalog does not list: the model without it.
    ['openai/gpt-4o-mini:free', 'openai/gpt-4o-mini'],
    // Without the author: the model whose slug it is, spelled either way, or one typo away.
    ['text-embedding-3-small', 'openai/text-embedding-3-small'],
    ['claude-sonnet-4-6', 'anthropic/claude-sonnet-4.6'],
    ['gpt-4o-mni', 'openai/gpt-4o-mini'],
  ])('%s → %s', (id, expected) => {
    expect(suggestModel(id, catalog)).toBe(expected);
  });

  it('gives no hint for an id nothing in the catalog is close to', () => {
    expect(suggestModel('nobody/nothing-at-all', catalog)).toBeUndefined();
    expect(suggestModel('openai/o3-pro', catalog)).toBeUndefined();
    expect(suggestModel('x', [])).toBeUndefined();
  });
});

describe('unknown model ids against the simulator', () => {
  const sim = useSimulator();

  it('a chat names the model it most likely meant, in the message and in metadata.suggestion', async () => {
    const error = await failure(clientFor(sim()).chat({ model: 'anthropic/claude-sonnet-4-6', messages: hello }));
    expect(error).toBeInstanceOf(InvalidModelError);
    expect(error.message).toBe(
      'anthropic/claude-sonnet-4-6 is not a valid model ID (did you mean "anthropic/claude-sonnet-4.6"?)',
    );
    expect(error.metadata?.suggestion).toBe('anthropic/claude-sonnet-4.6');
  });

  it('so does a stream', async () => {
    const error = await failure(clientFor(sim()).stream({ model: 'openai/gpt4o-mini', messages: hello }).final());
    expect(error).toBeInstanceOf(InvalidModelError);
    expect(error.metadata?.suggestion).toBe('openai/gpt-4o-mini');
  });

  it('embeddings too, for an id without its author (no check refuses those before the upstream does)', async () => {
    const error = await failure(clientFor(sim()).embed({ model: 'text-embedding-3-small', input: 'a' }));
    expect(error).toBeInstanceOf(InvalidModelError);
    expect(error.message).toContain('(did you mean "openai/text-embedding-3-small"?)');
    expect(error.metadata?.suggestion).toBe('openai/text-embedding-3-small');
  });

  it('an id nothing is close to keeps OpenRouter’s message as it is', async () => {
    const error = await failure(clientFor(sim()).chat({ model: 'nobody/nothing-at-all', messages: hello }));
    expect(error).toBeInstanceOf(InvalidModelError);
    expect(error.message).toBe('nobody/nothing-at-all is not a valid model ID');
    expect(error.metadata?.suggestion).toBeUndefined();
  });
});
