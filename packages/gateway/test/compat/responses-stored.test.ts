/**
 * Stored responses through the gateway with the real `openai` client: `responses.retrieve`, `.delete` and
 * `.inputItems.list` (auto-paging included), plus the raw 404s a client sees for what it cannot retrieve. Keys and
 * per-key isolation are in `test/gateway/keys-auth.test.ts`. Every request goes over loopback to 127.0.0.1.
 */
import OpenAI, { NotFoundError } from 'openai';
import type { ResponseInputItem, ResponseItem } from 'openai/resources/responses/responses';
import { describe, expect, it } from 'vitest';
import { post } from '../support/gateway.js';
import { MODEL, useCompatGateway, WEATHER_PARAMETERS } from './compat-gateway.js';

const { gateway } = useCompatGateway();

function client(): OpenAI {
  return new OpenAI({ baseURL: gateway().baseURL, apiKey: 'anything', maxRetries: 0, timeout: 15_000 });
}

const tools = [{ type: 'function' as const, name: 'get_weather', parameters: WEATHER_PARAMETERS, strict: true }];

/** The text of a listed message item. */
function textOf(item: ResponseItem | undefined): string {
  if (item?.type !== 'message') return '';
  return item.content.map((part) => ('text' in part ? part.text : '')).join('');
}

describe('openai client: stored responses', () => {
  it('retrieves a response exactly as it was answered, streamed or not, on both prefixes', async () => {
    const created = await client().responses.create({ model: MODEL, input: 'Say exactly: kept for later' });
    const retrieved = await client().responses.retrieve(created.id);
    expect(retrieved).toEqual(created);
    expect(retrieved.output_text).toBe('kept for later');
    const v1 = await fetch(`${gateway().url}/v1/responses/${created.id}`);
    expect(v1.status).toBe(200);
    expect(((await v1.json()) as { id: string }).id).toBe(created.id);

    // Streamed: the response the stream's last event carried.
    let completed: unknown;
    const stream = client().responses.stream({ model: MODEL, input: 'Say exactly: streamed and kept' });
    for await (const event of stream) if (event.type === 'response.completed') completed = event.response;
    const streamed = await stream.finalResponse();
    const again = await client().responses.retrieve(streamed.id);
    expect(again.output_text).toBe('streamed and kept');
    expect(again).toEqual(completed);
    expect(again.status).toBe('completed');
  });

  it('lists input items with ids, newest first by default, paging with limit, order, after and before', async () => {
    const input: ResponseInputItem[] = [
      { role: 'developer', content: 'Answer plainly.' },
      { role: 'user', content: 'Say exactly: one' },
      { role: 'assistant', content: 'one' },
      { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Say exactly: two' }] },
    ];
    const created = await client().responses.create({ model: MODEL, input });
    const page = await client().responses.inputItems.list(created.id);
    expect(page.data.map(textOf)).toEqual(['Say exactly: two', 'one', 'Say exactly: one', 'Answer plainly.']);
    for (const item of page.data) expect(item).toMatchObject({ type: 'message', id: expect.stringMatching(/^msg_/) });
    // A string content is listed as parts, as OpenAI lists it.
    expect(page.data[1]).toMatchObject({ role: 'assistant', content: [{ type: 'output_text', text: 'one' }] });
    expect(page.data[2]).toMatchObject({ role: 'user', content: [{ type: 'input_text', text: 'Say exactly: one' }] });

    // Ids are stable: the same listing twice, and ascending is the reverse.
    const ids = page.data.map((item) => item.id);
    const asc = await client().responses.inputItems.list(created.id, { order: 'asc' });
    expect(asc.data.map((item) => item.id)).toEqual([...ids].reverse());

    // Pages of two: the client follows `after` (the last id of each page) until `has_more` is false.
    const first = await client().responses.inputItems.list(created.id, { limit: 2 });
    expect(first.data.map((item) => item.id)).toEqual(ids.slice(0, 2));
    expect(first.has_more).toBe(true);
    const all: string[] = [];
    for await (const item of client().responses.inputItems.list(created.id, { limit: 2 })) all.push(item.id);
    expect(all).toEqual(ids);

    const raw = async (query: string) => {
      const response = await fetch(`${gateway().baseURL}/responses/${created.id}/input_items?${query}`);
      return { status: response.status, body: (await response.json()) as Record<string, any> };
    };
    const before = await raw(`limit=1&before=${ids[2]}`);
    expect(before.body).toMatchObject({ object: 'list', first_id: ids[1], last_id: ids[1], has_more: true });
    const between = await raw(`after=${ids[0]}&before=${ids[3]}`);
    expect(between.body.data.map((item: { id: string }) => item.id)).toEqual(ids.slice(1, 3));
    for (const [query, field] of [
      ['limit=0', 'limit'],
      ['limit=101', 'limit'],
      ['order=sideways', 'order'],
      ['after=msg_nope', 'after'],
    ]) {
      const refused = await raw(query as string);
      expect(refused.status, query).toBe(400);
      expect(refused.body.error.metadata.field).toBe(field);
    }
  });

  it("lists a continued response's history: the earlier turns, then its own input", async () => {
    const first = await client().responses.create({ model: MODEL, input: 'Use get_weather for Lima.', tools });
    const call = first.output.find((item) => item.type === 'function_call');
    if (call?.type !== 'function_call') throw new Error('expected a function call');
    const second = await client().responses.create({
      model: MODEL,
      tools,
      previous_response_id: first.id,
      input: [{ type: 'function_call_output', call_id: call.call_id, output: 'misty' }],
    });
    const listed = await client().responses.inputItems.list(second.id, { order: 'asc' });
    expect(listed.data.map((item) => item.type)).toEqual(['message', 'function_call', 'function_call_output']);
    expect(listed.data[1]).toEqual(call);
    expect(listed.data[2]).toMatchObject({ call_id: call.call_id, output: 'misty', id: expect.any(String) });
    expect(listed.has_more).toBe(false);

    // An item_reference is listed as the item it named.
    const third = await client().responses.create({
      model: MODEL,
      tools,
      input: [
        { role: 'user', content: 'Use get_weather for Lima.' },
        { type: 'item_reference', id: call.id! },
        { type: 'function_call_output', call_id: call.call_id, output: 'misty' },
      ],
    });
    const referenced = await client().responses.inputItems.list(third.id, { order: 'asc' });
    expect(referenced.data[1]).toEqual(call);
  });

  it('deletes a response: gone for retrieve, input_items, a second delete and previous_response_id', async () => {
    const created = await client().responses.create({ model: MODEL, input: 'Say exactly: short-lived' });
    // openai-node types delete() as void, but hands over the body: OpenAI's deletion object.
    const deleted: unknown = await client().responses.delete(created.id);
    expect(deleted).toEqual({ id: created.id, object: 'response', deleted: true });
    await expect(client().responses.retrieve(created.id)).rejects.toBeInstanceOf(NotFoundError);
    await expect(client().responses.inputItems.list(created.id)).rejects.toMatchObject({ status: 404 });
    await expect(client().responses.delete(created.id)).rejects.toBeInstanceOf(NotFoundError);
    const follow = await post(`${gateway().baseURL}/responses`, {
      model: MODEL,
      input: 'hello',
      previous_response_id: created.id,
    });
    expect(follow.status).toBe(400);

    const other = await client().responses.create({ model: MODEL, input: 'Say exactly: deleted on /v1' });
    // As some HTTP libraries send it: a JSON content type and no body.
    const raw = await fetch(`${gateway().url}/v1/responses/${other.id}`, {
      method: 'DELETE',
      headers: { 'content-type': 'application/json' },
    });
    expect(raw.status).toBe(200);
    expect(await raw.json()).toEqual({ id: other.id, object: 'response', deleted: true });
    expect((await fetch(`${gateway().baseURL}/responses/${other.id}`)).status).toBe(404);
  });

  it('refuses to continue a chain with a turn gone from its middle, naming the response that is gone', async () => {
    const first = await client().responses.create({ model: MODEL, input: 'Say exactly: one' });
    const second = await client().responses.create({
      model: MODEL,
      input: 'Say exactly: two',
      previous_response_id: first.id,
    });
    await client().responses.delete(first.id);
    const follow = await post(`${gateway().baseURL}/responses`, {
      model: MODEL,
      input: 'Say exactly: three',
      previous_response_id: second.id,
    });
    expect(follow.status).toBe(400);
    const { error } = (await follow.json()) as { error: { message: string; metadata: { field: string } } };
    expect(error.metadata.field).toBe('previous_response_id');
    expect(error.message).toContain(`Response '${second.id}' continues response '${first.id}'`);
    expect(error.message).toContain('send the full history');
  });

  it('answers 404 in the envelope, with a stable code, for unknown ids and store: false responses', async () => {
    const unstored = await client().responses.create({ model: MODEL, input: 'Say exactly: not kept', store: false });
    for (const id of ['resp_000000000000000000000000', unstored.id]) {
      for (const [method, path] of [
        ['GET', `/api/v1/responses/${id}`],
        ['GET', `/v1/responses/${id}`],
        ['DELETE', `/api/v1/responses/${id}`],
        ['GET', `/v1/responses/${id}/input_items`],
      ] as const) {
        const response = await fetch(`${gateway().url}${path}`, { method });
        expect(response.status, `${method} ${path}`).toBe(404);
        const { error } = (await response.json()) as { error: { code: number; type: string; message: string } };
        expect(error).toMatchObject({ code: 404, type: 'response_not_found' });
        expect(error.message).toContain(id);
      }
    }
    const error = await client()
      .responses.retrieve(unstored.id)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotFoundError);
    expect((error as NotFoundError).type).toBe('response_not_found');

    const streamed = await fetch(`${gateway().baseURL}/responses/resp_000000000000000000000000?stream=true`);
    expect(streamed.status).toBe(400);
    expect(((await streamed.json()) as { error: { metadata: { field: string } } }).error.metadata.field).toBe('stream');
  });
});
