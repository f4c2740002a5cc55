import { createServer, request, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { SseResponse } from '../../src/http/sse-response.js';

/** One SSE response from a loopback server whose handler is `handle`; resolves with the body the client read. */
async function serveOnce(handle: (out: SseResponse, res: ServerResponse) => Promise<void>): Promise<string> {
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
      })
        .on('error', reject)
        .end();
    });
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

describe('SseResponse', () => {
  it('holds frames of one event-loop turn together and hands them to the socket at once on flush()', async () => {
    const seen: { corkedAfterWrite: number; corkedAfterFlush: number; bufferedAfterFlush: number }[] = [];
    const body = await serveOnce(async (out, res) => {
      await out.write('data: {"n":1}\n\n');
      await out.write('data: {"n":2}\n\n');
      const socket = res.socket!;
      const corkedAfterWrite = socket.writableCorked;
      out.flush();
      seen.push({
        corkedAfterWrite,
        corkedAfterFlush: socket.writableCorked,
        bufferedAfterFlush: socket.writableLength,
      });
      await out.write('data: [DONE]\n\n');
      out.end();
    });
    // Node corks a response's socket at its first write of a turn: without flush() the frames would wait for the
    // turn to end.
    expect(seen).toEqual([{ corkedAfterWrite: 1, corkedAfterFlush: 0, bufferedAfterFlush: 0 }]);
    expect(body).toBe('data: {"n":1}\n\ndata: {"n":2}\n\ndata: [DONE]\n\n');
  });
});
