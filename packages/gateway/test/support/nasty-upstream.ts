import { afterAll, beforeAll, expect } from 'vitest';
import {
  type Handler,
  type LoopbackUpstream,
  useLoopbackUpstream,
} from '../../../../test/support/loopback-upstream.js';
import { startTestGateway, type TestGateway } from './gateway.js';

/**
 * The gateway in front of a loopback upstream that behaves like OpenRouter in its nastier ways (odd SSE framing, no
 * [DONE], JSON where a stream was asked for, HTML error pages, cut streams, keep-alive sockets dropped on reuse), and
 * the frames, bodies and readers the nasty-upstream tests build from.
 */

export const MODEL = 'openai/gpt-4o-mini';
/** The largest upstream answer the gateway reads (small, so a runaway body is quick to send). */
export const LIMIT = 256 * 1024;

let calls = 0;
/** A model id of its own for a request: circuit breakers count failures per model, and these tests fail on purpose. */
export const nextModel = () => `${MODEL}-${++calls}`;

/**
 * The upstream and the gateway for a whole test file (vitest hooks registered here; each test installs its own
 * handler), and `chat`: a POST to the gateway with a model of its own (`nextModel`).
 */
export function useNastyGateway(): {
  upstream: LoopbackUpstream;
  gateway: () => TestGateway;
  chat: (body?: Record<string, unknown>) => Promise<Response>;
} {
  const upstream = useLoopbackUpstream();
  let gateway: TestGateway | undefined;
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
  const current = () => {
    if (!gateway) throw new Error('the gateway starts in beforeAll');
    return gateway;
  };
  const chat = (body: Record<string, unknown> = {}) =>
    fetch(`${current().url}/api/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: nextModel(), messages: [{ role: 'user', content: 'Hello' }], ...body }),
    });
  return { upstream, gateway: current, chat };
}

export function chunk(delta: Record<string, unknown>, finish: string | null = null): string {
  return JSON.stringify({
    id: 'gen-nasty-gw',
    object: 'chat.completion.chunk',
    created: 1_759_420_128,
    model: MODEL,
    provider: 'OpenAI',
    choices: [{ index: 0, delta, finish_reason: finish, native_finish_reason: finish }],
  });
}

export const USAGE = { prompt_tokens: 5, completion_tokens: 3, total_tokens: 8, cost: 0.00002 };
export const usageChunk = JSON.stringify({
  id: 'gen-nasty-gw',
  object: 'chat.completion.chunk',
  model: MODEL,
  choices: [],
  usage: USAGE,
});

export function frames(sep = '\n', prefix = 'data: '): string[] {
  return [
    `${prefix}${chunk({ role: 'assistant', content: '' })}${sep}${sep}`,
    `${prefix}${chunk({ content: 'Hel' })}${sep}${sep}`,
    `${prefix}${chunk({ content: 'lo ☃' })}${sep}${sep}`,
    `${prefix}${chunk({}, 'stop')}${sep}${sep}`,
    `${prefix}${usageChunk}${sep}${sep}`,
    `${prefix}[DONE]${sep}${sep}`,
  ];
}

export function streamPieces(pieces: (string | Buffer)[], end: 'end' | 'destroy' = 'end'): Handler {
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

export function reply(status: number, body: string, headers: Record<string, string> = {}): Handler {
  return (_req, res) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(body);
  };
}

export const completion = (message: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
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

/** The data values of an SSE body (LF framing: the gateway's own). */
export function dataOf(text: string): string[] {
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

export function streamedText(text: string): string {
  return dataOf(text)
    .filter((d) => d !== '[DONE]')
    .map((d) => (JSON.parse(d) as { choices?: { delta?: { content?: string } }[] }).choices?.[0]?.delta?.content ?? '')
    .join('');
}

export function expectOpenAiError(body: unknown): { message: string; type: string; code: unknown } {
  const error = (body as { error?: { message?: unknown; type?: unknown; code?: unknown } }).error;
  expect(error, JSON.stringify(body)).toBeTypeOf('object');
  expect(error?.message).toBeTypeOf('string');
  expect(error?.type).toBeTypeOf('string');
  return error as { message: string; type: string; code: unknown };
}
