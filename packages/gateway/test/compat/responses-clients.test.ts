/**
 * The Responses API through the gateway with the other clients that speak it, unchanged: `@openrouter/sdk`
 * (`responses.send`, parsed with strict zod schemas) and the AI SDK's OpenAI provider (`@ai-sdk/openai`, whose
 * default model *is* the Responses API and whose tool loops send `item_reference`s to earlier output by default),
 * plus reasoning replay across a tool loop. Every request goes over loopback to 127.0.0.1.
 */
import { createOpenAI } from '@ai-sdk/openai';
import { OpenRouter } from '@openrouter/sdk';
import { generateText, jsonSchema, Output } from 'ai';
import OpenAI from 'openai';
import type { ResponseInputItem } from 'openai/resources/responses/responses';
import { describe, expect, it } from 'vitest';
import { expectTextAndStream, expectWeatherLoop } from './ai-sdk-checks.js';
import { MODEL, useCompatGateway, WEATHER_PARAMETERS } from './compat-gateway.js';

const { gateway } = useCompatGateway();

function openrouter(): OpenRouter {
  return new OpenRouter({
    apiKey: 'anything',
    serverURL: gateway().baseURL,
    retryConfig: { strategy: 'none' },
    timeoutMs: 15_000,
  });
}

/** The AI SDK's OpenAI provider on the gateway; `sent` collects the request bodies it sends (real fetch underneath). */
function aiOpenAI(sent: string[] = []) {
  return createOpenAI({
    baseURL: gateway().baseURL,
    apiKey: 'anything',
    fetch: (input, init) => {
      if (typeof init?.body === 'string') sent.push(init.body);
      return fetch(input, init);
    },
  });
}

describe('@openrouter/sdk responses.send', () => {
  it('parses a non-streamed response', async () => {
    const response = await openrouter().responses.send({
      responsesRequest: { model: MODEL, input: 'Say exactly: OpenRouter SDK responses' },
    });
    if (!('output' in response)) throw new Error('expected a non-streamed response');
    expect(response.status).toBe('completed');
    expect(response.outputText).toBe('OpenRouter SDK responses');
    expect(response.usage?.inputTokens).toBeGreaterThan(0);
  });

  it('parses every streamed event and ends with response.completed', async () => {
    const stream = await openrouter().responses.send({
      responsesRequest: { model: MODEL, input: 'Say exactly: streamed through the SDK', stream: true },
    });
    if (!(Symbol.asyncIterator in stream)) throw new Error('expected a stream');
    let text = '';
    const types: string[] = [];
    for await (const event of stream) {
      types.push(event.type);
      if (event.type === 'response.output_text.delta') text += event.delta;
    }
    expect(text).toBe('streamed through the SDK');
    expect(types[0]).toBe('response.created');
    expect(types.at(-1)).toBe('response.completed');
  });
});

describe('AI SDK with @ai-sdk/openai (Responses API)', () => {
  it('generates and streams text', async () => {
    await expectTextAndStream(aiOpenAI()(MODEL), 'responses');
  });

  it('runs a multi-step tool loop, streamed and not', async () => {
    await expectWeatherLoop(() => aiOpenAI()(MODEL), 'breezy');
  });

  it('continues a conversation whose earlier answer it sends as an item_reference (the default store: true)', async () => {
    const sent: string[] = [];
    const model = aiOpenAI(sent)(MODEL);
    const first = await generateText({ model, prompt: 'Say exactly: first answer' });
    const second = await generateText({
      model,
      messages: [
        { role: 'user', content: 'Say exactly: first answer' },
        ...first.response.messages,
        { role: 'user', content: 'Say exactly: second answer' },
      ],
    });
    expect(second.text).toBe('second answer');
    // The client sent only a reference to the first answer's message; the gateway resolved it from its store (an
    // unknown reference is a 400, so the answer above could not have come without it).
    const input = (JSON.parse(sent[1]!) as { input: { type?: string; id?: string }[] }).input;
    expect(input[1]).toEqual({ type: 'item_reference', id: expect.stringMatching(/^msg_/) });
  });

  it('produces structured output', async () => {
    const result = await generateText({
      model: aiOpenAI()(MODEL),
      prompt: 'Describe a city.',
      output: Output.object({
        schema: jsonSchema<{ name: string; population: number }>({
          type: 'object',
          properties: { name: { type: 'string' }, population: { type: 'integer', minimum: 0 } },
          required: ['name', 'population'],
          additionalProperties: false,
        }),
      }),
    });
    expect(typeof result.output.name).toBe('string');
    expect(Number.isInteger(result.output.population)).toBe(true);
  });
});

describe('reasoning across a Responses tool loop', () => {
  const GEMINI = 'google/gemini-3-flash-preview';
  const tools = [{ type: 'function' as const, name: 'get_weather', parameters: WEATHER_PARAMETERS, strict: true }];

  it('returns reasoning items and replays them as reasoning_details (Gemini 3 refuses a tool turn without)', async () => {
    const client = new OpenAI({ baseURL: gateway().baseURL, apiKey: 'anything', maxRetries: 0 });
    const input: ResponseInputItem[] = [{ role: 'user', content: 'Use get_weather for Quito.' }];
    const first = await client.responses.create({
      model: GEMINI,
      input,
      tools,
      store: false,
      reasoning: { effort: 'low' },
      include: ['reasoning.encrypted_content'],
    });
    const reasoning = first.output.find((item) => item.type === 'reasoning');
    if (reasoning?.type !== 'reasoning') throw new Error('expected a reasoning item');
    expect(reasoning.encrypted_content).toMatch(/^switchyard\.v1:/);
    const call = first.output.find((item) => item.type === 'function_call');
    if (call?.type !== 'function_call') throw new Error('expected a function call');
    const result = { type: 'function_call_output' as const, call_id: call.call_id, output: 'hail' };
    // Output items go back as input, as OpenAI documents (the client's types do not overlap exactly).
    const output = first.output as ResponseInputItem[];

    const replayed = await client.responses.create({
      model: GEMINI,
      tools,
      store: false,
      input: [...input, ...output, result],
    });
    expect(replayed.output_text).toContain('hail');

    // Streamed, the final response carries the same replayable reasoning.
    const stream = client.responses.stream({ model: GEMINI, input, tools, store: false, reasoning: { effort: 'low' } });
    const streamed = await stream.finalResponse();
    const streamedCall = streamed.output.find((item) => item.type === 'function_call');
    if (streamedCall?.type !== 'function_call') throw new Error('expected a function call');
    const again = await client.responses.create({
      model: GEMINI,
      tools,
      store: false,
      input: [
        ...input,
        ...(streamed.output as ResponseInputItem[]),
        { type: 'function_call_output', call_id: streamedCall.call_id, output: 'sleet' },
      ],
    });
    expect(again.output_text).toContain('sleet');

    // Without the reasoning item the provider refuses the turn: the replay above is what made it work.
    const stripped = output.filter((item) => item.type !== 'reasoning');
    await expect(
      client.responses.create({ model: GEMINI, tools, store: false, input: [...input, ...stripped, result] }),
    ).rejects.toThrow(/thought_signature/);
  });
});
