/**
 * Streamed reasoning through the gateway's Responses API: a reasoning item's `response.output_item.done` must be
 * complete on its own, because clients rebuild and replay items from those events (the AI SDK with `store: false`,
 * agents that collect `.done` items) rather than from the final response. The simulated Gemini 3 sends its thought
 * signature after the reasoning text, just before the tool call, and refuses a tool turn replayed without it; the
 * simulated Anthropic model sends its thinking signature after the thinking text, just before the answer text.
 * Every request goes over loopback to 127.0.0.1.
 */
import { createOpenAI } from '@ai-sdk/openai';
import { readSse } from '@switchyard/sdk/sse';
import { jsonSchema, stepCountIs, streamText, tool } from 'ai';
import OpenAI from 'openai';
import type { ResponseInputItem, ResponseOutputItem } from 'openai/resources/responses/responses';
import { describe, expect, it } from 'vitest';
import { post } from '../support/gateway.js';
import { useCompatGateway, WEATHER_PARAMETERS } from './compat-gateway.js';

const { gateway } = useCompatGateway();

const GEMINI = 'google/gemini-3-flash-preview';
const tools = [{ type: 'function' as const, name: 'get_weather', parameters: WEATHER_PARAMETERS, strict: true }];
const ask: ResponseInputItem[] = [{ role: 'user', content: 'Use get_weather for Quito.' }];

type Event = Record<string, unknown> & { type: string; sequence_number: number };

function client(): OpenAI {
  return new OpenAI({ baseURL: gateway().baseURL, apiKey: 'anything', maxRetries: 0, timeout: 15_000 });
}

/** The reasoning details inside the gateway's `encrypted_content`. */
function unseal(sealed: unknown): Record<string, unknown>[] {
  expect(sealed).toMatch(/^switchyard\.v1:/);
  const base64 = (sealed as string).slice('switchyard.v1:'.length);
  return JSON.parse(Buffer.from(base64, 'base64').toString('utf8')) as Record<string, unknown>[];
}

/** The parsed events of a raw streamed Responses request (the `[DONE]` line must come last). */
async function rawStream(body: Record<string, unknown>): Promise<Event[]> {
  const response = await post(`${gateway().baseURL}/responses`, { ...body, stream: true });
  expect(response.status).toBe(200);
  const events: Event[] = [];
  let done = false;
  for await (const item of readSse(response.body as ReadableStream<Uint8Array>)) {
    if (item.type !== 'event') continue;
    expect(done).toBe(false);
    if (item.event.data === '[DONE]') done = true;
    else events.push(JSON.parse(item.event.data) as Event);
  }
  expect(done).toBe(true);
  return events;
}

/** The output of the response the stream's terminal event carried. */
function finalOutput(events: Event[]): ResponseOutputItem[] {
  return (events.at(-1)?.response as { output: ResponseOutputItem[] } | undefined)?.output ?? [];
}

/**
 * OpenAI's event order: `response.created` and `.in_progress` first, the terminal event last, sequence numbers
 * counting up from 0, and output items one after another — each item's events between its `output_item.added`
 * and its `output_item.done`, and the next item added only after the one before it is done.
 */
function expectOpenAIOrder(events: Event[]): void {
  expect(events.map((e) => e.sequence_number)).toEqual(events.map((_, i) => i));
  expect(events[0]?.type).toBe('response.created');
  expect(events[1]?.type).toBe('response.in_progress');
  expect(['response.completed', 'response.incomplete']).toContain(events.at(-1)?.type);
  let current: number | undefined; // the output index being written
  let next = 0;
  for (const event of events.slice(2, -1)) {
    const index = event.output_index as number;
    if (event.type === 'response.output_item.added') {
      expect(current, `item ${index} added while item ${current} is open`).toBeUndefined();
      expect(index).toBe(next++);
      current = index;
    } else {
      expect(index, `${event.type} outside its item`).toBe(current);
      if (event.type === 'response.output_item.done') current = undefined;
    }
  }
  expect(current).toBeUndefined();
}

describe('streamed reasoning items are complete in their own output_item.done', () => {
  it('carries the thought signature in the reasoning .done, equal to the final response, in OpenAI order', async () => {
    const events = await rawStream({ model: GEMINI, input: ask, tools, store: false });
    expectOpenAIOrder(events);
    const done = events.filter((e) => e.type === 'response.output_item.done').map((e) => e.item as ResponseOutputItem);
    expect(done.map((item) => item.type)).toEqual(['reasoning', 'function_call']);
    const reasoning = done[0] as { encrypted_content?: string };
    // The signature arrived after the reasoning text, in a chunk without text: the item waited for it.
    const signature = unseal(reasoning.encrypted_content).find((d) => d.type === 'reasoning.encrypted');
    expect(signature).toMatchObject({ format: 'google-gemini-v1', data: expect.any(String) });
    // What the .done events say is exactly what the final response says.
    expect(done).toEqual(finalOutput(events));
  });

  it("carries Anthropic's thinking signature, sent after the thinking text, with that text whole", async () => {
    const body = {
      model: 'anthropic/claude-sonnet-4.5',
      input: 'Explain tides briefly.',
      reasoning: { effort: 'low' },
    };
    const events = await rawStream(body);
    expectOpenAIOrder(events);
    const done = events.filter((e) => e.type === 'response.output_item.done').map((e) => e.item as ResponseOutputItem);
    expect(done.map((item) => item.type)).toEqual(['reasoning', 'message']);
    const reasoning = done[0] as { encrypted_content?: string; summary: { text: string }[] };
    // The streamed pieces of the thinking text are one detail again, and the signature is attached to it.
    const details = unseal(reasoning.encrypted_content);
    expect(details).toEqual([
      expect.objectContaining({
        type: 'reasoning.text',
        text: reasoning.summary[0]?.text,
        signature: expect.any(String),
      }),
    ]);
    expect(done).toEqual(finalOutput(events));
  });

  it('runs a streamed tool loop that replays only the items of .done events (openai client)', async () => {
    const doneItems = async (input: ResponseInputItem[]) => {
      const items: ResponseOutputItem[] = [];
      const stream = client().responses.stream({ model: GEMINI, input, tools, store: false });
      for await (const event of stream) if (event.type === 'response.output_item.done') items.push(event.item);
      return items;
    };
    const first = await doneItems(ask);
    const call = first.find((item) => item.type === 'function_call');
    if (call?.type !== 'function_call') throw new Error('expected a function call');
    const second = await doneItems([
      ...ask,
      ...(first as ResponseInputItem[]),
      { type: 'function_call_output', call_id: call.call_id, output: 'volcanic ash' },
    ]);
    const message = second.find((item) => item.type === 'message');
    if (message?.type !== 'message') throw new Error('expected a message');
    const text = message.content.map((part) => (part.type === 'output_text' ? part.text : '')).join('');
    // Gemini 3 refuses a replayed tool turn without its thought signature: this answer needed the .done reasoning.
    expect(text).toContain('volcanic ash');
  });

  it('runs a streamed AI SDK tool loop with store: false (it replays reasoning from .done events)', async () => {
    const calls: string[] = [];
    const weather = tool({
      description: 'Current weather for a city',
      inputSchema: jsonSchema<{ city: string; unit: string }>(WEATHER_PARAMETERS),
      execute: async (input) => {
        calls.push(input.city);
        return { city: input.city, conditions: 'drizzle' };
      },
    });
    const provider = createOpenAI({ baseURL: gateway().baseURL, apiKey: 'anything' });
    const result = streamText({
      model: provider(GEMINI),
      prompt: 'Use get_weather for Quito.',
      tools: { get_weather: weather },
      stopWhen: stepCountIs(3),
      providerOptions: { openai: { store: false, include: ['reasoning.encrypted_content'] } },
    });
    expect(await result.text).toContain('drizzle');
    expect(calls).toHaveLength(1);
    // The second request sent the reasoning back with the signature the first stream's .done carried.
    const steps = await result.steps;
    const sent = steps[1]?.request.body as { input: { type?: string; encrypted_content?: string }[] };
    const replayed = sent.input.find((item) => item.type === 'reasoning');
    expect(unseal(replayed?.encrypted_content).some((d) => d.type === 'reasoning.encrypted')).toBe(true);
  });
});
