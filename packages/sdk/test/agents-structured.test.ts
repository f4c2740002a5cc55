import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { generateObject, StructuredOutputError, structuredMode } from '../src/agents/index.js';
import { SwitchyardError } from '../src/index.js';
import { useProxy } from './agents-helpers.js';
import { clientFor, fault, useSimulator } from './helpers.js';

const rating = {
  type: 'object',
  properties: {
    stars: { type: 'integer', minimum: 1, maximum: 5 },
    summary: { type: 'string', minLength: 3 },
  },
  required: ['stars', 'summary'],
  additionalProperties: false,
};

const invalidOutput = (text: string) => ({ headers: { 'x-simulator-fault': fault({ kind: 'invalid-output', text }) } });

describe('structured output against the simulator', () => {
  const sim = useSimulator({
    seed: 9,
    rules: [
      // The first answer of each of these models is broken; the repair round gets a real one.
      { match: { model: 'openai/gpt-4.1-mini' }, first: 1, fault: { kind: 'invalid-output' } },
      { match: { model: 'openai/gpt-4.1-nano' }, first: 1, fault: { kind: 'invalid-output', text: '{"stars": 9}' } },
      {
        match: { model: 'mistralai/mistral-nemo' },
        first: 1,
        fault: { kind: 'invalid-output', text: '{"stars": "five", "summary": "ok"}' },
      },
    ],
  });
  const proxy = useProxy(sim);

  it('gets a valid object the first time with response_format json_schema (plain JSON Schema)', async () => {
    const sy = clientFor(sim(), { baseURL: proxy().url });
    const r = await generateObject(sy, {
      model: 'openai/gpt-4o-mini',
      prompt: 'Rate the switchyard library.',
      schema: rating,
      name: 'rating',
    });
    expect(r.mode).toBe('json_schema');
    expect(r.repairs).toBe(0);
    expect(r.rounds).toHaveLength(1);
    const object = r.object as { stars: number; summary: string };
    expect(object.stars).toBeGreaterThanOrEqual(1);
    expect(object.stars).toBeLessThanOrEqual(5);
    expect(JSON.parse(r.text)).toEqual(r.object);
    const sent = proxy().chatRequests().at(-1)!;
    expect(sent.response_format).toEqual({ type: 'json_schema', json_schema: { name: 'rating', schema: rating } });
    expect(sent.provider).toEqual({ require_parameters: true });
    expect(r.costUsd).toBe(r.result.cost.usd);
    expect(r.usage).toEqual(r.result.usage);
  });

  it('validates with a Standard Schema (zod) and returns its typed output', async () => {
    const sy = clientFor(sim(), { baseURL: proxy().url });
    const schema = z.object({ stars: z.number().int().min(1).max(5), tags: z.array(z.string()).max(3) });
    const r = await generateObject(sy, { model: 'openai/gpt-4o-mini', prompt: 'Rate it.', schema });
    const stars: number = r.object.stars;
    expect(stars).toBeGreaterThanOrEqual(1);
    expect(Array.isArray(r.object.tags)).toBe(true);
    const sent = proxy().chatRequests().at(-1)!;
    const sentSchema = (sent.response_format as { json_schema: { schema: Record<string, unknown> } }).json_schema
      .schema;
    expect(sentSchema).toMatchObject({ type: 'object', required: ['stars', 'tags'] });
    expect(sentSchema.$schema).toBeUndefined();
  });

  it('picks json_object, then instructions, from the model’s supported_parameters', async () => {
    const sy = clientFor(sim(), { baseURL: proxy().url });
    expect(await structuredMode(sy, 'openai/gpt-4o-mini')).toBe('json_schema');
    expect(await structuredMode(sy, 'openai/gpt-4')).toBe('json_object');
    expect(await structuredMode(sy, 'anthropic/claude-3.5-haiku')).toBe('prompt');
    expect(await structuredMode(sy, 'openai/gpt-4o-mini:nitro')).toBe('json_schema');
    expect(await structuredMode(sy, 'nobody/unknown-model')).toBe('prompt');

    const answer = { type: 'object', properties: { answer: { type: 'string' } }, required: ['answer'] };
    const r = await generateObject(sy, { model: 'openai/gpt-4', prompt: 'Answer briefly.', schema: answer });
    expect(r.mode).toBe('json_object');
    expect(typeof (r.object as { answer: string }).answer).toBe('string');
    const sent = proxy().chatRequests().at(-1)!;
    expect(sent.response_format).toEqual({ type: 'json_object' });
    const messages = sent.messages as { role: string; content: string }[];
    expect(messages[0]!.role).toBe('system');
    expect(messages[0]!.content).toContain('JSON Schema');
    expect(messages[0]!.content).toContain(JSON.stringify(answer));

    // No response_format at all: instructions, and the JSON is extracted from prose, fences and trailing commas.
    const p = await generateObject(sy, {
      model: 'anthropic/claude-3.5-haiku',
      system: 'You rate things.',
      prompt: 'Say exactly: Sure! Here it is:\n```json\n{"stars": 4, "summary": "solid",}\n```\nAnything else?',
      schema: rating,
    });
    expect(p).toMatchObject({ mode: 'prompt', repairs: 0, object: { stars: 4, summary: 'solid' } });
    const prompted = proxy().chatRequests().at(-1)!;
    expect(prompted.response_format).toBeUndefined();
    expect(prompted.provider).toBeUndefined();
    expect((prompted.messages as { role: string }[]).map((m) => m.role)).toEqual(['system', 'system', 'user']);
  });

  it('repairs an answer that is not JSON: the errors go back and the second answer is valid', async () => {
    const sy = clientFor(sim(), { baseURL: proxy().url });
    const r = await generateObject(sy, { model: 'openai/gpt-4.1-mini', prompt: 'Rate it.', schema: rating });
    expect(r.repairs).toBe(1);
    expect(r.rounds).toHaveLength(2);
    expect(r.rounds[0]!.text).toBe('{"answer": "unfinished');
    expect(r.rounds[0]!.issues[0]!.message).toMatch(/^not valid JSON: The JSON starting at character 0 is cut off/);
    expect(r.rounds[1]!.issues).toEqual([]);
    expect((r.object as { stars: number }).stars).toBeGreaterThan(0);
    expect(r.costUsd).toBeCloseTo(r.rounds[0]!.result.cost.usd + r.rounds[1]!.result.cost.usd, 12);
    const repair = proxy().chatRequests().at(-1)!.messages as { role: string; content: string }[];
    expect(repair.slice(-2)).toEqual([
      expect.objectContaining({ role: 'assistant', content: '{"answer": "unfinished' }),
      { role: 'user', content: expect.stringContaining('Your previous answer is not valid:\n- $: not valid JSON') },
    ]);
  });

  it('repairs an answer that fails the schema (JSON Schema and zod), naming the field', async () => {
    const sy = clientFor(sim(), { baseURL: proxy().url });
    const r = await generateObject(sy, { model: 'openai/gpt-4.1-nano', prompt: 'Rate it.', schema: rating });
    expect(r.repairs).toBe(1);
    expect(r.rounds[0]!.issues).toEqual([
      { path: ['summary'], message: 'is required' },
      { path: ['stars'], message: 'must be ≤ 5' },
    ]);
    const repair = proxy().chatRequests().at(-1)!.messages as { content: string }[];
    expect(repair.at(-1)!.content).toContain('- $.summary: is required\n- $.stars: must be ≤ 5');

    const zr = await generateObject(sy, {
      model: 'mistralai/mistral-nemo',
      prompt: 'Rate it.',
      schema: z.object({ stars: z.number(), summary: z.string() }),
    });
    expect(zr.repairs).toBe(1);
    expect(zr.rounds[0]!.issues[0]!.path).toEqual(['stars']);
    expect(typeof zr.object.stars).toBe('number');
  });

  it('fails with StructuredOutputError (last output, issues, every round) when repairs run out', async () => {
    const sy = clientFor(sim());
    const error = await generateObject(
      sy,
      { model: 'openai/gpt-4o-mini', prompt: 'Rate it.', schema: rating, maxRepairs: 1 },
      invalidOutput('I would rather not say.'),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StructuredOutputError);
    expect(error).toBeInstanceOf(SwitchyardError);
    const failed = error as StructuredOutputError;
    expect(failed.code).toBe('structured_output_invalid');
    expect(failed.output).toBe('I would rather not say.');
    expect(failed.rounds).toHaveLength(2);
    expect(failed.issues[0]!.message).toMatch(/^not valid JSON: No JSON object or array in the text/);
    expect(failed.message).toContain('No valid object after 2 answer(s) (maxRepairs 1)');
    expect(failed.model).toBe('openai/gpt-4o-mini');

    const none = (await generateObject(
      sy,
      { model: 'openai/gpt-4o-mini', prompt: 'Rate it.', schema: rating, maxRepairs: 0 },
      invalidOutput('{"stars": 0, "summary": "bad"}'),
    ).catch((e: unknown) => e)) as StructuredOutputError;
    expect(none.rounds).toHaveLength(1);
    expect(none.issues).toEqual([{ path: ['stars'], message: 'must be ≥ 1' }]);
  });

  it('refuses bad options before any request', async () => {
    const sy = clientFor(sim());
    await expect(generateObject(sy, { prompt: 'x', schema: rating, maxRepairs: -1 })).rejects.toMatchObject({
      code: 'invalid_request',
    });
    await expect(generateObject(sy, { prompt: 'x', schema: rating, name: 'has space' })).rejects.toMatchObject({
      code: 'invalid_request',
    });
    await expect(generateObject(sy, { prompt: 'x', schema: 42 as never })).rejects.toMatchObject({
      code: 'invalid_schema',
    });
  });
});
