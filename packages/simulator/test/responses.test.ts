/**
 * `POST /responses` over real HTTP on 127.0.0.1: the Responses shape of the chat pipeline's answers (non-stream
 * and stream), tools and their round trip, reasoning items, structured output, and the same usage and cost as the
 * chat endpoint for the same prompt.
 */
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { chat, json, KEY, useSimulator } from './helpers.js';
import { deltaText, MODEL, respond, respondStream, timeTool, weatherTool } from './responses-helpers.js';

describe('POST /responses (non-stream)', () => {
  const sim = useSimulator({ seed: 'responses' });

  it('answers with a response object, an X-Generation-Id and the echo fields clients read', async () => {
    const settings = {
      instructions: 'Be brief.',
      temperature: 0.3,
      top_p: 0.9,
      max_output_tokens: 500,
      metadata: { ticket: 'T-1' },
      user: 'user-7',
    };
    const res = await respond(sim(), {
      input: 'Explain circuit breakers',
      ...settings,
      unknown_field: { accepted: true },
    });
    expect(res.status).toBe(200);
    const body = res.body;
    expect(body.id).toMatch(/^resp_\w+$/);
    expect(res.headers.get('x-generation-id')).toMatch(/^gen-\d+-\w{20}$/);
    expect(body).toMatchObject({
      ...settings,
      object: 'response',
      status: 'completed',
      model: MODEL,
      error: null,
      incomplete_details: null,
      previous_response_id: null,
      store: false,
      truncation: 'disabled',
      parallel_tool_calls: true,
      tool_choice: 'auto',
      tools: [],
      text: { format: { type: 'text' } },
    });
    expect(Number.isInteger(body.created_at)).toBe(true);
    expect(body.output).toHaveLength(1);
    const message = body.output[0];
    expect(message).toMatchObject({ type: 'message', status: 'completed', role: 'assistant' });
    expect(message.id).toMatch(/^msg_/);
    expect(message.content).toEqual([{ type: 'output_text', text: body.output_text, annotations: [], logprobs: [] }]);
    expect(body.output_text.length).toBeGreaterThan(20);
  });

  it('answers exactly what chat answers for the same prompt, with the same tokens and cost', async () => {
    const messages = [
      { role: 'system', content: 'You are terse.' },
      { role: 'user', content: 'Explain retry budgets' },
    ];
    const viaChat = await chat(sim(), { messages });
    const viaResponses = await respond(sim(), { instructions: 'You are terse.', input: 'Explain retry budgets' });
    const usage = viaChat.body.usage;
    expect(viaResponses.body.output_text).toBe(viaChat.body.choices[0].message.content);
    expect(viaResponses.body.usage).toEqual({
      input_tokens: usage.prompt_tokens,
      input_tokens_details: { cached_tokens: 0, cache_write_tokens: 0 },
      output_tokens: usage.completion_tokens,
      output_tokens_details: { reasoning_tokens: 0 },
      total_tokens: usage.total_tokens,
      cost: usage.cost,
      is_byok: false,
      cost_details: {
        upstream_inference_cost: null,
        upstream_inference_input_cost: usage.cost_details.upstream_inference_prompt_cost,
        upstream_inference_output_cost: usage.cost_details.upstream_inference_completions_cost,
      },
    });
    // Instructions are a system message: they count as input.
    const bare = await respond(sim(), { input: 'Explain retry budgets' });
    expect(bare.body.usage.input_tokens).toBeLessThan(viaResponses.body.usage.input_tokens);
  });

  it('records the answer under its generation id and charges the key its cost', async () => {
    const key = 'sk-or-v1-responses-billing';
    const before = await json(sim(), '/key', undefined, { key });
    const res = await respond(sim(), { input: 'Hello there', user: 'end-user-1' }, { key });
    const id = res.headers.get('x-generation-id');
    const generation = await json(sim(), `/generation?id=${id}`, undefined, { key });
    expect(generation.status).toBe(200);
    expect(generation.body.data).toMatchObject({
      id,
      model: MODEL,
      streamed: false,
      finish_reason: 'stop',
      tokens_prompt: res.body.usage.input_tokens,
      tokens_completion: res.body.usage.output_tokens,
      total_cost: res.body.usage.cost,
      external_user: 'end-user-1',
    });
    const after = await json(sim(), '/key', undefined, { key });
    expect(after.body.data.usage - before.body.data.usage).toBeCloseTo(res.body.usage.cost, 12);
    // Another key cannot read it.
    expect((await json(sim(), `/generation?id=${id}`, undefined, { key: KEY })).status).toBe(404);
  });

  it('takes items: messages with content parts, images, and assistant history', async () => {
    const res = await respond(sim(), {
      input: [
        { role: 'developer', content: [{ type: 'input_text', text: 'Answer in English.' }] },
        {
          role: 'user',
          content: [
            { type: 'input_text', text: 'What is in this picture?' },
            { type: 'input_image', image_url: 'https://example.com/cat.png', detail: 'low' },
          ],
        },
        {
          type: 'message',
          id: 'msg_earlier',
          status: 'completed',
          role: 'assistant',
          content: [{ type: 'output_text', text: 'A cat.', annotations: [] }],
        },
        { type: 'message', role: 'user', content: 'Say exactly: thanks, noted' },
      ],
    });
    expect(res.status).toBe(200);
    expect(res.body.output_text).toBe('thanks, noted');
    // 85 tokens for the image, on top of the text.
    expect(res.body.usage.input_tokens).toBeGreaterThan(85);
  });

  it('ends an answer cut by max_output_tokens as incomplete', async () => {
    const res = await respond(sim(), { input: 'Tell me a long story', max_output_tokens: 5 });
    expect(res.body.status).toBe('incomplete');
    expect(res.body.incomplete_details).toEqual({ reason: 'max_output_tokens' });
    expect(res.body.output[0].status).toBe('incomplete');
    expect(res.body.usage.output_tokens).toBe(5);
    const generation = await json(sim(), `/generation?id=${res.headers.get('x-generation-id')}`);
    expect(generation.body.data.finish_reason).toBe('length');
  });
});

describe('POST /responses tools and structured output', () => {
  const sim = useSimulator({ seed: 'responses-tools' });
  const ajv = new Ajv();

  it('calls the function tools the user names, with arguments that satisfy their schemas', async () => {
    const res = await respond(sim(), {
      input: 'Use get_weather for Paris, then get_time',
      tools: [weatherTool, timeTool, { type: 'web_search_preview' }],
    });
    expect(res.body.status).toBe('completed');
    const calls = res.body.output;
    expect(calls.map((c: any) => c.type)).toEqual(['function_call', 'function_call']);
    expect(calls.map((c: any) => c.name)).toEqual(['get_weather', 'get_time']);
    for (const call of calls) {
      expect(call.id).toMatch(/^fc_/);
      expect(call.call_id).toMatch(/^call_/);
      expect(call.status).toBe('completed');
    }
    const validate = ajv.compile(weatherTool.parameters);
    expect(validate(JSON.parse(calls[0].arguments))).toBe(true);
    expect(res.body.output_text).toBe('');
    // Tools are echoed as sent, hosted ones included.
    expect(res.body.tools).toEqual([weatherTool, timeTool, { type: 'web_search_preview' }]);
  });

  it('honours tool_choice: a forced function, none, and one call per turn without parallel calls', async () => {
    const forced = await respond(sim(), {
      input: 'Hello',
      tools: [weatherTool, timeTool],
      tool_choice: { type: 'function', name: 'get_time' },
    });
    expect(forced.body.output.map((c: any) => c.name)).toEqual(['get_time']);
    expect(forced.body.tool_choice).toEqual({ type: 'function', name: 'get_time' });
    const none = await respond(sim(), { input: 'Use get_weather', tools: [weatherTool], tool_choice: 'none' });
    expect(none.body.output.map((c: any) => c.type)).toEqual(['message']);
    const serial = await respond(sim(), {
      input: 'Use get_weather and get_time',
      tools: [weatherTool, timeTool],
      parallel_tool_calls: false,
    });
    expect(serial.body.output.map((c: any) => c.name)).toEqual(['get_weather']);
    expect(serial.body.parallel_tool_calls).toBe(false);
  });

  it('continues after function_call and function_call_output items sent back', async () => {
    const input: any[] = [{ role: 'user', content: 'Use get_weather for Oslo' }];
    const first = await respond(sim(), { input, tools: [weatherTool] });
    const call = first.body.output[0];
    input.push(call, { type: 'function_call_output', call_id: call.call_id, output: '{"temp_c": -3}' });
    const second = await respond(sim(), { input, tools: [weatherTool] });
    expect(second.status).toBe(200);
    expect(second.body.output.map((i: any) => i.type)).toEqual(['message']);
    expect(second.body.output_text).toContain('Based on the tool results ({"temp_c": -3})');
    // A result whose call is not in the history is refused, as providers refuse it.
    const orphan = await respond(sim(), {
      input: [input[0], { type: 'function_call_output', call_id: 'call_missing', output: 'x' }],
      tools: [weatherTool],
    });
    expect(orphan.status).toBe(400);
    expect(orphan.body.error.metadata.raw).toContain("messages with role 'tool' must be a response");
  });

  it('returns JSON that satisfies text.format json_schema, and a JSON object for json_object', async () => {
    const schema = {
      type: 'object',
      properties: {
        city: { type: 'string' },
        population: { type: 'integer', minimum: 0 },
        tags: { type: 'array', items: { type: 'string' }, minItems: 1 },
      },
      required: ['city', 'population', 'tags'],
      additionalProperties: false,
    };
    const res = await respond(sim(), {
      input: 'Describe Paris',
      text: { format: { type: 'json_schema', name: 'city_info', schema, strict: true } },
    });
    const parsed = JSON.parse(res.body.output_text);
    expect(ajv.compile(schema)(parsed)).toBe(true);
    expect(res.body.text.format).toMatchObject({ type: 'json_schema', name: 'city_info' });
    const object = await respond(sim(), { input: 'Describe Paris', text: { format: { type: 'json_object' } } });
    expect(typeof JSON.parse(object.body.output_text)).toBe('object');
  });
});

describe('POST /responses reasoning', () => {
  const sim = useSimulator({ seed: 'responses-reasoning' });

  it('puts reasoning in a reasoning item before the message, and encrypted content only when included', async () => {
    const plain = await respond(sim(), { model: 'openai/o4-mini', input: 'Why is the sky blue?' });
    const [reasoning, message] = plain.body.output;
    expect(reasoning.type).toBe('reasoning');
    expect(reasoning.id).toMatch(/^rs_/);
    expect(reasoning.format).toBe('openai-responses-v1');
    expect(reasoning.summary).toHaveLength(1);
    expect(reasoning.summary[0].type).toBe('summary_text');
    expect(reasoning.summary[0].text.length).toBeGreaterThan(10);
    expect(reasoning).not.toHaveProperty('encrypted_content');
    expect(message.type).toBe('message');
    expect(plain.body.usage.output_tokens_details.reasoning_tokens).toBe(32); // default effort: medium
    const included = await respond(sim(), {
      model: 'openai/o4-mini',
      input: 'Why is the sky blue?',
      include: ['reasoning.encrypted_content'],
      reasoning: { effort: 'low', summary: 'auto' },
    });
    expect(included.body.output[0].encrypted_content).toMatch(/^gAAAAA/);
    expect(included.body.usage.output_tokens_details.reasoning_tokens).toBe(16);
    expect(included.body.reasoning).toEqual({ effort: 'low', summary: 'auto' });
  });

  it('keeps reasoning hidden by reasoning.exclude out of the summary but counts its tokens', async () => {
    const res = await respond(sim(), {
      model: 'openai/o4-mini',
      input: 'Why is the sky blue?',
      reasoning: { effort: 'low', exclude: true },
    });
    expect(res.body.output[0]).toMatchObject({ type: 'reasoning', summary: [] });
    expect(res.body.usage.output_tokens_details.reasoning_tokens).toBe(16);
  });

  it('checks replayed Anthropic reasoning signatures like the provider does', async () => {
    const model = 'anthropic/claude-sonnet-4.5';
    const input: any[] = [{ role: 'user', content: 'Plan a trip' }];
    const first = await respond(sim(), { model, input, reasoning: { effort: 'low' } });
    const reasoning = first.body.output[0];
    expect(reasoning).toMatchObject({ type: 'reasoning', format: 'anthropic-claude-v1' });
    expect(typeof reasoning.signature).toBe('string');
    const turn = [...input, ...first.body.output, { role: 'user', content: 'And the budget?' }];
    expect((await respond(sim(), { model, input: turn })).status).toBe(200);
    const tampered = structuredClone(turn);
    tampered[1].summary[0].text += ' (edited)';
    const refused = await respond(sim(), { model, input: tampered });
    expect(refused.status).toBe(400);
    expect(refused.body.error.metadata.raw).toContain('Invalid `signature` in `thinking` block');
  });

  it("carries Gemini 3's thought signature through a function-call round trip", async () => {
    const model = 'google/gemini-3-flash-preview';
    const input: any[] = [{ role: 'user', content: 'Use get_weather for Rome' }];
    const first = await respond(sim(), { model, input, tools: [weatherTool] });
    expect(first.body.output.map((i: any) => i.type)).toEqual(['reasoning', 'function_call']);
    const call = first.body.output[1];
    const result = { type: 'function_call_output', call_id: call.call_id, output: 'sunny' };
    const next = await respond(sim(), { model, input: [...input, ...first.body.output, result], tools: [weatherTool] });
    expect(next.status).toBe(200);
    // Without the reasoning item the call has no thought signature: Gemini refuses the history.
    const unsigned = await respond(sim(), { model, input: [...input, call, result], tools: [weatherTool] });
    expect(unsigned.status).toBe(400);
    expect(unsigned.body.error.metadata.raw).toContain('thought_signature');
  });
});

describe('POST /responses (stream)', () => {
  const sim = useSimulator({ seed: 'responses-stream', stream: { processingComments: 2, commentEvery: 4 } });

  it('sends the events in order, numbered from 0, each named by its event line, then [DONE]', async () => {
    const { res, comments, events, types, done, after, final } = await respondStream(sim(), {
      input: 'Say exactly: one two three four five six',
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    expect(res.headers.get('x-generation-id')).toMatch(/^gen-/);
    expect(comments.length).toBeGreaterThanOrEqual(3);
    expect(comments.every((c) => c === 'OPENROUTER PROCESSING')).toBe(true);
    expect(done).toBe(true);
    expect(after).toEqual([]);
    const deltas = types.filter((t) => t === 'response.output_text.delta').length;
    expect(types).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
      ...Array(deltas).fill('response.output_text.delta'),
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.completed',
    ]);
    expect(events.map((e) => e.data.sequence_number)).toEqual(events.map((_, i) => i));
    for (const e of events) expect(e.event).toBe(e.data.type);
    expect(events[0]?.data.response).toMatchObject({ status: 'in_progress', output: [], usage: null });
    const added = events[2]?.data;
    expect(added.item).toMatchObject({ type: 'message', status: 'in_progress', content: [] });
    expect(events[3]?.data.part).toEqual({ type: 'output_text', text: '', annotations: [], logprobs: [] });
    const delta = events[4]?.data;
    expect(delta).toMatchObject({ item_id: added.item.id, output_index: 0, content_index: 0 });
    expect(deltaText(events)).toBe('one two three four five six');
    expect(final?.output_text).toBe('one two three four five six');
    expect(final?.status).toBe('completed');
  });

  it('streams exactly the output and usage of the non-stream answer', async () => {
    const body = { input: 'Explain idempotency keys' };
    const plain = await respond(sim(), body);
    const streamed = await respondStream(sim(), body);
    expect(deltaText(streamed.events)).toBe(plain.body.output_text);
    expect(streamed.final?.usage).toEqual(plain.body.usage);
    expect(streamed.final?.output[0].content).toEqual(plain.body.output[0].content);
    const generation = await json(sim(), `/generation?id=${streamed.res.headers.get('x-generation-id')}`);
    expect(generation.body.data).toMatchObject({ streamed: true, total_cost: plain.body.usage.cost });
  });

  it('streams reasoning summaries, then the message, each item at its own output_index', async () => {
    const { types, events, final } = await respondStream(sim(), { model: 'openai/o4-mini', input: 'Why?' });
    const head = types.slice(2, 6);
    expect(head).toEqual([
      'response.output_item.added',
      'response.reasoning_summary_part.added',
      'response.reasoning_summary_text.delta',
      'response.reasoning_summary_text.delta',
    ]);
    const summary = events
      .filter((e) => e.data.type === 'response.reasoning_summary_text.delta')
      .map((e) => e.data.delta)
      .join('');
    const doneText = events.find((e) => e.data.type === 'response.reasoning_summary_text.done')?.data;
    expect(doneText).toMatchObject({ text: summary, output_index: 0, summary_index: 0 });
    expect(final?.output[0].summary[0].text).toBe(summary);
    const messageAdded = events.filter((e) => e.data.type === 'response.output_item.added')[1]?.data;
    expect(messageAdded).toMatchObject({ output_index: 1, item: { type: 'message' } });
    expect(events.filter((e) => e.data.type === 'response.output_text.delta')[0]?.data.output_index).toBe(1);
  });

  it('streams function-call arguments in pieces that join to the final arguments', async () => {
    const { types, events, final } = await respondStream(sim(), {
      input: 'Use get_weather',
      tools: [weatherTool],
    });
    expect(types).not.toContain('response.output_text.delta');
    const added = events.find((e) => e.data.type === 'response.output_item.added')!.data;
    expect(added.item).toMatchObject({
      type: 'function_call',
      name: 'get_weather',
      arguments: '',
      status: 'in_progress',
    });
    const pieces = events.filter((e) => e.data.type === 'response.function_call_arguments.delta');
    expect(pieces.length).toBeGreaterThan(1);
    const joined = pieces.map((e) => e.data.delta).join('');
    const doneArgs = events.find((e) => e.data.type === 'response.function_call_arguments.done')?.data;
    expect(doneArgs).toMatchObject({ arguments: joined, name: 'get_weather', item_id: added.item.id });
    expect(final?.output[0].arguments).toBe(joined);
  });

  it('ends a stream cut by max_output_tokens with response.incomplete', async () => {
    const { types, final } = await respondStream(sim(), { input: 'Tell me a story', max_output_tokens: 3 });
    expect(types.at(-1)).toBe('response.incomplete');
    expect(final).toMatchObject({ status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' } });
    expect(final?.usage.output_tokens).toBe(3);
  });
});
