import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { WebSocket } from 'ws';
import { AuthError, authenticate } from '../http/auth.js';
import type { Caller } from '../keys/key-types.js';
import { sendError } from '../routes/replies.js';
import type { GatewayServices } from '../server/services.js';
import { WsSession } from './ws-session.js';

const callers = new WeakMap<FastifyRequest, Caller>();

/**
 * `GET /ws`: authenticated at the upgrade (`Authorization: Bearer sk-sy-…`, or open access), then one `WsSession`
 * per connection. The server pings every `pingMs`; a connection that has not answered the previous ping is dropped.
 */
export function wsRoutes(app: FastifyInstance, services: GatewayServices, options: { pingMs?: number } = {}): void {
  const pingMs = options.pingMs ?? 30_000;
  const sessions = new Set<WsSession>();
  app.get(
    '/ws',
    {
      websocket: true,
      preValidation: async (request, reply) => {
        try {
          callers.set(request, await authenticate(request, services));
        } catch (error) {
          if (error instanceof AuthError) return sendError(reply, error);
          throw error;
        }
      },
    },
    (socket: WebSocket, request: FastifyRequest) => {
      const caller = callers.get(request) ?? { kind: 'open' };
      const session = new WsSession(socket, services, caller);
      sessions.add(session);
      let alive = true;
      socket.on('pong', () => {
        alive = true;
      });
      const heartbeat = setInterval(() => {
        if (!alive) {
          socket.terminate();
          return;
        }
        alive = false;
        socket.ping();
      }, pingMs);
      heartbeat.unref();
      socket.on('message', (data, isBinary) => {
        if (isBinary) {
          void session.send({ type: 'error', code: 'invalid_message', message: 'Send JSON text frames' });
          return;
        }
        void session.receive(data.toString());
      });
      socket.on('close', () => {
        clearInterval(heartbeat);
        session.close();
        sessions.delete(session);
      });
    },
  );
  app.addHook('preClose', async () => {
    for (const session of sessions) session.close();
  });
}
