import type { Transform } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import type { FastifyInstance } from 'fastify';

const DECODERS = new Map<string, () => Transform>([
  ['gzip', createGunzip],
  ['x-gzip', createGunzip],
  ['deflate', createInflate],
  ['br', createBrotliDecompress],
]);

/** The error a request with an encoding we cannot read gets (a 415 through the app's error handler). */
class UnsupportedEncodingError extends Error {
  readonly code = 'FST_ERR_CTP_INVALID_MEDIA_TYPE';
  readonly statusCode = 415;
}

/**
 * Compressed request bodies (`Content-Encoding: gzip`, `deflate`, `br`; some HTTP clients compress large prompts)
 * are decompressed before parsing; the body limit counts decompressed bytes, so a small bomb is still a 413. Another
 * encoding is a 415 naming the ones we read — it used to be a 400 "not valid JSON", blaming the JSON.
 */
export function requestEncodings(app: FastifyInstance): void {
  app.addHook('preParsing', (request, _reply, payload, done) => {
    const encoding = request.headers['content-encoding']?.trim().toLowerCase();
    // GET and HEAD carry no body to decode, whatever their headers say.
    if (!encoding || encoding === 'identity' || request.method === 'GET' || request.method === 'HEAD')
      return done(null, payload);
    const decoderFor = DECODERS.get(encoding);
    if (!decoderFor)
      return done(
        new UnsupportedEncodingError(
          `Content-Encoding "${encoding.slice(0, 40)}" is not supported: send the body as is, or gzip, deflate or br`,
        ),
        undefined,
      );
    let received = 0;
    payload.on('data', (piece: Buffer) => {
      received += piece.length;
    });
    const decoded = payload.pipe(decoderFor());
    payload.on('error', (error) => decoded.destroy(error));
    // Runs before Fastify's own listener: a body that is not what its encoding says is the client's error (400).
    decoded.on('error', (error: Error & { statusCode?: number; code?: string }) => {
      error.statusCode ??= 400;
      error.code = 'invalid_encoding';
      error.message = `Request body is not valid ${encoding}: ${error.message}`;
    });
    // Fastify compares Content-Length with what arrived on the wire, not with the decoded length.
    Object.defineProperty(decoded, 'receivedEncodedLength', { get: () => received });
    done(null, decoded);
  });
}
