import { createAnthropic } from '@ai-sdk/anthropic';
import { generateText, jsonSchema, stepCountIs, streamText, tool } from 'ai';
import { describe, expect, it } from 'vitest';
import { MODEL, useCompatGateway, WEATHER_PARAMETERS } from './compat-gateway.js';

// The AI SDK's Anthropic provider speaks the Messages API: pointed at the gateway's /v1 it reaches POST /v1/messages,
// sending its key as x-api-key, as it would to Anthropic.

const { gateway } = useCompatGateway();
const CLAUDE = 'anthropic/claude-sonnet-4.5';

interface WeatherInput {
  city: string;
  unit: 'celsius' | 'fahrenheit';
}

/** `sent` collects the request bodies the provider sends (real fetch underneath). */
function anthropic(sent: string[] = []) {
  return createAnthropic({
    baseURL: `${gateway().url}/v1`,
    apiKey: 'anything',
    fetch: (input, init) => {
      if (typeof init?.body === 'string') sent.push(init.body);
      return fetch(input, init);
    },
  });
}

describe('AI SDK with @ai-sdk/anthropic (Messages API)', () => {
  it('generates and streams text, with usage', async () => {
    const model = anthropic()(MODEL);
    const generated = await generateText({ model, prompt: 'Say exactly: AI SDK over messages' });
    expect(generated.text).toBe('AI SDK over messages');
    expect(generated.finishReason).toBe('stop');
    expect(generated.usage.inputTokens).toBeGreaterThan(0);
    expect(generated.usage.outputTokens).toBeGreaterThan(0);

    const streamed = streamText({ model, prompt: 'Say exactly: streamed AI SDK over messages' });
    let text = '';
    for await (const delta of streamed.textStream) text += delta;
    expect(text).toBe('streamed AI SDK over messages');
    expect(await streamed.finishReason).toBe('stop');
    expect((await streamed.usage).outputTokens).toBeGreaterThan(0);
  });

  it('runs a multi-step tool loop, streamed and not', async () => {
    const calls: WeatherInput[] = [];
    const weather = tool({
      description: 'Current weather for a city',
      inputSchema: jsonSchema<WeatherInput>(WEATHER_PARAMETERS),
      execute: async (input) => {
        calls.push(input);
        return { city: input.city, conditions: 'drizzly' };
      },
    });
    for (const stream of [false, true]) {
      const options = {
        model: anthropic()(MODEL),
        prompt: 'Use get_weather for Bergen.',
        tools: { get_weather: weather },
        stopWhen: stepCountIs(3),
      };
      const text = stream ? await streamText(options).text : (await generateText(options)).text;
      expect(text).toContain('drizzly');
    }
    expect(calls).toHaveLength(2);
    expect(['celsius', 'fahrenheit']).toContain(calls[0]!.unit);
  });

  it('keeps thinking across a tool loop: the signed reasoning goes back with the tool result', async () => {
    const sent: string[] = [];
    const weather = tool({
      description: 'Current weather for a city',
      inputSchema: jsonSchema<WeatherInput>(WEATHER_PARAMETERS),
      execute: async (input) => ({ city: input.city, conditions: 'clear' }),
    });
    const result = await generateText({
      model: anthropic(sent)(CLAUDE),
      prompt: 'Use get_weather for Oslo.',
      tools: { get_weather: weather },
      stopWhen: stepCountIs(3),
      providerOptions: { anthropic: { thinking: { type: 'enabled', budgetTokens: 1024 } } },
    });
    expect(result.text).toContain('clear');
    expect(result.reasoningText?.length ?? 0).toBeGreaterThan(0);
    // The second request carried the first answer's thinking block with its signature, as Anthropic requires.
    const second = JSON.parse(sent[1]!) as {
      messages: { role: string; content: { type: string; signature?: string }[] }[];
    };
    const replayed = second.messages.flatMap((m) => (Array.isArray(m.content) ? m.content : []));
    expect(replayed.find((block) => block.type === 'thinking')?.signature).toBeTruthy();
  });
});
