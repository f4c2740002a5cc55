import { describe, expect, it } from 'vitest';
import { countChars } from '../src/context/char-classes.js';
import { countCharsCached } from '../src/context/count-cache.js';
import { estimateRequestTokens, estimateTextTokens } from '../src/context/index.js';
import type { Message } from '../src/protocol/messages.js';

const PROSE =
  'The quick brown fox jumps over the lazy dog. A journey of a thousand miles begins with a single step, ' +
  'and every long conversation with a language model begins with a short prompt.';
const FAMILIES = [
  'GPT',
  'Claude',
  'Gemini',
  'Gemma',
  'Grok',
  'Cohere',
  'Nova',
  'Qwen',
  'Qwen3',
  'Yi',
  'DeepSeek',
  'Mistral',
  'Llama2',
  'Llama3',
  'Llama4',
  'PaLM',
  'RWKV',
  'Router',
  'Media',
  'Other',
];

describe('countChars', () => {
  it('counts classes and runs in one pass', () => {
    const c = countChars('Hello, world! 1234\n  x = {"a": 1}');
    expect(c.letters).toBe(12);
    expect(c.words).toBe(4); // Hello, world, x, a
    expect(c.digits).toBe(5);
    expect(c.digitGroups).toBe(3); // 123|4 and 1
    expect(c.breaks).toBe(1); // "\n  " (single spaces are free)
  });

  it('classifies CJK, emoji (surrogate pairs once) and other scripts', () => {
    expect(countChars('漢字かなカナ한글').cjk).toBe(8);
    const emoji = countChars('🎉👍❤');
    expect(emoji.emoji).toBe(3);
    expect(emoji.other).toBe(0);
    const accented = countChars('café привет');
    expect(accented.other).toBe(7); // é + 6 Cyrillic letters
    expect(accented.words).toBe(2); // non-ASCII letters extend words
  });

  it('lets one punctuation character ride on the following word', () => {
    expect(countChars('a.append').punctRuns).toBe(0);
    expect(countChars('a..b').punctRuns).toBe(1);
  });
});

describe('estimateTextTokens', () => {
  it('is 0 for empty text and at least 1 otherwise', () => {
    expect(estimateTextTokens('')).toBe(0);
    expect(estimateTextTokens('a')).toBe(1);
    expect(estimateTextTokens(' ')).toBe(1);
  });

  it('grows monotonically as text is appended', () => {
    for (const family of ['GPT', 'Claude', 'Llama2', undefined]) {
      let previous = 0;
      for (let n = 1; n <= 40; n++) {
        const tokens = estimateTextTokens(PROSE.repeat(n), family);
        expect(tokens).toBeGreaterThanOrEqual(previous);
        previous = tokens;
      }
      let prefix = 0;
      for (let end = 1; end <= PROSE.length; end++) {
        const tokens = estimateTextTokens(PROSE.slice(0, end), family);
        // A prefix can only be cheaper, up to the rounding of one split run.
        expect(tokens).toBeGreaterThanOrEqual(prefix - 1);
        prefix = Math.max(prefix, tokens);
      }
    }
  });

  it('lands near 4 characters per token on English for GPT', () => {
    const text = PROSE.repeat(20);
    const ratio = text.length / estimateTextTokens(text, 'GPT');
    expect(ratio).toBeGreaterThan(3.6);
    expect(ratio).toBeLessThan(4.6);
  });

  it('orders families by their documented density on English', () => {
    const text = PROSE.repeat(10);
    const t = (family: string) => estimateTextTokens(text, family);
    expect(t('Claude')).toBeGreaterThan(t('GPT'));
    expect(t('Llama2')).toBeGreaterThan(t('Llama3'));
    expect(t('Mistral')).toBeGreaterThan(t('GPT'));
    expect(t('Qwen')).toBeGreaterThan(t('GPT'));
    expect(t('Llama3')).toBeGreaterThan(t('GPT'));
    expect(t('Gemini')).toBe(t('GPT'));
    expect(t('Qwen3')).toBe(t('Qwen'));
  });

  it('accepts every catalog family, case-insensitively; unknown ones get the pessimistic default', () => {
    for (const family of FAMILIES) expect(estimateTextTokens(PROSE, family)).toBeGreaterThan(20);
    expect(estimateTextTokens(PROSE, 'gpt')).toBe(estimateTextTokens(PROSE, 'GPT'));
    expect(estimateTextTokens(PROSE, 'NewThing')).toBe(estimateTextTokens(PROSE, 'Other'));
    expect(estimateTextTokens(PROSE)).toBe(estimateTextTokens(PROSE, 'Other'));
    expect(estimateTextTokens(PROSE)).toBeGreaterThanOrEqual(estimateTextTokens(PROSE, 'Claude'));
  });

  it('counts code and JSON denser than prose', () => {
    const code = 'for (let i = 0; i < items.length; i++) {\n  if (items[i].id === id) return items[i];\n}\n'.repeat(5);
    const json = JSON.stringify({ id: 1, name: 'x', tags: ['a', 'b'], nested: { ok: true, n: null } }).repeat(5);
    const prose = PROSE.slice(0, code.length);
    const per = (text: string) => text.length / estimateTextTokens(text, 'GPT');
    expect(per(code)).toBeLessThan(per(prose));
    expect(per(json)).toBeLessThan(per(prose));
  });

  it('splits numbers by family: digit groups for tiktoken, single digits for SentencePiece', () => {
    const digits = '1234567890'.repeat(10);
    expect(estimateTextTokens(digits, 'GPT')).toBe(34); // ⌈100 / 3⌉
    expect(estimateTextTokens(digits, 'Llama2')).toBe(100);
    expect(estimateTextTokens(digits, 'Gemma')).toBe(100);
  });

  it('charges CJK per character, about 1–1.5 characters per token', () => {
    const chinese = '人工智能正在改变世界的每一个角落我们需要理解它的原理'.repeat(4);
    for (const family of ['GPT', 'Claude', 'Gemini', 'Qwen', 'DeepSeek', 'Llama3']) {
      const per = chinese.length / estimateTextTokens(chinese, family);
      expect(per).toBeGreaterThanOrEqual(0.95);
      expect(per).toBeLessThanOrEqual(1.55);
    }
    // Chinese-first vocabularies are cheaper than a 32k SentencePiece one that falls back to bytes.
    expect(estimateTextTokens(chinese, 'Qwen')).toBeLessThan(estimateTextTokens(chinese, 'GPT'));
    expect(estimateTextTokens(chinese, 'Llama2')).toBeGreaterThan(estimateTextTokens(chinese, 'GPT'));
    // Far more tokens per character than English.
    expect(estimateTextTokens(chinese, 'GPT') / chinese.length).toBeGreaterThan(
      estimateTextTokens(PROSE, 'GPT') / PROSE.length,
    );
  });

  it('counts an emoji once, not per UTF-16 unit, and more in small vocabularies', () => {
    expect(estimateTextTokens('🎉', 'Gemini')).toBe(1);
    expect(estimateTextTokens('🎉🎉🎉🎉', 'GPT')).toBe(6);
    expect(estimateTextTokens('🎉🎉🎉🎉', 'Llama2')).toBe(12);
    // A ZWJ family is a few emoji plus cheap joiners, not seven independent symbols.
    const family = estimateTextTokens('👨‍👩‍👧', 'GPT');
    expect(family).toBeGreaterThanOrEqual(4);
    expect(family).toBeLessThanOrEqual(6);
  });

  it('handles lone surrogates without throwing', () => {
    expect(estimateTextTokens('\ud83d oops \ude00', 'GPT')).toBeGreaterThan(0);
  });

  it('is fast: a megabyte in well under a second', () => {
    const text = `${PROSE} 漢字 🎉 {"a":1}\n`.repeat(6000);
    const start = performance.now();
    estimateTextTokens(text, 'GPT');
    expect(performance.now() - start).toBeLessThan(500);
  });
});

describe('estimateRequestTokens', () => {
  const hello: Message = { role: 'user', content: 'Hello' };

  it('frames GPT messages as 4 per message + 3 priming', () => {
    const one = estimateRequestTokens({ messages: [hello] }, 'GPT');
    expect(one.perMessage).toEqual([4 + estimateTextTokens('Hello', 'GPT')]);
    expect(one.total).toBe(3 + one.perMessage[0]!);
    const two = estimateRequestTokens({ messages: [hello, hello] }, 'GPT');
    expect(two.total - one.total).toBe(one.perMessage[0]);
    expect(estimateRequestTokens({ messages: [] }, 'GPT')).toEqual({ total: 3, perMessage: [] });
  });

  it('uses each family’s framing', () => {
    const gpt = estimateRequestTokens({ messages: [hello] }, 'GPT').total;
    expect(estimateRequestTokens({ messages: [hello] }, 'Qwen').total).toBe(gpt + 1); // ChatML: 5 per message
    expect(estimateRequestTokens({ messages: [hello] }, 'Llama3').total).toBe(gpt + 3); // headers + BOS
  });

  it('counts names, text parts, and media by flat family estimates', () => {
    const image = (detail?: 'low' | 'high'): Message => ({
      role: 'user',
      content: [{ type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA', ...(detail ? { detail } : {}) } }],
    });
    const only = (m: Message, family: string) => estimateRequestTokens({ messages: [m] }, family).perMessage[0]! - 4;
    expect(only(image('low'), 'GPT')).toBe(85);
    expect(only(image('high'), 'GPT')).toBe(765);
    expect(only(image(), 'GPT')).toBe(765);
    expect(only(image('low'), 'Claude') + 4 - 5).toBe(1600); // Claude ignores detail; 5 per message
    const media: Message = {
      role: 'user',
      content: [
        { type: 'input_audio', input_audio: { data: 'AAAA', format: 'wav' } },
        { type: 'file', file: { filename: 'a.pdf', file_data: 'data:application/pdf;base64,AAAA' } },
        { type: 'video_url', video_url: { url: 'https://example.com/v.mp4' } },
      ],
    };
    expect(only(media, 'GPT')).toBe(200 + 500 + 500);
    const named: Message = { role: 'user', name: 'alice', content: 'Hi' };
    expect(only(named, 'GPT')).toBe(estimateTextTokens('Hi', 'GPT') + estimateTextTokens('alice', 'GPT') + 1);
  });

  it('never counts base64 payloads as text', () => {
    const big = `data:image/png;base64,${'A'.repeat(200_000)}`;
    const request = { messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: big } }] }] };
    expect(estimateRequestTokens(request as { messages: Message[] }, 'GPT').total).toBe(3 + 4 + 765);
  });

  it('counts tools, json_schema, tool calls and tool results', () => {
    const tools = [
      {
        type: 'function',
        function: { name: 'lookup', description: 'Look a word up', parameters: { type: 'object', properties: {} } },
      },
    ];
    const base = estimateRequestTokens({ messages: [hello] }, 'GPT').total;
    const withTools = estimateRequestTokens({ messages: [hello], tools }, 'GPT').total;
    expect(withTools - base).toBe(10 + estimateTextTokens(JSON.stringify(tools), 'GPT'));
    // Claude adds its documented 346-token tool-use system prompt.
    const claude = estimateRequestTokens({ messages: [hello] }, 'Claude').total;
    expect(estimateRequestTokens({ messages: [hello], tools }, 'Claude').total - claude).toBeGreaterThan(346);
    expect(estimateRequestTokens({ messages: [hello], tools: [] }, 'GPT').total).toBe(base);

    const schema = { name: 'x', schema: { type: 'object', properties: { a: { type: 'string' } } } };
    const format = { type: 'json_schema', json_schema: schema };
    expect(estimateRequestTokens({ messages: [hello], response_format: format }, 'GPT').total - base).toBe(
      estimateTextTokens(JSON.stringify(schema), 'GPT'),
    );
    expect(estimateRequestTokens({ messages: [hello], response_format: { type: 'json_object' } }, 'GPT').total).toBe(
      base,
    );

    const args = JSON.stringify({ word: 'serendipity', language: 'en' });
    const call: Message = {
      role: 'assistant',
      content: null,
      tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'lookup', arguments: args } }],
    };
    const { perMessage } = estimateRequestTokens({ messages: [call] }, 'GPT');
    expect(perMessage[0]).toBe(
      4 +
        3 +
        estimateTextTokens('call_1', 'GPT') +
        estimateTextTokens('lookup', 'GPT') +
        estimateTextTokens(args, 'GPT'),
    );
    const result: Message = { role: 'tool', tool_call_id: 'call_1', content: 'a happy accident' };
    expect(estimateRequestTokens({ messages: [result] }, 'GPT').perMessage[0]).toBe(
      4 + estimateTextTokens('a happy accident', 'GPT') + estimateTextTokens('call_1', 'GPT'),
    );
  });

  it('ignores replayed reasoning and survives odd shapes', () => {
    const reasoning: Message = {
      role: 'assistant',
      content: 'Yes.',
      reasoning: 'long hidden chain of thought '.repeat(100),
      reasoning_details: [{ type: 'reasoning.encrypted', data: 'x'.repeat(5000) }],
    };
    expect(estimateRequestTokens({ messages: [reasoning] }, 'GPT').perMessage[0]).toBe(4 + 2);
    const odd = [
      { role: 'assistant', content: null },
      { role: 'user', content: [{ type: 'text', text: 'hi' }, { type: 'mystery', text: 'there' }, { type: 'blob' }] },
    ] as Message[];
    const text = estimateTextTokens('hi', 'GPT') + estimateTextTokens('there', 'GPT');
    expect(estimateRequestTokens({ messages: odd }, 'GPT').perMessage).toEqual([4, 4 + text]);
    const cyclic: { self?: unknown } = {};
    cyclic.self = cyclic;
    expect(estimateRequestTokens({ messages: [hello], tools: [cyclic] }, 'GPT').total).toBeGreaterThan(0);
  });

  it("estimates a request's own odd tool calls at what they hold instead of throwing", () => {
    const call = (value: unknown) => [{ role: 'assistant', content: null, tool_calls: value }] as unknown as Message[];
    for (const odd of [5, {}, true, 'calls', [null], [5]]) {
      expect(estimateRequestTokens({ messages: call(odd) }, 'GPT').perMessage).toEqual([4]);
    }
    const args = { city: 'Oslo' };
    const asObject = estimateRequestTokens({ messages: call([{ id: [1], function: { name: 'f', arguments: args } }]) });
    const asText = estimateRequestTokens({
      messages: call([{ id: '[1]', function: { name: 'f', arguments: JSON.stringify(args) } }]),
    });
    expect(asObject.total).toBe(asText.total);
    const tool = [{ role: 'tool', content: 'ok', tool_call_id: 7 }] as unknown as Message[];
    expect(estimateRequestTokens({ messages: tool }, 'GPT').total).toBeGreaterThan(0);
  });
});

describe('counting long texts once', () => {
  // A deterministic mix of words, digits, punctuation, CJK and emoji, different for each seed.
  const text = (seed: number, length: number): string => {
    const pieces = ['alpha ', 'beta, ', '12345 ', '{"k":1} ', '東京 ', '🙂 ', '\n  ', 'gamma. '];
    let out = '';
    let state = seed;
    while (out.length < length) {
      state = (state * 1103515245 + 12345) % 2147483648;
      out += pieces[state % pieces.length];
    }
    return out.slice(0, length);
  };

  it('gives the same counts as counting, for texts of equal length too (long ones hash by length alone)', () => {
    const texts = [text(1, 600), text(2, 600), text(3, 20_000), text(4, 20_000), text(5, 100)];
    for (let round = 0; round < 2; round++)
      for (const t of texts) expect(countCharsCached(t), `${t.length} chars`).toEqual(countChars(t));
    expect(estimateTextTokens(texts[2] as string)).not.toBe(estimateTextTokens(texts[3] as string));
  });

  it('remembers a long text (a fresh copy of it too) and not a short one; forgets the oldest past its bound', () => {
    const long = text(6, 5_000);
    const first = countCharsCached(long);
    expect(countCharsCached(JSON.parse(JSON.stringify(long)) as string)).toBe(first);
    const short = text(7, 100);
    expect(countCharsCached(short)).not.toBe(countCharsCached(short));
    // Over 4 million characters of other texts push it out.
    for (let i = 0; i < 45; i++) countCharsCached(text(100 + i, 100_000));
    const again = countCharsCached(long);
    expect(again).not.toBe(first);
    expect(again).toEqual(first);
  });

  it('estimates a request the same with the cache warm or cold', () => {
    const messages: Message[] = [
      { role: 'system', content: text(8, 2_000) },
      { role: 'user', content: [{ type: 'text', text: text(9, 3_000) }] },
    ];
    const cold = estimateRequestTokens({ messages }, 'Claude');
    const warm = estimateRequestTokens({ messages: JSON.parse(JSON.stringify(messages)) as Message[] }, 'Claude');
    expect(warm).toEqual(cold);
  });
});
