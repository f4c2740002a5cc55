import { describe, expect, it } from 'vitest';
import { ResponsesStore } from '../../src/dialects/responses-store.js';

const user = (text: string) => ({ type: 'message', role: 'user', content: text });
const answer = (id: string, text: string) => ({
  type: 'message',
  id,
  role: 'assistant',
  content: [{ type: 'output_text', text }],
});

describe('the Responses store behind previous_response_id and item_reference', () => {
  it('rebuilds a conversation oldest first by following previous_response_id', () => {
    const store = new ResponsesStore();
    store.put('resp_1', 'key-a', null, [user('one')], [answer('msg_1', 'first')]);
    store.put('resp_2', 'key-a', 'resp_1', [user('two')], [answer('msg_2', 'second')]);
    const history = store.historyFor('key-a');
    expect(history.conversation('resp_2')).toEqual([
      user('one'),
      answer('msg_1', 'first'),
      user('two'),
      answer('msg_2', 'second'),
    ]);
    expect(history.item('msg_1')).toEqual(answer('msg_1', 'first'));
    expect(history.item('msg_9')).toBeUndefined();
  });

  it("never shows one key's responses or items to another", () => {
    const store = new ResponsesStore();
    store.put('resp_1', 'key-a', null, [user('secret')], [answer('msg_1', 'private')]);
    const other = store.historyFor('key-b');
    expect(other.conversation('resp_1')).toBeUndefined();
    expect(other.item('msg_1')).toBeUndefined();
  });

  it('forgets responses past their age, and a chain with a forgotten link is unknown as a whole', () => {
    let now = 0;
    const store = new ResponsesStore({ ttlMs: 1_000, now: () => now });
    store.put('resp_1', 'k', null, [user('one')], [answer('msg_1', 'first')]);
    now = 600;
    store.put('resp_2', 'k', 'resp_1', [user('two')], [answer('msg_2', 'second')]);
    now = 1_100;
    const history = store.historyFor('k');
    expect(history.item('msg_1')).toBeUndefined();
    expect(history.item('msg_2')).toEqual(answer('msg_2', 'second'));
    // Answering on the second turn alone would silently drop the first: refused instead.
    expect(history.conversation('resp_2')).toBeUndefined();
  });

  it('keeps at most maxResponses and about maxBytes, dropping the oldest', () => {
    const store = new ResponsesStore({ maxResponses: 2 });
    for (const n of [1, 2, 3]) store.put(`resp_${n}`, 'k', null, [user(`${n}`)], [answer(`msg_${n}`, 'x')]);
    expect(store.size).toBe(2);
    expect(store.historyFor('k').item('msg_1')).toBeUndefined();
    expect(store.historyFor('k').item('msg_3')).toBeDefined();

    const small = new ResponsesStore({ maxBytes: 300 });
    small.put('resp_a', 'k', null, [user('a'.repeat(100))], []);
    small.put('resp_b', 'k', null, [user('b'.repeat(100))], []);
    small.put('resp_c', 'k', null, [user('c'.repeat(100))], []);
    expect(small.size).toBeLessThan(3);
    expect(small.historyFor('k').conversation('resp_c')).toBeDefined();
    // One response larger than the whole budget is not kept at all (rather than flushing everything else).
    small.put('resp_big', 'k', null, [user('z'.repeat(1_000))], []);
    expect(small.historyFor('k').conversation('resp_big')).toBeUndefined();
    expect(small.historyFor('k').conversation('resp_c')).toBeDefined();
  });
});
