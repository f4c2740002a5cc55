import { type Readable, Transform } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate, constants as zlib } from 'node:zlib';
import type { Dispatcher } from 'undici';

type Body = Dispatcher.ResponseData['body'];

const TOO_LARGE = 'UND_ERR_RES_EXCEEDED_MAX_SIZE';
const TOO_LARGE_MESSAGE = "The upstream's answer is larger than the gateway's max_upstream_response setting";

/**
 * undici's error for an answer beyond the pool's `maxResponseSize`, said in the gateway's terms. Renamed where it is
 * raised (the body's `error` event, which comes before any reader sees it), so no read of the body pays for it.
 */
function sayTooLarge(error: unknown): void {
  if ((error as { code?: unknown } | null)?.code === TOO_LARGE) (error as Error).message = TOO_LARGE_MESSAGE;
}

/** The part of a `ReadableStreamDefaultReader` the SDK uses. */
interface BodyReader {
  read(): Promise<{ done: true; value: undefined } | { done: false; value: Uint8Array }>;
  cancel(reason?: unknown): Promise<void>;
  releaseLock(): void;
}

/**
 * The part of a `Response` the SDK's transport reads (`ok`, `status`, `headers.get`, `text()`, `body.getReader()`),
 * over undici's `Dispatcher.request` answer. Building a WHATWG `Response` and its web streams costs more than the
 * rest of the gateway's work on a request, so the hot path skips it.
 */
class PooledResponse {
  readonly ok: boolean;
  readonly headers: { get(name: string): string | null };
  private used = false;

  constructor(
    readonly status: number,
    raw: Record<string, string | string[] | undefined>,
    private readonly stream: Body,
  ) {
    this.ok = status >= 200 && status < 300;
    this.headers = {
      get: (name) => {
        const value = raw[name.toLowerCase()];
        return value === undefined ? null : Array.isArray(value) ? value.join(', ') : value;
      },
    };
    // A destroyed body (abort, cancel) must not surface as an unhandled 'error' event.
    (stream as unknown as Readable).on('error', sayTooLarge);
  }

  text(): Promise<string> {
    this.used = true;
    return this.stream.text();
  }

  json(): Promise<unknown> {
    this.used = true;
    return this.stream.json();
  }

  get bodyUsed(): boolean {
    return this.used;
  }

  get body(): { getReader(): BodyReader } {
    const stream = this.stream as unknown as Readable;
    return {
      getReader: (): BodyReader => {
        this.used = true;
        const chunks = stream[Symbol.asyncIterator]() as AsyncIterator<Uint8Array>;
        return {
          read: async () => {
            const step = await chunks.next();
            return step.done ? { done: true, value: undefined } : { done: false, value: step.value };
          },
          // Reading stopped at `data: [DONE]`, usually a few bytes before the body's end: drain the rest (bounded) so
          // the keep-alive connection goes back to the pool. Aborts don't come this way — the request's signal
          // destroys the body and the connection, which is what stops an upstream generation.
          cancel: async () => {
            if (!stream.readableEnded) void this.stream.dump({ limit: 64 * 1024 }).catch(() => {});
          },
          releaseLock: () => {},
        };
      },
    };
  }
}

/**
 * A `fetch` for the SDK's `fetch` option (whose transport resends a request that met a just-closed keep-alive
 * socket: `resendOnStaleSocket`) that sends through an undici dispatcher (the gateway's keep-alive pool)
 * with `dispatcher.request` instead of undici's WHATWG fetch: the same connection reuse, a fraction of the CPU per
 * request. Aborts come from `init.signal`; errors are undici's (the SDK's transport classifies any non-abort
 * failure as a connection error).
 */
export function dispatcherFetch(dispatcher: Dispatcher, maxDecodedBytes = Number.POSITIVE_INFINITY): typeof fetch {
  const send = async (input: Parameters<typeof fetch>[0], init: RequestInit = {}) => {
    const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
    let answer: Dispatcher.ResponseData;
    try {
      answer = await dispatcher.request({
        origin: url.origin,
        path: url.pathname + url.search,
        method: (init.method ?? 'GET') as Dispatcher.HttpMethod,
        headers: init.headers as Record<string, string> | undefined,
        body: init.body as string | undefined,
        signal: init.signal ?? undefined,
      });
    } catch (error) {
      // A declared length beyond the limit is refused before the body.
      sayTooLarge(error);
      throw error;
    }
    const { statusCode, headers, body } = answer;
    return new PooledResponse(statusCode, headers, decoded(headers, body, maxDecodedBytes)) as unknown as Response;
  };
  return send as typeof fetch;
}

/**
 * The body with its `content-encoding` undone. No `accept-encoding` is sent, so a server should not compress; some
 * proxies do anyway, and WHATWG fetch (which the SDK otherwise uses) would decode it — so this does too, streaming
 * (SSE arrives compressed with a flush per event).
 */
function decoded(headers: Record<string, string | string[] | undefined>, body: Body, maxBytes: number): Body {
  const encoding = String(headers['content-encoding'] ?? '')
    .trim()
    .toLowerCase();
  if (encoding === '' || encoding === 'identity') return body;
  // A partial last block is normal for a stream cut short: flush what there is instead of failing on it.
  const flush = { finishFlush: zlib.Z_SYNC_FLUSH };
  const decoder =
    encoding === 'gzip' || encoding === 'x-gzip'
      ? createGunzip(flush)
      : encoding === 'deflate'
        ? createInflate(flush)
        : encoding === 'br'
          ? createBrotliDecompress({ finishFlush: zlib.BROTLI_OPERATION_FLUSH })
          : undefined;
  if (!decoder) return body;
  delete headers['content-encoding'];
  delete headers['content-length'];
  const source = body as unknown as Readable;
  source.on('error', (error) => decoder.destroy(error));
  decoder.on('close', () => {
    if (!source.destroyed) source.destroy();
  });
  // The pool bounds the compressed bytes; a small body can inflate into a huge one, so the output is bounded too.
  const bounded = source.pipe(decoder).pipe(sizeLimit(maxBytes));
  decoder.on('error', (error) => bounded.destroy(error));
  bounded.on('close', () => {
    if (!decoder.destroyed) decoder.destroy();
  });
  return withBodyMixin(bounded);
}

/** Passes bytes through until more than `maxBytes` went by, then fails as undici does for a too-large answer. */
function sizeLimit(maxBytes: number): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      seen += chunk.byteLength;
      if (seen > maxBytes) done(Object.assign(new Error(TOO_LARGE_MESSAGE), { code: TOO_LARGE }));
      else done(null, chunk);
    },
  });
}

/** The `text()`, `json()` and `dump()` of undici's body, on a plain readable (the decoded stream). */
function withBodyMixin(stream: Readable): Body {
  const text = async () => {
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  };
  return Object.assign(stream, {
    text,
    json: async () => JSON.parse(await text()),
    dump: async () => {
      stream.destroy();
    },
  }) as unknown as Body;
}
