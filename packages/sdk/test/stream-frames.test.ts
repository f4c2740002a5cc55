import { startSimulator } from '@switchyard/simulator';
import { describe, expect, it } from 'vitest';
import { clientFor, KEY } from './helpers.js';

describe('frame events (for proxies)', () => {
  it('reproduce the upstream stream verbatim, minus keep-alives sent before the first token', async () => {
    const sim = await startSimulator({
      seed: 4,
      stream: { processingComments: 2, commentEvery: 3, usageChunk: 'empty-choice' },
      now: () => 1_790_000_000_000,
    });
    try {
      const body = {
        model: 'openai/gpt-4o-mini',
        messages: [{ role: 'user' as const, content: 'Say exactly: one two three four five six seven' }],
      };
      const direct = await (
        await fetch(`${sim.url}/chat/completions`, {
          method: 'POST',
          headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
          body: JSON.stringify({ ...body, stream: true }),
        })
      ).text();
      // A second simulator with the same seed and clock answers byte-for-byte the same stream.
      const twin = await startSimulator({
        seed: 4,
        stream: { processingComments: 2, commentEvery: 3, usageChunk: 'empty-choice' },
        now: () => 1_790_000_000_000,
      });
      try {
        const sy = clientFor(twin);
        const frames: string[] = [];
        let text = '';
        for await (const event of sy.stream(body, { frames: true })) {
          if (event.type === 'frame') frames.push(event.text);
          if (event.type === 'text') text += event.text;
        }
        expect(text).toBe('one two three four five six seven');
        const withoutLeadingComments = direct.replace(/^(: OPENROUTER PROCESSING\n\n)+/, '');
        expect(frames.join('')).toBe(withoutLeadingComments);
        expect(frames.at(-1)).toBe('data: [DONE]\n\n');
      } finally {
        await twin.close();
      }
    } finally {
      await sim.close();
    }
  });

  it('hold back frames until content, so a failed-over attempt leaves no trace', async () => {
    const sim = await startSimulator({
      seed: 4,
      rules: [{ match: { model: 'openai/gpt-4o-mini' }, fault: { kind: 'mid-stream-error', afterChunks: 0 } }],
    });
    try {
      const sy = clientFor(sim, { fallbackModels: ['anthropic/claude-3-haiku'] });
      const frames: string[] = [];
      for await (const event of sy.stream(
        { model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] },
        { frames: true },
      )) {
        if (event.type === 'frame') frames.push(event.text);
      }
      const models = frames.filter((f) => f.startsWith('data: {')).map((f) => JSON.parse(f.slice(6)).model);
      expect(new Set(models)).toEqual(new Set(['anthropic/claude-3-haiku']));
    } finally {
      await sim.close();
    }
  });
});
