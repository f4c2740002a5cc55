import type { KeyRecord } from '../account/accounts.js';
import { serveChat } from '../chat/serve-chat.js';
import type { SimContext } from '../context.js';
import type { FaultRule } from '../faults/fault-types.js';
import { sendError } from '../http/io.js';
import type { ResponseSession } from '../http/session.js';
import { toChatRequest } from '../skins/responses-request.js';
import { responsesSkin } from '../skins/responses-skin.js';

/**
 * `POST /responses`, OpenRouter's OpenAI Responses skin (reference §6.4). Stateless: the request is translated into
 * the chat request it means and answered by the chat pipeline (routing, faults, usage, pacing, billing,
 * `/generation`), rendered as a response object or Responses events.
 */
export async function handleResponses(
  ctx: SimContext,
  session: ResponseSession,
  body: Record<string, unknown>,
  key: KeyRecord,
  headerRule?: FaultRule,
): Promise<void> {
  const chat = toChatRequest(body);
  if (!chat.ok) return sendError(session.res, chat.error, key.userId);
  return serveChat(ctx, session, chat.value, key, headerRule, responsesSkin(ctx, body));
}
