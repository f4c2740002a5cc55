/**
 * A loopback proxy in front of a simulator for tests that need to see what the gateway sent upstream (body and
 * headers of every chat request) and, optionally, to make the upstream say more than the simulator does: `rewrite`
 * gets a successful chat answer's whole text (JSON or SSE, buffered: test answers are short) and returns it edited,
 * or `undefined` to pass it through untouched.
 */
import { createServer, type IncomingHttpHeaders, request } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SentChat {
  headers: IncomingHttpHeaders;
  body: Record<string, any>;
}

export type Rewrite = (answer: string, chat: SentChat) => string | undefined;

export interface RecordingProxy {
  /** `http://127.0.0.1:PORT/api/v1`, the gateway's `OPENROUTER_BASE_URL`. */
  baseURL: string;
  /** Chat requests passed upstream, in order (tests empty it with `sent.length = 0`). */
  sent: SentChat[];
  /** The answer rewriter (settable per test; `undefined` passes answers through). */
  rewrite: Rewrite | undefined;
  close(): Promise<void>;
}

export async function startRecordingProxy(simulatorURL: string, rewrite?: Rewrite): Promise<RecordingProxy> {
  const target = new URL(simulatorURL);
  const proxy: RecordingProxy = { baseURL: '', sent: [], rewrite, close: async () => {} };
  const server = createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (part: Buffer) => parts.push(part));
    req.on('end', () => {
      const raw = Buffer.concat(parts);
      const chat: SentChat | undefined =
        req.method === 'POST' && req.url?.endsWith('/chat/completions')
          ? { headers: req.headers, body: JSON.parse(raw.toString('utf8')) }
          : undefined;
      if (chat) proxy.sent.push(chat);
      // Uncompressed, so that an answer can be read and edited here.
      const { 'accept-encoding': _, ...headers } = req.headers;
      const upstream = request(
        { host: target.hostname, port: target.port, path: req.url, method: req.method, headers },
        (answer) => {
          const edit = proxy.rewrite;
          if (!chat || !edit || answer.statusCode !== 200) {
            res.writeHead(answer.statusCode ?? 502, answer.headers);
            answer.pipe(res);
            return;
          }
          const pieces: Buffer[] = [];
          answer.on('data', (piece: Buffer) => pieces.push(piece));
          answer.on('end', () => {
            const text = Buffer.concat(pieces).toString('utf8');
            const out = edit(text, chat) ?? text;
            const { 'content-length': _l, 'transfer-encoding': _t, connection: _c, ...kept } = answer.headers;
            res.writeHead(200, { ...kept, 'content-length': Buffer.byteLength(out) });
            res.end(out);
          });
        },
      );
      upstream.end(raw);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  proxy.baseURL = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1`;
  proxy.close = () =>
    new Promise((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  return proxy;
}
