/**
 * The output items of streamed Responses answers, as openai-node rebuilds them from the events, against the
 * non-streamed answer to the same request: one text part per message (also mid-stream), a message even for an empty
 * answer, `incomplete` items when `max_output_tokens` cut the answer, and the model and parameters the opening events
 * echo. Real `openai` client over loopback to the gateway's embedded simulator.
 */
import OpenAI from 'openai';
import { accumulateResponse } from 'openai/lib/responses/ResponseAccumulator';
import type { Response, ResponseStreamEvent } from 'openai/resources/responses/responses';
import { describe, expect, it } from 'vitest';
import { MODEL, useCompatGateway, WEATHER_PARAMETERS } from './compat-gateway.js';

const { gateway } = useCompatGateway();

function client(): OpenAI {
  return new OpenAI({ baseURL: gateway().baseURL, apiKey: 'anything', maxRetries: 0, timeout: 15_000 });
}

type Params = Parameters<OpenAI['responses']['stream']>[0];

/** A streamed answer: its events in order and the response openai-node's stream helper finished with. */
async function streamed(params: Params): Promise<{ events: ResponseStreamEvent[]; final: Response }> {
  const stream = client().responses.stream(params);
  const events: ResponseStreamEvent[] = [];
  for await (const event of stream) events.push(event);
  return { events, final: await stream.finalResponse() };
}

describe('streamed Responses output items', () => {
  it('announces a message without parts, so the stream snapshot holds its text part once', async () => {
    const { events, final } = await streamed({ model: MODEL, input: 'Say exactly: one part, not two' });
    const added = events.find((e) => e.type === 'response.output_item.added');
    expect(added).toMatchObject({ item: { type: 'message', content: [] } });
    // The snapshot openai-node keeps while the message streams (before its `output_item.done` replaces the item).
    let snapshot: Response | undefined;
    for (const event of events) {
      if (event.type === 'response.output_item.done') break;
      snapshot = accumulateResponse(event, snapshot);
    }
    const message = snapshot?.output[0];
    if (message?.type !== 'message') throw new Error('expected a message in the snapshot');
    expect(message.content).toHaveLength(1);
    expect(message.content[0]).toMatchObject({ type: 'output_text', text: 'one part, not two' });
    expect(snapshot?.output_text).toBe('one part, not two');
    const done = final.output[0];
    expect(done?.type === 'message' && done.content).toHaveLength(1);
  });

  it('gives an empty answer a message with an empty output_text, as the non-streamed answer has', async () => {
    const params = { model: MODEL, input: 'Say exactly:' };
    const plain = await client().responses.create(params);
    const emptyMessage = {
      type: 'message',
      role: 'assistant',
      status: 'completed',
      content: [{ type: 'output_text', text: '', annotations: [] }],
    };
    expect(plain.output).toHaveLength(1);
    expect(plain.output[0]).toMatchObject(emptyMessage);
    expect(plain.output_text).toBe('');

    const { events, final } = await streamed(params);
    expect(final.output).toHaveLength(1);
    expect(final.output[0]).toMatchObject(emptyMessage);
    expect(final.output_text).toBe('');
    expect(events.map((e) => e.type)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.completed',
    ]);
  });

  it('marks a streamed answer cut by max_output_tokens incomplete, and its message, as non-streamed', async () => {
    const params = {
      model: MODEL,
      input: 'Write a long essay about rivers and the sea and everything in between.',
      max_output_tokens: 5,
    };
    const plain = await client().responses.create(params);
    expect(plain.status).toBe('incomplete');
    expect(plain.output.at(-1)).toMatchObject({ type: 'message', status: 'incomplete' });

    const { events, final } = await streamed(params);
    expect(events.at(-1)?.type).toBe('response.incomplete');
    expect(final.status).toBe('incomplete');
    expect(final.incomplete_details).toEqual({ reason: 'max_output_tokens' });
    expect(final.output.at(-1)).toMatchObject({ type: 'message', status: 'incomplete' });
    const done = events.filter((e) => e.type === 'response.output_item.done').at(-1);
    expect(done).toMatchObject({ item: { type: 'message', status: 'incomplete' } });
  });

  it('names the model from the first event on, also when the request gave only `models`', async () => {
    const { events, final } = await streamed({ models: [MODEL], input: 'Say exactly: which model' } as Params);
    const created = events[0];
    if (created?.type !== 'response.created') throw new Error('expected response.created first');
    expect(created.response.model).not.toBe('');
    expect(created.response.model).toBe(final.model);
  });

  it("echoes OpenAI's defaults: metadata {}, truncation, and function tools with strict true", async () => {
    const tool = { type: 'function' as const, name: 'get_weather', parameters: WEATHER_PARAMETERS };
    const { events, final } = await streamed({
      model: MODEL,
      input: 'Say exactly: defaults',
      tools: [tool as never],
      tool_choice: 'none',
    });
    const created = events[0];
    if (created?.type !== 'response.created') throw new Error('expected response.created first');
    for (const response of [created.response, final]) {
      expect(response.model).toBe(MODEL);
      expect(response.metadata).toEqual({});
      expect(response.truncation).toBe('disabled');
      expect(response.tools).toEqual([{ ...tool, description: null, strict: true }]);
    }
  });
});
