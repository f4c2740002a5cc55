import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach } from 'vitest';

/** What the upstream does with one request (`body` is the request's text). */
export type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void | Promise<void>;

/**
 * A loopback server standing in for an upstream, for tests of how a client (the SDK, or the gateway in front of it)
 * copes with what the upstream sends. `/models` answers an empty catalog, uncounted: prices and preflight are not
 * what these tests are about.
 */
export interface LoopbackUpstream {
  /** `http://127.0.0.1:PORT/api/v1`, set once the server listens. */
  baseURL: string;
  server: Server;
  /** What answers; tests may swap it. A handler that throws destroys the response (a broken connection). */
  handler: Handler;
  /** Requests handled (`/models` not counted); `useLoopbackUpstream` resets it before each test. */
  requests: number;
  /** Stops the server, dropping every connection. */
  close(): Promise<void>;
}

function loopbackUpstream(handler: Handler): LoopbackUpstream {
  const upstream: LoopbackUpstream = {
    baseURL: '',
    server: createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (piece: string) => {
        body += piece;
      });
      req.on('end', () => {
        if (req.url?.includes('/models')) {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end('{"data":[]}');
          return;
        }
        upstream.requests++;
        Promise.resolve(upstream.handler(req, res, body)).catch((error: unknown) => res.destroy(error as Error));
      });
    }),
    handler,
    requests: 0,
    close: async () => {
      upstream.server.closeAllConnections();
      await new Promise((resolve) => upstream.server.close(resolve));
    },
  };
  return upstream;
}

async function listen(upstream: LoopbackUpstream): Promise<void> {
  await new Promise<void>((resolve) => upstream.server.listen(0, '127.0.0.1', resolve));
  upstream.baseURL = `http://127.0.0.1:${(upstream.server.address() as AddressInfo).port}/api/v1`;
}

/** A started loopback upstream answering with `handler`; the caller closes it. */
export async function startLoopbackUpstream(handler: Handler): Promise<LoopbackUpstream> {
  const upstream = loopbackUpstream(handler);
  await listen(upstream);
  return upstream;
}

/**
 * A loopback upstream for a whole test file: started before its tests and stopped after them (vitest hooks
 * registered here), `requests` reset before each test. Each test sets `handler`.
 */
export function useLoopbackUpstream(): LoopbackUpstream {
  const upstream = loopbackUpstream((_req, res) => void res.end());
  beforeAll(() => listen(upstream));
  afterAll(() => upstream.close());
  beforeEach(() => {
    upstream.requests = 0;
  });
  return upstream;
}
