import { createServer, type IncomingMessage, request, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { SseResponse } from '../../src/http/sse-response.js';

/**
 * One SSE response from a loopback server whose handler is `handle`; `onResponse` sees the client's side (it may
 * pause reading). Resolves with the body the client read.
 */
async function serveOnce(
  handle: (out: SseResponse, res: ServerResponse) => Promise<void>,
  onResponse: (res: IncomingMessage) => void = () => {},
): Promise<string> {
  const server = createServer((_req, res) => {
    void handle(new SseResponse(res, { 'x-test': '1' }), res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = server.address() as AddressInfo;
    return await new Promise<string>((resolve, reject) => {
      request({ host: '127.0.0.1', port, path: '/', agent: false }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          text += chunk;
        });
        res.on('end', () => resolve(text));
        res.on('error', reject);
        onResponse(res);
      })
        .on('error', reject)
        .end();
    });
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

/** Counts the `res.write` calls made on `res`. */
function countWrites(res: ServerResponse): () => number {
  let calls = 0;
  const write = res.write.bind(res) as (...args: unknown[]) => boolean;
  res.write = ((...args: unknown[]) => {
    calls++;
    return write(...args);
  }) as typeof res.write;
  return () => calls;
}

describe('SseResponse', () => {
  it('sends the frames of one event-loop turn in one write, and flush() sends them at once', async () => {
    const seen: Record<string, number>[] = [];
    const body = await serveOnce(async (out, res) => {
      const writes = countWrites(res);
      out.write('data: {"n":1}\n\n');
      out.write('data: {"n":2}\n\n');
      seen.push({ writesBeforeFlush: writes() });
      out.flush();
      const socket = res.socket!;
      seen.push({ writesAfterFlush: writes(), corked: socket.writableCorked, buffered: socket.writableLength });
      out.write('data: {"n":3}\n\n');
      out.write('data: {"n":4}\n\n');
      await nextTurn();
      seen.push({ writesAfterTurn: writes() });
      out.write('data: [DONE]\n\n');
      out.end();
      seen.push({ writesAtEnd: writes() });
    });
    expect(seen).toEqual([
      { writesBeforeFlush: 0 },
      { writesAfterFlush: 1, corked: 0, buffered: 0 },
      { writesAfterTurn: 2 },
      { writesAtEnd: 3 },
    ]);
    expect(body).toBe('data: {"n":1}\n\ndata: {"n":2}\n\ndata: {"n":3}\n\ndata: {"n":4}\n\ndata: [DONE]\n\n');
  });

  it('asks its producer to wait while the client does not read, and carries on once it does', async () => {
    const frame = `data: ${'x'.repeat(64 * 1024)}\n\n`;
    let client: IncomingMessage | undefined;
    let written = 0;
    let waited = false;
    const body = await serveOnce(
      async (out) => {
        // Bounded: a client that does not read fills the socket buffers within a few MiB.
        for (let i = 0; i < 2_000 && !waited; i++) {
          const waiting = out.write(frame);
          written++;
          if (waiting) {
            waited = true;
            client?.resume();
            await waiting;
          }
          await nextTurn();
        }
        out.end();
      },
      (res) => {
        client = res;
        res.pause();
      },
    );
    expect(waited).toBe(true);
    expect(body.length).toBe(written * frame.length);
  });
});
