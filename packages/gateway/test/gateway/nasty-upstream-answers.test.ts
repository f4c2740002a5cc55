import type { Socket } from 'node:net';
import { gzipSync } from 'node:zlib';
import { ProviderError, Switchyard } from '@switchyard/sdk';
import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import type { Handler } from '../../../../test/support/loopback-upstream.js';
import { startTestGateway } from '../support/gateway.js';
import {
  chunk,
  completion,
  dataOf,
  expectOpenAiError,
  frames,
  LIMIT,
  nextModel,
  reply,
  streamPieces,
  useNastyGateway,
} from '../support/nasty-upstream.js';

// The gateway in front of an upstream that behaves like OpenRouter in its nastier ways (see support/nasty-upstream.ts).
// Non-stream answers, runaway bodies and keep-alive sockets: whatever the upstream does, the gateway's client gets
// a correct answer or an OpenAI-shaped error.

const { upstream, gateway, chat } = useNastyGateway();

describe('non-stream answers through the gateway', () => {
  it('an answer without an id or usage: passed through, with no empty x-generation-id header', async () => {
    upstream.handler = reply(
      200,
      JSON.stringify({
        object: 'chat.completion',
        choices: [{ index: 0, finish_reason: 'stop', message: { role: 'assistant', content: 'bare' } }],
      }),
    );
    const response = await chat();
    expect(response.status).toBe(200);
    expect(response.headers.has('x-generation-id')).toBe(false);
    expect(
      ((await response.json()) as { choices: { message: { content: string } }[] }).choices[0]?.message.content,
    ).toBe('bare');
  });

  it("the upstream refusing the gateway's key or account: 502 with a code of its own, and one line for the operator", async () => {
    const refusals: [number, string, string][] = [
      [401, 'User not found.', 'upstream_auth_failed'],
      [402, 'Insufficient credits. Add more using https://openrouter.ai/credits', 'upstream_out_of_credits'],
    ];
    for (const [status, message, type] of refusals) {
      upstream.handler = reply(status, JSON.stringify({ error: { code: status, message } }));
      for (let i = 0; i < 2; i++) {
        const response = await chat();
        expect(response.status).toBe(502);
        // Retrying cannot help: the openai clients read this before their own rule (retry every 5xx).
        expect(response.headers.get('x-should-retry')).toBe('false');
        const error = expectOpenAiError(await response.json());
        expect(error.type).toBe(type);
        expect(error.message).toContain(message);
        expect((error as { metadata?: { upstream_status?: number } }).metadata?.upstream_status).toBe(status);
      }
    }
    const said = gateway()
      .logLines()
      .filter((l) => String(l.msg).includes('check OPENROUTER_API_KEY'));
    expect(said.map((l) => l.code)).toEqual(['upstream_auth_failed', 'upstream_out_of_credits']);
    expect(JSON.stringify(said)).not.toContain('sk-or-v1-nasty-upstream-test');
  });

  it('neither does a switchyard SDK client whose base URL is the gateway (apps sharing one gateway)', async () => {
    upstream.handler = reply(402, JSON.stringify({ error: { code: 402, message: 'Insufficient credits' } }));
    const sy = new Switchyard({ apiKey: 'unused', baseURL: `${gateway().url}/api/v1`, env: {} });
    const error = await sy.chat({ model: nextModel(), messages: [{ role: 'user', content: 'Hello' }] }).catch((e) => e);
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as ProviderError).status).toBe(502);
    expect((error as ProviderError).attempts).toHaveLength(1);
    expect(upstream.requests).toBe(1);
  });

  it('the openai client does not retry what the gateway marks x-should-retry: false (a 502 for the upstream key)', async () => {
    upstream.handler = reply(401, JSON.stringify({ error: { code: 401, message: 'User not found.' } }));
    const openai = new OpenAI({ apiKey: 'unused', baseURL: `${gateway().url}/api/v1`, maxRetries: 2 });
    const error = await openai.chat.completions
      .create({ model: nextModel(), messages: [{ role: 'user', content: 'Hello' }] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.InternalServerError);
    expect((error as InstanceType<typeof OpenAI.APIError>).status).toBe(502);
    expect(upstream.requests).toBe(1);
  });

  it('a 403 from the upstream stays a 403 (moderation or a region is about the request, not the account)', async () => {
    for (const metadata of [{ reasons: ['harassment'] }, undefined]) {
      upstream.handler = reply(403, JSON.stringify({ error: { code: 403, message: 'Refused', metadata } }));
      expect((await chat()).status).toBe(403);
    }
  });

  it('HTTP 200 with HTML or an empty body: an OpenAI-shaped error with a bounded message', async () => {
    for (const body of [`<!DOCTYPE html><html>${'<p>Attention Required!</p>'.repeat(1000)}</html>`, '']) {
      upstream.handler = (_req, res) => {
        res.writeHead(200, { 'content-type': body ? 'text/html' : 'application/json' });
        res.end(body);
      };
      const response = await chat();
      expect(response.status).toBeGreaterThanOrEqual(500);
      const error = expectOpenAiError(await response.json());
      expect(error.message.length).toBeLessThan(1000);
    }
  });

  it("OpenRouter's whitespace padding of a slow answer: the client gets clean JSON, and a padded {error} its status", async () => {
    const padded =
      (body: string): Handler =>
      async (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        for (let i = 0; i < 3 && !res.destroyed; i++) {
          res.write('\n');
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
        res.end(body);
      };
    upstream.handler = padded(completion({ content: 'Worth the wait' }));
    const ok = await chat();
    expect(ok.status).toBe(200);
    const text = await ok.text();
    expect(text.startsWith('{')).toBe(true);
    expect(Number(ok.headers.get('content-length'))).toBe(Buffer.byteLength(text));
    expect(JSON.parse(text).choices[0].message.content).toBe('Worth the wait');

    // OpenRouter had committed its 200 before the failure; the gateway has not, so the client gets the real status.
    upstream.handler = padded(JSON.stringify({ error: { code: 429, message: 'Rate limit exceeded upstream' } }));
    const limited = await chat();
    expect(limited.status).toBe(429);
    expect(expectOpenAiError(await limited.json()).message).toContain('Rate limit exceeded upstream');

    upstream.handler = padded('');
    const nothing = await chat();
    expect(nothing.status).toBe(502);
    expect(expectOpenAiError(await nothing.json()).message).toContain('whitespace only');
  });

  it('502/503 with a Cloudflare HTML page: retried, then an OpenAI-shaped error with the status', async () => {
    for (const status of [502, 503]) {
      upstream.requests = 0;
      upstream.handler = (_req, res) => {
        res.writeHead(status, { 'content-type': 'text/html' });
        res.end(`<html><head><title>${status}</title></head><body>${'cloudflare '.repeat(3000)}</body></html>`);
      };
      const response = await chat();
      expect(response.status).toBe(status);
      const error = expectOpenAiError(await response.json());
      expect(error.message.length).toBeLessThan(1000);
      expect(upstream.requests).toBe(3);
    }
  });

  it('429 with a Retry-After beyond the deadline: a 429 at once, carrying retry-after', async () => {
    upstream.handler = reply(429, JSON.stringify({ error: { code: 429, message: 'Rate limit exceeded' } }), {
      'retry-after': '86400',
    });
    const response = await chat();
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('86400');
    expect(response.headers.get('retry-after-ms')).toBe('86400000');
    expect(response.headers.get('x-should-retry')).toBe('true');
    expectOpenAiError(await response.json());
    expect(upstream.requests).toBe(1);
  });

  it('sloppy completions: choices: [] is an error; null content with tool calls and numeric strings pass', async () => {
    upstream.handler = reply(200, completion({}, { choices: [] }));
    const empty = await chat();
    expect(empty.status).toBeGreaterThanOrEqual(500);
    expectOpenAiError(await empty.json());

    upstream.handler = reply(
      200,
      completion(
        { content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'f', arguments: '{}' } }] },
        { usage: { prompt_tokens: '5', completion_tokens: '3', total_tokens: '8', cost: '0.00002', extra: { a: 1 } } },
      ),
    );
    const tools = await chat();
    expect(tools.status).toBe(200);
    const body = (await tools.json()) as {
      choices: { message: { tool_calls: { id: string }[] } }[];
      usage: { total_tokens: unknown };
    };
    expect(body.choices[0]?.message.tool_calls[0]?.id).toBe('c1');
    expect(Number(body.usage.total_tokens)).toBe(8);
  });
});

/** Answers the first request on each socket (keep-alive advertised) and drops the socket when it is reused. */
function dropOnReuse(): Handler {
  const served = new WeakSet<Socket>();
  return async (req, res, body) => {
    if (served.has(req.socket)) {
      req.socket.destroy();
      return;
    }
    served.add(req.socket);
    res.setHeader('keep-alive', 'timeout=30');
    if ((JSON.parse(body) as { stream?: boolean }).stream === true) await streamPieces(frames())(req, res, '');
    else reply(200, completion({ content: 'fresh' }))(req, res, '');
  };
}

describe('runaway upstream bodies', () => {
  it('a non-stream answer beyond max_upstream_response: a typed 502, not a gateway full of it', async () => {
    upstream.handler = reply(200, completion({ content: 'x'.repeat(LIMIT * 2) }));
    const response = await chat();
    expect(response.status).toBe(502);
    const error = expectOpenAiError(await response.json());
    expect(error.type).toBe('response_too_large');
    expect(error.message).toContain('max_upstream_response');
    // Retries are on (3 attempts), but the same request would grow as large again: asked once.
    expect(upstream.requests).toBe(1);
  });

  it('a small gzip body that inflates beyond max_upstream_response: the same typed 502', async () => {
    const packed = gzipSync(completion({ content: 'z'.repeat(LIMIT * 4) }));
    expect(packed.byteLength).toBeLessThan(LIMIT / 10);
    upstream.handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
      res.end(packed);
    };
    const response = await chat();
    expect(response.status).toBe(502);
    expect(expectOpenAiError(await response.json()).message).toContain('max_upstream_response');
    expect(upstream.requests).toBe(1);
  });

  it('a stream that never stops: cut at the limit with an error chunk and [DONE]', async () => {
    upstream.handler = async (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      const piece = `data: ${chunk({ content: 'y'.repeat(1000) })}\n\n`;
      for (let sent = 0; sent < LIMIT * 4 && !res.destroyed; sent += piece.length) {
        if (!res.write(piece)) await new Promise((resolve) => res.once('drain', resolve));
      }
      res.end();
    };
    const text = await (await chat({ stream: true })).text();
    const data = dataOf(text);
    expect(data.at(-1)).toBe('[DONE]');
    expect(data.find((d) => d.includes('"error"'))).toContain('max_upstream_response');
    expect(text.length).toBeLessThan(LIMIT * 2);
  });
});

describe('keep-alive sockets dropped by the upstream', () => {
  it('with SDK retries off, a socket dropped on reuse is resent at once on a fresh connection', async () => {
    const strict = await startTestGateway({
      env: {
        OPENROUTER_API_KEY: 'sk-or-v1-nasty-upstream-test',
        OPENROUTER_BASE_URL: upstream.baseURL,
        OPENROUTER_RETRY_ATTEMPTS: '1',
      },
    });
    try {
      upstream.handler = dropOnReuse();
      const post = (stream: boolean) =>
        fetch(`${strict.url}/api/v1/chat/completions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ model: nextModel(), messages: [{ role: 'user', content: 'Hi' }], stream }),
        });
      for (let i = 0; i < 4; i++) {
        const response = await post(false);
        expect(response.status, await response.clone().text()).toBe(200);
        await response.arrayBuffer();
      }
      for (let i = 0; i < 2; i++) {
        const response = await post(true);
        expect(response.status).toBe(200);
        expect(dataOf(await response.text()).at(-1)).toBe('[DONE]');
      }
    } finally {
      await strict.stop();
    }
  });

  it('Connection: close, and a socket dropped when reused: the next upstream.requests still succeed', async () => {
    upstream.handler = (_req, res) => {
      res.setHeader('connection', 'close');
      reply(200, completion({ content: 'fresh' }))(_req, res, '');
    };
    for (let i = 0; i < 3; i++) expect((await chat()).status).toBe(200);

    upstream.handler = dropOnReuse();
    for (let i = 0; i < 4; i++) {
      const response = await chat();
      expect(response.status).toBe(200);
      expect(
        ((await response.json()) as { choices: { message: { content: string } }[] }).choices[0]?.message.content,
      ).toBe('fresh');
    }
    for (let i = 0; i < 2; i++) {
      const text = await (await chat({ stream: true })).text();
      expect(dataOf(text).at(-1)).toBe('[DONE]');
    }
  });
});
