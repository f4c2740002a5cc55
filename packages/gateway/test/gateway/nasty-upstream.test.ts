import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import {
  chunk,
  completion,
  dataOf,
  expectOpenAiError,
  frames,
  MODEL,
  nextModel,
  reply,
  streamedText,
  streamPieces,
  usageChunk,
  useNastyGateway,
} from '../support/nasty-upstream.js';

// The gateway in front of an upstream that behaves like OpenRouter in its nastier ways (see support/nasty-upstream.ts).
// Whatever the upstream does, the gateway's client gets a correct answer or an OpenAI-shaped error, and a stream
// ends with [DONE] (after an error chunk when it failed), never silently.

const { upstream, gateway, chat } = useNastyGateway();

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
    const openai = new OpenAI({ apiKey: 'unused', baseURL: `${gateway().url}/api/v1`, maxRetries: 0 });
    const stream = await openai.chat.completions.create({
      model: nextModel(),
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
    const generation = await fetch(`${gateway().url}/api/v1/generation?id=${id}`);
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
    fetch(`${gateway().url}/api/v1/responses`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: nextModel(), input: 'Hello', stream }),
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
      fetch(`${gateway().url}/v1/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          model: nextModel(),
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
