import { describe, expect, it } from 'vitest';
import { parseScenario, ScenarioError } from '../src/index.js';
import { type CallOptions, call, useSimulator } from './helpers.js';

/**
 * OpenRouter's non-streamed answers that take a while: status and headers early, then whitespace until the JSON.
 * Several independent clients observed it (a per-read timeout never fires, a short one yields only whitespace).
 */

const HELLO = { model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'Hello, world!' }] };
const fault = (value: unknown): CallOptions => ({ headers: { 'x-simulator-fault': JSON.stringify(value) } });

/** The body's reads as they arrived, until it ends or `limit` reads (then the request is aborted). */
async function reads(res: Response, controller?: AbortController, limit = Number.POSITIVE_INFINITY) {
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  const pieces: string[] = [];
  try {
    while (pieces.length < limit) {
      const { value, done } = await reader.read();
      if (done) break;
      pieces.push(decoder.decode(value, { stream: true }));
    }
  } finally {
    controller?.abort();
  }
  return pieces;
}

describe('a paced non-stream answer longer than nonStreamKeepAliveMs', () => {
  // 250 ms to the first token at 50 ms per newline: a handful of newlines before the answer.
  const sim = useSimulator({ pace: { ttftMs: 250, tokensPerSecond: 2_000 }, nonStreamKeepAliveMs: 50 });

  it('commits 200 and its headers early, pads with newlines, then sends the JSON (which parses)', async () => {
    const res = await call(sim(), '/chat/completions', HELLO);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(res.headers.get('content-length')).toBeNull();
    expect(res.headers.get('x-generation-id')).toMatch(/^gen-/);
    const pieces = await reads(res);
    // The padding arrives in reads of its own, before any of the answer.
    expect(pieces[0]).toBe('\n');
    const body = pieces.join('');
    const padding = body.length - body.trimStart().length;
    expect(padding).toBeGreaterThanOrEqual(2);
    expect(body.slice(0, padding)).toMatch(/^\n+$/);
    const answer = JSON.parse(body) as { object: string; choices: { message: { content: string } }[] };
    expect(answer.object).toBe('chat.completion');
    expect(answer.choices[0]?.message.content.length).toBeGreaterThan(0);
  });

  it('sends a failure mid-generation in the padded 200 body, as OpenRouter must once the status is out', async () => {
    const res = await call(sim(), '/chat/completions', HELLO, fault({ kind: 'mid-stream-error', afterChunks: 2 }));
    expect(res.status).toBe(200);
    const body = await res.text();
    expect(body.startsWith('\n')).toBe(true);
    const answer = JSON.parse(body) as { choices: { finish_reason: string; error?: { code: number } }[] };
    expect(answer.choices[0]?.finish_reason).toBe('error');
    expect(answer.choices[0]?.error?.code).toBe(502);
  });

  it('does not pad a skin that answers a failure with its status (Messages): the status must wait', async () => {
    const res = await call(
      sim(),
      '/messages',
      { model: 'anthropic/claude-sonnet-4.5', max_tokens: 64, messages: [{ role: 'user', content: 'Hi' }] },
      fault({ kind: 'mid-stream-error', afterChunks: 2 }),
    );
    expect(res.status).toBeGreaterThanOrEqual(500);
    expect(res.headers.get('content-length')).not.toBeNull();
    const body = await res.text();
    expect(body.startsWith('{')).toBe(true);
    expect((JSON.parse(body) as { type: string }).type).toBe('error');
  });

  it('pads the Messages skin too when it succeeds', async () => {
    const res = await call(sim(), '/messages', {
      model: 'anthropic/claude-sonnet-4.5',
      max_tokens: 64,
      messages: [{ role: 'user', content: 'Hi' }],
    });
    expect(res.status).toBe(200);
    const body = await res.text();
    expect(body.startsWith('\n')).toBe(true);
    expect((JSON.parse(body) as { type: string }).type).toBe('message');
  });

  it('cuts or drops a padded body as transport faults say, after the padding', async () => {
    const cut = await call(sim(), '/chat/completions', HELLO, fault({ kind: 'cut' }));
    expect(cut.status).toBe(200);
    const half = await cut.text();
    expect(half.startsWith('\n')).toBe(true);
    expect(half.trimStart().startsWith('{"id":"gen-')).toBe(true);
    expect(() => JSON.parse(half)).toThrow();

    const dropped = await call(sim(), '/chat/completions', HELLO, fault({ kind: 'reset-mid-body' }));
    expect(dropped.status).toBe(200);
    await expect(dropped.text()).rejects.toThrow();
  });

  it('leaves streams alone: they open with a comment, never with whitespace', async () => {
    const res = await call(sim(), '/chat/completions', { ...HELLO, stream: true });
    const body = await res.text();
    expect(body.startsWith(': OPENROUTER PROCESSING\n\n')).toBe(true);
  });
});

describe('answers that need no padding', () => {
  const quick = useSimulator({ pace: { ttftMs: 20, tokensPerSecond: 100_000 }, nonStreamKeepAliveMs: 500 });
  const off = useSimulator({ pace: { ttftMs: 150, tokensPerSecond: 2_000 }, nonStreamKeepAliveMs: 0 });
  const instant = useSimulator({ pace: 'instant', nonStreamKeepAliveMs: 1 });

  it.each([
    ['quicker than nonStreamKeepAliveMs', quick],
    ['nonStreamKeepAliveMs: 0', off],
    ['instant pacing', instant],
  ])('%s: one JSON body with its content-length', async (_name, sim) => {
    const res = await call(sim(), '/chat/completions', HELLO);
    expect(res.status).toBe(200);
    const body = await res.text();
    expect(body.startsWith('{')).toBe(true);
    expect(Number(res.headers.get('content-length'))).toBe(Buffer.byteLength(body));
  });
});

describe('a non-stream stall', () => {
  const sim = useSimulator();

  it('in keepalive mode sends only newlines until the client gives up', async () => {
    const controller = new AbortController();
    const res = await call(sim(), '/chat/completions', HELLO, {
      ...fault({ kind: 'stall', mode: 'keepalive', intervalMs: 20 }),
      signal: controller.signal,
    });
    expect(res.status).toBe(200);
    const pieces = await reads(res, controller, 4);
    expect(pieces.join('')).toMatch(/^\n{4,}$/);
  });

  it('in keepalive mode with a duration pads, then answers in full', async () => {
    const res = await call(
      sim(),
      '/chat/completions',
      HELLO,
      fault({ kind: 'stall', mode: 'keepalive', intervalMs: 20, durationMs: 120 }),
    );
    const body = await res.text();
    expect(body.startsWith('\n')).toBe(true);
    expect((JSON.parse(body) as { object: string }).object).toBe('chat.completion');
  });

  it('in silent mode sends nothing but the headers, then the answer', async () => {
    const res = await call(sim(), '/chat/completions', HELLO, fault({ kind: 'stall', durationMs: 60 }));
    const body = await res.text();
    expect(body.startsWith('{')).toBe(true);
    expect((JSON.parse(body) as { object: string }).object).toBe('chat.completion');
  });
});

describe('the nonStreamKeepAliveMs setting', () => {
  it('must be a number ≥ 0', () => {
    expect(() => parseScenario({ nonStreamKeepAliveMs: -1 })).toThrow(ScenarioError);
    expect(() => parseScenario({ nonStreamKeepAliveMs: 'soon' })).toThrow(/nonStreamKeepAliveMs/);
    expect(parseScenario({ nonStreamKeepAliveMs: 0 }).nonStreamKeepAliveMs).toBe(0);
  });
});
