/**
 * What the Responses dialect sends upstream and what it makes of upstream fields the simulator never produces. The
 * gateway talks to a simulator through a recording proxy on loopback: the proxy keeps every chat request body the
 * gateway sent, and for a request whose last user text holds a marker it rewrites the simulator's real answer (JSON
 * or SSE) as an upstream would send it — `[cite]` adds OpenRouter's `url_citation` annotations (web search), `[refuse]`
 * turns the text into a `refusal`. Clients are the real `openai` package. Every request goes to 127.0.0.1.
 */
import { type SimulatorHandle, startSimulator } from '@switchyard/simulator';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { type RecordingProxy, type SentChat, startRecordingProxy } from '../support/recording-proxy.js';

type Json = Record<string, any>;

const MODEL = 'openai/gpt-4o-mini';
const ANTHROPIC = 'anthropic/claude-3.5-haiku';

/** Annotations as OpenRouter sends them: nested `url_citation`, fields possibly missing, and a file annotation. */
const UPSTREAM_ANNOTATIONS = [
  {
    type: 'url_citation',
    url_citation: { url: 'https://example.com/rivers', title: 'Rivers', content: 'x', start_index: 0, end_index: 6 },
  },
  { type: 'url_citation', url_citation: { url: 'https://example.com/sea' } },
  { type: 'file', file: { hash: 'h', name: 'a.pdf', content: [] } },
];
/** The same as `output_text` annotations in the Responses shape. */
const CITATIONS = [
  { type: 'url_citation', url: 'https://example.com/rivers', title: 'Rivers', start_index: 0, end_index: 6 },
  { type: 'url_citation', url: 'https://example.com/sea', title: '', start_index: 0, end_index: 0 },
];

let simulator: SimulatorHandle;
let proxy: RecordingProxy;
let gateway: TestGateway;

function lastUserText(body: Json): string {
  const user = [...((body.messages as Json[] | undefined) ?? [])].reverse().find((m) => m.role === 'user');
  const content = user?.content;
  return typeof content === 'string' ? content : JSON.stringify(content ?? '');
}

/** One chat answer as the marked upstream behaviour sends it. */
function rewrite(answer: string, mode: 'cite' | 'refuse', stream: boolean): string {
  const edit = (message: Json, last: boolean) => {
    if (mode === 'cite' && last) message.annotations = UPSTREAM_ANNOTATIONS;
    if (mode === 'refuse' && typeof message.content === 'string' && message.content !== '') {
      message.refusal = message.content;
      message.content = null;
    }
  };
  if (!stream) {
    const body = JSON.parse(answer) as Json;
    edit(body.choices[0].message, true);
    return JSON.stringify(body);
  }
  return answer
    .split('\n\n')
    .map((frame) => {
      if (!frame.startsWith('data: {')) return frame;
      const chunk = JSON.parse(frame.slice(6)) as Json;
      const choice = chunk.choices?.[0];
      if (choice?.delta) edit(choice.delta, choice.finish_reason !== null && choice.finish_reason !== undefined);
      return `data: ${JSON.stringify(chunk)}`;
    })
    .join('\n\n');
}

/** The marked upstream behaviour of a chat request whose last user text holds `[cite]` or `[refuse]`. */
function marked(answer: string, chat: SentChat): string | undefined {
  const text = lastUserText(chat.body);
  const mode = text.includes('[cite]') ? 'cite' : text.includes('[refuse]') ? 'refuse' : undefined;
  return mode && rewrite(answer, mode, chat.body.stream === true);
}

beforeAll(async () => {
  // Prompts of a test are short: let the simulated cache take prefixes from 16 tokens (real providers: 1,024+).
  simulator = await startSimulator({ port: 0, pace: 'instant', scenario: { cacheMinTokens: 16 } });
  proxy = await startRecordingProxy(simulator.url, marked);
  gateway = await startTestGateway({
    env: { OPENROUTER_API_KEY: 'sk-or-v1-responses-upstream', OPENROUTER_BASE_URL: proxy.baseURL },
  });
});

afterAll(async () => {
  await gateway?.stop();
  await proxy?.close();
  await simulator?.close();
});

function client(): OpenAI {
  return new OpenAI({ baseURL: gateway.baseURL, apiKey: 'anything', maxRetries: 0, timeout: 15_000 });
}

const breakpoint = { type: 'ephemeral' } as const;

describe('Responses requests upstream', () => {
  it("turns hosted web search into OpenRouter's web plugin with its options; function tools stay tools", async () => {
    proxy.sent.length = 0;
    const weather = { type: 'function' as const, name: 'get_weather', parameters: { type: 'object' }, strict: false };
    await client().responses.create({
      model: MODEL,
      input: 'Say exactly: searched',
      tools: [
        {
          type: 'web_search',
          filters: { allowed_domains: ['met.no'] },
          search_context_size: 'high',
          user_location: { type: 'approximate', city: 'Oslo' },
        },
        weather,
      ],
      tool_choice: 'auto',
    });
    expect(proxy.sent.at(-1)?.body).toMatchObject({
      plugins: [{ id: 'web', include_domains: ['met.no'], user_location: { type: 'approximate', city: 'Oslo' } }],
      tools: [{ type: 'function', function: { name: 'get_weather' } }],
      tool_choice: 'auto',
    });
    // Web search alone: no tools and no tool choice upstream (the plugin searches anyway); a web plugin of the
    // caller's own is kept as it is.
    const alone = await client().responses.create({
      model: MODEL,
      input: 'Say exactly: searched',
      tools: [{ type: 'web_search_preview' }],
      tool_choice: { type: 'web_search_preview' },
      plugins: [{ id: 'web', max_results: 2 }],
    } as never);
    expect(alone.output_text).toBe('searched');
    const body = proxy.sent.at(-1)?.body;
    expect(body).toMatchObject({ plugins: [{ id: 'web', max_results: 2 }] });
    expect(body).not.toHaveProperty('tools');
    expect(body).not.toHaveProperty('tool_choice');
    // tool_choice "none" rules out searching too.
    await client().responses.create({
      model: MODEL,
      input: 'Say exactly: none',
      tools: [{ type: 'web_search' }],
      tool_choice: 'none',
    });
    expect(proxy.sent.at(-1)?.body).not.toHaveProperty('plugins');
  });

  it('carries the prompt-caching and routing fields and every cache_control breakpoint to OpenRouter', async () => {
    const created = await client().responses.create({
      model: MODEL,
      instructions: 'Be brief.',
      prompt_cache_key: 'tenant-7',
      safety_identifier: 'user-hash-1',
      service_tier: 'priority',
      metadata: { ticket: 'T-9' },
      truncation: 'auto',
      input: [
        // The input's types have no `cache_control`: it is OpenRouter's extension, sent as the AI SDK and others do.
        { role: 'developer', content: [{ type: 'input_text', text: 'Long shared rules.', cache_control: breakpoint }] },
        {
          role: 'user',
          content: [
            { type: 'input_text', text: 'Shared context.', cache_control: { type: 'ephemeral', ttl: '1h' } },
            { type: 'input_text', text: 'Say exactly: cached' },
          ],
        },
      ] as never,
      tools: [{ type: 'function', name: 'lookup', parameters: null, strict: null, cache_control: breakpoint } as never],
      tool_choice: 'none',
      // OpenRouter's own fields, which openai's types do not know.
      ...({ session_id: 'session-42', cache_control: { type: 'ephemeral', ttl: '5m' } } as object),
    });
    expect(created.status).toBe('completed');
    const sent = proxy.sent.at(-1)?.body as Json;
    expect(sent).toMatchObject({
      prompt_cache_key: 'tenant-7',
      session_id: 'session-42',
      service_tier: 'priority',
      metadata: { ticket: 'T-9' },
      cache_control: { type: 'ephemeral', ttl: '5m' },
      user: 'user-hash-1',
    });
    expect(sent.messages).toEqual([
      { role: 'system', content: 'Be brief.' },
      { role: 'system', content: [{ type: 'text', text: 'Long shared rules.', cache_control: breakpoint }] },
      {
        role: 'user',
        content: [
          { type: 'text', text: 'Shared context.', cache_control: { type: 'ephemeral', ttl: '1h' } },
          { type: 'text', text: 'Say exactly: cached' },
        ],
      },
    ]);
    expect(sent.tools[0]).toMatchObject({ type: 'function', function: { name: 'lookup' }, cache_control: breakpoint });
    // And the answer echoes them as OpenAI does.
    expect(created).toMatchObject({
      prompt_cache_key: 'tenant-7',
      safety_identifier: 'user-hash-1',
      service_tier: 'priority',
      metadata: { ticket: 'T-9' },
      truncation: 'auto',
      user: null,
    });
    expect(created.tools[0]).toMatchObject({ name: 'lookup', strict: true, description: null });
  });

  it('gets cache reads on a model that caches only at breakpoints, from the second identical request on', async () => {
    const ask = () =>
      client().responses.create({
        model: ANTHROPIC,
        prompt_cache_key: 'cache-read-test',
        input: [
          {
            role: 'user',
            content: [
              {
                type: 'input_text',
                text: 'A long shared prefix about rivers, seas, lakes, estuaries, deltas and the water cycle. '.repeat(
                  4,
                ),
                cache_control: breakpoint,
              },
              { type: 'input_text', text: 'Say exactly: ok' },
            ],
          },
        ] as never,
      });
    await ask();
    const second = await ask();
    expect(second.usage?.input_tokens_details.cached_tokens).toBeGreaterThan(0);
  });
});

describe('upstream citations and refusals in Responses answers', () => {
  it('maps url_citation annotations onto the output_text part, streamed or not', async () => {
    const input = 'Say exactly: Rivers run to the sea. [cite]';
    const plain = await client().responses.create({ model: MODEL, input });
    const message = plain.output[0] as Json;
    expect(message.content).toEqual([
      { type: 'output_text', text: 'Rivers run to the sea. [cite]', annotations: CITATIONS, logprobs: [] },
    ]);

    const stream = client().responses.stream({ model: MODEL, input });
    const added: Json[] = [];
    for await (const event of stream) if (event.type === 'response.output_text.annotation.added') added.push(event);
    const streamed = await stream.finalResponse();
    expect(added.map((e) => [e.annotation_index, e.annotation])).toEqual(CITATIONS.map((c, i) => [i, c]));
    expect(streamed.output).toHaveLength(1);
    // (openai-node's stream helper adds `parsed` to text parts.)
    expect((streamed.output[0] as Json).content).toMatchObject(message.content);
  });

  it('answers an upstream refusal as a refusal part, with output_text "", streamed or not', async () => {
    const input = 'Say exactly: I cannot help with that. [refuse]';
    const refusal = { type: 'refusal', refusal: 'I cannot help with that. [refuse]' };
    const plain = await client().responses.create({ model: MODEL, input });
    expect(plain.output).toHaveLength(1);
    expect(plain.output[0]).toMatchObject({ type: 'message', status: 'completed', content: [refusal] });
    expect(plain.output_text).toBe('');

    const stream = client().responses.stream({ model: MODEL, input });
    const types: string[] = [];
    for await (const event of stream) types.push(event.type);
    const streamed = await stream.finalResponse();
    expect(streamed.output).toHaveLength(1);
    expect(streamed.output[0]).toMatchObject({ type: 'message', status: 'completed', content: [refusal] });
    expect(streamed.output_text).toBe('');
    expect(types).toEqual(expect.arrayContaining(['response.refusal.delta', 'response.refusal.done']));
    expect(types.at(-1)).toBe('response.completed');
  });
});
