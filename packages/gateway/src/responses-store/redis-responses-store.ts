import type { Redis } from 'ioredis';
import { toRedisError } from '../shared/redis-errors.js';
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

export interface RedisResponsesStoreOptions {
  /** How long a response stays resolvable (default 1 h); Redis expires it. */
  ttlMs?: number;
  /**
   * The largest response kept, as the JSON length of the response object plus its input items (default 8 MiB): a
   * larger one is answered as usual but not stored.
   */
  maxBytes?: number;
  /** Key namespace under the connection's prefix (default `responses:`). */
  namespace?: string;
}

/** One stored turn as read back. */
interface Turn {
  input: Item[];
  response: Item;
}

/**
 * The responses store shared by every gateway instance on one Redis (`REDIS_URL`), so a conversation continued
 * through another instance than the one that answered it still resolves.
 *
 * Layout: a hash per response (`owner`, `ancestors`, `items`, `input`, `response`) and a string per referable item
 * id (owner and item id → response id), all expiring `ttlMs` after they were written — or after the latest turn that
 * continued their chain, which re-arms the expiry of every ancestor and of its item keys (`items` lists them) in the
 * MULTI that writes the turn; no count bound (the expiry bounds them: Redis is sized for it, see the README). `ancestors`
 * lists the `previous_response_id` chain newest first, so a conversation is two round trips however long it is: the
 * response, then all its ancestors in one pipeline.
 */
export class RedisResponsesStore implements ResponsesStore {
  readonly #redis: Redis;
  readonly #ttlMs: number;
  readonly #maxBytes: number;
  readonly #ns: string;

  constructor(redis: Redis, options: RedisResponsesStoreOptions = {}) {
    this.#redis = redis;
    this.#ttlMs = options.ttlMs ?? 60 * 60 * 1000;
    this.#maxBytes = options.maxBytes ?? 8 * 1024 * 1024;
    this.#ns = options.namespace ?? 'responses:';
  }

  #key(id: string): string {
    return `${this.#ns}r:${id}`;
  }

  #itemKey(owner: string, itemId: string): string {
    return `${this.#ns}i:${owner}:${itemId}`;
  }

  async #call<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      throw toRedisError(error, `responses ${operation}`, this.#redis.options.password);
    }
  }

  async put(owner: string, previousId: string | null, input: Item[], response: Item): Promise<void> {
    const id = String(response.id);
    const items = withIds(input);
    const inputJson = JSON.stringify(items);
    const responseJson = JSON.stringify(response);
    if (inputJson.length + responseJson.length > this.#maxBytes) return;
    await this.#call('put', async () => {
      let ancestors: string[] = [];
      // Only a chain of `owner`'s own is kept alive: another key's response (which the route never lets one continue)
      // must not outlive its own retention because of someone else's turns.
      let owned = false;
      if (previousId !== null) {
        const [previousOwner, earlier] = await this.#redis.hmget(this.#key(previousId), 'owner', 'ancestors');
        owned = previousOwner === owner;
        const known = owned && earlier ? (JSON.parse(earlier) as string[]) : [];
        ancestors = [previousId, ...known].slice(0, MAX_CHAIN);
      }
      const refreshed = owned ? ancestors : [];
      const earlierItems = await this.#itemIds(refreshed);
      const key = this.#key(id);
      const itemIds = referableIds(items, response);
      const fields = {
        owner,
        ancestors: JSON.stringify(ancestors),
        items: JSON.stringify(itemIds),
        input: inputJson,
        response: responseJson,
      };
      const multi = this.#redis.multi().del(key).hset(key, fields).pexpire(key, this.#ttlMs);
      for (const itemId of itemIds) multi.set(this.#itemKey(owner, itemId), id, 'PX', this.#ttlMs);
      // PEXPIRE leaves a key that is already gone gone: a broken chain is not revived, only a whole one extended.
      for (const ancestor of refreshed) multi.pexpire(this.#key(ancestor), this.#ttlMs);
      for (const itemId of earlierItems) multi.pexpire(this.#itemKey(owner, itemId), this.#ttlMs);
      const results = await multi.exec();
      const failed = results?.find(([error]) => error);
      if (failed) throw failed[0];
    });
  }

  /** The referable item ids of the responses `ids` (one pipeline; none for a response stored without the list). */
  async #itemIds(ids: string[]): Promise<string[]> {
    if (ids.length === 0) return [];
    const pipeline = this.#redis.pipeline();
    for (const id of ids) pipeline.hget(this.#key(id), 'items');
    return ((await pipeline.exec()) ?? []).flatMap(([error, list]) => {
      if (error) throw error;
      return typeof list === 'string' ? (JSON.parse(list) as string[]) : [];
    });
  }

  /** The response's own turn and its ancestors' ids, if `owner` has it. */
  async #own(id: string, owner: string): Promise<(Turn & { ancestors: string[] }) | undefined> {
    const [found, ancestors, input, response] = await this.#redis.hmget(
      this.#key(id),
      'owner',
      'ancestors',
      'input',
      'response',
    );
    if (found !== owner || !input || !response) return undefined;
    return {
      input: JSON.parse(input) as Item[],
      response: JSON.parse(response) as Item,
      ancestors: JSON.parse(ancestors ?? '[]') as string[],
    };
  }

  /** The turns of `ids` in one pipeline, undefined where one is gone (or is not `owner`'s). */
  async #turns(ids: string[], owner: string): Promise<(Turn | undefined)[]> {
    if (ids.length === 0) return [];
    const pipeline = this.#redis.pipeline();
    for (const id of ids) pipeline.hmget(this.#key(id), 'owner', 'input', 'response');
    return ((await pipeline.exec()) ?? []).map(([error, row]) => {
      if (error) throw error;
      const [found, input, response] = row as (string | null)[];
      if (found !== owner || !input || !response) return undefined;
      return { input: JSON.parse(input) as Item[], response: JSON.parse(response) as Item };
    });
  }

  get(id: string, owner: string): Promise<Item | undefined> {
    return this.#call('get', async () => {
      const [found, response] = await this.#redis.hmget(this.#key(id), 'owner', 'response');
      return found === owner && response ? (JSON.parse(response) as Item) : undefined;
    });
  }

  delete(id: string, owner: string): Promise<boolean> {
    return this.#call('delete', async () => {
      // Item keys left behind point at nothing and expire on their own.
      if ((await this.#redis.hget(this.#key(id), 'owner')) !== owner) return false;
      return (await this.#redis.del(this.#key(id))) === 1;
    });
  }

  inputItems(id: string, owner: string): Promise<Item[] | undefined> {
    return this.#call('inputItems', async () => {
      const own = await this.#own(id, owner);
      if (!own) return undefined;
      const earlier = await this.#turns(own.ancestors, owner);
      const gone = earlier.indexOf(undefined);
      const kept = (gone < 0 ? earlier : earlier.slice(0, gone)) as Turn[];
      return [...flatten(kept), ...own.input];
    });
  }

  conversation(id: string, owner: string): Promise<Conversation> {
    return this.#call('conversation', async (): Promise<Conversation> => {
      const own = await this.#own(id, owner);
      if (!own) return { missing: id };
      const earlier = await this.#turns(own.ancestors, owner);
      const gone = earlier.indexOf(undefined);
      if (gone >= 0) return { missing: own.ancestors[gone] as string };
      return { items: flatten([own, ...(earlier as Turn[])]) };
    });
  }

  item(itemId: string, owner: string): Promise<Item | undefined> {
    return this.#call('item', async () => {
      const holder = await this.#redis.get(this.#itemKey(owner, itemId));
      if (holder === null) return undefined;
      const [turn] = await this.#turns([holder], owner);
      return turn ? findItem(turn.input, turn.response, itemId) : undefined;
    });
  }
}
