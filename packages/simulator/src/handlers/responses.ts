import type { KeyRecord } from '../account/accounts.js';
import type { SimContext } from '../context.js';
import type { FaultRule } from '../faults/fault-types.js';
import { sendError } from '../http/io.js';
import type { ResponseSession } from '../http/session.js';
import { simError } from '../http/sim-error.js';

/** `POST /responses` (OpenRouter's OpenAI Responses skin). Being written: answers as the route did before, 404. */
export async function handleResponses(
  _ctx: SimContext,
  session: ResponseSession,
  _body: Record<string, unknown>,
  key: KeyRecord,
  _headerRule?: FaultRule,
): Promise<void> {
  sendError(session.res, simError(404, 'Not Found'), key.userId);
}
