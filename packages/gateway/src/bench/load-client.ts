import { SseDecoder } from '@switchyard/sdk/sse';
import { Pool } from 'undici';

/** Where a client sends chat completions: the simulator itself (direct) or the gateway in front of it. */
export interface Target {
  side: 'direct' | 'gateway';
  /** `http://127.0.0.1:PORT` */
  origin: string;
  /** Path of the chat completions endpoint, e.g. `/api/v1/chat/completions`. */
  path: string;
  headers: Record<string, string>;
}

/** Timing of one streamed chat, in ms from just before the request was issued. */
export interface StreamTiming {
  /** Response headers arrived (the first byte of the response). */
  ttfbMs: number;
  /** The first SSE event carrying a non-empty `choices[0].delta.content` was decoded. */
  ttftMs: number;
  /** The body ended (after `data: [DONE]`). */
  totalMs: number;
}

/** Per-request bound: a stuck request fails the run instead of hanging it. */
const REQUEST_TIMEOUT_MS = 10_000;

/** Whether an SSE data payload is a chunk with content (parsed only until the first one is found). */
function hasContent(data: string): boolean {
  if (data === '[DONE]' || !data.includes('"content"')) return false;
  try {
    const chunk = JSON.parse(data) as { choices?: { delta?: { content?: unknown } }[] };
    const content = chunk.choices?.[0]?.delta?.content;
    return typeof content === 'string' && content.length > 0;
  } catch {
    return false;
  }
}

/**
 * A keep-alive connection pool (undici) to one target, issuing chat requests with pre-serialised bodies and timing
 * them. Both sides of the bench use the same client code, so its own cost cancels out of "added" figures.
 */
export class LoadClient {
  readonly target: Target;
  readonly #pool: Pool;
  readonly #headers: Record<string, string>;

  constructor(target: Target, connections: number) {
    const url = new URL(target.origin);
    if (url.hostname !== '127.0.0.1') throw new Error(`bench traffic goes to 127.0.0.1 only, not ${target.origin}`);
    this.target = target;
    this.#headers = { 'content-type': 'application/json', ...target.headers };
    this.#pool = new Pool(url.origin, {
      connections,
      pipelining: 1,
      keepAliveTimeout: 60_000,
      keepAliveMaxTimeout: 600_000,
      headersTimeout: REQUEST_TIMEOUT_MS,
      bodyTimeout: REQUEST_TIMEOUT_MS,
      connectTimeout: REQUEST_TIMEOUT_MS,
    });
  }

  /** One non-streamed chat, body read to the end; resolves with its duration in ms (throws on a non-200). */
  async once(body: string): Promise<number> {
    const t0 = performance.now();
    const response = await this.#pool.request({
      method: 'POST',
      path: this.target.path,
      headers: this.#headers,
      body,
    });
    const text = await response.body.text();
    const ms = performance.now() - t0;
    if (response.statusCode !== 200) {
      throw new Error(`${this.target.side}: HTTP ${response.statusCode}: ${text.slice(0, 300)}`);
    }
    return ms;
  }

  /** One streamed chat read to the end with the SDK's SSE decoder. */
  async stream(body: string): Promise<StreamTiming> {
    const t0 = performance.now();
    const response = await this.#pool.request({
      method: 'POST',
      path: this.target.path,
      headers: this.#headers,
      body,
    });
    const ttfbMs = performance.now() - t0;
    if (response.statusCode !== 200) {
      const text = await response.body.text();
      throw new Error(`${this.target.side}: HTTP ${response.statusCode}: ${text.slice(0, 300)}`);
    }
    const decoder = new SseDecoder();
    let ttftMs = Number.NaN;
    let done = false;
    const look = (items: ReturnType<SseDecoder['push']>) => {
      for (const item of items) {
        if (item.type !== 'event') continue;
        if (item.event.data === '[DONE]') done = true;
        else if (Number.isNaN(ttftMs) && hasContent(item.event.data)) ttftMs = performance.now() - t0;
      }
    };
    for await (const chunk of response.body) look(decoder.push(chunk as Buffer));
    look(decoder.end().items);
    const totalMs = performance.now() - t0;
    if (Number.isNaN(ttftMs)) throw new Error(`${this.target.side}: the stream carried no content`);
    if (!done) throw new Error(`${this.target.side}: the stream ended without data: [DONE]`);
    return { ttfbMs, ttftMs, totalMs };
  }

  close(): Promise<void> {
    return this.#pool.close();
  }

  /** Drops every connection at once (used when the run is being abandoned). */
  destroy(): Promise<void> {
    return this.#pool.destroy();
  }
}
