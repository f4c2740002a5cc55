import { describe, expect, it } from 'vitest';
import {
  estimateRequestTokens,
  limitMessages,
  middleOut,
  type PruneOptions,
  pruneOldest,
} from '../src/context/index.js';
import { ConfigError } from '../src/errors/index.js';
import type { Message } from '../src/protocol/messages.js';

const TEXT = 'This sentence is padding that makes every message cost a predictable number of tokens. ';
const sys = (text = 'You are terse.'): Message => ({ role: 'system', content: text });
const dev = (text = 'Prefer metric units.'): Message => ({ role: 'developer', content: text });
const user = (text: string): Message => ({ role: 'user', content: `${text} ${TEXT}` });
const reply = (text: string): Message => ({ role: 'assistant', content: `${text} ${TEXT}` });
const call = (...ids: string[]): Message => ({
  role: 'assistant',
  content: null,
  tool_calls: ids.map((id) => ({ id, type: 'function', function: { name: 'lookup', arguments: `{"q":"${id}"}` } })),
});
const result = (id: string): Message => ({ role: 'tool', tool_call_id: id, content: `result of ${id} ${TEXT}` });

const tokens = (messages: Message[]) => estimateRequestTokens({ messages }, 'GPT').total;
const label = (m: Message): string => {
  if (m.role === 'tool') return `tool:${m.tool_call_id}`;
  if (m.role === 'assistant' && m.tool_calls) return `call:${m.tool_calls.map((c) => c.id).join(',')}`;
  return `${m.role}:${typeof m.content === 'string' ? m.content.split(' ')[0] : ''}`;
};
const labels = (messages: Message[]) => messages.map(label);

/** Every kept tool result has its call kept before it, and every kept call keeps all results the input had. */
function expectToolPairsWhole(original: Message[], kept: Message[]): void {
  const seen = new Set<string>();
  for (const m of kept) {
    if (m.role === 'assistant') for (const c of m.tool_calls ?? []) seen.add(c.id);
    if (m.role === 'tool') expect(seen.has(m.tool_call_id), `orphan ${m.tool_call_id}`).toBe(true);
  }
  const answered = (id: string, list: Message[]) => list.filter((m) => m.role === 'tool' && m.tool_call_id === id);
  for (const id of seen) expect(answered(id, kept).length, `results of ${id}`).toBe(answered(id, original).length);
}

/** The result keeps the input's order (it is a subsequence). */
function expectSubsequence(original: Message[], kept: Message[]): void {
  let j = 0;
  for (const m of original) if (m === kept[j]) j++;
  expect(j).toBe(kept.length);
}

const options = (maxTokens: number, extra: Partial<PruneOptions> = {}): PruneOptions => ({
  maxTokens,
  family: 'GPT',
  ...extra,
});

describe('pruneOldest', () => {
  it('returns the conversation unchanged when it fits', () => {
    const messages = [sys(), user('q1'), reply('a1'), user('q2')];
    const out = pruneOldest(messages, options(10_000));
    expect(out).toEqual({ messages, dropped: 0, tokens: tokens(messages), fits: true });
    expect(out.messages).not.toBe(messages);
  });

  it('drops the oldest turns first and keeps system messages and the last user message', () => {
    const messages = [sys(), user('q1'), reply('a1'), dev(), user('q2'), reply('a2'), user('q3')];
    const minimum = tokens([sys(), dev(), user('q3')]);
    const out = pruneOldest(messages, options(minimum + tokens([reply('a2')]) - 3 + 1));
    expect(labels(out.messages)).toEqual(['system:You', 'developer:Prefer', 'assistant:a2', 'user:q3']);
    expect(out.dropped).toBe(3);
    expect(out.fits).toBe(true);
    expect(out.tokens).toBe(tokens(out.messages));
  });

  it('keeps room for the answer with reserveTokens', () => {
    const messages = [user('q1'), reply('a1'), user('q2')];
    const all = tokens(messages);
    expect(pruneOldest(messages, options(all)).dropped).toBe(0);
    const out = pruneOldest(messages, options(all, { reserveTokens: 1 }));
    expect(out.dropped).toBe(1);
    expect(out.tokens + 1).toBeLessThanOrEqual(all);
  });

  it('counts tools and response_format in the budget', () => {
    const messages = [user('q1'), reply('a1'), user('q2')];
    const tools = [{ type: 'function', function: { name: 'lookup', description: TEXT.repeat(3) } }];
    const budget = tokens(messages);
    expect(pruneOldest(messages, options(budget)).dropped).toBe(0);
    const out = pruneOldest(messages, options(budget, { tools }));
    expect(out.dropped).toBeGreaterThan(0);
    expect(out.tokens).toBe(estimateRequestTokens({ messages: out.messages, tools }, 'GPT').total);
  });

  it('drops a parallel call and all its results together, even when dropping only the call would fit', () => {
    const messages = [sys(), user('q1'), call('a', 'b', 'c'), result('a'), result('b'), result('c'), user('q2')];
    // Just enough to need the first user message and the call gone: the results must go too.
    const out = pruneOldest(messages, options(tokens(messages) - tokens([user('q1')]) - 1));
    expect(labels(out.messages)).toEqual(['system:You', 'user:q2']);
    expect(out.dropped).toBe(5);
  });

  it('keeps results interleaved with user messages attached to their call', () => {
    const messages = [user('q0'), call('a', 'b'), result('a'), user('q1'), result('b'), reply('a1'), user('q2')];
    const out = pruneOldest(messages, options(tokens(messages) - tokens([user('q0')]) + 3 - 1));
    expect(labels(out.messages)).toEqual(['user:q1', 'assistant:a1', 'user:q2']);
    expectToolPairsWhole(messages, out.messages);
  });

  it('pins the final unit: a trailing tool result keeps its call', () => {
    const messages = [user('q1'), reply('a1'), user('q2'), call('x'), result('x')];
    const out = pruneOldest(messages, options(1));
    expect(labels(out.messages)).toEqual(['user:q2', 'call:x', 'tool:x']);
    expect(out.fits).toBe(false);
  });

  it('reports fits: false with the minimum when even that is too big', () => {
    const messages = [sys(TEXT.repeat(50)), user('q1'), reply('a1'), user('q2')];
    const out = pruneOldest(messages, options(100));
    expect(labels(out.messages)).toEqual(['system:This', 'user:q2']);
    expect(out.fits).toBe(false);
    expect(out.dropped).toBe(2);
    expect(out.tokens).toBe(tokens(out.messages));
    expect(pruneOldest([], options(100))).toEqual({ messages: [], dropped: 0, tokens: 3, fits: true });
    expect(pruneOldest([user('q')], options(100, { reserveTokens: 100 })).fits).toBe(false);
  });

  it('rejects a nonsensical budget with a ConfigError', () => {
    expect(() => pruneOldest([user('q')], options(-1))).toThrow(ConfigError);
    expect(() => pruneOldest([user('q')], options(Number.NaN))).toThrow(ConfigError);
    expect(() => pruneOldest([user('q')], options(10, { reserveTokens: -5 }))).toThrow(ConfigError);
  });
});

describe('middleOut', () => {
  const conversation = () => [
    sys(),
    user('q1'),
    reply('a1'),
    user('q2'),
    reply('a2'),
    user('q3'),
    reply('a3'),
    user('q4'),
    reply('a4'),
    user('q5'),
  ];

  it('removes from the middle outwards, keeping the first turn and the latest ones', () => {
    const messages = conversation();
    const one = tokens([reply('a1')]) - 3;
    const out = middleOut(messages, options(tokens(messages) - 2 * one));
    expect(labels(out.messages)).toEqual([
      'system:You',
      'user:q1',
      'assistant:a1',
      'user:q2',
      'assistant:a3',
      'user:q4',
      'assistant:a4',
      'user:q5',
    ]);
    const more = middleOut(messages, options(tokens(messages) - 6 * one));
    // Centre first, older side on ties: q3, a2, a3, q2, q4, a1; the reply right before the question survives.
    expect(labels(more.messages)).toEqual(['system:You', 'user:q1', 'assistant:a4', 'user:q5']);
  });

  it('keeps first and last even when nothing else fits', () => {
    const messages = conversation();
    const out = middleOut(messages, options(1));
    expect(labels(out.messages)).toEqual(['system:You', 'user:q1', 'user:q5']);
    expect(out.fits).toBe(false);
    expect(out.dropped).toBe(7);
  });

  it('keeps tool calls and results together', () => {
    const messages = [
      sys(),
      user('q1'),
      reply('a1'),
      call('a', 'b'),
      result('a'),
      result('b'),
      reply('a2'),
      user('q2'),
    ];
    for (let budget = 0; budget <= tokens(messages); budget += 7) {
      const out = middleOut(messages, options(budget));
      expectToolPairsWhole(messages, out.messages);
      expect(out.messages[0]).toBe(messages[0]);
      expect(out.messages[1]).toBe(messages[1]);
      expect(out.messages.at(-1)).toBe(messages.at(-1));
    }
  });
});

describe('pruning invariants over many shapes', () => {
  // A small deterministic generator of conversations: system prompts, turns, parallel tool calls whose results may
  // be interleaved with user messages, trailing tool results.
  function* conversations(count: number): Generator<Message[]> {
    let seed = 12345;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let n = 0; n < count; n++) {
      const messages: Message[] = random() < 0.8 ? [sys()] : [];
      let next = 0;
      const turns = 1 + Math.floor(random() * 7);
      for (let t = 0; t < turns; t++) {
        messages.push(user(`q${t}`));
        if (random() < 0.15) messages.push(dev());
        if (random() < 0.5) {
          const ids = Array.from({ length: 1 + Math.floor(random() * 3) }, () => `c${next++}`);
          messages.push(call(...ids));
          for (const id of ids) {
            if (random() < 0.2) messages.push(user(`aside${t}`));
            messages.push(result(id));
          }
        }
        if (t < turns - 1 || random() < 0.5) messages.push(reply(`a${t}`));
      }
      yield messages;
    }
  }

  it('never separates tool pairs, never drops pinned messages, and reports tokens honestly', () => {
    let cases = 0;
    let pruned = 0;
    let overflow = 0;
    for (const messages of conversations(150)) {
      const lastUser = messages.findLast((m) => m.role === 'user')!;
      const full = tokens(messages);
      for (const prune of [pruneOldest, middleOut]) {
        for (let budget = 0; budget <= full + 10; budget += Math.max(5, Math.floor(full / 12))) {
          const out = prune(messages, options(budget));
          cases++;
          if (out.dropped > 0) pruned++;
          if (!out.fits) overflow++;
          expectSubsequence(messages, out.messages);
          expectToolPairsWhole(messages, out.messages);
          for (const m of messages)
            if (m.role === 'system' || m.role === 'developer') expect(out.messages).toContain(m);
          expect(out.messages).toContain(lastUser);
          expect(out.messages.at(-1)).toBe(messages.at(-1));
          expect(out.tokens).toBe(tokens(out.messages));
          expect(out.dropped).toBe(messages.length - out.messages.length);
          expect(out.fits).toBe(out.tokens <= budget);
          if (budget >= full) expect(out.dropped).toBe(0);
        }
      }
      for (let limit = 0; limit <= messages.length; limit++) {
        const kept = limitMessages(messages, limit);
        expectSubsequence(messages, kept);
        expectToolPairsWhole(messages, kept);
        expect(kept.filter((m) => m.role !== 'system' && m.role !== 'developer').length).toBeLessThanOrEqual(limit);
      }
    }
    expect(cases).toBeGreaterThan(1000);
    expect(pruned).toBeGreaterThan(cases / 2);
    expect(overflow).toBeGreaterThan(100);
  });
});

describe('limitMessages', () => {
  const messages = [
    sys(),
    user('q1'),
    reply('a1'),
    user('q2'),
    call('a', 'b'),
    result('a'),
    result('b'),
    reply('a2'),
    user('q3'),
  ];

  it('keeps the last N non-system messages and every system message', () => {
    expect(labels(limitMessages(messages, 2))).toEqual(['system:You', 'assistant:a2', 'user:q3']);
    expect(labels(limitMessages([user('q1'), dev(), reply('a1'), user('q2')], 1))).toEqual([
      'developer:Prefer',
      'user:q2',
    ]);
  });

  it('keeps only system messages for 0 (and negative limits)', () => {
    expect(labels(limitMessages(messages, 0))).toEqual(['system:You']);
    expect(labels(limitMessages(messages, -3))).toEqual(['system:You']);
    expect(limitMessages([], 0)).toEqual([]);
  });

  it('returns everything when the limit is at least the length', () => {
    expect(limitMessages(messages, messages.length)).toEqual(messages);
    expect(limitMessages(messages, 1000)).toEqual(messages);
    expect(limitMessages(messages, Number.POSITIVE_INFINITY)).toEqual(messages);
    expect(limitMessages(messages, 1000)).not.toBe(messages);
  });

  it('drops leading tool results whose call was cut off', () => {
    // The last 3 non-system messages start at result('b'), the last 4 at result('a'): both would be orphans.
    expect(labels(limitMessages(messages, 3))).toEqual(['system:You', 'assistant:a2', 'user:q3']);
    expect(labels(limitMessages(messages, 4))).toEqual(['system:You', 'assistant:a2', 'user:q3']);
    // Including the call keeps all its results.
    expect(labels(limitMessages(messages, 5))).toEqual([
      'system:You',
      'call:a,b',
      'tool:a',
      'tool:b',
      'assistant:a2',
      'user:q3',
    ]);
  });

  it('drops cut-off results even when interleaved with user messages', () => {
    const interleaved = [user('q0'), call('a', 'b'), result('a'), user('q1'), result('b'), reply('a1')];
    expect(labels(limitMessages(interleaved, 4))).toEqual(['user:q1', 'assistant:a1']);
    expect(labels(limitMessages(interleaved, 5))).toEqual(['call:a,b', 'tool:a', 'user:q1', 'tool:b', 'assistant:a1']);
  });

  it('drops tool results that never had a call', () => {
    expect(labels(limitMessages([result('ghost'), user('q1')], 10))).toEqual(['user:q1']);
  });

  it('floors fractional limits and rejects NaN', () => {
    expect(labels(limitMessages(messages, 2.9))).toEqual(['system:You', 'assistant:a2', 'user:q3']);
    expect(() => limitMessages(messages, Number.NaN)).toThrow(ConfigError);
  });
});
