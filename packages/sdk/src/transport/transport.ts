import { AbortError, ConnectionError } from '../errors/client-errors.js';
import { type ErrorContext, errorFromWire } from '../errors/from-response.js';
import {
  InvalidRequestError,
  MissingApiKeyError,
  ResponseTooLargeError,
  TimeoutError,
  UnexpectedResponseError,
} from '../errors/http-errors.js';
import { SwitchyardError } from '../errors/switchyard-error.js';
import type { WireError } from '../protocol/chat.js';
import { readBounded, readCapped } from './read-bounded.js';
import { RequestLifetime } from './signals.js';
import { resendOnStaleSocket } from './stale-socket.js';

export interface TransportConfig {
  baseURL: string;
  fetch: typeof fetch;
  /** Static headers (auth and attribution). */
  headers: Record<string, string>;
  /** Whether this endpoint needs a key; requests fail before any network call when it is missing. */
  keyRequired: boolean;
  /** Message of the MissingApiKeyError, naming the setting to fill in. */
  missingKeyMessage: string;
  /** Time allowed for response headers. */
  headersTimeoutMs: number;
  /** Largest successful JSON answer read (bytes); a larger one fails with ResponseTooLargeError. */
  maxResponseBytes: number;
}

export interface SendOptions {
  method: 'GET' | 'POST';
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  signal?: AbortSignal;
  /** Overall deadline for this call (ms from now). */
  deadlineMs?: number;
  /** `public` routes (the catalog) work without a key. */
  auth?: 'required' | 'public';
  /** Extra headers for this call only. */
  headers?: Record<string, string>;
  context?: ErrorContext;
  /**
   * `json()` only: reads a body that is not JSON another way (undefined = it cannot, and the usual error stands).
   * A chat answered with an SSE stream although none was asked for is read as the completion it amounts to.
   */
  notJson?: (text: string) => unknown;
}

export interface Sent {
  response: Response;
  lifetime: RequestLifetime;
  startedAt: number;
}

const TOO_LARGE = 'UND_ERR_RES_EXCEEDED_MAX_SIZE';

/** An HTTP header name (RFC 9110 token) and a value fetch accepts (no control characters but tab, Latin-1). */
const HEADER_NAME = /^[!#$%&'*+.^_`|~\w-]+$/;
const HEADER_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

/** Maps why a request stopped (our abort reason, or fetch's own failure) to a typed error. */
export function stopError(lifetime: RequestLifetime, cause: unknown, context: ErrorContext = {}): SwitchyardError {
  const reason = lifetime.reason;
  if (reason instanceof SwitchyardError) return reason;
  if (lifetime.signal.aborted) {
    return new AbortError('The request was aborted', { cause: reason ?? cause, model: context.model });
  }
  if (cause instanceof SwitchyardError) return cause;
  // undici's own size bound (a dispatcher with `maxResponseSize`, as the gateway's pool has), maybe wrapped by fetch.
  const tooLarge = [cause, (cause as Error | null)?.cause].find((e) => (e as { code?: unknown })?.code === TOO_LARGE);
  if (tooLarge) return new ResponseTooLargeError((tooLarge as Error).message, { cause, model: context.model });
  const detail =
    cause instanceof Error ? (cause.cause instanceof Error ? cause.cause.message : cause.message) : String(cause);
  return new ConnectionError(`Connection failed: ${detail}`, { cause, retryable: true, model: context.model });
}

/** The base URL without trailing slashes; the last one is remembered (a transport keeps its base URL). */
let lastBase = '';
let lastTrimmed = '';
function trimBase(base: string): string {
  if (base !== lastBase) {
    lastTrimmed = base.replace(/\/+$/, '');
    lastBase = base;
  }
  return lastTrimmed;
}

function url(base: string, path: string, query?: SendOptions['query']): string {
  let out = trimBase(base) + path;
  if (query) {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) if (value !== undefined) params.set(key, String(value));
    const text = params.toString();
    if (text) out += `?${text}`;
  }
  return out;
}

const NO_CONTEXT: ErrorContext = Object.freeze({});

function deadlineTimeout(options: SendOptions, context: ErrorContext): TimeoutError {
  // The attempt's share is what the request's deadline had left when it began (retries and fallbacks spent the rest).
  const error = new TimeoutError(
    `No complete answer before the request's deadline (this attempt had ${options.deadlineMs} ms left)`,
    {
      retryable: true,
      model: context.model,
    },
  );
  error.phase = 'deadline';
  return error;
}

function headersTimeout(transport: Transport, context: ErrorContext): TimeoutError {
  const error = new TimeoutError(`No response headers within ${transport.config.headersTimeoutMs} ms`, {
    retryable: true,
    model: context.model,
  });
  error.phase = 'headers';
  return error;
}

/** Parses an error body: OpenRouter's envelope when it is JSON, else the first bytes of the text. */
export function parseErrorBody(text: string, status: number): WireError {
  try {
    const parsed = JSON.parse(text) as { error?: WireError | string; message?: string };
    if (parsed && typeof parsed.error === 'object' && parsed.error !== null) return parsed.error;
    if (parsed && typeof parsed.error === 'string') return { code: status, message: parsed.error };
    if (parsed && typeof parsed.message === 'string') return { code: status, message: parsed.message };
  } catch {
    // not JSON: fall through
  }
  const snippet = text.replace(/\s+/g, ' ').trim().slice(0, 200);
  return { code: status, message: snippet ? `HTTP ${status}: ${snippet}` : `HTTP ${status}` };
}

/**
 * The fetch wrapper every call goes through: URL, headers, the caller's signal, a headers timeout and a deadline,
 * typed errors for non-2xx answers (body read with a size bound) and for network failures.
 */
export class Transport {
  /** `config.headers` plus the JSON content type, for requests with a body and no per-call headers. */
  private jsonHeaders: Record<string, string> | undefined;

  /** `config.fetch`, sending again at once a request that met a keep-alive socket the server had just closed. */
  private readonly fetch: typeof fetch;

  constructor(readonly config: TransportConfig) {
    this.fetch = resendOnStaleSocket(config.fetch);
  }

  /** Throws MissingApiKeyError when this endpoint needs a key and none is configured (before any network call). */
  assertKey(): void {
    if (this.config.keyRequired && !this.config.headers.authorization)
      throw new MissingApiKeyError(this.config.missingKeyMessage);
  }

  async send(options: SendOptions): Promise<Sent> {
    const context = options.context ?? NO_CONTEXT;
    if (options.auth !== 'public') this.assertKey();
    const hasBody = options.body !== undefined;
    let headers: Record<string, string>;
    if (options.headers) {
      headers = { ...this.config.headers };
      for (const [name, value] of Object.entries(options.headers)) {
        if (value === undefined) continue; // an optional header left out
        // Refused here, typed and not retried: fetch's own refusal read as a network failure (retried, misnamed).
        // The value is never quoted: it may be a credential.
        if (!HEADER_NAME.test(name) || typeof value !== 'string' || !HEADER_VALUE.test(value))
          throw new InvalidRequestError(`Invalid header in the call's headers: ${JSON.stringify(name)}`);
        headers[name.toLowerCase()] = value;
      }
      if (hasBody) headers['content-type'] = 'application/json';
    } else {
      // A copy of a template built once per transport: same keys in the same order as building it here, without
      // adding a property to a fresh copy on every request (fetch gets its own object, as before).
      this.jsonHeaders ??= { ...this.config.headers, 'content-type': 'application/json' };
      headers = hasBody ? { ...this.jsonHeaders } : { ...this.config.headers };
    }
    const lifetime = new RequestLifetime(options.signal);
    if (lifetime.signal.aborted) throw stopError(lifetime, undefined, context);
    const startedAt = Date.now();
    const deadlineMs = options.deadlineMs;
    const headersMs = this.config.headersTimeoutMs;
    // The reasons are built only when a timeout fires (no closures per request); the earlier timeout is set first,
    // so the lifetime's one timer is armed once (a tie still fires the deadline first).
    let clearHeaders: () => void;
    if (headersMs < (deadlineMs ?? 0)) {
      clearHeaders = lifetime.after(headersMs, headersTimeout, this, context);
      lifetime.after(deadlineMs, deadlineTimeout, options, context);
    } else {
      lifetime.after(deadlineMs, deadlineTimeout, options, context);
      clearHeaders = lifetime.after(headersMs, headersTimeout, this, context);
    }
    let response: Response;
    const body = hasBody ? JSON.stringify(options.body) : undefined;
    try {
      response = await this.fetch(url(this.config.baseURL, options.path, options.query), {
        method: options.method,
        headers,
        body,
        signal: lifetime.signal,
      });
    } catch (cause) {
      lifetime.dispose();
      throw stopError(lifetime, cause, context);
    } finally {
      clearHeaders();
    }
    if (!response.ok) {
      try {
        const text = await readBounded(response);
        const { status } = response;
        // A 3xx answer is no error of the request: the base URL points at a redirect (http → https, a moved host).
        const error =
          status >= 300 && status < 400
            ? new UnexpectedResponseError(
                `${options.path} answered HTTP ${status}, a redirect to ${response.headers.get('location')?.slice(0, 200) || '(no location)'}: point the base URL at the address it redirects to`,
                { status, model: context.model },
              )
            : errorFromWire(parseErrorBody(text, status), status, {
                ...context,
                headers: response.headers,
                origin: 'http',
              });
        // fetch follows redirects, but turns a POST into a GET on 301/302 and drops the key on another host: the
        // error that follows (404, 405, 401) would blame the request or the key.
        if (response.redirected)
          error.message += ` (after a redirect to ${response.url.slice(0, 200)}: point the base URL at it)`;
        throw error;
      } catch (error) {
        throw error instanceof SwitchyardError ? error : stopError(lifetime, error, context);
      } finally {
        lifetime.dispose();
      }
    }
    return { response, lifetime, startedAt };
  }

  /** A JSON call; a 200 whose body is `{error}` becomes the same typed error as the matching HTTP status. */
  async json<T>(options: SendOptions): Promise<{ data: T; response: Response; startedAt: number }> {
    const { response, lifetime, startedAt } = await this.send(options);
    const context = options.context ?? NO_CONTEXT;
    let text: string;
    try {
      text = await readCapped(response, this.config.maxResponseBytes, context.model);
    } catch (cause) {
      throw stopError(lifetime, cause, context);
    } finally {
      lifetime.dispose();
    }
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch {
      const read = options.notJson?.(text);
      data = read instanceof Promise ? await read : read;
    }
    // Every answer of the API is a JSON object: `null`, a number or a string is no answer either.
    if (typeof data !== 'object' || data === null) {
      // OpenRouter pads a slow answer with whitespace before the JSON: padding alone means the answer never came.
      const shown =
        text.trim().slice(0, 200) || (text ? '(whitespace only: keep-alive padding, no answer)' : '(empty body)');
      throw new UnexpectedResponseError(`Expected JSON from ${options.path}, got: ${shown}`, {
        status: response.status,
        retryable: true,
        model: context.model,
      });
    }
    const envelope = data as { error?: WireError };
    if (envelope && typeof envelope === 'object' && envelope.error && typeof envelope.error === 'object') {
      throw errorFromWire(envelope.error, 200, { ...context, headers: response.headers, origin: 'body' });
    }
    return { data: data as T, response, startedAt };
  }
}
