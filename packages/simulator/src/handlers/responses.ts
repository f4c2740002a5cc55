import { type InferenceHandler, serveChat } from '../chat/serve-chat.js';
import { sendError } from '../http/io.js';
import { toChatRequest } from '../skins/responses-request.js';
import { responsesSkin } from '../skins/responses-skin.js';

/**
 * `POST /responses`, OpenRouter's OpenAI Responses skin (reference §6.4). Stateless: the request is translated into
 * the chat request it means and answered by the chat pipeline (routing, faults, usage, pacing, billing,
 * `/generation`), rendered as a response object or Responses events.
 */
export const handleResponses: InferenceHandler = async (ctx, session, body, key, headerRule) => {
  const chat = toChatRequest(body);
  if (!chat.ok) return sendError(session.res, chat.error, key.userId);
  return serveChat(ctx, session, chat.value, key, headerRule, responsesSkin(ctx, body));
};
