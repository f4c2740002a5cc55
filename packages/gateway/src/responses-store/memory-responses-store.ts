import {
  type Conversation,
  findItem,
  flatten,
  type Item,
  MAX_CHAIN,
  type ResponsesStore,
  referableIds,
  withIds,
} from './responses-store.js';

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

export interface MemoryResponsesStoreOptions {
  /** Responses kept at most (oldest dropped first). */
  maxResponses?: number;
  /** Approximate size kept at most: the JSON length of each response object plus its input items. */
  maxBytes?: number;
  /** How long a response stays resolvable. */
  ttlMs?: number;
  now?: () => number;
}

function itemKey(owner: string, itemId: string): string {
  return `${owner}\n${itemId}`;
}

/**
 * The responses store of a single gateway process. Bounded by count, by size (the JSON length of each response object
 * and its input items: a proxy, the same objects take more than that on the heap) and by age (an expired response is
 * never answered, and is dropped at the next write, oldest first, or when looked up). Behind a load balancer, use
 * Redis (`REDIS_URL`), or have clients stick to one instance or send full history with `store: false`.
 */
export class MemoryResponsesStore implements ResponsesStore {
  private readonly responses = new Map<string, Stored>();
  /** Owner and item id → id of the response that holds it (per owner: one key's ids never shadow another's). */
  private readonly itemOwners = new Map<string, string>();
  private bytes = 0;
  private readonly maxResponses: number;
  private readonly maxBytes: number;
  private readonly ttlMs: number;
  private readonly now: () => number;

  constructor(options: MemoryResponsesStoreOptions = {}) {
    this.maxResponses = options.maxResponses ?? 2000;
    this.maxBytes = options.maxBytes ?? 64 * 1024 * 1024;
    this.ttlMs = options.ttlMs ?? 60 * 60 * 1000;
    this.now = options.now ?? Date.now;
  }

  async put(owner: string, previousId: string | null, input: Item[], response: Item): Promise<void> {
    const id = String(response.id);
    const stored: Stored = { owner, previousId, input: withIds(input), response, bytes: 0, expiresAt: 0 };
    stored.bytes = JSON.stringify(stored.input).length + JSON.stringify(response).length;
    // One response larger than the whole budget is not kept at all (rather than flushing everything else).
    if (stored.bytes > this.maxBytes) return;
    this.drop(id);
    stored.expiresAt = this.now() + this.ttlMs;
    // The ancestors first, so the new turn is the newest entry of all (evicted last).
    this.touchChain(previousId, owner, stored.expiresAt);
    this.responses.set(id, stored);
    this.bytes += stored.bytes;
    for (const itemId of referableIds(stored.input, response)) this.itemOwners.set(itemKey(owner, itemId), id);
    this.evict();
  }

  /**
   * Gives every still-kept earlier response of a chain the new turn's expiry, and moves it to the newest end of the
   * map, so eviction (oldest first) and expiry keep the same order. A link already gone ends the walk: the chain is
   * broken there whatever happens to the links before it.
   */
  private touchChain(previousId: string | null, owner: string, expiresAt: number): void {
    for (let link = previousId, n = 0; link !== null && n < MAX_CHAIN; n++) {
      const earlier = this.live(link, owner);
      if (!earlier) return;
      earlier.expiresAt = expiresAt;
      this.responses.delete(link);
      this.responses.set(link, earlier);
      link = earlier.previousId;
    }
  }

  private drop(id: string): void {
    const stored = this.responses.get(id);
    if (!stored) return;
    this.responses.delete(id);
    this.bytes -= stored.bytes;
    for (const itemId of referableIds(stored.input, stored.response)) {
      const key = itemKey(stored.owner, itemId);
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

  async get(id: string, owner: string): Promise<Item | undefined> {
    return this.live(id, owner)?.response;
  }

  async delete(id: string, owner: string): Promise<boolean> {
    if (!this.live(id, owner)) return false;
    this.drop(id);
    return true;
  }

  async inputItems(id: string, owner: string): Promise<Item[] | undefined> {
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

  async conversation(id: string, owner: string): Promise<Conversation> {
    const chain: Stored[] = [];
    for (let link: string | null = id; link !== null && chain.length < MAX_CHAIN; ) {
      const stored = this.live(link, owner);
      if (!stored) return { missing: link };
      chain.push(stored);
      link = stored.previousId;
    }
    return { items: flatten(chain) };
  }

  async item(itemId: string, owner: string): Promise<Item | undefined> {
    const holder = this.itemOwners.get(itemKey(owner, itemId));
    const stored = holder === undefined ? undefined : this.live(holder, owner);
    return stored ? findItem(stored.input, stored.response, itemId) : undefined;
  }

  get size(): number {
    return this.responses.size;
  }
}
