import { createServer, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SimulatorHandle } from '@switchyard/simulator';
import { afterAll, beforeAll } from 'vitest';

/** One request that went through the proxy, with both bodies exactly as they crossed the wire. */
export interface Exchange {
  method: string;
  path: string;
  requestBody: string;
  status: number;
  responseBody: string;
}

export interface RecordingProxy {
  /** Base URL to give the client (same path prefix as the simulator's). */
  url: string;
  exchanges: Exchange[];
  /** The chat requests seen, parsed. */
  chatRequests(): Record<string, unknown>[];
  close(): Promise<void>;
}

/**
 * A loopback HTTP proxy in front of the simulator that records every request and response body byte for byte, so
 * tests can check what the SDK really sent (replayed reasoning_details, pinned provider, response_format).
 */
export async function recordingProxy(targetUrl: string): Promise<RecordingProxy> {
  const target = new URL(targetUrl);
  const exchanges: Exchange[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const requestBody = Buffer.concat(chunks);
      const headers: IncomingHttpHeaders = { ...req.headers, host: target.host };
      const upstream = httpRequest(
        { host: target.hostname, port: target.port, method: req.method, path: req.url, headers },
        (upstreamRes) => {
          res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.headers);
          const out: Buffer[] = [];
          upstreamRes.on('data', (chunk: Buffer) => {
            out.push(chunk);
            res.write(chunk);
          });
          upstreamRes.on('end', () => {
            exchanges.push({
              method: req.method ?? 'GET',
              path: req.url ?? '/',
              requestBody: requestBody.toString('utf8'),
              status: upstreamRes.statusCode ?? 0,
              responseBody: Buffer.concat(out).toString('utf8'),
            });
            res.end();
          });
        },
      );
      upstream.on('error', () => res.destroy());
      upstream.end(requestBody);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${target.pathname}`,
    exchanges,
    chatRequests: () =>
      exchanges.filter((e) => e.path.endsWith('/chat/completions')).map((e) => JSON.parse(e.requestBody)),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A recording proxy in front of `sim()` for the enclosing describe block, closed afterwards. */
export function useProxy(sim: () => SimulatorHandle): () => RecordingProxy {
  let proxy: RecordingProxy | undefined;
  beforeAll(async () => {
    proxy = await recordingProxy(sim().url);
  });
  afterAll(async () => {
    await proxy?.close();
  });
  return () => {
    if (!proxy) throw new Error('proxy not started');
    return proxy;
  };
}

/** A promise with its resolver, for tools that must wait for each other. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}
