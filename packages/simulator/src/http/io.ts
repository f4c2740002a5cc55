import type { IncomingMessage, ServerResponse } from 'node:http';
import { CORS_ANSWER } from './cors.js';
import { errorEnvelope, type SimError } from './sim-error.js';

export class BodyTooLargeError extends Error {
  readonly code = 'body_too_large';
}

/** Reads a request body up to `limit` bytes; rejects with BodyTooLargeError past it (without buffering more). */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? Number.NaN);
  if (declared > limit) return Promise.reject(new BodyTooLargeError());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners('data');
        req.pause();
        reject(new BodyTooLargeError());
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  if (res.destroyed) return;
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, {
    ...CORS_ANSWER,
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

export function sendError(
  res: ServerResponse,
  error: SimError,
  userId?: string,
  headers: Record<string, string> = {},
): void {
  sendJson(res, error.status, errorEnvelope(error, userId), { ...error.headers, ...headers });
}

/** `Authorization: Bearer <token>` → token ('' when absent or empty). */
export function bearerToken(req: IncomingMessage): string {
  const header = req.headers.authorization;
  if (!header) return '';
  const match = /^Bearer\s+(.*)$/i.exec(header.trim());
  return match ? (match[1] ?? '').trim() : '';
}

export function sleep(ms: number, signal?: { aborted: boolean }): Promise<void> {
  return new Promise((resolve) => {
    if (ms <= 0 || signal?.aborted) return resolve();
    setTimeout(resolve, ms).unref?.();
  });
}
