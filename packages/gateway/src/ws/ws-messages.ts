/**
 * The WebSocket protocol of `/ws` (JSON text frames, one message each). Client → gateway: `select_provider`,
 * `list_available_models`, `chat`, `cancel`, `ping`. Gateway → client: `provider_selected`, `available_models`,
 * `chat_delta`, `chat_done`, `error`, `pong`. Keys never travel in messages: the connection is authenticated once, at
 * the HTTP upgrade, like any other request.
 */
export type ClientMessage =
  | { type: 'select_provider'; provider: string; model?: string }
  | { type: 'list_available_models'; provider?: string }
  | {
      type: 'chat';
      id: string;
      messages: unknown[];
      model?: string;
      include_reasoning?: boolean;
      params: Record<string, unknown>;
    }
  | { type: 'cancel'; id: string }
  | { type: 'ping'; nonce?: unknown };

export type ServerMessage =
  | { type: 'provider_selected'; provider: string; model: string | null }
  | {
      type: 'available_models';
      provider: string;
      models: { id: string; name: string; description: string; context_length: number | null }[];
    }
  | { type: 'chat_delta'; id: string; content?: string; reasoning?: string }
  | { type: 'chat_done'; id: string; [field: string]: unknown }
  | { type: 'error'; code: string; message: string; id?: string; status?: number }
  | { type: 'pong'; nonce?: unknown };

export class WsProtocolError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly id?: string,
  ) {
    super(message);
  }
}

const optionalString = (value: unknown, field: string): string | undefined => {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || value.trim() === '')
    throw new WsProtocolError('invalid_message', `'${field}' must be a non-empty string`);
  return value.trim();
};

let counter = 0;

/** Parses and checks one incoming frame; anything malformed is a `WsProtocolError` naming the field. */
export function parseClientMessage(data: string): ClientMessage {
  let raw: unknown;
  try {
    raw = JSON.parse(data);
  } catch {
    throw new WsProtocolError('invalid_json', 'Messages must be JSON objects');
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new WsProtocolError('invalid_json', 'Messages must be JSON objects');
  const m = raw as Record<string, unknown>;
  switch (m.type) {
    case 'select_provider': {
      const provider = optionalString(m.provider, 'provider');
      if (!provider) throw new WsProtocolError('invalid_message', "'provider' is required");
      return { type: 'select_provider', provider, model: optionalString(m.model, 'model') };
    }
    case 'list_available_models':
      return { type: 'list_available_models', provider: optionalString(m.provider, 'provider') };
    case 'chat': {
      const id = optionalString(m.id, 'id') ?? `chat_${++counter}`;
      if (!Array.isArray(m.messages) || m.messages.length === 0)
        throw new WsProtocolError('invalid_message', "'messages' must be a non-empty array", id);
      const {
        type: _type,
        id: _id,
        messages,
        model,
        include_reasoning,
        provider: _provider,
        stream: _stream,
        ...params
      } = m;
      return {
        type: 'chat',
        id,
        messages,
        model: optionalString(model, 'model'),
        include_reasoning: include_reasoning === true,
        params,
      };
    }
    case 'cancel': {
      const id = optionalString(m.id, 'id');
      if (!id) throw new WsProtocolError('invalid_message', "'id' is required");
      return { type: 'cancel', id };
    }
    case 'ping':
      return { type: 'ping', nonce: m.nonce };
    default:
      throw new WsProtocolError(
        'unknown_message_type',
        `Unknown message type ${JSON.stringify(m.type)}; expected select_provider, list_available_models, chat, cancel or ping`,
      );
  }
}
