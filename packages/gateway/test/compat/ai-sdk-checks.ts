import { generateText, jsonSchema, type LanguageModel, stepCountIs, streamText, tool } from 'ai';
import { expect } from 'vitest';
import { WEATHER_PARAMETERS } from './compat-gateway.js';

// What the AI SDK suites check the same way whichever provider package (and so which gateway API) they go through.

export interface WeatherInput {
  city: string;
  unit: 'celsius' | 'fahrenheit';
}

/** The AI SDK weather tool; each execution is recorded in `executed`, and its answer names `conditions`. */
export function weatherTool(executed: WeatherInput[], conditions = 'sunny') {
  return tool({
    description: 'Current weather for a city',
    inputSchema: jsonSchema<WeatherInput>(WEATHER_PARAMETERS),
    execute: async (input) => {
      executed.push(input);
      return { city: input.city, temperature: 21, unit: input.unit, conditions };
    },
  });
}

/** `generateText` and `streamText` answer "Say exactly: …" prompts word for word, with a stop reason and usage. */
export async function expectTextAndStream(model: LanguageModel, over: string): Promise<void> {
  const generated = await generateText({ model, prompt: `Say exactly: AI SDK over ${over}` });
  expect(generated.text).toBe(`AI SDK over ${over}`);
  expect(generated.finishReason).toBe('stop');
  expect(generated.usage.inputTokens).toBeGreaterThan(0);
  expect(generated.usage.outputTokens).toBeGreaterThan(0);

  const streamed = streamText({ model, prompt: `Say exactly: streamed AI SDK over ${over}` });
  let text = '';
  for await (const delta of streamed.textStream) text += delta;
  expect(text).toBe(`streamed AI SDK over ${over}`);
  expect(await streamed.finishReason).toBe('stop');
  expect((await streamed.usage).outputTokens).toBeGreaterThan(0);
}

/** A multi-step tool loop, not streamed then streamed: the tool runs once each time and its answer reaches the text. */
export async function expectWeatherLoop(model: () => LanguageModel, conditions: string): Promise<void> {
  const calls: WeatherInput[] = [];
  for (const stream of [false, true]) {
    const options = {
      model: model(),
      prompt: 'Use get_weather for Bergen.',
      tools: { get_weather: weatherTool(calls, conditions) },
      stopWhen: stepCountIs(3),
    };
    const text = stream ? await streamText(options).text : (await generateText(options)).text;
    expect(text).toContain(conditions);
  }
  expect(calls).toHaveLength(2);
  expect(['celsius', 'fahrenheit']).toContain(calls[0]!.unit);
}
