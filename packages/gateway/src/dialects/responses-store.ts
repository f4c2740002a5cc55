import type { ResponsesHistory } from './responses-request.js';

type Item = Record<string, unknown>;

interface Stored {
  owner: string;
  previousId: string | null;
  /** The request's own input items and the answer's output items, in order. */
  items: Item[];
  bytes: number;
  expiresAt: number;
}

export interface ResponsesStoreOptions {
  /** Responses kept at most (oldest dropped first). */
  maxResponses?: number;
  /** Approximate bytes of items kept at most (their JSON length). */
  maxBytes?: number;
  /** How long a response stays resolvable. */
  ttlMs?: number;
  now?: () => number;
}

/** Longest `previous_response_id` chain followed (a bound on work per request, far beyond real conversations). */
const MAX_CHAIN = 10_000;

/**
 * Recent responses, in memory, so that `previous_response_id` and `item_reference` (which the AI SDK's OpenAI
 * provider sends by default in tool loops) work through a gateway whose upstream is stateless chat completions.
 * Bounded by count, size and age; per process (behind a load balancer, a client must stick to one instance or
 * send full history with `store: false`). A response is visible only to the key that created it.
 */
export class ResponsesStore {
  private readonly responses = new Map<string, Stored>();
  /** Item id → id of the response that holds it. */
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

  put(id: string, owner: string, previousId: string | null, input: Item[], output: Item[]): void {
    const items = [...input, ...output];
    const bytes = JSON.stringify(items).length;
    if (bytes > this.maxBytes) return;
    this.responses.set(id, { owner, previousId, items, bytes, expiresAt: this.now() + this.ttlMs });
    this.bytes += bytes;
    for (const item of items) {
      if (typeof item.id === 'string' && item.type !== 'item_reference') this.itemOwners.set(item.id, id);
    }
    this.evict();
  }

  private drop(id: string): void {
    const stored = this.responses.get(id);
    if (!stored) return;
    this.responses.delete(id);
    this.bytes -= stored.bytes;
    for (const item of stored.items) {
      if (typeof item.id === 'string' && this.itemOwners.get(item.id) === id) this.itemOwners.delete(item.id);
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
        const holder = this.itemOwners.get(itemId);
        const stored = holder === undefined ? undefined : this.live(holder, owner);
        return stored?.items.find((item) => item.id === itemId);
      },
    };
  }

  get size(): number {
    return this.responses.size;
  }
}

/** A chain collected newest first, as one list of items oldest first. */
function flatten(chain: Stored[]): Item[] {
  const items: Item[] = [];
  for (let i = chain.length - 1; i >= 0; i--) items.push(...(chain[i] as Stored).items);
  return items;
}
