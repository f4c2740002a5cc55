import { describe, expect, it } from 'vitest';
import { ResponsesStore } from '../../src/dialects/responses-store.js';

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

describe('the Responses store behind previous_response_id and item_reference', () => {
  it('rebuilds a conversation oldest first by following previous_response_id', () => {
    const store = new ResponsesStore();
    store.put('key-a', null, [user('one')], response('resp_1', answer('msg_1', 'first')));
    store.put('key-a', 'resp_1', [user('two')], response('resp_2', answer('msg_2', 'second')));
    const history = store.historyFor('key-a');
    const conversation = history.conversation('resp_2');
    expect(conversation).toEqual([stored('one'), answer('msg_1', 'first'), stored('two'), answer('msg_2', 'second')]);
    expect(history.item('msg_1')).toEqual(answer('msg_1', 'first'));
    expect(history.item('msg_9')).toBeUndefined();
    // Input items the client sent without an id got one, and resolve as references too.
    const firstInput = conversation?.[0] as { id: string };
    expect(history.item(firstInput.id)).toEqual(stored('one'));
  });

  it('keeps the whole response object, lists the items it was made from, and deletes it', () => {
    const store = new ResponsesStore();
    const first = response('resp_1', answer('msg_1', 'first'));
    store.put('key-a', null, [user('one')], first);
    store.put('key-a', 'resp_1', [{ ...user('two'), id: 'msg_own' }], response('resp_2', answer('msg_2', 'second')));
    expect(store.get('resp_1', 'key-a')).toBe(first);
    // The chain's items (inputs and outputs) then the response's own input; never its own output.
    const own = { ...user('two'), id: 'msg_own' }; // an id the client sent is kept
    expect(store.inputItems('resp_2', 'key-a')).toEqual([stored('one'), answer('msg_1', 'first'), own]);

    expect(store.delete('resp_1', 'key-b')).toBe(false);
    expect(store.get('resp_1', 'key-a')).toBeDefined();
    expect(store.delete('resp_1', 'key-a')).toBe(true);
    expect(store.delete('resp_1', 'key-a')).toBe(false);
    expect(store.get('resp_1', 'key-a')).toBeUndefined();
    expect(store.historyFor('key-a').item('msg_1')).toBeUndefined();
    // A chain with a deleted link lists what is left from the newest end; continuing from it is refused.
    expect(store.inputItems('resp_2', 'key-a')).toEqual([own]);
    expect(store.historyFor('key-a').conversation('resp_2')).toBeUndefined();
  });

  it("never shows one key's responses or items to another", () => {
    const store = new ResponsesStore();
    store.put('key-a', null, [user('secret')], response('resp_1', answer('msg_1', 'private')));
    const other = store.historyFor('key-b');
    expect(other.conversation('resp_1')).toBeUndefined();
    expect(other.item('msg_1')).toBeUndefined();
    expect(store.get('resp_1', 'key-b')).toBeUndefined();
    expect(store.inputItems('resp_1', 'key-b')).toBeUndefined();
    // An item id one key reuses does not shadow another key's item of that id.
    store.put('key-b', null, [{ ...user('mine'), id: 'msg_1' }], response('resp_b'));
    expect(store.historyFor('key-a').item('msg_1')).toEqual(answer('msg_1', 'private'));
    expect(other.item('msg_1')).toMatchObject({ content: 'mine' });
  });

  it('forgets responses past their age, and a chain with a forgotten link is unknown as a whole', () => {
    let now = 0;
    const store = new ResponsesStore({ ttlMs: 1_000, now: () => now });
    store.put('k', null, [user('one')], response('resp_1', answer('msg_1', 'first')));
    now = 600;
    store.put('k', 'resp_1', [user('two')], response('resp_2', answer('msg_2', 'second')));
    now = 1_100;
    const history = store.historyFor('k');
    expect(history.item('msg_1')).toBeUndefined();
    expect(history.item('msg_2')).toEqual(answer('msg_2', 'second'));
    // Answering on the second turn alone would silently drop the first: refused instead.
    expect(history.conversation('resp_2')).toBeUndefined();
    expect(store.get('resp_1', 'k')).toBeUndefined();
    expect(store.get('resp_2', 'k')).toBeDefined();
  });

  it('keeps at most maxResponses and about maxBytes, dropping the oldest', () => {
    const store = new ResponsesStore({ maxResponses: 2 });
    for (const n of [1, 2, 3]) store.put('k', null, [user(`${n}`)], response(`resp_${n}`, answer(`msg_${n}`, 'x')));
    expect(store.size).toBe(2);
    expect(store.historyFor('k').item('msg_1')).toBeUndefined();
    expect(store.historyFor('k').item('msg_3')).toBeDefined();

    const small = new ResponsesStore({ maxBytes: 300 });
    small.put('k', null, [user('a'.repeat(100))], response('resp_a'));
    small.put('k', null, [user('b'.repeat(100))], response('resp_b'));
    small.put('k', null, [user('c'.repeat(100))], response('resp_c'));
    expect(small.size).toBeLessThan(3);
    expect(small.historyFor('k').conversation('resp_c')).toBeDefined();
    // One response larger than the whole budget is not kept at all (rather than flushing everything else).
    small.put('k', null, [user('z'.repeat(1_000))], response('resp_big'));
    expect(small.historyFor('k').conversation('resp_big')).toBeUndefined();
    expect(small.historyFor('k').conversation('resp_c')).toBeDefined();
    // The whole response object counts, not only its items: echoed instructions, tools and metadata take room too.
    small.put('k', null, [user('d')], { ...response('resp_d'), instructions: 'i'.repeat(400) });
    expect(small.get('resp_d', 'k')).toBeUndefined();
    expect(small.get('resp_c', 'k')).toBeDefined();
  });
});
