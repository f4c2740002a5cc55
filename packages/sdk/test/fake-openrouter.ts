import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Model } from '../src/index.js';
import { modelRow } from './helpers.js';

/**
 * An OpenRouter look-alike on 127.0.0.1 whose three routes — `GET /models`, `GET /models/{id}/endpoints` and
 * `POST /chat/completions` — each test sets itself, including routes that hold their answer back (`held`), for
 * catalogs that are slow, hung or late. `close()` answers nothing more and drops every connection.
 */

export type Route = (req: IncomingMessage, res: ServerResponse, body: Record<string, unknown>) => void;
export type RouteName = 'models' | 'endpoints' | 'chat';

export interface FakeOpenRouter {
  baseURL: string;
  routes: Record<RouteName, Route>;
  /** Requests per route, counted when they arrive. */
  hits: Record<RouteName, number>;
  close(): Promise<void>;
}

export function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

/** A `/models` answer with these rows. */
export const listing =
  (...rows: unknown[]): Route =>
  (_req, res) =>
    json(res, 200, { data: rows });

/** A catalog row of a text model with these prices (`undefined` leaves `pricing` out of the row). */
export function priced(id: string, pricing: Record<string, unknown> | undefined, extra: Partial<Model> = {}): unknown {
  const { pricing: _, ...row } = modelRow(id, extra);
  return pricing === undefined ? row : { ...row, pricing };
}

/** An endpoints answer: the requested model served by `provider` at `pricing`. */
export const endpointAt =
  (provider: string, pricing: Record<string, unknown>): Route =>
  (req, res) => {
    const id = (req.url ?? '').replace(/^.*\/models\//, '').replace(/\/endpoints.*$/, '');
    const architecture = { modality: 'text->text', input_modalities: ['text'], output_modalities: ['text'] };
    const endpoint = { name: `${provider} | ${id}`, provider_name: provider, tag: provider.toLowerCase(), pricing };
    json(res, 200, { data: { id, name: id, created: 0, architecture, endpoints: [endpoint] } });
  };

/** A route that answers nothing until `release(answer)`: then every held request, and any later one, gets `answer`. */
export function held(): { route: Route; release(answer: Route): void } {
  const waiting: [IncomingMessage, ServerResponse, Record<string, unknown>][] = [];
  let answer: Route | undefined;
  return {
    route: (req, res, body) => (answer ? answer(req, res, body) : void waiting.push([req, res, body])),
    release(route) {
      answer = route;
      for (const [req, res, body] of waiting.splice(0)) route(req, res, body);
    },
  };
}

export interface Answer {
  usage?: Record<string, unknown>;
  provider?: string;
  text?: string;
}

/** A completed chat answer (JSON, or SSE when the request streams), with `usage` only when given. */
export const answers =
  ({ usage, provider = 'DeepInfra', text = 'Hello world' }: Answer = {}): Route =>
  (_req, res, body) => {
    const model = String(body.model);
    const base = { id: 'gen-fake-1', created: 1, model, provider };
    if (body.stream !== true) {
      const message = { role: 'assistant', content: text };
      const choice = { index: 0, finish_reason: 'stop', native_finish_reason: 'stop', message };
      return json(res, 200, { ...base, object: 'chat.completion', choices: [choice], ...(usage && { usage }) });
    }
    const chunk = (delta: object, finish: string | null, extra: object = {}) =>
      JSON.stringify({
        ...base,
        object: 'chat.completion.chunk',
        choices: [{ index: 0, delta, finish_reason: finish }],
        ...extra,
      });
    const events = [chunk({ role: 'assistant', content: text }, null), chunk({}, 'stop')];
    if (usage) events.push(chunk({}, null, { usage }));
    writeSse(res, [...events, '[DONE]']);
  };

export function writeSse(res: ServerResponse, events: string[]): void {
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  res.end(events.map((data) => `data: ${data}\n\n`).join(''));
}

/** Polls `condition` (something that happens in the background) every 10 ms, at most 500 times. */
export async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
  if (!condition()) throw new Error('the condition did not come true within 500 polls');
}

export async function startFakeOpenRouter(): Promise<FakeOpenRouter> {
  const unset: Route = (_req, res) => json(res, 500, { error: { code: 500, message: 'no route set' } });
  const routes: Record<RouteName, Route> = { models: unset, endpoints: unset, chat: unset };
  const hits: Record<RouteName, number> = { models: 0, endpoints: 0, chat: 0 };
  const server = createServer((req, res) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (piece: string) => {
      text += piece;
    });
    req.on('end', () => {
      const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
      const name: RouteName | undefined = path.endsWith('/chat/completions')
        ? 'chat'
        : path.endsWith('/endpoints')
          ? 'endpoints'
          : path.endsWith('/models')
            ? 'models'
            : undefined;
      if (!name) return json(res, 404, { error: { code: 404, message: `no route for ${path}` } });
      hits[name]++;
      routes[name](req, res, text ? (JSON.parse(text) as Record<string, unknown>) : {});
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    baseURL: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1`,
    routes,
    hits,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
