import type { Socket } from 'node:net';
import { gzipSync } from 'node:zlib';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Handler, useLoopbackUpstream } from '../../../../test/support/loopback-upstream.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';

// The gateway in front of an upstream that behaves like OpenRouter in its nastier ways (odd SSE framing, no
// [DONE], JSON where a stream was asked for, HTML error pages, cut streams, keep-alive sockets dropped on reuse).
// Whatever the upstream does, the gateway's client gets a correct answer or an OpenAI-shaped error, and a stream
// ends with [DONE] (after an error chunk when it failed), never silently.

const upstream = useLoopbackUpstream();
let gateway: TestGateway;

const MODEL = 'openai/gpt-4o-mini';
/** The largest upstream answer this file's gateway reads (small, so a runaway body is quick to send). */
const LIMIT = 256 * 1024;

beforeAll(async () => {
  gateway = await startTestGateway({
    env: {
      OPENROUTER_API_KEY: 'sk-or-v1-nasty-upstream-test',
      OPENROUTER_BASE_URL: upstream.baseURL,
      OPENROUTER_RETRY_ATTEMPTS: '3',
      OPENROUTER_RETRY_BACKOFF_BASE: '0.001',
      OPENROUTER_RETRY_JITTER: '0',
    },
    config: { maxUpstreamResponseBytes: LIMIT },
  });
});

afterAll(async () => {
  await gateway?.stop();
});

function chunk(delta: Record<string, unknown>, finish: string | null = null): string {
  return JSON.stringify({
    id: 'gen-nasty-gw',
    object: 'chat.completion.chunk',
    created: 1_759_420_128,
    model: MODEL,
    provider: 'OpenAI',
    choices: [{ index: 0, delta, finish_reason: finish, native_finish_reason: finish }],
  });
}

const USAGE = { prompt_tokens: 5, completion_tokens: 3, total_tokens: 8, cost: 0.00002 };
const usageChunk = JSON.stringify({
  id: 'gen-nasty-gw',
  object: 'chat.completion.chunk',
  model: MODEL,
  choices: [],
  usage: USAGE,
});

function frames(sep = '\n', prefix = 'data: '): string[] {
  return [
    `${prefix}${chunk({ role: 'assistant', content: '' })}${sep}${sep}`,
    `${prefix}${chunk({ content: 'Hel' })}${sep}${sep}`,
    `${prefix}${chunk({ content: 'lo ☃' })}${sep}${sep}`,
    `${prefix}${chunk({}, 'stop')}${sep}${sep}`,
    `${prefix}${usageChunk}${sep}${sep}`,
    `${prefix}[DONE]${sep}${sep}`,
  ];
}

function streamPieces(pieces: (string | Buffer)[], end: 'end' | 'destroy' = 'end'): Handler {
  return async (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.flushHeaders();
    for (const piece of pieces) {
      if (res.destroyed) return;
      res.write(piece);
      await new Promise((resolve) => setImmediate(resolve));
    }
    if (end === 'destroy') res.socket?.destroy();
    else res.end();
  };
}

function reply(status: number, body: string, headers: Record<string, string> = {}): Handler {
  return (_req, res) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(body);
  };
}

const completion = (message: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    id: 'gen-nasty-gw2',
    object: 'chat.completion',
    created: 1_759_420_128,
    model: MODEL,
    provider: 'OpenAI',
    choices: [{ index: 0, message: { role: 'assistant', ...message }, finish_reason: 'stop' }],
    usage: USAGE,
    ...extra,
  });

// A model of its own per request: circuit breakers count failures per model, and these tests fail on purpose.
let calls = 0;
const chat = (body: Record<string, unknown> = {}) =>
  fetch(`${gateway.url}/api/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: `${MODEL}-${++calls}`, messages: [{ role: 'user', content: 'Hello' }], ...body }),
  });

/** The data values of an SSE body (LF framing: the gateway's own). */
function dataOf(text: string): string[] {
  return text
    .split('\n\n')
    .map((block) =>
      block
        .split('\n')
        .find((line) => line.startsWith('data: '))
        ?.slice(6),
    )
    .filter((data): data is string => data !== undefined);
}

function streamedText(text: string): string {
  return dataOf(text)
    .filter((d) => d !== '[DONE]')
    .map((d) => (JSON.parse(d) as { choices?: { delta?: { content?: string } }[] }).choices?.[0]?.delta?.content ?? '')
    .join('');
}

function expectOpenAiError(body: unknown): { message: string; type: string; code: unknown } {
  const error = (body as { error?: { message?: unknown; type?: unknown; code?: unknown } }).error;
  expect(error, JSON.stringify(body)).toBeTypeOf('object');
  expect(error?.message).toBeTypeOf('string');
  expect(error?.type).toBeTypeOf('string');
  return error as { message: string; type: string; code: unknown };
}

describe('streams through the gateway', () => {
  it('odd framing upstream (CRLF, lone CR, `data:` without space, BOM, one byte per read, re-wrapped keep-alives) reaches the client clean', async () => {
    const rewrapped = ['data: : OPENROUTER PROCESSING\n\n', 'data: OPENROUTER PROCESSING\n\n'];
    const variants: (string | Buffer)[][] = [
      [...rewrapped, ...frames().slice(0, 2), ...rewrapped, ...frames().slice(2)],
      frames('\r\n'),
      frames('\r'),
      frames('\n', 'data:'),
      ['\uFEFF', ...frames().map((f, i) => `event: message\nid: ${i}\nretry: 1000\n${f}`)],
      [...Buffer.from(frames().join(''))].map((b) => Buffer.from([b])),
    ];
    for (const pieces of variants) {
      upstream.handler = streamPieces(pieces);
      const response = await chat({ stream: true });
      expect(response.status).toBe(200);
      const text = await response.text();
      expect(streamedText(text)).toBe('Hello ☃');
      expect(dataOf(text).at(-1)).toBe('[DONE]');
    }
  });

  it('an upstream stream that ends after finish_reason and usage without [DONE]: the client still gets [DONE]', async () => {
    upstream.handler = streamPieces(frames().slice(0, -1));
    const response = await chat({ stream: true });
    const text = await response.text();
    expect(streamedText(text)).toBe('Hello ☃');
    expect(text).toContain('"usage"');
    expect(dataOf(text).at(-1)).toBe('[DONE]');
  });

  it('a last event without its closing blank line still counts, and the client gets [DONE]', async () => {
    upstream.handler = streamPieces([`${frames().slice(0, 3).join('')}data: ${chunk({}, 'stop')}`]);
    const text = await (await chat({ stream: true })).text();
    expect(streamedText(text)).toBe('Hello ☃');
    expect(dataOf(text).at(-1)).toBe('[DONE]');
    expect(text).not.toContain('"error"');
  });

  it('an upstream [DONE] after content but no finish reason: a complete answer, one [DONE], no error', async () => {
    upstream.handler = streamPieces([...frames().slice(0, 3), `data: ${usageChunk}\n\n`, 'data: [DONE]\n\n']);
    const text = await (await chat({ stream: true })).text();
    const data = dataOf(text);
    expect(data.filter((d) => d === '[DONE]')).toHaveLength(1);
    expect(data.at(-1)).toBe('[DONE]');
    expect(text).not.toContain('"error"');
    expect(streamedText(text)).toBe('Hello ☃');
  });

  it('an upstream [DONE] with no answer before it: the error chunk comes before [DONE], nothing after it', async () => {
    upstream.handler = streamPieces([`data: ${usageChunk}\n\n`, 'data: [DONE]\n\n']);
    const response = await chat({ stream: true });
    // The usage chunk went out before the end showed there was no answer: the error comes in band.
    expect(response.status).toBe(200);
    const text = await response.text();
    const data = dataOf(text);
    expect(data.filter((d) => d === '[DONE]')).toHaveLength(1);
    expect(data.at(-1)).toBe('[DONE]');
    expect(
      data.find((d) => d.includes('"error"')),
      text,
    ).toContain('without a finish reason');
  });

  it('an upstream stream cut after content: an error chunk, then [DONE]', async () => {
    upstream.handler = streamPieces(frames().slice(0, 3), 'destroy');
    const text = await (await chat({ stream: true })).text();
    const data = dataOf(text);
    expect(data.at(-1)).toBe('[DONE]');
    const errors = data.filter((d) => d.includes('"error"'));
    expect(errors.length).toBeGreaterThan(0);
    expect(text).toContain('"finish_reason":"error"');
  });

  it('an upstream stream cut before any content: an OpenAI-shaped HTTP error (after retries)', async () => {
    upstream.handler = streamPieces(frames().slice(0, 1));
    const response = await chat({ stream: true });
    expect(response.status).toBeGreaterThanOrEqual(500);
    expectOpenAiError(await response.json());
    expect(upstream.requests).toBe(3);
  });

  it('an in-band error before content whose code is a word: the status its error_type names (429, not 500)', async () => {
    const error = {
      id: 'gen-nasty-gw',
      object: 'chat.completion.chunk',
      choices: [],
      error: { code: 'server_error', message: 'Rate limit exceeded', metadata: { error_type: 'rate_limit_exceeded' } },
    };
    upstream.handler = streamPieces([': OPENROUTER PROCESSING\n\n', `data: ${JSON.stringify(error)}\n\n`]);
    const response = await chat({ stream: true });
    expect(response.status).toBe(429);
    expect(expectOpenAiError(await response.json()).type).toBe('rate_limited');
  });

  it('an upstream that ignores stream: true and answers JSON: the client gets a proper stream', async () => {
    upstream.handler = reply(200, completion({ content: 'Whole answer' }));
    const response = await chat({ stream: true });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/text\/event-stream/);
    const text = await response.text();
    expect(streamedText(text)).toBe('Whole answer');
    expect(dataOf(text).at(-1)).toBe('[DONE]');
  });

  it('an upstream answering a stream request with HTML: an OpenAI-shaped error', async () => {
    upstream.handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<html><body>Just a moment...</body></html>');
    };
    const response = await chat({ stream: true });
    expect(response.status).toBeGreaterThanOrEqual(500);
    expectOpenAiError(await response.json());
  });
});

describe('upstream streams a line-by-line proxy would break', () => {
  it('an event whose data spans several `data:` lines reaches the `openai` client whole', async () => {
    const pretty = JSON.stringify(JSON.parse(chunk({ role: 'assistant', content: 'Hello world' })), null, 1);
    const multiLine = `${pretty
      .split('\n')
      .map((line) => `data: ${line}`)
      .join('\n')}\n\n`;
    upstream.handler = streamPieces([multiLine, ...frames().slice(3)]);
    const openai = new OpenAI({ apiKey: 'unused', baseURL: `${gateway.url}/api/v1`, maxRetries: 0 });
    const stream = await openai.chat.completions.create({
      model: `${MODEL}-${++calls}`,
      messages: [{ role: 'user', content: 'Hello' }],
      stream: true,
    });
    let text = '';
    for await (const part of stream) text += part.choices[0]?.delta?.content ?? '';
    expect(text).toBe('Hello world');
  });

  it("the three-chunk failure with its usage in a later read: the ledger holds the upstream's reported cost", async () => {
    const id = 'gen-nasty-gw-split';
    const base = { id, object: 'chat.completion.chunk', created: 1_759_420_128, model: MODEL, provider: 'OpenAI' };
    const data = (value: unknown) => `data: ${JSON.stringify(value)}\n\n`;
    const error = { code: 502, message: 'Provider returned error', metadata: { error_type: 'provider_unavailable' } };
    const billed = { prompt_tokens: 10, completion_tokens: 3, total_tokens: 13, cost: 0.00002 };
    upstream.handler = async (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(
        data({ ...base, choices: [{ index: 0, delta: { role: 'assistant', content: 'Hello' } }] }) +
          data({ ...base, error, choices: [] }),
      );
      // The rest comes in a later network read, as OpenRouter was seen to send it.
      await new Promise((resolve) => setTimeout(resolve, 50));
      res.write(data({ ...base, choices: [{ index: 0, delta: {}, finish_reason: 'error' }] }));
      res.end(data({ ...base, choices: [], usage: billed }) + 'data: [DONE]\n\n');
    };
    const response = await chat({ stream: true });
    expect(response.headers.get('x-generation-id')).toBe(id);
    const text = await response.text();
    expect(streamedText(text)).toBe('Hello');
    expect(dataOf(text).at(-1)).toBe('[DONE]');
    const generation = await fetch(`${gateway.url}/api/v1/generation?id=${id}`);
    expect(generation.status).toBe(200);
    const { data: row } = (await generation.json()) as { data: Record<string, unknown> };
    expect(row).toMatchObject({ total_cost: 0.00002, tokens_prompt: 10, tokens_completion: 3 });
  });
});

describe('reasoning that comes as details only (encrypted, no text)', () => {
  const ENCRYPTED = { type: 'reasoning.encrypted', data: 'gAAAA-opaque', format: 'openai-responses-v1', index: 0 };
  const pieces = [
    `data: ${chunk({ role: 'assistant', content: '', reasoning_details: [ENCRYPTED] })}\n\n`,
    `data: ${chunk({ content: 'Hel' })}\n\n`,
    `data: ${chunk({ content: 'lo' })}\n\n`,
    `data: ${chunk({}, 'stop')}\n\n`,
    `data: ${usageChunk}\n\n`,
    'data: [DONE]\n\n',
  ];
  const responses = (stream: boolean) =>
    fetch(`${gateway.url}/api/v1/responses`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: `${MODEL}-${++calls}`, input: 'Hello', stream }),
    });
  const unseal = (item: { encrypted_content?: string }) =>
    JSON.parse(Buffer.from(String(item.encrypted_content).replace(/^switchyard\.v1:/, ''), 'base64').toString());

  it('a Responses stream gives them a reasoning item of their own, before the message, sealed in its .done', async () => {
    upstream.handler = streamPieces(pieces);
    const events = dataOf(await (await responses(true)).text())
      .filter((d) => d !== '[DONE]')
      .map(
        (d) =>
          JSON.parse(d) as { type: string; output_index?: number; item?: Record<string, unknown> } & Record<
            string,
            any
          >,
      );
    const done = events.filter((e) => e.type === 'response.output_item.done');
    expect(done.map((e) => [e.output_index, e.item?.type])).toEqual([
      [0, 'reasoning'],
      [1, 'message'],
    ]);
    expect(unseal(done[0]!.item!)).toEqual([ENCRYPTED]);
    const final = events.at(-1)!;
    expect(final.type).toBe('response.completed');
    expect(final.response.output.map((item: { type: string }) => item.type)).toEqual(['reasoning', 'message']);
    expect(final.response.output[0]).toEqual(done[0]!.item);
  });

  it('a Messages stream puts them in a redacted_thinking block before the text, as the non-streamed answer does', async () => {
    const messages = (stream: boolean) =>
      fetch(`${gateway.url}/v1/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          model: `${MODEL}-${++calls}`,
          max_tokens: 100,
          messages: [{ role: 'user', content: 'Hi' }],
          stream,
        }),
      });
    upstream.handler = streamPieces(pieces);
    const events = dataOf(await (await messages(true)).text()).map((d) => JSON.parse(d) as Record<string, any>);
    const starts = events.filter((e) => e.type === 'content_block_start').map((e) => e.content_block.type);
    upstream.handler = reply(200, completion({ content: 'Hello', reasoning_details: [ENCRYPTED] }));
    const plain = (await (await messages(false)).json()) as { content: { type: string }[] };
    expect(plain.content.map((block) => block.type)).toEqual(['redacted_thinking', 'text']);
    expect(starts).toEqual(['redacted_thinking', 'text']);
  });

  it('the non-streamed answer has the same items', async () => {
    upstream.handler = reply(200, completion({ content: 'Hello', reasoning_details: [ENCRYPTED] }));
    const body = (await (await responses(false)).json()) as { output: { type: string }[] };
    expect(body.output.map((item) => item.type)).toEqual(['reasoning', 'message']);
    expect(unseal(body.output[0] as { encrypted_content?: string })).toEqual([ENCRYPTED]);
  });
});

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
        const error = expectOpenAiError(await response.json());
        expect(error.type).toBe(type);
        expect(error.message).toContain(message);
        expect((error as { metadata?: { upstream_status?: number } }).metadata?.upstream_status).toBe(status);
      }
    }
    const said = gateway.logLines().filter((l) => String(l.msg).includes('check OPENROUTER_API_KEY'));
    expect(said.map((l) => l.code)).toEqual(['upstream_auth_failed', 'upstream_out_of_credits']);
    expect(JSON.stringify(said)).not.toContain('sk-or-v1-nasty-upstream-test');
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
          body: JSON.stringify({ model: `${MODEL}-${++calls}`, messages: [{ role: 'user', content: 'Hi' }], stream }),
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
