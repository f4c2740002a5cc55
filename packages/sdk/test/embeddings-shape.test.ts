import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Switchyard, UnexpectedResponseError } from '../src/index.js';

/**
 * Embeddings answers that do not line up with the request, from a loopback upstream: a vector missing or repeated
 * would pair inputs with other inputs' vectors without any error, so the client refuses them.
 */

let vectors: { index?: number; embedding: number[] }[] = [];
let server: Server;
let baseURL = '';

beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' });
      if (req.url?.includes('/models')) {
        res.end('{"data":[]}');
        return;
      }
      const data = vectors.map((v) => ({ object: 'embedding', ...v }));
      res.end(JSON.stringify({ object: 'list', model: 'openai/text-embedding-3-small', data, usage: {} }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseURL = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const client = () => new Switchyard({ apiKey: 'sk-or-v1-embeddings-shape', baseURL, env: {}, retry: { attempts: 1 } });
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
});
