import { describe, expect, it } from 'vitest';
import { useLoopbackUpstream } from '../../../test/support/loopback-upstream.js';
import { Switchyard, UnexpectedResponseError } from '../src/index.js';

/**
 * Embeddings answers that do not line up with the request, from a loopback upstream: a vector missing or repeated
 * would pair inputs with other inputs' vectors without any error, so the client refuses them.
 */

let vectors: { index?: number; embedding: number[] }[] = [];
/** Replaces the answer's `data` when set: shapes a sloppy server sends. */
let rawData: unknown;
const upstream = useLoopbackUpstream();
upstream.handler = (_req, res) => {
  res.writeHead(200, { 'content-type': 'application/json' });
  const data = rawData ?? vectors.map((v) => ({ object: 'embedding', ...v }));
  res.end(JSON.stringify({ object: 'list', model: 'openai/text-embedding-3-small', data, usage: {} }));
};

const client = () =>
  new Switchyard({ apiKey: 'sk-or-v1-embeddings-shape', baseURL: upstream.baseURL, env: {}, retry: { attempts: 1 } });
const embed = (input: string | string[] | number[]) =>
  client().embed({ model: 'openai/text-embedding-3-small', input });

describe('embeddings answers that do not match the inputs', () => {
  it('puts vectors in input order by their index', async () => {
    vectors = [
      { index: 1, embedding: [2] },
      { index: 0, embedding: [1] },
    ];
    expect((await embed(['a', 'b'])).embeddings).toEqual([[1], [2]]);
  });

  it('counts a single string or token list as one input', async () => {
    vectors = [{ index: 0, embedding: [1] }];
    expect((await embed('a')).embeddings).toEqual([[1]]);
    expect((await embed([17, 42, 9])).embeddings).toEqual([[1]]);
  });

  it('refuses fewer vectors than inputs', async () => {
    vectors = [{ index: 0, embedding: [1] }];
    const error = await embed(['a', 'b']).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnexpectedResponseError);
    expect(error).toMatchObject({ code: 'unexpected_response', message: expect.stringMatching(/1 vector.* 2 input/) });
  });

  it('refuses more vectors than inputs, and repeated indexes', async () => {
    vectors = [
      { index: 0, embedding: [1] },
      { index: 1, embedding: [2] },
    ];
    await expect(embed('a')).rejects.toBeInstanceOf(UnexpectedResponseError);
    vectors = [
      { index: 0, embedding: [1] },
      { index: 0, embedding: [2] },
    ];
    await expect(embed(['a', 'b'])).rejects.toThrow(/repeated indexes/);
  });

  it('refuses rows that are no vectors, and data that is no list, with a typed error (not a TypeError)', async () => {
    for (const data of [[null, { index: 1, embedding: [2] }], [{ index: 0 }], { 0: { embedding: [1] } }]) {
      rawData = data;
      await expect(embed(['a', 'b'])).rejects.toBeInstanceOf(UnexpectedResponseError);
    }
    rawData = undefined;
  });
});

describe('embeddings answers with odd fields', () => {
  it('reads a model that is no string as the requested one and tokens sent as text, and refuses a vector that is not base64', async () => {
    const before = upstream.handler;
    let body: Record<string, unknown> = {};
    upstream.handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    try {
      const row = (embedding: unknown) => ({ object: 'embedding', index: 0, embedding });
      body = { object: 'list', model: 5, data: [row([0.5])], usage: { prompt_tokens: '12', cost: 0.000001 } };
      expect(await embed('a')).toMatchObject({
        model: 'openai/text-embedding-3-small',
        promptTokens: 12,
        embeddings: [[0.5]],
      });
      body = { object: 'list', model: 'm', data: [row([0.5])], usage: { prompt_tokens: 'lots' } };
      expect((await embed('a')).promptTokens).toBe(0);
      body = { object: 'list', model: 'm', data: [row('not base64!')], usage: {} };
      const error = await embed('a').catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(UnexpectedResponseError);
      expect((error as Error).message).toBe(
        'The embeddings answer of m has a vector that is neither numbers nor base64',
      );
    } finally {
      upstream.handler = before;
    }
  });
});
