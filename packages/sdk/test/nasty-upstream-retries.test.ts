import type { Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import type { Handler } from '../../../test/support/loopback-upstream.js';
import { ConnectionError, RateLimitError, Switchyard, type SwitchyardError } from '../src/index.js';
import { failure } from './helpers.js';
import { completion, hello, json, useNastyUpstream } from './nasty-upstream-helpers.js';

/**
 * A nasty upstream (see nasty-upstream-helpers.ts) that makes the client try again, or not: Retry-After values on a
 * 429, keep-alive sockets closed under the client (resent on a fresh connection) and a connection refused (not resent).
 */

const { upstream, client } = useNastyUpstream();

describe('429 Retry-After', () => {
  const limited =
    (retryAfter: string): Handler =>
    (req, res, body) => {
      if (upstream.requests === 1)
        json(429, { error: { code: 429, message: 'Rate limit exceeded' } }, { 'retry-after': retryAfter })(
          req,
          res,
          body,
        );
      else json(200, completion({ content: 'after the wait' }))(req, res, body);
    };

  it('Retry-After: 0 retries at once; fractional 1.5 is honoured as 1500 ms', async () => {
    upstream.handler = limited('0');
    const zero = await client({ retry: { attempts: 2 } }).chat({ messages: hello });
    expect(zero.text).toBe('after the wait');
    expect(zero.attempts?.map((a) => a.waitedMs)).toEqual([0, 0]);
    upstream.requests = 0;
    upstream.handler = limited('1.5');
    const error = await failure(client().chat({ messages: hello }));
    expect(error).toBeInstanceOf(RateLimitError);
    expect(error.retryAfterMs).toBe(1500);
  });

  it('a huge Retry-After beyond the deadline fails fast with the rate-limit error carrying it', async () => {
    upstream.handler = json(429, { error: { code: 429, message: 'Rate limit exceeded' } }, { 'retry-after': '86400' });
    const error = await failure(client({ retry: { attempts: 3 } }).chat({ messages: hello }, { timeoutMs: 5_000 }));
    expect(error).toBeInstanceOf(RateLimitError);
    expect(error.retryAfterMs).toBe(86_400_000);
    expect(upstream.requests).toBe(1);
    expect(error.attempts?.at(-1)?.reason).toMatch(/would pass the deadline/);
    const streamed = await failure(
      client({ retry: { attempts: 3 } })
        .stream({ messages: hello }, { timeoutMs: 5_000 })
        .final(),
    );
    expect(streamed).toBeInstanceOf(RateLimitError);
    expect(streamed.retryAfterMs).toBe(86_400_000);
  });
});

describe('keep-alive sockets closed by the server', () => {
  it('Connection: close on every answer: consecutive upstream.requests all succeed', async () => {
    upstream.handler = (_req, res) => {
      res.setHeader('connection', 'close');
      json(200, completion({ content: 'fresh' }))(_req, res, '');
    };
    const sy = client();
    for (let i = 0; i < 5; i++) expect((await sy.chat({ messages: hello })).text).toBe('fresh');
  });

  it('the server drops an idle keep-alive socket just as the next request arrives: retried on a fresh one', async () => {
    // The first request on each socket is answered (keep-alive advertised); the next request on that same socket
    // finds it closed: the race a client hits when a server's idle timeout fires as it reuses the socket.
    const served = new WeakSet<Socket>();
    upstream.handler = (req, res) => {
      const socket = req.socket;
      if (served.has(socket)) {
        socket.destroy();
        return;
      }
      served.add(socket);
      res.setHeader('keep-alive', 'timeout=30');
      json(200, completion({ content: 'fresh' }))(req, res, '');
    };
    const sy = client({ retry: { attempts: 3, backoffBaseMs: 1, jitter: 0 } });
    for (let i = 0; i < 4; i++) expect((await sy.chat({ messages: hello })).text).toBe('fresh');
    for (let i = 0; i < 2; i++) expect((await sy.stream({ messages: hello }).final()).text).toBe('fresh');
  });

  it('with retries off, a keep-alive socket dropped on reuse is resent at once on a fresh connection', async () => {
    const served = new WeakSet<Socket>();
    upstream.handler = (req, res) => {
      if (served.has(req.socket)) {
        req.socket.destroy();
        return;
      }
      served.add(req.socket);
      res.setHeader('keep-alive', 'timeout=30');
      json(200, completion({ content: 'fresh' }))(req, res, '');
    };
    const sy = client(); // retry: { attempts: 1 }
    for (let i = 0; i < 4; i++) expect((await sy.chat({ messages: hello })).text).toBe('fresh');
    for (let i = 0; i < 2; i++) expect((await sy.stream({ messages: hello }).final()).text).toBe('fresh');
  });

  it('a connection refused is not resent: a typed, retryable connection error', async () => {
    const sy = new Switchyard({ apiKey: 'sk-or-v1-x', baseURL: 'http://127.0.0.1:9/api/v1', retry: { attempts: 1 } });
    const error = await sy.chat({ model: 'openai/gpt-4o-mini', messages: hello }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConnectionError);
    expect((error as SwitchyardError).retryable).toBe(true);
  });
});
