import type { ChatResult, SwitchyardError } from '@switchyard/sdk';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { envelopeFor } from '../http/error-reply.js';
import { SseResponse } from '../http/sse-response.js';
import type { GatewayServices } from '../server/services.js';
import type { Admitted } from './admission.js';
import { inBandError, sendError } from './replies.js';
import { serveAdmitted } from './serve-admitted.js';
import { settleRequest } from './settlement.js';

async function nonStreaming(
  services: GatewayServices,
  admitted: Admitted,
  requestId: string,
  reply: FastifyReply,
  controller: AbortController,
) {
  try {
    const result = await services.upstream.sy.chat(admitted.body as never, { signal: controller.signal });
    await settleRequest(services, admitted, requestId, false, { result });
    return reply
      .headers({
        ...admitted.rateHeaders,
        'x-generation-id': result.generationId,
        'x-switchyard-model': result.model,
        'x-switchyard-attempts': String(result.attempts?.length ?? 1),
      })
      .send(result.raw);
  } catch (caught) {
    const error = caught as SwitchyardError;
    await settleRequest(services, admitted, requestId, false, { error });
    return sendError(reply, error, admitted.rateHeaders);
  }
}

const GENERATION_ID = /"id":"([^"]+)"/;

/** A streamed chat: upstream frames pass through verbatim; usage and cost are tapped from the stream's result. */
async function streaming(
  services: GatewayServices,
  admitted: Admitted,
  requestId: string,
  reply: FastifyReply,
  controller: AbortController,
) {
  reply.hijack();
  const out = new SseResponse(reply.raw, { ...admitted.rateHeaders, 'x-request-id': requestId });
  const stream = services.upstream.sy.stream(admitted.body as never, { signal: controller.signal, frames: true });
  let result: ChatResult | undefined;
  let partialText = '';
  try {
    for await (const event of stream) {
      if (event.type === 'frame') {
        const id = out.headersSent ? undefined : GENERATION_ID.exec(event.text)?.[1];
        await out.write(event.text, id ? { 'x-generation-id': id } : undefined);
      } else if (event.type === 'text') partialText += event.text;
      else if (event.type === 'done') result = event.result;
    }
    out.end();
    await settleRequest(services, admitted, requestId, true, { result });
  } catch (caught) {
    const error = caught as SwitchyardError;
    await settleRequest(services, admitted, requestId, true, { error, partialText });
    // The client left: nobody to tell. Otherwise (upstream failure, shutdown) the stream ends with a typed error.
    if (out.closed) return;
    if (!out.headersSent) {
      out.abandon();
      const { status, body, headers } = envelopeFor(error);
      reply.raw.writeHead(status, { 'content-type': 'application/json', ...admitted.rateHeaders, ...headers });
      reply.raw.end(JSON.stringify(body));
      return;
    }
    await out.write(inBandError(error));
    await out.write('data: [DONE]\n\n');
    out.end();
  }
}

export function chatRoutes(app: FastifyInstance, services: GatewayServices): void {
  for (const prefix of ['/api/v1', '/v1']) {
    app.post(`${prefix}/chat/completions`, (request, reply) =>
      serveAdmitted(services, request, reply, (admitted, requestId, controller) =>
        admitted.body.stream === true
          ? streaming(services, admitted, requestId, reply, controller)
          : nonStreaming(services, admitted, requestId, reply, controller),
      ),
    );
  }
}
