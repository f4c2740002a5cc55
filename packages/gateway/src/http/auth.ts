import type { FastifyRequest } from 'fastify';
import type { Caller } from '../keys/key-types.js';
import type { GatewayServices } from '../server/services.js';

export class AuthError extends Error {
  constructor(
    message: string,
    readonly status = 401,
    readonly code = 'authentication_failed',
  ) {
    super(message);
  }
}

function presented(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (typeof header === 'string') {
    const match = /^Bearer\s+(.+)$/i.exec(header.trim());
    if (match) return match[1]?.trim();
  }
  // `x-api-key` is accepted on every route, not only `/messages` (where Anthropic clients send it, beside
  // `anthropic-version`): it is the same secret under another header name, checked the same way, and clients of the
  // other dialects use it too (Azure-style OpenAI clients, curl scripts). Bearer wins when both are sent. Neither is
  // ever forwarded upstream, logged (the logger redacts both) or echoed.
  const apiKey = request.headers['x-api-key'];
  if (typeof apiKey === 'string') return apiKey.trim();
  return subprotocolKey(request.headers['sec-websocket-protocol']);
}

/** The subprotocol that carries a key in a WebSocket handshake: `bearer.<key>`. */
const BEARER_PROTOCOL = 'bearer.';

/**
 * A key offered as a WebSocket subprotocol (`new WebSocket(url, ['switchyard', 'bearer.sk-sy-…'])`): a browser
 * cannot set `Authorization` on a WebSocket, and the subprotocol list is the one header a page controls.
 */
function subprotocolKey(header: string | string[] | undefined): string | undefined {
  if (typeof header !== 'string') return undefined;
  for (const entry of header.split(',')) {
    const protocol = entry.trim();
    if (protocol.startsWith(BEARER_PROTOCOL)) return protocol.slice(BEARER_PROTOCOL.length);
  }
  return undefined;
}

/**
 * The subprotocol the gateway answers a WebSocket handshake with: `switchyard` when offered, else the first one that
 * is not a key — never the key, which would echo the secret in a response header. Browsers fail a handshake that
 * offered protocols and got none back, so pages offer `switchyard` beside their key.
 */
export function selectSubprotocol(offered: Set<string>): string | false {
  if (offered.has('switchyard')) return 'switchyard';
  for (const protocol of offered) if (!protocol.startsWith(BEARER_PROTOCOL)) return protocol;
  return false;
}

/**
 * Who is calling. With virtual keys configured, a valid `sk-sy-…` key is required (Bearer or `x-api-key`); with none
 * configured on a loopback-only gateway, access is open (and the start-up log says so). Clients' own OpenRouter keys
 * are never forwarded: the gateway uses its single upstream key. Answers without a promise when nothing needs to be
 * looked up (open access known, no virtual key presented).
 */
export function authenticate(request: FastifyRequest, services: GatewayServices): Caller | Promise<Caller> {
  const userHeader = request.headers['x-switchyard-user'];
  const userId = typeof userHeader === 'string' && userHeader.length <= 256 ? userHeader : undefined;
  const token = presented(request);
  const open = services.openAccess();
  return typeof open === 'boolean'
    ? callerOf(open, token, userId, services)
    : open.then((o) => callerOf(o, token, userId, services));
}

function callerOf(
  open: boolean,
  token: string | undefined,
  userId: string | undefined,
  services: GatewayServices,
): Caller | Promise<Caller> {
  // With open access, a presented virtual key is still checked: a revoked or mistyped key must fail loudly, not fall
  // back to open access (other tokens, such as a client's dummy OpenAI key, are ignored).
  if (open && !token?.startsWith('sk-sy-')) return { kind: 'open', userId };
  if (!token)
    throw new AuthError(
      'No auth credentials found: send a switchyard virtual key (sk-sy-v1-…) in the Authorization header as a Bearer token, or in x-api-key',
    );
  return verifiedCaller(token, userId, services);
}

async function verifiedCaller(token: string, userId: string | undefined, services: GatewayServices): Promise<Caller> {
  const verified = await services.keys.verify(token);
  if ('reason' in verified) throw new AuthError(`Invalid virtual key: ${verified.reason}`);
  return { kind: 'key', key: verified.key, userId };
}

export function callerId(caller: Caller): string {
  return caller.kind === 'key' ? caller.key.id : 'open';
}
