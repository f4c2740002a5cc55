/**
 * What a Messages request becomes on the wire to OpenRouter: the gateway runs against a recording proxy in front of a
 * simulator, so each test reads the chat request exactly as it went upstream — body and headers — while the
 * `@anthropic-ai/sdk` client sees the real answer. Cache breakpoints on every kind of block, Anthropic beta flags as
 * OpenRouter's `x-anthropic-beta`, no tool choice without tools, and a stop sequence an upstream names. Every request
 * goes over loopback to 127.0.0.1.
 */
import Anthropic from '@anthropic-ai/sdk';
import { type SimulatorHandle, startSimulator } from '@switchyard/simulator';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { type RecordingProxy, startRecordingProxy } from '../support/recording-proxy.js';
import { MODEL, WEATHER_PARAMETERS } from './compat-gateway.js';

let simulator: SimulatorHandle;
let proxy: RecordingProxy;
let gateway: TestGateway;
/** Chat requests the proxy passed upstream, in order (emptied before each test). */
let sent: RecordingProxy['sent'];

beforeAll(async () => {
  simulator = await startSimulator({ port: 0, pace: 'instant' });
  proxy = await startRecordingProxy(simulator.url);
  sent = proxy.sent;
  gateway = await startTestGateway({
    env: { OPENROUTER_API_KEY: 'sk-or-v1-upstream-test', OPENROUTER_BASE_URL: proxy.baseURL },
  });
});

afterAll(async () => {
  await gateway?.stop();
  await proxy?.close();
  await simulator?.close();
});

beforeEach(() => {
  sent.length = 0;
  proxy.rewrite = undefined;
});

const client = () =>
  new Anthropic({ baseURL: `${gateway.url}/api`, apiKey: 'anything', maxRetries: 0, timeout: 15_000 });
const ephemeral = { type: 'ephemeral' as const };
const hourly = { type: 'ephemeral' as const, ttl: '1h' as const };
const call = (id: string) => ({ type: 'tool_use' as const, id, name: 'get_weather', input: { city: 'Oslo' } });

describe('cache breakpoints reach OpenRouter', () => {
  it('on tool results, tool uses, system, image and document blocks, and top-level', async () => {
    await client().messages.create({
      model: MODEL,
      max_tokens: 100,
      cache_control: hourly,
      system: [
        { type: 'text', text: 'Be exact.' },
        { type: 'text', text: 'Use tools.', cache_control: ephemeral },
      ],
      messages: [
        { role: 'user', content: 'Weather in Oslo, twice?' },
        // Text then a tool use with the breakpoint: chat has no place on a tool call; the turn's text holds it.
        {
          role: 'assistant',
          content: [
            { type: 'text', text: 'Checking.' },
            { ...call('toolu_1'), cache_control: ephemeral },
          ],
        },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: 'cold' }] },
        // A turn of tool calls only: the breakpoint moves back to the nearest text, the result before it.
        { role: 'assistant', content: [call('toolu_2'), { ...call('toolu_3'), cache_control: hourly }] },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: 'toolu_2', content: 'rain', cache_control: ephemeral },
            {
              type: 'tool_result',
              tool_use_id: 'toolu_3',
              is_error: true,
              content: [
                { type: 'text', text: 'radar down' },
                { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } },
              ],
              cache_control: ephemeral,
            },
            {
              type: 'image',
              source: { type: 'url', url: 'https://example.invalid/map.png' },
              cache_control: ephemeral,
            },
            {
              type: 'document',
              source: {
                type: 'content',
                content: [
                  { type: 'text', text: 'page one' },
                  { type: 'text', text: 'page two' },
                ],
              },
              cache_control: ephemeral,
            },
            { type: 'text', text: 'Say exactly: cached' },
          ],
        },
      ],
    });
    const [upstream] = sent;
    expect(upstream?.body.cache_control).toEqual(hourly);
    expect(upstream?.body.messages).toEqual([
      {
        role: 'system',
        content: [
          { type: 'text', text: 'Be exact.' },
          { type: 'text', text: 'Use tools.', cache_control: ephemeral },
        ],
      },
      { role: 'user', content: 'Weather in Oslo, twice?' },
      {
        role: 'assistant',
        content: [{ type: 'text', text: 'Checking.', cache_control: ephemeral }],
        tool_calls: [
          { id: 'toolu_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Oslo"}' } },
        ],
      },
      { role: 'tool', tool_call_id: 'toolu_1', content: [{ type: 'text', text: 'cold', cache_control: hourly }] },
      {
        role: 'assistant',
        content: null,
        tool_calls: ['toolu_2', 'toolu_3'].map((id) => ({
          id,
          type: 'function',
          function: { name: 'get_weather', arguments: '{"city":"Oslo"}' },
        })),
      },
      { role: 'tool', tool_call_id: 'toolu_2', content: [{ type: 'text', text: 'rain', cache_control: ephemeral }] },
      {
        role: 'tool',
        tool_call_id: 'toolu_3',
        content: [
          { type: 'text', text: 'Error:' },
          { type: 'text', text: 'radar down' },
          { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' }, cache_control: ephemeral },
        ],
      },
      {
        role: 'user',
        content: [
          { type: 'image_url', image_url: { url: 'https://example.invalid/map.png' }, cache_control: ephemeral },
          { type: 'text', text: 'page one' },
          { type: 'text', text: 'page two', cache_control: ephemeral },
          { type: 'text', text: 'Say exactly: cached' },
        ],
      },
    ]);
  });

  it('keeps a result that has no breakpoint a plain string', async () => {
    await client().messages.create({
      model: MODEL,
      max_tokens: 100,
      messages: [
        { role: 'user', content: 'Weather?' },
        { role: 'assistant', content: [call('toolu_3')] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_3', content: 'mild' }] },
      ],
    });
    expect(sent[0]?.body.messages.at(-1)).toEqual({ role: 'tool', tool_call_id: 'toolu_3', content: 'mild' });
  });
});

describe('Anthropic beta flags', () => {
  it('go upstream as x-anthropic-beta, streamed or not; none without them', async () => {
    const betas = ['interleaved-thinking-2025-05-14', 'fine-grained-tool-streaming-2025-05-14'];
    const params = {
      model: MODEL,
      max_tokens: 100,
      messages: [{ role: 'user' as const, content: 'Say exactly: beta' }],
    };
    const answer = await client().beta.messages.create({ ...params, betas });
    expect(answer.content).toEqual([{ type: 'text', text: 'beta' }]);
    const stream = client().beta.messages.stream({ ...params, betas: ['structured-outputs-2025-11-13'] });
    await stream.finalMessage();
    await client().messages.create(params);
    expect(sent.map((s) => s.headers['x-anthropic-beta'])).toEqual([
      betas.join(','),
      'structured-outputs-2025-11-13',
      undefined,
    ]);
  });

  it('merges an x-anthropic-beta header sent to the gateway with anthropic-beta, each flag once', async () => {
    const both = new Anthropic({
      baseURL: `${gateway.url}/api`,
      apiKey: 'anything',
      maxRetries: 0,
      defaultHeaders: {
        'anthropic-beta': 'interleaved-thinking-2025-05-14, structured-outputs-2025-11-13',
        'x-anthropic-beta': 'structured-outputs-2025-11-13',
      },
    });
    await both.messages.create({ model: MODEL, max_tokens: 50, messages: [{ role: 'user', content: 'hi' }] });
    expect(sent[0]?.headers['x-anthropic-beta']).toBe('interleaved-thinking-2025-05-14,structured-outputs-2025-11-13');
  });
});

describe('web search', () => {
  it("becomes OpenRouter's web plugin with its options; a choice of it needs no tool upstream", async () => {
    const search = {
      type: 'web_search_20250305' as const,
      name: 'web_search' as const,
      max_uses: 3,
      allowed_domains: ['met.no'],
      user_location: { type: 'approximate' as const, city: 'Oslo' },
    };
    const answer = await client().messages.create({
      model: MODEL,
      max_tokens: 100,
      tools: [search],
      tool_choice: { type: 'tool', name: 'web_search' },
      messages: [{ role: 'user', content: 'Say exactly: searched' }],
    });
    expect(answer.content).toEqual([{ type: 'text', text: 'searched' }]);
    const body = sent.at(-1)?.body;
    expect(body).toMatchObject({
      plugins: [{ id: 'web', max_uses: 3, include_domains: ['met.no'], user_location: { city: 'Oslo' } }],
    });
    expect(body).not.toHaveProperty('tools');
    expect(body).not.toHaveProperty('tool_choice');
    // Beside a custom tool, the custom tool and the choice stay.
    await client().messages.create({
      model: MODEL,
      max_tokens: 100,
      tools: [search, { name: 'get_weather', input_schema: WEATHER_PARAMETERS as Anthropic.Tool['input_schema'] }],
      tool_choice: { type: 'auto' },
      messages: [{ role: 'user', content: 'Say exactly: both' }],
    });
    expect(sent.at(-1)?.body).toMatchObject({
      plugins: [{ id: 'web' }],
      tools: [{ type: 'function', function: { name: 'get_weather' } }],
      tool_choice: 'auto',
    });
    // A tool choice of none rules out searching too.
    await client().messages.create({
      model: MODEL,
      max_tokens: 100,
      tools: [search],
      tool_choice: { type: 'none' },
      messages: [{ role: 'user', content: 'Say exactly: none' }],
    });
    expect(sent.at(-1)?.body).not.toHaveProperty('plugins');
  });
});

describe('web search citations', () => {
  // The upstream marks the answer's first word with a search result, as OpenRouter's web plugin does (nested
  // url_citation; a second one without title or span; a file annotation, which has no Anthropic counterpart).
  const annotations = [
    { type: 'url_citation', url_citation: { url: 'https://met.no/oslo', title: 'Oslo', start_index: 0, end_index: 5 } },
    { type: 'url_citation', url_citation: { url: 'https://example.com/sea' } },
    { type: 'file', file: { hash: 'h', name: 'a.pdf', content: [] } },
  ];
  const citing = (text: string) => {
    if (text.startsWith('{')) {
      const body = JSON.parse(text);
      body.choices[0].message.annotations = annotations;
      return JSON.stringify(body);
    }
    // Streamed: on the finishing chunk, after the text.
    return text.replace('"finish_reason":"stop"', `"finish_reason":"stop","delta":${JSON.stringify({ annotations })}`);
  };
  const expected = [
    {
      type: 'web_search_result_location',
      url: 'https://met.no/oslo',
      title: 'Oslo',
      encrypted_index: '',
      cited_text: 'Sunny',
    },
    {
      type: 'web_search_result_location',
      url: 'https://example.com/sea',
      title: null,
      encrypted_index: '',
      cited_text: '',
    },
  ];
  const params = {
    model: MODEL,
    max_tokens: 100,
    tools: [{ type: 'web_search_20250305' as const, name: 'web_search' as const }],
    messages: [{ role: 'user' as const, content: 'Say exactly: Sunny in Oslo' }],
  };

  it('become citations of the text block, streamed (citations_delta) or not', async () => {
    proxy.rewrite = citing;
    const whole = await client().messages.create(params);
    expect(whole.content).toEqual([{ type: 'text', text: 'Sunny in Oslo', citations: expected }]);
    const stream = client().messages.stream(params);
    const deltas: unknown[] = [];
    stream.on('citation', (citation) => deltas.push(citation));
    const streamed = await stream.finalMessage();
    expect(deltas).toEqual(expected);
    expect(streamed.content).toEqual([{ type: 'text', text: 'Sunny in Oslo', citations: expected }]);
  });
});

describe('tool choice without tools', () => {
  it('sends neither tool_choice nor parallel_tool_calls when no tools are given', async () => {
    for (const tool_choice of [{ type: 'none' as const }, { type: 'auto' as const, disable_parallel_tool_use: true }]) {
      const answer = await client().messages.create({
        model: MODEL,
        max_tokens: 100,
        tool_choice,
        messages: [{ role: 'user', content: 'Say exactly: no tools' }],
      });
      expect(answer.content).toEqual([{ type: 'text', text: 'no tools' }]);
    }
    for (const { body } of sent) {
      expect(body).not.toHaveProperty('tool_choice');
      expect(body).not.toHaveProperty('parallel_tool_calls');
    }
    // With tools they are sent as before.
    await client().messages.create({
      model: MODEL,
      max_tokens: 100,
      tools: [{ name: 'get_weather', input_schema: WEATHER_PARAMETERS as Anthropic.Tool['input_schema'] }],
      tool_choice: { type: 'auto', disable_parallel_tool_use: true },
      messages: [{ role: 'user', content: 'Say exactly: tools' }],
    });
    expect(sent.at(-1)?.body).toMatchObject({ tool_choice: 'auto', parallel_tool_calls: false });
  });

  it('refuses a demanded tool call (any, tool) with no tools, before any upstream call', async () => {
    for (const tool_choice of [{ type: 'any' as const }, { type: 'tool' as const, name: 'get_weather' }]) {
      const error = await client()
        .messages.create({ model: MODEL, max_tokens: 100, tool_choice, messages: [{ role: 'user', content: 'hi' }] })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(Anthropic.BadRequestError);
      expect((error as InstanceType<typeof Anthropic.BadRequestError>).error).toMatchObject({
        error: { metadata: { field: 'tool_choice' } },
      });
    }
    expect(sent).toEqual([]);
  });
});

describe('a stop sequence the upstream names', () => {
  // vLLM-style servers name the matched sequence on the choice (`stop_reason`); chat's finish reason is just `stop`.
  const naming = (text: string) =>
    text.startsWith('{')
      ? JSON.stringify({
          ...JSON.parse(text),
          choices: JSON.parse(text).choices.map((c: object) => ({ ...c, stop_reason: ' three' })),
        })
      : text.replace('"finish_reason":"stop"', '"finish_reason":"stop","stop_reason":" three"');
  const params = {
    model: MODEL,
    max_tokens: 100,
    stop_sequences: [' four', ' three'],
    messages: [{ role: 'user' as const, content: 'Say exactly: one two three four' }],
  };

  it('is reported, streamed or not', async () => {
    proxy.rewrite = naming;
    const whole = await client().messages.create(params);
    expect(whole).toMatchObject({ stop_reason: 'stop_sequence', stop_sequence: ' three' });
    const streamed = await client().messages.stream(params).finalMessage();
    expect(streamed).toMatchObject({ stop_reason: 'stop_sequence', stop_sequence: ' three' });
  });

  it('is not guessed when the upstream does not name it', async () => {
    const whole = await client().messages.create(params);
    expect(whole).toMatchObject({ stop_reason: 'end_turn', stop_sequence: null });
  });
});
