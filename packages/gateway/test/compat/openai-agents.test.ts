import { Agent, OpenAIChatCompletionsModel, OpenAIResponsesModel, run, setTracingDisabled, tool } from '@openai/agents';
import OpenAI from 'openai';
import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { MODEL, useCompatGateway } from './compat-gateway.js';

// The OpenAI Agents SDK runs its agent loop on the Responses API by default (its chat-completions model is the
// other option): both through the gateway, with a function tool, streamed and not. Tracing is off: it would export
// to OpenAI's servers.

const { gateway } = useCompatGateway();

beforeAll(() => setTracingDisabled(true));

function agentWith(api: 'responses' | 'chat', calls: string[]) {
  const client = new OpenAI({ baseURL: gateway().baseURL, apiKey: 'anything' });
  const getWeather = tool({
    name: 'get_weather',
    description: 'Current weather for a city',
    parameters: z.object({ city: z.string().min(1), unit: z.enum(['celsius', 'fahrenheit']) }),
    execute: async ({ city }) => {
      calls.push(city);
      return `${city}: foggy`;
    },
  });
  // The agents SDK is typed against openai 7, this repository's client is openai 6: the calls it makes are the same.
  const model =
    api === 'responses'
      ? new OpenAIResponsesModel(client as never, MODEL)
      : new OpenAIChatCompletionsModel(client as never, MODEL);
  return new Agent({ name: 'weather', instructions: 'Use get_weather to answer.', model, tools: [getWeather] });
}

describe('OpenAI Agents SDK through the gateway', () => {
  for (const api of ['responses', 'chat'] as const) {
    it(`runs a tool-calling agent on the ${api} API, streamed and not`, async () => {
      const calls: string[] = [];
      const agent = agentWith(api, calls);
      const plain = await run(agent, 'What is the weather in Bergen?');
      expect(String(plain.finalOutput)).toContain('foggy');

      const streamed = await run(agent, 'What is the weather in Oslo?', { stream: true });
      let text = '';
      for await (const event of streamed.toTextStream()) text += event;
      await streamed.completed;
      expect(text).toContain('foggy');
      expect(String(streamed.finalOutput)).toContain('foggy');
      expect(calls).toEqual(['Bergen', 'Oslo']);
    });
  }
});
