import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  StreamError,
  StreamTruncatedError,
  Switchyard,
  type SwitchyardError,
  UnexpectedResponseError,
} from '../src/index.js';

/**
 * The recorded streams (packages/simulator/fixtures/sse) replayed through the SDK's stream reader over loopback
 * HTTP, written in 1-byte, 64-byte, random and whole chunkings: every chunking must give the same result.
 */

const DIR = new URL('../../simulator/fixtures/sse/', import.meta.url);
const manifest = JSON.parse(readFileSync(new URL('manifest.json', DIR), 'utf8')) as {
  fixtures: { name: string; file: string; facts: Record<string, any> }[];
};

let chunking: (bytes: Buffer) => Buffer[] = (b) => [b];
let current = Buffer.alloc(0);
let server: Server;
let baseURL = '';

function seeded(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const CHUNKINGS: [string, (b: Buffer) => Buffer[]][] = [
  ['whole', (b) => [b]],
  ['1-byte', (b) => [...b].map((byte) => Buffer.from([byte]))],
  ['64-byte', (b) => Array.from({ length: Math.ceil(b.length / 64) }, (_, i) => b.subarray(i * 64, i * 64 + 64))],
  [
    'random',
    (b) => {
      const next = seeded(b.length);
      const out: Buffer[] = [];
      for (let at = 0; at < b.length; ) {
        const size = 1 + Math.floor(next() * 40);
        out.push(b.subarray(at, at + size));
        at += size;
      }
      return out;
    },
  ],
];

beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume();
    req.on('end', async () => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      for (const piece of chunking(current)) {
        res.write(piece);
        await new Promise((resolve) => setImmediate(resolve));
      }
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseURL = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe('fixture replay through ChatStream', () => {
  for (const fixture of manifest.fixtures) {
    for (const [label, cut] of CHUNKINGS) {
      it(`${fixture.name} (${label})`, async () => {
        current = readFileSync(new URL(fixture.file, DIR));
        chunking = cut;
        const sy = new Switchyard({
          apiKey: 'sk-or-v1-replay',
          baseURL,
          env: {},
          timeouts: { idleMs: 5000, firstTokenMs: 5000 },
        });
        const facts = fixture.facts;
        const outcome = await sy
          .stream({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] })
          .final()
          .then(
            (result) => ({ result, error: undefined }),
            (error: SwitchyardError) => ({ result: undefined, error }),
          );
        if (facts.error || facts.malformedFrames > 0) {
          expect(outcome.error).toBeInstanceOf(StreamError);
          const error = outcome.error as StreamError;
          expect(error.partial.text).toBe(facts.text.slice(0, error.partial.text.length));
          if (facts.error) expect((error.cause as SwitchyardError).status).toBe(facts.error.code);
          else expect(error.cause).toBeInstanceOf(UnexpectedResponseError);
          return;
        }
        if (!facts.finishReason) {
          expect(outcome.error).toBeInstanceOf(StreamTruncatedError);
          expect((outcome.error as StreamTruncatedError).partial.text).toBe(facts.text);
          return;
        }
        expect(outcome.error).toBeUndefined();
        const result = outcome.result!;
        expect(result.text).toBe(facts.text);
        expect(result.finishReason).toBe(facts.toolCalls.length > 0 ? 'tool_calls' : facts.finishReason);
        expect(result.nativeFinishReason).toBe(facts.nativeFinishReason);
        expect(result.model).toBe(facts.model);
        expect(result.provider).toBe(facts.provider);
        expect(result.generationId).toBe(facts.id);
        expect(result.reasoning ?? null).toBe(facts.reasoning);
        expect(result.toolCalls.map((c) => ({ name: c.name, arguments: c.arguments }))).toEqual(
          facts.toolCalls.map((c: any) => ({ name: c.name, arguments: c.arguments })),
        );
        if (facts.usage) {
          expect(result.usage.promptTokens).toBe(facts.usage.prompt_tokens);
          expect(result.usage.completionTokens).toBe(facts.usage.completion_tokens);
          expect(result.usage.reasoningTokens).toBe(facts.usage.reasoning_tokens);
          expect(result.cost).toMatchObject({ usd: facts.usage.cost, source: 'reported' });
        }
      });
    }
  }
});
