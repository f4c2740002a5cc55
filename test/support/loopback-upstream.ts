import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach } from 'vitest';

/** What the upstream does with one request (`body` is the request's text). */
export type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void | Promise<void>;

export interface LoopbackUpstream {
  /** `http://127.0.0.1:PORT/api/v1`, set once the server listens. */
  baseURL: string;
  server: Server;
  /** Set by each test. A handler that throws destroys the response (the client sees a broken connection). */
  handler: Handler;
  /** Requests handled since the current test began (`/models` not counted). */
  requests: number;
}

/**
 * A loopback server for tests of how the client copes with what an upstream sends, started before the file's tests
 * and stopped after them (vitest hooks registered here). `/models` answers an empty catalog, uncounted: prices and
 * preflight are not what these tests are about.
 */
export function useLoopbackUpstream(): LoopbackUpstream {
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
    handler: (_req, res) => void res.end(),
    requests: 0,
  };
  beforeAll(async () => {
    await new Promise<void>((resolve) => upstream.server.listen(0, '127.0.0.1', resolve));
    upstream.baseURL = `http://127.0.0.1:${(upstream.server.address() as AddressInfo).port}/api/v1`;
  });
  afterAll(async () => {
    upstream.server.closeAllConnections();
    await new Promise((resolve) => upstream.server.close(resolve));
  });
  beforeEach(() => {
    upstream.requests = 0;
  });
  return upstream;
}
