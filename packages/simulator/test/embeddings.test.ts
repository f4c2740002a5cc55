import { describe, expect, it } from 'vitest';
import { json, useSimulator } from './helpers.js';

const embed = (sim: Parameters<typeof json>[0], body: Record<string, unknown>) =>
  json(sim, '/embeddings', { model: 'openai/text-embedding-3-small', input: 'The quick brown fox', ...body });

describe('embeddings', () => {
  const sim = useSimulator({ seed: 2 });

  it('returns deterministic unit vectors of the native size', async () => {
    const a = await embed(sim(), {});
    expect(a.status).toBe(200);
    expect(a.body).toMatchObject({ object: 'list', model: 'openai/text-embedding-3-small' });
    const vector = a.body.data[0].embedding as number[];
    expect(vector).toHaveLength(1536);
    expect(Math.hypot(...vector)).toBeCloseTo(1, 5);
    const b = await embed(sim(), {});
    expect(b.body.data[0].embedding).toEqual(vector);
    const c = await embed(sim(), { input: 'Something else entirely' });
    expect(c.body.data[0].embedding).not.toEqual(vector);
  });

  it('embeds lists in order, honours dimensions and bills prompt tokens', async () => {
    const res = await embed(sim(), { input: ['one', 'two', 'six'], dimensions: 256 });
    expect(res.body.data.map((d: any) => d.index)).toEqual([0, 1, 2]);
    for (const d of res.body.data) expect(d.embedding).toHaveLength(256);
    expect(res.body.usage.prompt_tokens).toBe(3);
    expect(res.body.usage.total_tokens).toBe(3);
    expect(res.body.usage.cost).toBeCloseTo(3 * 0.00000002, 15);
    const tokens = await embed(sim(), { input: [[1, 2, 3, 4]] });
    expect(tokens.body.usage.prompt_tokens).toBe(4);
  });

  it('encodes base64 float32 when asked', async () => {
    const floats = await embed(sim(), {});
    const b64 = await embed(sim(), { encoding_format: 'base64' });
    const buffer = Buffer.from(b64.body.data[0].embedding, 'base64');
    expect(buffer.length).toBe(1536 * 4);
    expect(buffer.readFloatLE(0)).toBeCloseTo(floats.body.data[0].embedding[0], 6);
  });

  it('rejects chat models, bad dimensions and missing input', async () => {
    const chatModel = await embed(sim(), { model: 'openai/gpt-4o-mini' });
    expect(chatModel.status).toBe(400);
    expect(chatModel.body.error.message).toMatch(/does not support embeddings/);
    expect((await embed(sim(), { dimensions: 99_999 })).body.error.message).toMatch(/'dimensions'/);
    expect((await embed(sim(), { input: [] })).body.error.message).toMatch(/'input'/);
    expect((await embed(sim(), { model: 'openai/nope' })).body.error.message).toBe(
      'openai/nope is not a valid model ID',
    );
    const wrongChat = await json(sim(), '/chat/completions', {
      model: 'openai/text-embedding-3-small',
      messages: [{ role: 'user', content: 'x' }],
    });
    expect(wrongChat.status).toBe(400);
  });
});
