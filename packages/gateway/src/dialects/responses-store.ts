import { responsesId } from './responses-output.js';
import type { ResponsesHistory } from './responses-request.js';

type Item = Record<string, unknown>;

interface Stored {
  owner: string;
  previousId: string | null;
  /** The request's own input items (references resolved), each with an id. */
  input: Item[];
  /** The response object as the client received it; its `output` items continue the conversation. */
  response: Item;
  bytes: number;
  expiresAt: number;
}

export interface ResponsesStoreOptions {
  /** Responses kept at most (oldest dropped first). */
  maxResponses?: number;
  /** Approximate size kept at most: the JSON length of each response object plus its input items. */
  maxBytes?: number;
  /** How long a response stays resolvable. */
  ttlMs?: number;
  now?: () => number;
}

/** Longest `previous_response_id` chain followed (a bound on work per request, far beyond real conversations). */
const MAX_CHAIN = 10_000;

/** The id prefix of an input item the client sent without one (OpenAI's prefixes where it has them). */
const ID_PREFIX: Record<string, string> = { message: 'msg', function_call: 'fc', function_call_output: 'fco' };

/** Input items as stored: each with an id (assigned here when the client sent none), so it can be listed and paged. */
function withIds(items: Item[]): Item[] {
  return items.map((item) =>
    typeof item.id === 'string'
      ? item
      : { ...item, id: responsesId(ID_PREFIX[String(item.type ?? 'message')] ?? 'item') },
  );
}

function itemKey(owner: string, itemId: string): string {
  return `${owner}\n${itemId}`;
}

function outputOf(stored: Stored): Item[] {
  return Array.isArray(stored.response.output) ? (stored.response.output as Item[]) : [];
}

/**
 * Recent responses, in memory: the response objects as answered (for `GET /responses/{id}`) with the input items
 * they were made from (for `GET /responses/{id}/input_items`), so that `previous_response_id` and `item_reference`
 * (which the AI SDK's OpenAI provider sends by default in tool loops) work through a gateway whose upstream is
 * stateless chat completions. Bounded by count, by size (the JSON length of each response object and its input
 * items: a proxy, the same objects take more than that on the heap) and by age (an expired response is never
 * answered, and is dropped at the next write, oldest first, or when looked up); per process (behind a load
 * balancer, a client must stick to one instance or send full history with `store: false`). A response is visible
 * only to the key that created it: to any other it does not exist.
 */
export class ResponsesStore {
  private readonly responses = new Map<string, Stored>();
  /** Owner and item id → id of the response that holds it (per owner: one key's ids never shadow another's). */
  private readonly itemOwners = new Map<string, string>();
  private bytes = 0;
  private readonly maxResponses: number;
  private readonly maxBytes: number;
  private readonly ttlMs: number;
  private readonly now: () => number;

  constructor(options: ResponsesStoreOptions = {}) {
    this.maxResponses = options.maxResponses ?? 2000;
    this.maxBytes = options.maxBytes ?? 64 * 1024 * 1024;
    this.ttlMs = options.ttlMs ?? 60 * 60 * 1000;
    this.now = options.now ?? Date.now;
  }

  /** Keeps a finished response (`response.id` names it) and the request's own input items. */
  put(owner: string, previousId: string | null, input: Item[], response: Item): void {
    const id = String(response.id);
    const stored: Stored = { owner, previousId, input: withIds(input), response, bytes: 0, expiresAt: 0 };
    stored.bytes = JSON.stringify(stored.input).length + JSON.stringify(response).length;
    // One response larger than the whole budget is not kept at all (rather than flushing everything else).
    if (stored.bytes > this.maxBytes) return;
    this.drop(id);
    stored.expiresAt = this.now() + this.ttlMs;
    this.responses.set(id, stored);
    this.bytes += stored.bytes;
    for (const item of [...stored.input, ...outputOf(stored)]) {
      if (typeof item.id === 'string' && item.type !== 'item_reference')
        this.itemOwners.set(itemKey(owner, item.id), id);
    }
    this.evict();
  }

  private drop(id: string): void {
    const stored = this.responses.get(id);
    if (!stored) return;
    this.responses.delete(id);
    this.bytes -= stored.bytes;
    for (const item of [...stored.input, ...outputOf(stored)]) {
      if (typeof item.id !== 'string') continue;
      const key = itemKey(stored.owner, item.id);
      if (this.itemOwners.get(key) === id) this.itemOwners.delete(key);
    }
  }

  /** Oldest first (a Map iterates in insertion order). */
  private evict(): void {
    const now = this.now();
    for (const [id, stored] of this.responses) {
      const over = this.responses.size > this.maxResponses || this.bytes > this.maxBytes;
      if (!over && stored.expiresAt > now) break;
      this.drop(id);
    }
  }

  private live(id: string, owner: string): Stored | undefined {
    const stored = this.responses.get(id);
    if (!stored || stored.owner !== owner) return undefined;
    if (stored.expiresAt <= this.now()) {
      this.drop(id);
      return undefined;
    }
    return stored;
  }

  /** The response object, if `owner` stored it and it is still kept. */
  get(id: string, owner: string): Item | undefined {
    return this.live(id, owner)?.response;
  }

  /** Forgets a response; false when `owner` has none by that id (another key's counts as none). */
  delete(id: string, owner: string): boolean {
    if (!this.live(id, owner)) return false;
    this.drop(id);
    return true;
  }

  /**
   * The items a response was made from, oldest first: the items of its `previous_response_id` chain (their inputs
   * and outputs), then its own input. A chain whose older links are gone lists what is still kept from the newest
   * end (the response itself is always whole). Undefined when `owner` has no such response.
   */
  inputItems(id: string, owner: string): Item[] | undefined {
    const stored = this.live(id, owner);
    if (!stored) return undefined;
    const chain: Stored[] = [];
    for (let link = stored.previousId; link !== null && chain.length < MAX_CHAIN; ) {
      const earlier = this.live(link, owner);
      if (!earlier) break;
      chain.push(earlier);
      link = earlier.previousId;
    }
    return [...flatten(chain), ...stored.input];
  }

  /** What one caller can resolve. */
  historyFor(owner: string): ResponsesHistory {
    return {
      conversation: (responseId) => {
        const chain: Stored[] = [];
        for (let id: string | null = responseId; id !== null && chain.length < MAX_CHAIN; ) {
          const stored = this.live(id, owner);
          // A link that expired or was evicted makes the whole history unknown: never answer on part of it.
          if (!stored) return undefined;
          chain.push(stored);
          id = stored.previousId;
        }
        return flatten(chain);
      },
      item: (itemId) => {
        const holder = this.itemOwners.get(itemKey(owner, itemId));
        const stored = holder === undefined ? undefined : this.live(holder, owner);
        if (!stored) return undefined;
        return stored.input.find((item) => item.id === itemId) ?? outputOf(stored).find((item) => item.id === itemId);
      },
    };
  }

  get size(): number {
    return this.responses.size;
  }
}

/** A chain collected newest first, as one list of items oldest first (each response's input, then its output). */
function flatten(chain: Stored[]): Item[] {
  const items: Item[] = [];
  for (let i = chain.length - 1; i >= 0; i--) {
    const stored = chain[i] as Stored;
    items.push(...stored.input, ...outputOf(stored));
  }
  return items;
}
