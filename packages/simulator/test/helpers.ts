import { afterAll, beforeAll } from 'vitest';
import { type SimulatorHandle, type SimulatorOptions, startSimulator } from '../src/index.js';

export const KEY = 'sk-or-v1-test-key';

/** The JSON Schema of the weather tool the chat, Responses and compatibility tests call (strict-compatible). */
export const WEATHER_PARAMETERS = {
  type: 'object',
  properties: { city: { type: 'string', minLength: 1 }, unit: { type: 'string', enum: ['celsius', 'fahrenheit'] } },
  required: ['city', 'unit'],
  additionalProperties: false,
};

/** Starts a simulator for the enclosing describe block and stops it afterwards (also when tests fail). */
export function useSimulator(options: SimulatorOptions = {}): () => SimulatorHandle {
  let sim: SimulatorHandle | undefined;
  beforeAll(async () => {
    sim = await startSimulator(options);
  });
  afterAll(async () => {
    await sim?.close();
  });
  return () => {
    if (!sim) throw new Error('simulator not started');
    return sim;
  };
}

export interface CallOptions {
  key?: string | null;
  headers?: Record<string, string>;
  method?: string;
  signal?: AbortSignal;
}

/** A request to the simulator's API; `body` objects are sent as JSON, strings as-is. */
export function call(sim: SimulatorHandle, path: string, body?: unknown, options: CallOptions = {}): Promise<Response> {
  const headers: Record<string, string> = { ...options.headers };
  const key = options.key === undefined ? KEY : options.key;
  if (key !== null) headers.authorization = `Bearer ${key}`;
  if (body !== undefined) headers['content-type'] ??= 'application/json';
  return fetch(`${sim.url}${path}`, {
    method: options.method ?? (body === undefined ? 'GET' : 'POST'),
    headers,
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    signal: options.signal ?? AbortSignal.timeout(10_000),
  });
}

export async function json(sim: SimulatorHandle, path: string, body?: unknown, options: CallOptions = {}) {
  const res = await call(sim, path, body, options);
  return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, any> };
}

export function chat(sim: SimulatorHandle, body: Record<string, unknown>, options: CallOptions = {}) {
  return json(
    sim,
    '/chat/completions',
    { model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'Hello, world!' }], ...body },
    options,
  );
}

/**
 * Splits a raw SSE body into its frames. Deliberately minimal (frames are separated by a blank line and the
 * simulator writes LF only); the SDK's SSE codec is the real, general parser.
 */
export function frames(raw: string): { comments: string[]; data: string[] } {
  const comments: string[] = [];
  const data: string[] = [];
  for (const block of raw.split('\n\n')) {
    if (block === '') continue;
    if (block.startsWith(':')) comments.push(block.slice(1).trim());
    else if (block.startsWith('data: ')) data.push(block.slice(6));
  }
  return { comments, data };
}

export async function streamChat(sim: SimulatorHandle, body: Record<string, unknown>, options: CallOptions = {}) {
  const res = await call(
    sim,
    '/chat/completions',
    { model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'Hello, world!' }], ...body, stream: true },
    options,
  );
  const raw = await res.text();
  const parsed = frames(raw);
  const chunks = parsed.data.filter((d) => d !== '[DONE]').map((d) => JSON.parse(d) as Record<string, any>);
  return { res, raw, ...parsed, chunks, done: parsed.data.at(-1) === '[DONE]' };
}

/** Concatenated content of parsed stream chunks. */
export function streamedText(chunks: Record<string, any>[]): string {
  return chunks.map((c) => c.choices?.[0]?.delta?.content ?? '').join('');
}
