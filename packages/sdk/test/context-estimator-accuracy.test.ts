import { type SimulatorHandle, startSimulator } from '@switchyard/simulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { estimateRequestTokens } from '../src/context/index.js';
import type { Message } from '../src/protocol/messages.js';

/**
 * How far our GPT-family estimate is from the simulator's `prompt_tokens` (⌈UTF-8 bytes / 4⌉ per text, +4 per
 * message, +3 priming, 85 per image, tools and json_schema as JSON text). The bands say where we disagree on
 * purpose: the simulator is a byte count, our estimator models BPE, which is denser on code and JSON
 * (≈ 3–3.5 characters per token instead of 4) and charges more for emoji and high-detail images.
 *   prose, chat: ±15%      code: −10% … +30%      json, tools: −10% … +35%
 *   cjk: ±15% (0.8 vs 0.75 per character)          emoji: −10% … +50% (1.5 vs 1 per emoji)
 *   image-high: our estimate minus 680 per image (765 − 85) within ±15% (detail "auto"/"high": tiles)
 */
type Kind = 'prose' | 'chat' | 'code' | 'json' | 'tools' | 'cjk' | 'emoji' | 'image-high';
const BANDS: Record<Kind, [number, number]> = {
  prose: [-0.15, 0.15],
  chat: [-0.15, 0.15],
  code: [-0.1, 0.3],
  json: [-0.1, 0.35],
  tools: [-0.1, 0.35],
  cjk: [-0.15, 0.15],
  emoji: [-0.1, 0.5],
  'image-high': [-0.15, 0.15],
};

interface Case {
  name: string;
  kind: Kind;
  messages: Message[];
  tools?: unknown[];
  response_format?: unknown;
}

const LONG_ENGLISH =
  `The history of computing is longer than the history of computing hardware and modern computing technology \
and includes the history of methods intended for pen and paper or for chalk and slate, with or without the aid of \
tables. Digital computing is intimately tied to the representation of numbers. But long before abstractions like the \
number arose, there were mathematical concepts to serve the purposes of civilization. These concepts are implicit in \
concrete practices such as one-to-one correspondence, the basis of counting, and comparison to a standard, used for \
measurement. Eventually, the concept of numbers became concrete and familiar enough for counting to arise, at times \
with sing-song mnemonics to teach sequences to others. All known human languages have words for at least "one" and \
"two", and even some animals like the blackbird can distinguish a surprising number of separate items.\n\n`.repeat(6);

const TS_CODE = `import { readFile } from 'node:fs/promises';

export interface User {
  id: string;
  name: string;
  email?: string;
}

export async function loadUsers(path: string): Promise<User[]> {
  const raw = await readFile(path, 'utf8');
  const rows = JSON.parse(raw) as unknown[];
  return rows.filter((row): row is User => typeof row === 'object' && row !== null && 'id' in row);
}

export function byId(users: User[]): Map<string, User> {
  const map = new Map<string, User>();
  for (const user of users) map.set(user.id, user);
  return map;
}
`;

const PY_CODE = `def fibonacci(n: int) -> list[int]:
    """Return the first n Fibonacci numbers."""
    result = []
    a, b = 0, 1
    for _ in range(n):
        result.append(a)
        a, b = b, a + b
    return result


class Cache:
    def __init__(self, size: int = 128) -> None:
        self.size = size
        self.items: dict[str, object] = {}

    def get(self, key: str) -> object | None:
        return self.items.get(key)
`;

const RECORD = {
  id: 1,
  name: 'Leanne Graham',
  username: 'Bret',
  email: 'Sincere@april.biz',
  address: { street: 'Kulas Light', suite: 'Apt. 556', city: 'Gwenborough', zipcode: '92998-3874' },
  phone: '1-770-736-8031 x56442',
  website: 'hildegard.org',
  company: { name: 'Romaguera-Crona', catchPhrase: 'Multi-layered client-server neural-net' },
};

const WEATHER_TOOLS = [
  {
    type: 'function',
    function: {
      name: 'get_weather',
      description: 'Get the current weather for a city',
      parameters: {
        type: 'object',
        properties: {
          city: { type: 'string', description: 'City name, e.g. Paris' },
          unit: { type: 'string', enum: ['celsius', 'fahrenheit'] },
        },
        required: ['city'],
      },
    },
  },
  {
    type: 'function',
    function: {
      name: 'get_time',
      description: 'Get the local time in a timezone',
      parameters: { type: 'object', properties: { timezone: { type: 'string' } }, required: ['timezone'] },
    },
  },
];

const PIXEL =
  'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';
const user = (content: Message['content'] & string): Message => ({ role: 'user', content });
const system = (content: string): Message => ({ role: 'system', content });
const assistant = (content: string): Message => ({ role: 'assistant', content });

const CASES: Case[] = [
  { name: 'short hello', kind: 'chat', messages: [user('Hello, world!')] },
  {
    name: 'system + question',
    kind: 'chat',
    messages: [
      system('You are a helpful assistant. Answer briefly and cite your sources.'),
      user('What is the capital of Australia, and why was it chosen over Sydney and Melbourne?'),
    ],
  },
  { name: 'long English', kind: 'prose', messages: [user(LONG_ENGLISH)] },
  {
    name: 'English letter',
    kind: 'prose',
    messages: [
      user(
        "I'd like to book a table for four people on Friday evening, ideally around 7:30 pm. We'd prefer somewhere " +
          "quiet, because it's my grandmother's 90th birthday and she doesn't like loud music. Could you also " +
          "recommend a dessert that isn't too sweet? Thanks so much, and I'm looking forward to hearing from you.",
      ),
    ],
  },
  {
    name: 'multi-turn chat',
    kind: 'chat',
    messages: [
      system('You are a friendly travel agent.'),
      user('I want to visit Japan in spring. Where should I go?'),
      assistant(
        'Spring is cherry blossom season. Kyoto, Tokyo and Hiroshima are classics; for fewer crowds try Kanazawa ' +
          'or the Yoshino mountains near Nara.',
      ),
      user('How many days would you spend in Kyoto?'),
      assistant('Three to four days covers the main temples, Arashiyama and a day trip to Nara.'),
      user('Great, and what about getting around?'),
    ],
  },
  { name: 'TypeScript code', kind: 'code', messages: [user(`Review this module:\n\n${TS_CODE}`)] },
  { name: 'Python code', kind: 'code', messages: [user(`Explain this:\n\n${PY_CODE}`)] },
  { name: 'JSON pretty', kind: 'json', messages: [user(`Summarise:\n${JSON.stringify(RECORD, null, 2)}`)] },
  { name: 'JSON minified', kind: 'json', messages: [user(JSON.stringify([RECORD, { ...RECORD, id: 2 }]))] },
  {
    name: 'json_schema format',
    kind: 'json',
    messages: [user('Extract the name and age of the person: Alice is 31 years old and lives in Lyon.')],
    response_format: {
      type: 'json_schema',
      json_schema: {
        name: 'person',
        strict: true,
        schema: {
          type: 'object',
          properties: { name: { type: 'string' }, age: { type: 'integer' } },
          required: ['name', 'age'],
          additionalProperties: false,
        },
      },
    },
  },
  {
    name: 'Chinese',
    kind: 'cjk',
    messages: [user('请用简单的语言解释一下量子计算的基本原理，以及它和传统计算机有什么不同。')],
  },
  {
    name: 'Japanese',
    kind: 'cjk',
    messages: [user('東京で一番おいしいラーメン屋さんはどこですか？できれば駅から近いところを教えてください。')],
  },
  { name: 'Korean', kind: 'cjk', messages: [user('안녕하세요. 오늘 서울의 날씨는 어떤가요? 우산을 가져가야 할까요?')] },
  { name: 'emoji heavy', kind: 'emoji', messages: [user('🎉🎉🎉 Party time! 🥳🍕🍺🎶 See you there 😎👍')] },
  {
    name: 'tools defined',
    kind: 'tools',
    messages: [user('What is the weather in Paris right now?')],
    tools: WEATHER_TOOLS,
  },
  {
    name: 'tool call + result',
    kind: 'tools',
    tools: WEATHER_TOOLS,
    messages: [
      system('Use the tools when needed.'),
      user('What is the weather in Paris and the time in Tokyo?'),
      {
        role: 'assistant',
        content: null,
        tool_calls: [
          { id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
          { id: 'call_2', type: 'function', function: { name: 'get_time', arguments: '{"timezone":"Asia/Tokyo"}' } },
        ],
      },
      { role: 'tool', tool_call_id: 'call_1', content: '{"temperature":18,"unit":"celsius","sky":"cloudy"}' },
      { role: 'tool', tool_call_id: 'call_2', content: '{"time":"2025-04-02T21:14:00+09:00"}' },
      user('Thanks! Should I bring an umbrella in Paris?'),
    ],
  },
  {
    name: 'long agent turn',
    kind: 'chat',
    tools: WEATHER_TOOLS,
    messages: [
      system('You are a careful assistant. Think step by step, use tools, and explain your reasoning in prose.'),
      user(LONG_ENGLISH.slice(0, 1500)),
      {
        role: 'assistant',
        content: 'Let me check the weather first.',
        tool_calls: [
          { id: 'call_9', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Oslo"}' } },
        ],
      },
      { role: 'tool', tool_call_id: 'call_9', content: 'It is raining in Oslo with a light breeze from the west.' },
      assistant(LONG_ENGLISH.slice(1500, 2500)),
      user('Summarise all of that in two sentences, please.'),
    ],
  },
  {
    name: 'image low detail',
    kind: 'chat',
    messages: [
      {
        role: 'user',
        content: [
          { type: 'text', text: 'What is in this picture? Describe the colours and the mood.' },
          { type: 'image_url', image_url: { url: PIXEL, detail: 'low' } },
        ],
      },
    ],
  },
  {
    name: 'two images low',
    kind: 'chat',
    messages: [
      {
        role: 'user',
        content: [
          { type: 'image_url', image_url: { url: PIXEL, detail: 'low' } },
          { type: 'image_url', image_url: { url: PIXEL, detail: 'low' } },
          { type: 'text', text: 'Which of these two images is brighter?' },
        ],
      },
    ],
  },
  {
    name: 'image auto detail',
    kind: 'image-high',
    messages: [
      {
        role: 'user',
        content: [
          { type: 'text', text: 'Read the text in this screenshot.' },
          { type: 'image_url', image_url: { url: PIXEL } },
        ],
      },
    ],
  },
  {
    name: 'mixed everything',
    kind: 'chat',
    messages: [
      system('Answer in the language of the question.'),
      user(`Compare these:\n${LONG_ENGLISH.slice(0, 800)}\nand then translate: 早上好，今天天气很好。👋`),
    ],
  },
];

interface Row {
  name: string;
  kind: Kind;
  simulator: number;
  estimate: number;
  delta: number;
}

describe('token estimator accuracy against the simulator (GPT family)', () => {
  let sim: SimulatorHandle;
  const rows: Row[] = [];

  beforeAll(async () => {
    sim = await startSimulator();
  });
  afterAll(async () => {
    await sim?.close();
    if (rows.length === 0) return;
    const line = (cells: string[]) =>
      `${cells[0]!.padEnd(20)} ${cells[1]!.padEnd(10)} ${cells
        .slice(2)
        .map((c) => c.padStart(9))
        .join(' ')}`;
    const percent = (d: number) => `${d >= 0 ? '+' : ''}${(d * 100).toFixed(1)}%`;
    const mean = rows.reduce((sum, r) => sum + Math.abs(r.delta), 0) / rows.length;
    console.log(
      [
        line(['case', 'kind', 'simulator', 'estimate', 'Δ']),
        ...rows.map((r) => line([r.name, r.kind, String(r.simulator), String(r.estimate), percent(r.delta)])),
        `mean |Δ| ${percent(mean)} over ${rows.length} requests`,
      ].join('\n'),
    );
  });

  it.each(CASES)('$name ($kind)', async (c) => {
    const response = await fetch(`${sim.url}/chat/completions`, {
      method: 'POST',
      headers: { Authorization: 'Bearer sk-or-v1-test', 'Content-Type': 'application/json' },
      body: JSON.stringify({
        model: 'openai/gpt-4o-mini',
        messages: c.messages,
        max_tokens: 1,
        ...(c.tools ? { tools: c.tools } : {}),
        ...(c.response_format ? { response_format: c.response_format } : {}),
      }),
    });
    const body = (await response.json()) as { usage?: { prompt_tokens: number } };
    expect(response.status, JSON.stringify(body)).toBe(200);
    const simulator = body.usage!.prompt_tokens;
    const estimate = estimateRequestTokens(c, 'GPT').total;
    const images = c.kind === 'image-high' ? 1 : 0;
    // High-detail images: compare the rest of the request once the documented per-image difference is taken out.
    const delta = (estimate - images * (765 - 85) - simulator) / simulator;
    rows.push({ name: c.name, kind: c.kind, simulator, estimate, delta });
    const [low, high] = BANDS[c.kind];
    expect(delta).toBeGreaterThanOrEqual(low);
    expect(delta).toBeLessThanOrEqual(high);
  });
});
