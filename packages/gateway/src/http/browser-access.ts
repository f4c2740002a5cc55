import { isLoopbackHost } from '@switchyard/sdk';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isPublicBind } from '../config/gateway-config.js';
import type { GatewayServices } from '../server/services.js';

/** Response headers a cross-origin page may read (CORS hides all but a handful by default). */
const EXPOSED = [
  'x-request-id',
  'x-generation-id',
  'x-switchyard-model',
  'x-switchyard-attempts',
  'retry-after',
  'retry-after-ms',
  'x-ratelimit-limit',
  'x-ratelimit-remaining',
  'x-ratelimit-reset',
].join(', ');
const METHODS = 'GET, POST, PUT, PATCH, DELETE';
/** A preflight's `Access-Control-Request-Headers`: header names only (anything else is not echoed back). */
const HEADER_LIST = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+(?:\s*,\s*[A-Za-z0-9!#$%&'*+.^_`|~-]+)*$/;
const KNOWN_HOSTS_KEPT = 256;

/**
 * Whether a page of `origin` may call the API, from `cors_origins` entries: `*`, an exact origin
 * (`https://app.example.com`) or one with any port (`http://localhost:*`).
 */
export function originMatcher(entries: readonly string[]): (origin: string) => boolean {
  if (entries.includes('*')) return () => true;
  const exact = new Set<string>();
  const anyPort: string[] = [];
  for (const entry of entries) {
    if (entry.endsWith(':*')) anyPort.push(entry.slice(0, -1));
    else exact.add(entry);
  }
  return (origin) => {
    const lower = origin.toLowerCase();
    if (exact.has(lower)) return true;
    for (const prefix of anyPort) {
      if (lower === prefix.slice(0, -1)) return true;
      if (lower.startsWith(prefix) && /^\d{1,5}$/.test(lower.slice(prefix.length))) return true;
    }
    return false;
  };
}

/** The host name of a `Host` header (`127.0.0.1:8787`, `[::1]:8787`, `localhost`), lower-cased. */
function hostName(host: string): string {
  const lower = host.toLowerCase();
  if (lower.startsWith('[')) return lower.slice(0, lower.indexOf(']') + 1);
  const colon = lower.indexOf(':');
  return colon < 0 ? lower : lower.slice(0, colon);
}

/** The body of a refusal, in the envelope of the API the request was made to. */
export type RefusalBody = (request: FastifyRequest, status: number, code: string, message: string) => unknown;

/**
 * What web pages may do with the gateway. Browsers attach `Origin` to cross-origin requests (and to same-origin
 * POSTs); other clients do not, so requests without it pass untouched.
 * - A page of another origin is served, with CORS headers, only when `cors_origins` lists it (default: pages served
 *   from this machine, `http://localhost:*` and the like); others get 403 `origin_not_allowed` — preflight or not,
 *   so a "simple" cross-site POST (form-encoded, text/plain) cannot spend credit either, nor can a page open `/ws`
 *   (browsers apply no CORS to WebSockets).
 * - DNS rebinding: while access is open (no virtual keys, loopback bind) a hostile page can rebind its own name to
 *   127.0.0.1 and become "same-origin". Such requests carry that name in `Host`, so an open gateway answers only
 *   loopback names and `allowed_hosts` (e.g. the name a local reverse proxy forwards).
 */
export function browserAccess(app: FastifyInstance, services: GatewayServices, body: RefusalBody): void {
  const { config } = services;
  const refuse = (request: FastifyRequest, reply: FastifyReply, code: string, message: string): void => {
    reply.code(403).send(body(request, 403, code, message));
  };
  const corsAllowed = originMatcher(config.corsOrigins);
  const hostChecked = !isPublicBind(config.host);
  const extraHosts = new Set(config.allowedHosts.map((host) => host.toLowerCase()));
  // Host headers already seen to be acceptable (bounded: a client choosing Host values cannot grow it forever).
  const goodHosts = new Set<string>();
  const hostAllowed = (host: string): boolean => {
    if (goodHosts.has(host)) return true;
    const name = hostName(host);
    // `0.0.0.0` reaches this machine too (`curl http://0.0.0.0:8787`), and no page can be served from that name.
    const local = isLoopbackHost(name) || name.endsWith('.localhost') || name === '0.0.0.0';
    if (!local && !extraHosts.has(name)) return false;
    if (goodHosts.size < KNOWN_HOSTS_KEPT) goodHosts.add(host);
    return true;
  };

  const checkOrigin = (request: FastifyRequest, reply: FastifyReply, done: () => void): void => {
    const origin = request.headers.origin;
    if (origin === undefined) return done();
    const host = request.headers.host;
    const sameOrigin = host !== undefined && (origin === `http://${host}` || origin === `https://${host}`);
    if (!sameOrigin && !corsAllowed(origin)) {
      return refuse(
        request,
        reply,
        'origin_not_allowed',
        `Requests from web pages of ${JSON.stringify(origin)} are not allowed: add the origin to [gateway] cors_origins (or SWITCHYARD_CORS_ORIGINS)`,
      );
    }
    if (!sameOrigin) {
      // On the raw response, so hijacked streams and error replies carry them too.
      reply.raw.setHeader('access-control-allow-origin', origin);
      reply.raw.setHeader('vary', 'Origin');
      reply.raw.setHeader('access-control-expose-headers', EXPOSED);
    }
    const preflight = request.method === 'OPTIONS' && request.headers['access-control-request-method'] !== undefined;
    if (!preflight) return done();
    const asked = request.headers['access-control-request-headers'];
    reply.code(204).header('access-control-allow-methods', METHODS).header('access-control-max-age', '600');
    if (typeof asked === 'string' && HEADER_LIST.test(asked.trim()))
      reply.header('access-control-allow-headers', asked.trim());
    reply.send();
  };

  // Callback style: this runs on every request.
  app.addHook('onRequest', (request, reply, done) => {
    const host = request.headers.host;
    if (!hostChecked || host === undefined || hostAllowed(host)) return checkOrigin(request, reply, done);
    const open = services.openAccess();
    const decide = (isOpen: boolean) => {
      if (!isOpen) return checkOrigin(request, reply, done);
      refuse(
        request,
        reply,
        'host_not_allowed',
        `Host ${JSON.stringify(hostName(host))} is not served while access is open (no virtual keys): use 127.0.0.1 or localhost, add the name to [gateway] allowed_hosts, or create a key`,
      );
    };
    if (typeof open === 'boolean') decide(open);
    else open.then(decide, (error: unknown) => done(error as Error));
  });
}
