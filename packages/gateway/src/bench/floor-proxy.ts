/**
 * The reference point of `switchyard bench`: the least a Node.js proxy can add. node:http in, an undici keep-alive
 * pool out (the same stack as the gateway), no logic at all: no auth, limits, budgets, routing, ledger, metrics or
 * logging. The request body is forwarded as received and the response streamed back chunk for chunk. Whatever the
 * gateway adds beyond this is the price of its features; what this adds is the price of one more process hop on
 * the machine at hand.
 *
 * Run as a child of the bench: `node floor-proxy.js <upstream origin>`; prints its origin on the first line and
 * stops on SIGTERM.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Pool } from 'undici';

const upstream = process.argv[2];
if (!upstream || new URL(upstream).hostname !== '127.0.0.1') {
  process.stderr.write('floor-proxy: the upstream must be an http://127.0.0.1 origin\n');
  process.exit(2);
}
const pool = new Pool(upstream, { connections: 256, pipelining: 1, keepAliveTimeout: 60_000 });

function forward(req: IncomingMessage, res: ServerResponse, body: Buffer): void {
  pool
    .request({
      method: req.method as 'POST',
      path: req.url ?? '/',
      headers: { 'content-type': 'application/json', authorization: req.headers.authorization ?? '' },
      body,
    })
    .then(async (answer) => {
      res.writeHead(answer.statusCode, { 'content-type': String(answer.headers['content-type'] ?? '') });
      for await (const chunk of answer.body) res.write(chunk);
      res.end();
    })
    .catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(String(error));
    });
}

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => forward(req, res, Buffer.concat(chunks)));
});
server.keepAliveTimeout = 65_000;
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`http://127.0.0.1:${(server.address() as AddressInfo).port}\n`);
});
process.once('SIGTERM', () => {
  server.close();
  server.closeAllConnections();
  void pool.close().finally(() => process.exit(0));
});
