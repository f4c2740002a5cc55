import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createContext, type SimContext } from './context.js';
import type { FaultRule } from './faults/fault-types.js';
import { parseFaultHeader, parseScenario, ScenarioError } from './faults/scenario.js';
import { getCredits, getGeneration, getKey } from './handlers/account.js';
import { countModels, getModel, listModels, listProviders, modelEndpoints } from './handlers/catalog.js';
import { handleChat } from './handlers/chat.js';
import { handleCompletions } from './handlers/completions.js';
import { handleEmbeddings } from './handlers/embeddings.js';
import { handleMessages } from './handlers/messages.js';
import { handleResponses } from './handlers/responses.js';
import { CORS_ANSWER } from './http/cors.js';
import { BodyTooLargeError, bearerToken, readBody, sendError, sendJson } from './http/io.js';
import { ResponseSession } from './http/session.js';
import { simError } from './http/sim-error.js';
import type { SimulatorOptions } from './options.js';
import { dialectOf } from './skins/route-dialect.js';
import { bump, emptyStats, type SimulatorStats, snapshot } from './stats.js';

const PREFIX = '/api/v1';
/** The POST routes that take a JSON body and may carry an `x-simulator-fault` header. */
const INFERENCE = new Set(['/chat/completions', '/completions', '/messages', '/embeddings', '/responses']);
/** Paths that exist: other methods on them get 405. */
const KNOWN = new Set([...INFERENCE, '/key', '/auth/key', '/credits', '/generation', '/providers']);
const CORS = {
  ...CORS_ANSWER,
  'access-control-allow-methods': 'GET, POST, PUT, OPTIONS',
  'access-control-allow-headers': '*',
  'access-control-max-age': '86400',
};

/** A simulator that is not listening yet: its request handler, to mount in another server or test directly. */
export interface Simulator {
  handle: (req: IncomingMessage, res: ServerResponse) => void;
  context: SimContext;
}

function area(path: string): string {
  // `path` is '' or starts with '/': its first segment, without split()'s array on every request.
  const end = path.indexOf('/', 1);
  const first = end < 0 ? path.slice(1) : path.slice(1, end);
  return first === 'chat' ? 'chat' : first === 'auth' ? 'key' : first || 'root';
}

export function createSimulator(options: SimulatorOptions = {}): Simulator {
  const ctx = createContext(options);

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const fullPath = q < 0 ? url : url.slice(0, q);
    const query = new URLSearchParams(q < 0 ? '' : url.slice(q + 1));
    const method = req.method ?? 'GET';
    if (method === 'OPTIONS') {
      res.writeHead(204, CORS);
      res.end();
      return;
    }
    if (fullPath.startsWith('/__simulator/')) return admin(ctx, req, res, fullPath.slice(13), method);
    if (!fullPath.startsWith(`${PREFIX}/`)) return sendError(res, simError(404, 'Not Found'));
    const path = fullPath.slice(PREFIX.length).replace(/\/+$/, '');
    bump(ctx.stats.byEndpoint, area(path));

    // Catalog routes answer without a key (OpenRouter serves them publicly).
    if (method === 'GET') {
      if (path === '/models' || path === '/models/user') return listModels(ctx, res, query);
      if (path === '/models/count') return countModels(ctx, res, query);
      if (path === '/embeddings/models') {
        if (!query.has('output_modalities')) query.set('output_modalities', 'embeddings');
        return listModels(ctx, res, query);
      }
      const endpoints = /^\/models\/([^/]+\/[^/]+)\/endpoints$/.exec(path);
      if (endpoints) {
        const key = ctx.accounts.authenticate(bearerToken(req));
        return modelEndpoints(ctx, res, decodeURIComponent(endpoints[1] as string), key !== undefined);
      }
      const single = /^\/model\/([^/]+\/[^/]+)$/.exec(path);
      if (single) return getModel(ctx, res, decodeURIComponent(single[1] as string));
    }

    // From the key check on, errors are in the route's own words (the Messages skin speaks Anthropic's).
    const { fail, token: tokenOf } = dialectOf(path);
    const token = tokenOf(req);
    if (!token)
      return fail(res, { ...simError(401, 'No auth credentials found'), extra: { error_type: 'authentication' } });
    const key = ctx.accounts.authenticate(token);
    if (!key) return fail(res, { ...simError(401, 'User not found.'), extra: { error_type: 'authentication' } });

    if (method === 'GET') {
      if (path === '/key' || path === '/auth/key') return getKey(ctx, res, key);
      if (path === '/credits') return getCredits(ctx, res, key);
      if (path === '/generation') return getGeneration(ctx, res, key, query);
      if (path === '/providers') return listProviders(ctx, res);
    }
    if (method === 'POST' && INFERENCE.has(path)) {
      let raw: Buffer;
      try {
        raw = await readBody(req, ctx.settings.maxBodyBytes);
      } catch (error) {
        if (error instanceof BodyTooLargeError) {
          return fail(
            res,
            {
              ...simError(413, `Request body too large: the limit is ${ctx.settings.maxBodyBytes} bytes`),
              extra: { error_type: 'payload_too_large' },
            },
            key.userId,
            { connection: 'close' },
          );
        }
        throw error;
      }
      let body: unknown;
      try {
        body = JSON.parse(raw.toString('utf8'));
      } catch (error) {
        return fail(res, simError(400, `Invalid JSON in request body: ${(error as Error).message}`), key.userId);
      }
      if (typeof body !== 'object' || body === null || Array.isArray(body)) {
        return fail(res, simError(400, 'Request body must be a JSON object'), key.userId);
      }
      let headerRule: FaultRule | undefined;
      const faultHeader = req.headers['x-simulator-fault'];
      if (typeof faultHeader === 'string' && faultHeader !== '') {
        try {
          headerRule = parseFaultHeader(faultHeader);
        } catch (error) {
          return fail(res, simError(400, (error as Error).message), key.userId);
        }
      }
      const session = new ResponseSession(res);
      const payload = body as Record<string, unknown>;
      if (path === '/embeddings') return handleEmbeddings(ctx, session, payload, key, headerRule);
      if (path === '/responses') return handleResponses(ctx, session, payload, key, headerRule);
      if (path === '/completions') return handleCompletions(ctx, session, payload, key, headerRule);
      if (path === '/messages') return handleMessages(ctx, session, payload, key, headerRule);
      return handleChat(ctx, session, payload, key, headerRule);
    }
    if (KNOWN.has(path)) return fail(res, simError(405, `Method ${method} not allowed`), key.userId);
    return fail(res, simError(404, 'Not Found'), key.userId);
  }

  function handle(req: IncomingMessage, res: ServerResponse): void {
    ctx.stats.requests++;
    res.once('finish', () => bump(ctx.stats.byStatus, String(res.statusCode)));
    route(req, res).catch((error: unknown) => {
      // Never crash and never hang: any bug becomes a 500 in OpenRouter's envelope.
      if (!res.headersSent)
        sendJson(res, 500, { error: { code: 500, message: `Internal Server Error (${(error as Error).message})` } });
      else res.destroy();
    });
  }

  return { handle, context: ctx };
}

/** `/__simulator/*`: stats and live scenario changes for out-of-process tests. */
async function admin(ctx: SimContext, req: IncomingMessage, res: ServerResponse, path: string, method: string) {
  if (method === 'GET' && path === 'stats') return sendJson(res, 200, snapshot(ctx.stats));
  if (method === 'POST' && path === 'reset-stats') {
    Object.assign(ctx.stats, emptyStats());
    return sendJson(res, 200, { ok: true });
  }
  if ((method === 'PUT' || method === 'POST') && path === 'rules') {
    try {
      const raw = await readBody(req, 1024 * 1024);
      const scenario = parseScenario({ rules: JSON.parse(raw.toString('utf8')) }, 'rules');
      ctx.faults.setRules(scenario.rules ?? []);
      return sendJson(res, 200, { ok: true, rules: ctx.faults.size });
    } catch (error) {
      const message = error instanceof ScenarioError || error instanceof SyntaxError ? error.message : String(error);
      return sendError(res, simError(400, message));
    }
  }
  return sendError(res, simError(404, 'Not Found'));
}

/** A running simulator. */
export interface SimulatorHandle {
  /** Base URL of the OpenRouter API, e.g. `http://127.0.0.1:41234/api/v1`. */
  url: string;
  /** `http://host:port` without the API prefix. */
  origin: string;
  port: number;
  /** Live counters (a snapshot copy). */
  readonly stats: SimulatorStats;
  resetStats(): void;
  /** Replaces the fault rules (counters restart). */
  setRules(rules: FaultRule[]): void;
  context: SimContext;
  server: Server;
  /** Stops listening and drops every open connection, including stalled streams. */
  close(): Promise<void>;
}

/** Starts a simulator on loopback (a free port unless `port` is given). */
export async function startSimulator(options: SimulatorOptions = {}): Promise<SimulatorHandle> {
  const simulator = createSimulator(options);
  const server = createServer({ keepAliveTimeout: 10_000 }, simulator.handle);
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const origin = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  const ctx = simulator.context;
  let closing: Promise<void> | undefined;
  return {
    url: `${origin}${PREFIX}`,
    origin,
    port,
    get stats() {
      return snapshot(ctx.stats);
    },
    resetStats: () => Object.assign(ctx.stats, emptyStats()),
    setRules: (rules) => ctx.faults.setRules(parseScenario({ rules }, 'rules').rules ?? []),
    context: ctx,
    server,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
