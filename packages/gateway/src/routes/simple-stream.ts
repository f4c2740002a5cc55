import type { ChatResult, SwitchyardError } from '@switchyard/sdk';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { flushNow, writeRespectingBackpressure } from '../http/drain.js';
import { envelopeFor } from '../http/error-reply.js';
import type { GatewayServices } from '../server/services.js';
import type { Admitted } from './admission.js';
import { serveAdmitted } from './serve-admitted.js';
import { settleRequest } from './settlement.js';
import { streamOf } from './sse-stream.js';

/** `provider` may be a provider slug to prefer (`"DeepInfra"`) or a full preferences object. */
function normaliseProvider(body: unknown): void {
  if (body && typeof body === 'object' && typeof (body as { provider?: unknown }).provider === 'string') {
    const b = body as { provider: unknown };
    b.provider = { order: [b.provider] };
  }
}

/**
 * `POST /chat/completions/stream`: the simple streaming endpoint of the requirement documents. `{ messages, model?,
 * provider? }` in; the answer's text out as `text/plain`, or with `Accept: text/event-stream` as SSE
 * `data: {"text":…}` events and a final `data: {"done":true,"model","usage","cost"}`. An error before any text is
 * an HTTP error with the usual envelope; after text it ends the body (`[error: code: message]` in plain text, a
 * `data: {"error":{…}}` event in SSE), so a cut answer is never mistaken for a complete one.
 */
async function respond(
  services: GatewayServices,
  admitted: Admitted,
  requestId: string,
  reply: FastifyReply,
  controller: AbortController,
  sse: boolean,
) {
  const { messages, model, provider } = admitted.body;
  const stream = streamOf(
    services,
    { messages, model, provider },
    {
      signal: controller.signal,
      headers: admitted.upstreamHeaders,
    },
  );
  reply.hijack();
  const res = reply.raw;
  let started = false;
  const start = () => {
    if (started) return;
    started = true;
    const type = sse ? 'text/event-stream' : 'text/plain; charset=utf-8';
    res.writeHead(200, {
      'content-type': type,
      'cache-control': 'no-cache',
      'x-request-id': requestId,
      ...admitted.rateHeaders,
    });
  };
  // A reasoning model may think for a long time before its first word: without a byte, proxies and clients time
  // out. After 2 s the headers go out (an error after that ends the body instead of being an HTTP error), and an
  // SSE stream gets a comment every 5 s (plain text cannot carry one without changing the answer).
  let keepAlive: ReturnType<typeof setInterval> | undefined;
  const waiting = setTimeout(() => {
    if (res.destroyed) return;
    start();
    if (sse) {
      const ping = () => res.write(': keep-alive\n\n');
      ping();
      keepAlive = setInterval(ping, 5_000);
      keepAlive.unref();
    }
    flushNow(res);
  }, 2_000);
  waiting.unref();
  const stopWaiting = () => {
    clearTimeout(waiting);
    clearInterval(keepAlive);
  };
  let text = '';
  let result: ChatResult | undefined;
  try {
    for await (const event of stream) {
      if (event.type === 'text') {
        stopWaiting();
        start();
        const first = text === '';
        text += event.text;
        await writeRespectingBackpressure(res, sse ? `data: ${JSON.stringify({ text: event.text })}\n\n` : event.text);
        if (first) flushNow(res);
      } else if (event.type === 'done') {
        result = event.result;
      }
    }
    stopWaiting();
    start();
    if (sse && result)
      res.write(
        `data: ${JSON.stringify({ done: true, model: result.model, usage: result.usage, cost: result.cost, generation_id: result.generationId })}\n\n`,
      );
    res.end();
    await settleRequest(services, admitted, requestId, true, { result });
  } catch (caught) {
    stopWaiting();
    const error = caught as SwitchyardError;
    await settleRequest(services, admitted, requestId, true, { error, partialText: text });
    if (res.destroyed) return;
    const envelope = envelopeFor(error);
    if (!started) {
      res.writeHead(envelope.status, {
        'content-type': 'application/json',
        'x-request-id': requestId,
        ...envelope.headers,
      });
      res.end(JSON.stringify(envelope.body));
      return;
    }
    const { type, message } = envelope.body.error as { type: string; message: string };
    res.end(sse ? `data: ${JSON.stringify(envelope.body)}\n\n` : `\n[error: ${type}: ${message}]\n`);
  }
}

export function simpleStreamRoutes(app: FastifyInstance, services: GatewayServices): void {
  for (const path of ['/chat/completions/stream', '/api/v1/chat/completions/stream', '/v1/chat/completions/stream']) {
    app.post(path, (request, reply) => {
      normaliseProvider(request.body);
      const sse = String(request.headers.accept ?? '').includes('text/event-stream');
      return serveAdmitted(services, request, reply, (admitted, requestId, controller) =>
        respond(services, admitted, requestId, reply, controller, sse),
      );
    });
  }
}
