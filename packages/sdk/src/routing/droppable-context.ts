import type { ChatRequest } from '../protocol/chat.js';
import type { Message } from '../protocol/messages.js';

/** Messages marked as droppable context (the caller's `context`, e.g. retrieved documents). */
export const DROPPABLE = Symbol.for('switchyard.droppable-context');

export function markDroppable(messages: Message[]): Message[] {
  return messages.map((m) => Object.assign({ ...m }, { [DROPPABLE]: true }));
}

export function isDroppable(message: Message): boolean {
  return (message as { [DROPPABLE]?: boolean })[DROPPABLE] === true;
}

/** Inserts droppable context right before the last user message (where retrieved documents usually go). */
export function withContext(request: ChatRequest, context: Message[] | undefined): ChatRequest {
  if (!context || context.length === 0) return request;
  const messages = [...request.messages];
  let at = messages.length;
  for (let i = messages.length - 1; i >= 0; i--) {
    if (messages[i]?.role === 'user') {
      at = i;
      break;
    }
  }
  messages.splice(at, 0, ...markDroppable(context));
  return { ...request, messages };
}
