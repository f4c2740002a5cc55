import type { ResponsesHistory } from '../dialects/responses-request.js';
import type { Item, ResponsesStore } from './responses-store.js';

/** Distinct `item_reference` ids looked up per request at most; more are left unresolved (a 400 naming them). */
const MAX_REFERENCES = 1_000;

/**
 * What a Responses request can resolve, read from the store before it is translated: the conversation behind its
 * `previous_response_id` and the items its `item_reference`s name, all at once (the store may be Redis), so the
 * translation itself stays synchronous. Only what this body asks for, and only `owner`'s.
 */
export async function historyFromStore(store: ResponsesStore, owner: string, body: unknown): Promise<ResponsesHistory> {
  const b = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  const previous = typeof b.previous_response_id === 'string' ? b.previous_response_id : undefined;
  const references = new Set<string>();
  if (Array.isArray(b.input)) {
    for (const item of b.input as Item[]) {
      if (references.size >= MAX_REFERENCES) break;
      if (item?.type === 'item_reference' && typeof item.id === 'string') references.add(item.id);
    }
  }
  const ids = [...references];
  const [conversation, items] = await Promise.all([
    previous === undefined ? undefined : store.conversation(previous, owner),
    Promise.all(ids.map((id) => store.item(id, owner))),
  ]);
  const byId = new Map(ids.map((id, i) => [id, items[i]]));
  return {
    conversation: (id) => (id === previous && conversation ? conversation : { missing: id }),
    item: (id) => byId.get(id),
  };
}
