/**
 * The Messages API's answers in the shape newer `@anthropic-ai/sdk` types declare (`container`, `diagnostics`,
 * `stop_details`, the usage breakdowns), `message_start`'s prompt estimate, and prompt caching of a Claude Code
 * style history, whose breakpoints sit on tool results: the cache is written on one turn and read on the next.
 * Every request goes over loopback to 127.0.0.1.
 */
import Anthropic from '@anthropic-ai/sdk';
import type { MessageParam, Tool } from '@anthropic-ai/sdk/resources/messages';
import { readSse } from '@switchyard/sdk/sse';
import { describe, expect, it } from 'vitest';
import { post } from '../support/gateway.js';
import { MODEL, useCompatGateway, WEATHER_PARAMETERS } from './compat-gateway.js';

const CLAUDE = 'anthropic/claude-sonnet-4.5';
const weather: Tool = { name: 'get_weather', input_schema: WEATHER_PARAMETERS as Tool['input_schema'] };

const { gateway } = useCompatGateway();

const client = () =>
  new Anthropic({ baseURL: `${gateway().url}/api`, apiKey: 'anything', maxRetries: 0, timeout: 15_000 });

describe('answers in the shape of the newer SDK types', () => {
  const params = {
    model: MODEL,
    max_tokens: 100,
    messages: [{ role: 'user' as const, content: 'Say exactly: shaped' }],
  };

  it('a message has container, diagnostics and stop_details (null), and the whole usage', async () => {
    const message = await client().messages.create(params);
    expect(message).toMatchObject({ container: null, diagnostics: null, stop_details: null, stop_reason: 'end_turn' });
    expect(message.usage).toMatchObject({
      cache_creation: null,
      inference_geo: null,
      output_tokens_details: null,
      server_tool_use: null,
      service_tier: null,
      speed: null,
    });
  });

  it('a thinking model reports its thinking tokens in output_tokens_details', async () => {
    const message = await client().messages.create({
      model: CLAUDE,
      max_tokens: 2000,
      thinking: { type: 'enabled', budget_tokens: 1024 },
      messages: [{ role: 'user', content: 'Think first, then say exactly: thought' }],
    });
    expect(message.content.map((b) => b.type)).toContain('thinking');
    expect(message.usage.output_tokens_details?.thinking_tokens).toBeGreaterThan(0);
    expect(message.usage.output_tokens_details?.thinking_tokens).toBeLessThan(message.usage.output_tokens);
  });

  it('message_start carries them too, with the prompt estimate as input_tokens; message_delta its fields', async () => {
    const response = await post(`${gateway().baseURL}/messages`, { ...params, stream: true });
    const events: Record<string, any>[] = [];
    for await (const item of readSse(response.body as ReadableStream<Uint8Array>)) {
      if (item.type === 'event') events.push(JSON.parse(item.event.data));
    }
    const start = events.find((e) => e.type === 'message_start')?.message;
    const delta = events.find((e) => e.type === 'message_delta') as Record<string, any>;
    expect(start).toMatchObject({ container: null, diagnostics: null, stop_details: null, stop_sequence: null });
    expect(start.usage).toMatchObject({ output_tokens: 0, cache_creation: null, service_tier: null });
    // The gateway's estimate (admission's, which count_tokens answers too) until the upstream's count comes last.
    const counted = await client().messages.countTokens({ model: params.model, messages: params.messages });
    expect(start.usage.input_tokens).toBe(counted.input_tokens);
    expect(start.usage.input_tokens).toBeGreaterThan(0);
    expect(delta.usage.input_tokens).toBeGreaterThan(0);
    expect(delta.delta).toEqual({ stop_reason: 'end_turn', stop_sequence: null, container: null, stop_details: null });

    // The SDK's stream helper takes the delta's fields into its final message.
    const final = await client().messages.stream(params).finalMessage();
    expect(final).toMatchObject({ container: null, stop_details: null, stop_reason: 'end_turn' });
  });
});

describe('prompt caching of a tool-loop history', () => {
  it("writes the cache at a tool result's breakpoint and reads it on the next turn", async () => {
    // Long enough to be cached (the simulator, like Anthropic, caches prefixes of 1024 tokens and more).
    const reading = 'Station Oslo-Blindern reports a steady north wind and light rain. '.repeat(120);
    const history: MessageParam[] = [
      { role: 'user', content: 'What is the weather in Oslo? Use get_weather.' },
      {
        role: 'assistant',
        content: [{ type: 'tool_use', id: 'toolu_c1', name: 'get_weather', input: { city: 'Oslo', unit: 'celsius' } }],
      },
      {
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: 'toolu_c1', content: reading, cache_control: { type: 'ephemeral' } },
        ],
      },
    ];
    const ask = (messages: MessageParam[]) =>
      client().messages.create({ model: CLAUDE, max_tokens: 200, tools: [weather], messages });
    const first = await ask(history);
    expect(first.usage.cache_creation_input_tokens).toBeGreaterThan(1000);
    const next = await ask([
      ...history,
      { role: 'assistant', content: first.content },
      { role: 'user', content: 'And tomorrow?' },
    ]);
    expect(next.usage.cache_read_input_tokens).toBe(first.usage.cache_creation_input_tokens);
  });
});
