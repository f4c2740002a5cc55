import { AbortError, type ChatResult, type Switchyard, type SwitchyardError } from '@switchyard/sdk';
import type { WebSocket } from 'ws';
import { envelopeFor } from '../http/error-reply.js';
import { newRequestId } from '../http/request-id.js';
import type { Caller } from '../keys/key-types.js';
import { modelAllowed } from '../keys/virtual-keys.js';
import { admitCaller, validateChatBody } from '../routes/admission.js';
import { settleAfterReply, settleRequest } from '../routes/settlement.js';
import { watchProvider } from '../routes/sse-stream.js';
import type { GatewayServices } from '../server/services.js';
import { type ClientMessage, parseClientMessage, type ServerMessage, WsProtocolError } from './ws-messages.js';

/** Above this many buffered bytes the session waits for the socket to drain before producing more. */
const HIGH_WATER = 1 << 20;
/** Chats one connection may run at once; more are refused, not queued without bound. */
const MAX_CONCURRENT_CHATS = 8;

/**
 * One WebSocket connection: its provider and model selection, its running chats (cancellable by id), and the
 * backpressure of its socket. Every chat goes through the same admission, routing, settlement and ledger as
 * `POST /chat/completions`.
 */
export class WsSession {
  private provider: string;
  private model: string | undefined;
  private readonly chats = new Map<string, AbortController>();
  /** Running chats whose provider bills a cancelled stream whole: a closing connection lets them finish. */
  private readonly billedWhole = new Set<string>();

  constructor(
    private readonly socket: WebSocket,
    private readonly services: GatewayServices,
    private readonly caller: Caller,
  ) {
    this.provider = services.upstream.defaultProvider;
  }

  /** Sends a message; when the socket is backed up, resolves only once this message has been flushed. */
  send(message: ServerMessage): Promise<void> {
    if (this.socket.readyState !== this.socket.OPEN) return Promise.resolve();
    const data = JSON.stringify(message);
    if (this.socket.bufferedAmount < HIGH_WATER) {
      this.socket.send(data);
      return Promise.resolve();
    }
    return new Promise((resolve) => this.socket.send(data, () => resolve()));
  }

  private sendError(error: unknown, id?: string): Promise<void> {
    if (error instanceof WsProtocolError)
      return this.send({ type: 'error', code: error.code, message: error.message, id: error.id ?? id });
    const { status, body } = envelopeFor(error);
    const inner = body.error as { message: string; type: string };
    return this.send({ type: 'error', code: inner.type, message: inner.message, status, ...(id ? { id } : {}) });
  }

  async receive(data: string): Promise<void> {
    let message: ClientMessage;
    try {
      message = parseClientMessage(data);
    } catch (error) {
      await this.sendError(error);
      return;
    }
    try {
      await this.dispatch(message);
    } catch (error) {
      await this.sendError(error, 'id' in message ? message.id : undefined);
    }
  }

  private async dispatch(message: ClientMessage): Promise<void> {
    switch (message.type) {
      case 'ping':
        return this.send({ type: 'pong', nonce: message.nonce });
      case 'select_provider':
        return this.select(message.provider, message.model);
      case 'list_available_models':
        return this.listModels(message.provider ?? this.provider);
      case 'cancel':
        this.chats.get(message.id)?.abort(new AbortError('Cancelled by the client'));
        return;
      case 'chat':
        return this.chat(message);
    }
  }

  private client(provider: string): Switchyard {
    if (!this.services.upstream.providerNames().includes(provider)) {
      throw new WsProtocolError(
        'unknown_provider',
        `Unknown provider "${provider}"; available: ${this.services.upstream.providerNames().join(', ')}`,
      );
    }
    return this.services.upstream.clientFor(provider);
  }

  private async select(provider: string, model: string | undefined): Promise<void> {
    const client = this.client(provider);
    if (model) {
      // Model ids are checked before use: a typo fails here, not on the first chat.
      const known = await client.models.get(model).catch(() => undefined);
      if (!known) throw new WsProtocolError('invalid_model', `Unknown model "${model}" for provider ${provider}`);
      if (this.caller.kind === 'key' && !modelAllowed(this.caller.key, model)) {
        throw new WsProtocolError('permission_denied', `This key may not use model ${model}`);
      }
    }
    this.provider = provider;
    this.model = model;
    await this.send({ type: 'provider_selected', provider, model: model ?? client.config.defaultModel ?? null });
  }

  private async listModels(provider: string): Promise<void> {
    const rows = await this.client(provider).models.list();
    const models = rows
      .filter((m) => this.caller.kind !== 'key' || modelAllowed(this.caller.key, m.id))
      .map((m) => ({
        id: m.id,
        name: m.name,
        description: m.description ?? '',
        context_length: m.context_length ?? null,
      }));
    await this.send({ type: 'available_models', provider, models });
  }

  private async chat(message: Extract<ClientMessage, { type: 'chat' }>): Promise<void> {
    const { id } = message;
    if (this.chats.has(id)) throw new WsProtocolError('duplicate_id', `A chat with id ${id} is already running`, id);
    if (this.chats.size >= MAX_CONCURRENT_CHATS)
      throw new WsProtocolError(
        'too_many_chats',
        `At most ${MAX_CONCURRENT_CHATS} chats may run at once on one connection`,
        id,
      );
    const model = message.model ?? this.model;
    const body: Record<string, unknown> = { ...message.params, messages: message.messages, stream: true };
    if (model) body.model = model;
    if (this.services.lifecycle.draining)
      throw new WsProtocolError('shutting_down', 'The gateway is shutting down; reconnect shortly', id);
    const { controller, end } = this.services.lifecycle.begin();
    this.chats.set(id, controller);
    try {
      // The same shape checks as HTTP (messages of {role}, a string model): a 400-like error naming the field.
      const admitted = await admitCaller(this.caller, validateChatBody(body), this.services);
      await this.run(id, admitted, controller, message.include_reasoning === true);
    } finally {
      this.chats.delete(id);
      this.billedWhole.delete(id);
      end();
    }
  }

  private async run(
    id: string,
    admitted: Awaited<ReturnType<typeof admitCaller>>,
    controller: AbortController,
    reasoning: boolean,
  ): Promise<void> {
    const requestId = newRequestId();
    const client = this.client(this.provider);
    let text = '';
    let result: ChatResult | undefined;
    // Frames are read for the provider's name only (see `watchProvider`).
    const watch = watchProvider(() => this.billedWhole.add(id));
    try {
      for await (const event of client.stream(admitted.body as never, { signal: controller.signal, frames: true })) {
        if (event.type === 'frame') watch(event.text);
        else if (event.type === 'text') {
          text += event.text;
          await this.send({ type: 'chat_delta', id, content: event.text });
        } else if (event.type === 'reasoning' && reasoning) {
          await this.send({ type: 'chat_delta', id, reasoning: event.text });
        } else if (event.type === 'done') {
          result = event.result;
        }
      }
    } catch (caught) {
      await settleRequest(this.services, admitted, requestId, true, {
        error: caught as SwitchyardError,
        partialText: text,
      });
      throw caught;
    }
    if (!result) return;
    // `chat_done` does not wait for the bookkeeping (as HTTP answers don't): the ledger rows are still queued in this
    // same turn, before the client can ask for them; a settlement failure is logged, the chat has succeeded.
    const done = this.send(doneMessage(id, result));
    await settleAfterReply(this.services, admitted, requestId, true, { result });
    await done;
  }

  /**
   * The connection closed: abort what is still running (each chat still settles and is recorded) — but for chats
   * whose provider bills a cancelled stream whole, which finish unseen and are recorded at their real cost.
   */
  close(): void {
    for (const [id, controller] of this.chats)
      if (!this.billedWhole.has(id)) controller.abort(new AbortError('The WebSocket closed'));
  }
}

function doneMessage(id: string, result: ChatResult): ServerMessage {
  const u = result.usage;
  return {
    type: 'chat_done',
    id,
    model: result.model,
    provider: result.provider ?? null,
    generation_id: result.generationId,
    finish_reason: result.finishReason,
    text: result.text,
    tool_calls: result.toolCalls.map((c) => ({ id: c.id, name: c.name, arguments: c.arguments })),
    usage: {
      prompt_tokens: u.promptTokens,
      completion_tokens: u.completionTokens,
      total_tokens: u.totalTokens,
      cached_tokens: u.cachedTokens,
      reasoning_tokens: u.reasoningTokens,
    },
    cost: { usd: result.cost.usd, source: result.cost.source },
  };
}
