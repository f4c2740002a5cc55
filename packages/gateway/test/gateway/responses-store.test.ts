import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { MemoryResponsesStore } from '../../src/responses-store/memory-responses-store.js';
import { RedisResponsesStore } from '../../src/responses-store/redis-responses-store.js';
import type { ResponsesStore } from '../../src/responses-store/responses-store.js';
import { useRedis } from '../support/redis.js';

/** A real redis-server for the Redis store (each store gets a key prefix of its own). */
const redis = useRedis();
const kinds: [string, () => ResponsesStore][] = [
  ['memory', () => new MemoryResponsesStore()],
  ['Redis', () => new RedisResponsesStore(redis.server.connect())],
];

const user = (text: string) => ({ type: 'message', role: 'user', content: text });
/** A user item as stored: with the id the store gave it. */
const stored = (text: string) => ({ ...user(text), id: expect.stringMatching(/^msg_[0-9a-f]{24}$/) });
const answer = (id: string, text: string) => ({
  type: 'message',
  id,
  role: 'assistant',
  content: [{ type: 'output_text', text }],
});
/** A response object with these output items (the store keeps the whole object). */
const response = (id: string, ...output: Record<string, unknown>[]) => ({ id, object: 'response', output });

describe.each(kinds)('the %s Responses store behind previous_response_id and item_reference', (_kind, make) => {
  it('rebuilds a conversation oldest first by following previous_response_id', async () => {
    const store = make();
    await store.put('key-a', null, [user('one')], response('resp_1', answer('msg_1', 'first')));
    await store.put('key-a', 'resp_1', [user('two')], response('resp_2', answer('msg_2', 'second')));
    await store.put('key-a', 'resp_2', [user('three')], response('resp_3', answer('msg_3', 'third')));
    const conversation = await store.conversation('resp_3', 'key-a');
    expect(conversation).toEqual({
      items: [
        stored('one'),
        answer('msg_1', 'first'),
        stored('two'),
        answer('msg_2', 'second'),
        stored('three'),
        answer('msg_3', 'third'),
      ],
    });
    expect(await store.item('msg_1', 'key-a')).toEqual(answer('msg_1', 'first'));
    expect(await store.item('msg_9', 'key-a')).toBeUndefined();
    // Input items the client sent without an id got one, and resolve as references too.
    const firstInput = ('items' in conversation ? conversation.items[0] : undefined) as { id: string };
    expect(await store.item(firstInput.id, 'key-a')).toEqual(stored('one'));
    // A link gone from the middle of a chain is named (the newest one gone), not just "unknown".
    await store.delete('resp_2', 'key-a');
    expect(await store.conversation('resp_3', 'key-a')).toEqual({ missing: 'resp_2' });
    expect(await store.conversation('resp_9', 'key-a')).toEqual({ missing: 'resp_9' });
  });

  it('keeps the whole response object, lists the items it was made from, and deletes it', async () => {
    const store = make();
    const first = response('resp_1', answer('msg_1', 'first'));
    await store.put('key-a', null, [user('one')], first);
    const own = { ...user('two'), id: 'msg_own' }; // an id the client sent is kept
    await store.put('key-a', 'resp_1', [own], response('resp_2', answer('msg_2', 'second')));
    expect(await store.get('resp_1', 'key-a')).toEqual(first);
    // The chain's items (inputs and outputs) then the response's own input; never its own output.
    expect(await store.inputItems('resp_2', 'key-a')).toEqual([stored('one'), answer('msg_1', 'first'), own]);

    expect(await store.delete('resp_1', 'key-b')).toBe(false);
    expect(await store.get('resp_1', 'key-a')).toBeDefined();
    expect(await store.delete('resp_1', 'key-a')).toBe(true);
    expect(await store.delete('resp_1', 'key-a')).toBe(false);
    expect(await store.get('resp_1', 'key-a')).toBeUndefined();
    expect(await store.item('msg_1', 'key-a')).toBeUndefined();
    // A chain with a deleted link lists what is left from the newest end; continuing from it is refused.
    expect(await store.inputItems('resp_2', 'key-a')).toEqual([own]);
    expect(await store.conversation('resp_2', 'key-a')).toEqual({ missing: 'resp_1' });
  });

  it("never shows one key's responses or items to another", async () => {
    const store = make();
    await store.put('key-a', null, [user('secret')], response('resp_1', answer('msg_1', 'private')));
    expect(await store.conversation('resp_1', 'key-b')).toEqual({ missing: 'resp_1' });
    expect(await store.item('msg_1', 'key-b')).toBeUndefined();
    expect(await store.get('resp_1', 'key-b')).toBeUndefined();
    expect(await store.inputItems('resp_1', 'key-b')).toBeUndefined();
    // An item id one key reuses does not shadow another key's item of that id.
    await store.put('key-b', null, [{ ...user('mine'), id: 'msg_1' }], response('resp_b'));
    expect(await store.item('msg_1', 'key-a')).toEqual(answer('msg_1', 'private'));
    expect(await store.item('msg_1', 'key-b')).toMatchObject({ content: 'mine' });
    // Continuing another key's response stores no usable chain either.
    await store.put('key-b', 'resp_1', [user('sneaky')], response('resp_c'));
    expect(await store.conversation('resp_c', 'key-b')).toEqual({ missing: 'resp_1' });
  });
});

describe('the memory store', () => {
  it('keeps a chain whole for ttlMs after its latest turn, then forgets it, naming the response that is gone', async () => {
    let now = 0;
    const store = new MemoryResponsesStore({ ttlMs: 1_000, now: () => now });
    await store.put('k', null, [user('one')], response('resp_1', answer('msg_1', 'first')));
    await store.put('k', null, [user('alone')], response('resp_x', answer('msg_x', 'alone')));
    await store.put('other', null, [user('theirs')], response('resp_o', answer('msg_o', 'theirs')));
    now = 600;
    await store.put('k', 'resp_1', [user('two')], response('resp_2', answer('msg_2', 'second')));
    // Another key naming this one's response extends nothing of it.
    await store.put('k', 'resp_o', [user('sneaky')], response('resp_s'));
    now = 1_200;
    await store.put('k', 'resp_2', [user('three')], response('resp_3', answer('msg_3', 'third')));
    // Past the first turn's own expiry (1,000) and the second's (1,600), within the third's (2,200): each turn needs
    // all of them, so the third one re-armed them all.
    now = 2_100;
    expect(await store.conversation('resp_3', 'k')).toEqual({
      items: [
        stored('one'),
        answer('msg_1', 'first'),
        stored('two'),
        answer('msg_2', 'second'),
        stored('three'),
        answer('msg_3', 'third'),
      ],
    });
    expect(await store.get('resp_1', 'k')).toBeDefined();
    expect(await store.item('msg_1', 'k')).toEqual(answer('msg_1', 'first'));
    expect(await store.inputItems('resp_3', 'k')).toHaveLength(5);
    // A response no later turn continued keeps its own schedule.
    expect(await store.get('resp_x', 'k')).toBeUndefined();
    expect(await store.get('resp_o', 'other')).toBeUndefined();
    now = 2_200;
    expect(await store.conversation('resp_3', 'k')).toEqual({ missing: 'resp_3' });
  });

  it('answers a chain with a forgotten link as unknown as a whole, naming that link', async () => {
    let now = 0;
    const store = new MemoryResponsesStore({ ttlMs: 1_000, now: () => now });
    await store.put('k', null, [user('one')], response('resp_1', answer('msg_1', 'first')));
    now = 1_100;
    // The first turn expired before the second was stored: nothing revives it.
    await store.put('k', 'resp_1', [user('two')], response('resp_2', answer('msg_2', 'second')));
    expect(await store.item('msg_1', 'k')).toBeUndefined();
    expect(await store.item('msg_2', 'k')).toEqual(answer('msg_2', 'second'));
    // Answering on the second turn alone would silently drop the first: refused instead.
    expect(await store.conversation('resp_2', 'k')).toEqual({ missing: 'resp_1' });
    expect(await store.get('resp_1', 'k')).toBeUndefined();
    expect(await store.get('resp_2', 'k')).toBeDefined();
  });

  it('keeps at most maxResponses and about maxBytes, dropping the oldest', async () => {
    const store = new MemoryResponsesStore({ maxResponses: 2 });
    for (const n of [1, 2, 3]) {
      await store.put('k', null, [user(`${n}`)], response(`resp_${n}`, answer(`msg_${n}`, 'x')));
    }
    expect(store.size).toBe(2);
    expect(await store.item('msg_1', 'k')).toBeUndefined();
    expect(await store.item('msg_3', 'k')).toBeDefined();

    const small = new MemoryResponsesStore({ maxBytes: 300 });
    await small.put('k', null, [user('a'.repeat(100))], response('resp_a'));
    await small.put('k', null, [user('b'.repeat(100))], response('resp_b'));
    await small.put('k', null, [user('c'.repeat(100))], response('resp_c'));
    expect(small.size).toBeLessThan(3);
    expect(await small.conversation('resp_c', 'k')).toHaveProperty('items');
    // One response larger than the whole budget is not kept at all (rather than flushing everything else).
    await small.put('k', null, [user('z'.repeat(1_000))], response('resp_big'));
    expect(await small.conversation('resp_big', 'k')).toEqual({ missing: 'resp_big' });
    expect(await small.conversation('resp_c', 'k')).toHaveProperty('items');
    // The whole response object counts, not only its items: echoed instructions, tools and metadata take room too.
    await small.put('k', null, [user('d')], { ...response('resp_d'), instructions: 'i'.repeat(400) });
    expect(await small.get('resp_d', 'k')).toBeUndefined();
    expect(await small.get('resp_c', 'k')).toBeDefined();
  });
});

describe('the Redis store', () => {
  it('has Redis expire every key it writes after ttlMs', async () => {
    const client = redis.server.connect();
    const store = new RedisResponsesStore(client, { ttlMs: 60_000 });
    await store.put('k', null, [user('one')], response('resp_1', answer('msg_1', 'first')));
    const keys = await client.keys(`${client.options.keyPrefix}*`);
    expect(keys.length).toBe(3); // the response, its input item and its output item
    for (const key of keys) {
      const ttl = await client.pttl(key.slice(String(client.options.keyPrefix).length));
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(60_000);
    }
  });

  it('treats a link Redis dropped (expired, evicted) like a forgotten one', async () => {
    const client = redis.server.connect();
    const store = new RedisResponsesStore(client);
    await store.put('k', null, [user('one')], response('resp_1', answer('msg_1', 'first')));
    await store.put('k', 'resp_1', [user('two')], response('resp_2', answer('msg_2', 'second')));
    await client.del('responses:r:resp_1');
    expect(await store.conversation('resp_2', 'k')).toEqual({ missing: 'resp_1' });
    expect(await store.inputItems('resp_2', 'k')).toEqual([stored('two')]);
    expect(await store.item('msg_1', 'k')).toBeUndefined();
    expect(await store.item('msg_2', 'k')).toEqual(answer('msg_2', 'second'));
  });

  it("re-arms every earlier turn of a chain, and its items' keys, in the MULTI that stores a new turn", async () => {
    const client = redis.server.connect();
    const store = new RedisResponsesStore(client, { ttlMs: 60_000 });
    const pttl = (key: string) => client.pttl(`responses:${key}`);
    await store.put('k', null, [user('one')], response('resp_1', answer('msg_1', 'first')));
    await store.put('other', null, [user('theirs')], response('resp_o', answer('msg_o', 'theirs')));
    await sleep(400);
    await store.put('k', 'resp_1', [user('two')], response('resp_2', answer('msg_2', 'second')));
    await store.put('k', 'resp_o', [user('sneaky')], response('resp_s'));
    const newest = await pttl('r:resp_2');
    // Written in one MULTI, so within a few milliseconds of each other; without the re-arm 400 ms apart.
    expect(await pttl('r:resp_1')).toBeGreaterThan(newest - 150);
    expect(await pttl('i:k:msg_1')).toBeGreaterThan(newest - 150);
    // Another key's response is not kept alive by turns that name it.
    expect(await pttl('r:resp_o')).toBeLessThan(newest - 250);
  });

  it("keeps a chain whole for ttlMs after its latest turn, past the first turn's own expiry", async () => {
    const store = new RedisResponsesStore(redis.server.connect(), { ttlMs: 1_500 });
    await store.put('k', null, [user('one')], response('resp_1', answer('msg_1', 'first')));
    await sleep(900);
    await store.put('k', 'resp_1', [user('two')], response('resp_2', answer('msg_2', 'second')));
    await sleep(900); // 1.8 s after the first turn: Redis would have expired it at 1.5 s
    expect(await store.conversation('resp_2', 'k')).toEqual({
      items: [stored('one'), answer('msg_1', 'first'), stored('two'), answer('msg_2', 'second')],
    });
    expect(await store.item('msg_1', 'k')).toEqual(answer('msg_1', 'first'));
  });

  it('does not keep a response larger than maxBytes (it was answered; it is just not stored)', async () => {
    const store = new RedisResponsesStore(redis.server.connect(), { maxBytes: 300 });
    await store.put('k', null, [user('a'.repeat(100))], response('resp_a'));
    await store.put('k', null, [user('z'.repeat(1_000))], response('resp_big'));
    expect(await store.get('resp_a', 'k')).toBeDefined();
    expect(await store.get('resp_big', 'k')).toBeUndefined();
  });
});
