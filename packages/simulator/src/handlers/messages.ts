import { type ChatSkin, type InferenceHandler, serveChat } from '../chat/serve-chat.js';
import { errorTypeOf } from '../faults/fault-errors.js';
import { anthropicEnvelope, sendAnthropicError } from '../skins/anthropic-error.js';
import { messageBody } from '../skins/messages-body.js';
import { messagesRequest } from '../skins/messages-request.js';
import { malformedMessageFrame, messageErrorFrames, messageFrames } from '../skins/messages-stream.js';

const MESSAGES_SKIN: ChatSkin = {
  fail: sendAnthropicError,
  body: messageBody,
  // Anthropic has no partial-answer form: a failure mid-generation is answered as the error it is.
  failureStatus: (failure) => failure.error.code,
  frames: messageFrames,
  error200: (fault, meta) =>
    anthropicEnvelope(
      fault.code ?? 500,
      fault.message ?? 'Internal Server Error',
      errorTypeOf(fault.code ?? 500),
      meta.id,
    ),
  errorFrames: messageErrorFrames,
  malformedFrame: malformedMessageFrame,
};

/** `POST /messages`, the Anthropic Messages skin (reference §6.5), served by the chat pipeline. */
export const handleMessages: InferenceHandler = async (ctx, session, body, key, headerRule) => {
  const request = messagesRequest(body);
  if (!request.ok) return sendAnthropicError(session.res, request.error);
  return serveChat(ctx, session, request.chat, key, headerRule, MESSAGES_SKIN);
};
