/**
 * What reaches the model through `POST /messages`: the chat request the gateway translates an Anthropic Messages
 * request into, read from the gateway's own prompt log (`log_prompts`, on a gateway of this file's own) — system
 * blocks, tool uses and results, images, documents and cache breakpoints. Every request goes over loopback to
 * 127.0.0.1.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { post, startTestGateway, type TestGateway } from '../support/gateway.js';
import { MODEL } from './compat-gateway.js';

describe('what the model sees', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    // An alias that looks like an Anthropic model id: the caller's own names are never rewritten.
    gw = await startTestGateway({ config: { logPrompts: true }, fileConfig: { aliases: { 'claude-house': MODEL } } });
  });
  afterAll(() => gw?.stop());

  async function seen(body: Record<string, unknown>): Promise<Record<string, any>[]> {
    const response = await post(`${gw.baseURL}/messages`, { model: MODEL, max_tokens: 300, ...body });
    expect(response.status).toBe(200);
    const id = response.headers.get('request-id');
    const line = gw.logLines().find((l) => l.msg === 'exchange' && l.requestId === id);
    return line?.messages as Record<string, any>[];
  }

  it('translates system blocks, tool uses, tool results (errors included), images, documents and cache breakpoints', async () => {
    const messages = await seen({
      system: [{ type: 'text', text: 'Be exact.' }],
      messages: [
        { role: 'user', content: 'Check the weather.' },
        {
          role: 'assistant',
          content: [
            { type: 'text', text: 'Checking.' },
            { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Paris', unit: 'celsius' } },
          ],
        },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: 'toolu_1', is_error: true, content: 'service down' },
            { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } },
            { type: 'image', source: { type: 'url', url: 'https://example.invalid/cat.png' } },
            {
              type: 'document',
              title: 'report.pdf',
              source: { type: 'base64', media_type: 'application/pdf', data: 'JVBERi0=' },
            },
            { type: 'text', text: 'Say exactly: seen', cache_control: { type: 'ephemeral' } },
          ],
        },
      ],
    });
    expect(messages).toEqual([
      { role: 'system', content: 'Be exact.' },
      { role: 'user', content: 'Check the weather.' },
      {
        role: 'assistant',
        content: 'Checking.',
        tool_calls: [
          {
            id: 'toolu_1',
            type: 'function',
            function: { name: 'get_weather', arguments: '{"city":"Paris","unit":"celsius"}' },
          },
        ],
      },
      { role: 'tool', tool_call_id: 'toolu_1', content: 'Error: service down' },
      {
        role: 'user',
        content: [
          { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
          { type: 'image_url', image_url: { url: 'https://example.invalid/cat.png' } },
          { type: 'file', file: { filename: 'report.pdf', file_data: 'data:application/pdf;base64,JVBERi0=' } },
          { type: 'text', text: 'Say exactly: seen', cache_control: { type: 'ephemeral' } },
        ],
      },
    ]);
  });

  it('replays thinking blocks as reasoning: signed as Anthropic details, redacted as encrypted, unsigned as text', async () => {
    const call = { type: 'tool_use', id: 'toolu_2', name: 'get_weather', input: { city: 'Oslo', unit: 'celsius' } };
    const messages = await seen({
      messages: [
        { role: 'user', content: 'Weather in Oslo?' },
        {
          role: 'assistant',
          content: [
            { type: 'thinking', thinking: 'Oslo needs a lookup.', signature: 'sig-1' },
            { type: 'redacted_thinking', data: 'opaque-2' },
            call,
          ],
        },
        {
          role: 'user',
          content: [{ type: 'tool_result', tool_use_id: 'toolu_2', content: [{ type: 'text', text: 'cold' }] }],
        },
        {
          role: 'assistant',
          content: [
            { type: 'thinking', thinking: 'Unsigned musing.', signature: '' },
            { type: 'text', text: 'Cold.' },
          ],
        },
        { role: 'user', content: 'Say exactly: thanks' },
      ],
    });
    expect(messages[1]).toMatchObject({
      role: 'assistant',
      content: null,
      reasoning_details: [
        {
          type: 'reasoning.text',
          text: 'Oslo needs a lookup.',
          signature: 'sig-1',
          format: 'anthropic-claude-v1',
          index: 0,
        },
        { type: 'reasoning.encrypted', data: 'opaque-2', format: 'anthropic-claude-v1', index: 1 },
      ],
    });
    expect(messages[2]).toEqual({ role: 'tool', tool_call_id: 'toolu_2', content: 'cold' });
    expect(messages[3]).toEqual({ role: 'assistant', content: 'Cold.', reasoning: 'Unsigned musing.' });
  });

  it("resolves the caller's own alias before reading a claude-… id as Anthropic's", async () => {
    const response = await post(`${gw.baseURL}/messages`, {
      model: 'claude-house',
      max_tokens: 100,
      messages: [{ role: 'user', content: 'Say exactly: aliased' }],
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ model: MODEL, content: [{ type: 'text', text: 'aliased' }] });
  });
});
