import { beforeEach } from 'vitest';
import { type Handler, type LoopbackUpstream, useLoopbackUpstream } from '../../../test/support/loopback-upstream.js';
import type { StreamEvent, Switchyard, SwitchyardOptions } from '../src/index.js';
import { loopbackClient } from './helpers.js';

/**
 * An upstream that looks like OpenRouter in its nastier ways (odd SSE framing, missing [DONE], JSON where a stream
 * was asked for, HTML error pages, extreme Retry-After values, sloppy completion shapes, keep-alive sockets closed
 * under the client), over real loopback HTTP, and the frames and bodies the nasty-upstream tests build from.
 */

export const MODEL = 'openai/gpt-4o-mini';
export const hello = [{ role: 'user' as const, content: 'Hello' }];
export const tick = (ms = 0) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A loopback upstream for the whole test file (each test installs its own handler), and a client of it with `MODEL`
 * as the default model.
 */
export function useNastyUpstream(): {
  upstream: LoopbackUpstream;
  client: (options?: SwitchyardOptions) => Switchyard;
} {
  const upstream = useLoopbackUpstream();
  beforeEach(() => {
    upstream.server.keepAliveTimeout = 5_000;
  });
  const client = (options: SwitchyardOptions = {}) => loopbackClient(upstream.baseURL, MODEL, options);
  return { upstream, client };
}

/** The fields every chunk of the nasty upstream's stream starts with. */
const HEAD = {
  id: 'gen-nasty-1',
  object: 'chat.completion.chunk',
  created: 1_759_420_128,
  model: MODEL,
  provider: 'OpenAI',
};

export function chunk(delta: Record<string, unknown>, extra: Record<string, unknown> = {}): string {
  const choice = { index: 0, delta, finish_reason: null, native_finish_reason: null, logprobs: null };
  return JSON.stringify({ ...HEAD, choices: [choice], ...extra });
}

export function finish(reason = 'stop'): string {
  return JSON.stringify({
    ...HEAD,
    choices: [{ index: 0, delta: {}, finish_reason: reason, native_finish_reason: reason }],
  });
}

const USAGE = { prompt_tokens: 5, completion_tokens: 3, total_tokens: 8, cost: 0.00002 };

export function usageChunk(): string {
  return JSON.stringify({ ...HEAD, choices: [], usage: USAGE });
}

/** A normal stream's frames: role, "Hel", "lo ☃ 🎉", finish, usage, [DONE]. */
export function frames(sep = '\n', prefix = 'data: '): string[] {
  return [
    `${prefix}${chunk({ role: 'assistant', content: '' })}${sep}${sep}`,
    `${prefix}${chunk({ content: 'Hel' })}${sep}${sep}`,
    `${prefix}${chunk({ content: 'lo ☃ 🎉' })}${sep}${sep}`,
    `${prefix}${finish()}${sep}${sep}`,
    `${prefix}${usageChunk()}${sep}${sep}`,
    `${prefix}[DONE]${sep}${sep}`,
  ];
}

/** Writes `pieces` as separate network writes (each one flushed before the next). */
export function streamPieces(pieces: (string | Buffer)[], headers: Record<string, string> = {}): Handler {
  return async (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream', ...headers });
    res.flushHeaders();
    for (const piece of pieces) {
      if (res.destroyed) return;
      res.write(piece);
      await new Promise((resolve) => setImmediate(resolve));
    }
    res.end();
  };
}

export function json(status: number, body: unknown, headers: Record<string, string> = {}): Handler {
  return (_req, res) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(typeof body === 'string' ? body : JSON.stringify(body));
  };
}

export function completion(
  message: Record<string, unknown>,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    id: 'gen-nasty-2',
    object: 'chat.completion',
    created: 1_759_420_128,
    model: MODEL,
    provider: 'OpenAI',
    choices: [{ index: 0, message: { role: 'assistant', ...message }, finish_reason: 'stop' }],
    usage: USAGE,
    ...extra,
  };
}

export async function collect(stream: AsyncIterable<StreamEvent>): Promise<StreamEvent[]> {
  const events: StreamEvent[] = [];
  for await (const event of stream) events.push(event);
  return events;
}

export const textOf = (events: StreamEvent[]) => events.map((e) => (e.type === 'text' ? e.text : '')).join('');
