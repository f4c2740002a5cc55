import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { clientFor, useSimulator } from './helpers.js';

// This file never imports the agents entry point itself: the client methods must load it on first use.
describe('sy.runTools / sy.streamTools / sy.object', () => {
  const sim = useSimulator({ seed: 4 });

  it('load the agents toolkit on first use, with no extra import', async () => {
    const sy = clientFor(sim(), { defaultModel: 'openai/gpt-4o-mini' });
    // streamTools first: it returns synchronously while the toolkit is still loading.
    const run = sy.streamTools({ prompt: 'Say exactly: no tools needed', tools: {}, toolChoice: 'none' });
    const kinds: string[] = [];
    for await (const event of run) kinds.push(event.type);
    expect(kinds).toContain('done');
    expect((await run.final()).text).toBe('no tools needed');

    const loop = await sy.runTools({
      prompt: 'Use lookup for the word switchyard.',
      tools: {
        lookup: {
          description: 'Looks a word up',
          parameters: z.object({ word: z.string() }),
          execute: ({ word }) => `${word}: a place where trains are sorted`,
        },
      },
    });
    expect(loop.steps).toHaveLength(2);
    expect(loop.text).toContain('a place where trains are sorted');

    const { object, mode } = await sy.object({ prompt: 'Rate it.', schema: z.object({ stars: z.number() }) });
    expect(mode).toBe('json_schema');
    expect(typeof object.stars).toBe('number');
  });
});
