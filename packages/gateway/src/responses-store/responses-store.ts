import { responsesId } from '../dialects/responses-output.js';

export type Item = Record<string, unknown>;

/** A whole `previous_response_id` history, or the id of the first link found missing (the newest one gone). */
export type Conversation = { items: Item[] } | { missing: string };

/**
 * Where the gateway keeps the responses it answered (unless `store: false`): the response objects as the client
 * received them (`GET /responses/{id}`) and the input items they were made from (`GET /responses/{id}/input_items`),
 * so that `previous_response_id` and `item_reference` — which the AI SDK's OpenAI provider sends by default in tool
 * loops — work through a gateway whose upstream is stateless chat completions. In memory by default; in Redis when
 * `REDIS_URL` is set, so every instance behind a load balancer resolves every other's responses.
 *
 * A response is visible only to the key (`owner`) that created it: to any other it does not exist. Lookups answer
 * undefined for anything unknown, expired, evicted or deleted.
 */
export interface ResponsesStore {
  /**
   * Keeps a finished response (`response.id` names it) and the request's own input items, and restarts the age of
   * every earlier response of its `previous_response_id` chain: a chain stays whole for the full retention time after
   * its latest turn, not after its first one (each turn still needs all of them).
   */
  put(owner: string, previousId: string | null, input: Item[], response: Item): Promise<void>;
  /** The response object, if `owner` stored it and it is still kept. */
  get(id: string, owner: string): Promise<Item | undefined>;
  /** Forgets a response; false when `owner` has none by that id (another key's counts as none). */
  delete(id: string, owner: string): Promise<boolean>;
  /**
   * The items a response was made from, oldest first: the items of its `previous_response_id` chain (their inputs and
   * outputs), then its own input. A chain whose older links are gone lists what is still kept from the newest end
   * (the response itself is always whole).
   */
  inputItems(id: string, owner: string): Promise<Item[] | undefined>;
  /**
   * The conversation up to and including a response, oldest first (each response's input, then its output), for
   * `previous_response_id`. A link that expired, was evicted or deleted makes the whole history unknown — never
   * answer on part of it — and is named (`missing`), so the client learns which response of its chain is gone.
   */
  conversation(id: string, owner: string): Promise<Conversation>;
  /** An input or output item of one of `owner`'s kept responses, by its id, for `item_reference`. */
  item(itemId: string, owner: string): Promise<Item | undefined>;
}

/** Longest `previous_response_id` chain followed (a bound on work per request, far beyond real conversations). */
export const MAX_CHAIN = 10_000;

/** The id prefix of an input item the client sent without one (OpenAI's prefixes where it has them). */
const ID_PREFIX: Record<string, string> = { message: 'msg', function_call: 'fc', function_call_output: 'fco' };

/** Input items as stored: each with an id (assigned here when the client sent none), so it can be listed and paged. */
export function withIds(items: Item[]): Item[] {
  return items.map((item) =>
    typeof item.id === 'string'
      ? item
      : { ...item, id: responsesId(ID_PREFIX[String(item.type ?? 'message')] ?? 'item') },
  );
}

/** A response object's output items (they continue the conversation). */
export function outputOf(response: Item): Item[] {
  return Array.isArray(response.output) ? (response.output as Item[]) : [];
}

/** The ids `item_reference` may name in one stored response: its input and output items (references excluded). */
export function referableIds(input: Item[], response: Item): string[] {
  const ids: string[] = [];
  for (const item of [...input, ...outputOf(response)]) {
    if (typeof item.id === 'string' && item.type !== 'item_reference') ids.push(item.id);
  }
  return ids;
}

/** One item of a stored response by its id: from its input, else its output. */
export function findItem(input: Item[], response: Item, itemId: string): Item | undefined {
  return input.find((item) => item.id === itemId) ?? outputOf(response).find((item) => item.id === itemId);
}

/** Turns collected newest first, as one list of items oldest first (each response's input, then its output). */
export function flatten(turns: { input: Item[]; response: Item }[]): Item[] {
  const items: Item[] = [];
  for (let i = turns.length - 1; i >= 0; i--) {
    const turn = turns[i] as { input: Item[]; response: Item };
    items.push(...turn.input, ...outputOf(turn.response));
  }
  return items;
}
