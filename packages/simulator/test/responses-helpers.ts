import type { SimulatorHandle } from '../src/index.js';
import { type CallOptions, call, json, WEATHER_PARAMETERS } from './helpers.js';

export const MODEL = 'openai/gpt-4o-mini';

export const weatherTool = {
  type: 'function',
  name: 'get_weather',
  description: 'Current weather for a city',
  parameters: WEATHER_PARAMETERS,
  strict: true,
};

export const timeTool = {
  type: 'function',
  name: 'get_time',
  parameters: { type: 'object', properties: { timezone: { type: 'string' } }, required: ['timezone'] },
};

export function fault(value: unknown): CallOptions {
  return { headers: { 'x-simulator-fault': typeof value === 'string' ? value : JSON.stringify(value) } };
}

/** A non-stream `POST /responses` (model defaults to gpt-4o-mini). */
export function respond(sim: SimulatorHandle, body: Record<string, unknown>, options: CallOptions = {}) {
  return json(sim, '/responses', { model: MODEL, ...body }, options);
}

export interface SseEvent {
  /** The `event:` line. */
  event: string;
  data: Record<string, any>;
}

/**
 * Splits a Responses SSE body into comments, `event:`/`data:` events and the closing `[DONE]`. Deliberately
 * minimal, like helpers.frames (LF-only frames separated by a blank line).
 */
export function sseEvents(raw: string): { comments: string[]; events: SseEvent[]; done: boolean; after: string[] } {
  const comments: string[] = [];
  const events: SseEvent[] = [];
  const after: string[] = [];
  let done = false;
  for (const block of raw.split('\n\n')) {
    if (block === '') continue;
    if (block.startsWith(':')) {
      comments.push(block.slice(1).trim());
      continue;
    }
    if (done) after.push(block);
    if (block === 'data: [DONE]') {
      done = true;
      continue;
    }
    const lines = block.split('\n');
    const event = lines.find((l) => l.startsWith('event: '))?.slice(7) ?? '';
    const data = lines.find((l) => l.startsWith('data: '))?.slice(6) ?? '';
    events.push({ event, data: JSON.parse(data) });
  }
  return { comments, events, done, after };
}

/** A streamed `POST /responses`, its body unread. */
export function respondRaw(sim: SimulatorHandle, body: Record<string, unknown>, options: CallOptions = {}) {
  return call(sim, '/responses', { model: MODEL, ...body, stream: true }, options);
}

/** A streamed `POST /responses`, read to the end and parsed. */
export async function respondStream(sim: SimulatorHandle, body: Record<string, unknown>, options: CallOptions = {}) {
  const res = await respondRaw(sim, body, options);
  const raw = await res.text();
  const parsed = sseEvents(raw);
  const types = parsed.events.map((e) => e.data.type as string);
  const final = parsed.events.at(-1)?.data.response as Record<string, any> | undefined;
  return { res, raw, ...parsed, types, final };
}

/** Text of the `output_text.delta` events. */
export function deltaText(events: SseEvent[]): string {
  return events
    .filter((e) => e.data.type === 'response.output_text.delta')
    .map((e) => e.data.delta)
    .join('');
}
