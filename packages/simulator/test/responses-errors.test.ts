/**
 * `POST /responses` refusals, errors and faults over real HTTP on 127.0.0.1: the stateless 400s, validation that
 * names the Responses field, OpenRouter's error envelope and statuses, token-limit errors as incomplete responses,
 * and the fault scenarios (mid-stream failure → `response.failed`, dropped connections, pacing).
 */
import { describe, expect, it } from 'vitest';
import { json, useSimulator } from './helpers.js';
import { fault, MODEL, respond, respondRaw, respondStream, sseEvents } from './responses-helpers.js';

describe('POST /responses refusals', () => {
  const sim = useSimulator({ seed: 'responses-refusals' });

  it.each([
    [{ store: true }, 'store'],
    [{ previous_response_id: 'resp_abc' }, 'previous_response_id'],
    [{ conversation: 'conv_1' }, 'conversation'],
    [{ background: true }, 'background'],
  ])('is stateless: %j → 400 in OpenRouter’s envelope', async (extra, field) => {
    const res = await respond(sim(), { input: 'Hi', ...extra });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 400, metadata: { field }, error_type: 'invalid_request' });
    expect(res.body.error.message).toContain('stateless');
    expect(res.body.user_id).toMatch(/^user_/);
    expect(res.headers.get('x-generation-id')).toBeNull();
  });

  it('accepts store: false and previous_response_id: null', async () => {
    const res = await respond(sim(), { input: 'Hi', store: false, previous_response_id: null });
    expect(res.status).toBe(200);
    expect(res.body.store).toBe(false);
  });

  it.each([
    [{ input: undefined }, 'input'],
    [{ input: 42 }, 'input'],
    [{ input: [] }, 'input'],
    [{ input: [{ type: 'item_reference', id: 'msg_1' }] }, 'input[0].type'],
    [{ input: [{ type: 'computer_call_output' }] }, 'input[0].type'],
    [{ input: [{ role: 'robot', content: 'x' }] }, 'input[0].role'],
    [{ input: [{ role: 'user', content: [{ type: 'input_video' }] }] }, 'input[0].content[0].type'],
    [{ input: [{ role: 'user', content: [{ type: 'input_image' }] }] }, 'input[0].content[0].image_url'],
    [{ input: [{ type: 'function_call', call_id: 'c', name: 'f' }] }, 'input[0].arguments'],
    [{ input: [{ type: 'function_call_output', output: 'x' }] }, 'input[0].call_id'],
    [{ input: [{ role: 'assistant', content: [{ type: 'output_text', text: 'x' }] }] }, 'input[0].id'],
    [{ instructions: ['x'] }, 'instructions'],
    [{ tools: [{ type: 'function', name: 'has space' }] }, 'tools[0].name'],
    [{ tools: [{ type: 'function', name: 'f', parameters: 'x' }] }, 'tools[0].parameters'],
    [{ tool_choice: 'sometimes' }, 'tool_choice'],
    [{ text: { format: { type: 'json_schema', name: 'x' } } }, 'text.format.schema'],
    [{ text: { format: { type: 'xml' } } }, 'text.format.type'],
    [{ max_output_tokens: 0 }, 'max_output_tokens'],
    [{ include: 'reasoning.encrypted_content' }, 'include'],
    [{ temperature: 3 }, 'temperature'],
    [{ reasoning: { effort: 'extreme' } }, 'reasoning.effort'],
  ])('refuses %j naming %s', async (extra, field) => {
    const res = await respond(sim(), { input: 'Hi', ...extra });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toContain(`'${field}'`);
    expect(res.body.error.metadata.field).toBe(field);
  });

  it('answers an unknown model and a provider key OpenRouter rejects as chat does', async () => {
    const unknown = await respond(sim(), { model: 'nobody/nothing', input: 'Hi' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.message).toBe('nobody/nothing is not a valid model ID');
    const provider = await respond(sim(), { input: 'Hi', provider: { fastest: true } });
    expect(provider.status).toBe(400);
    expect(provider.body.error.message).toBe("Unrecognized key(s) in object: 'fastest'");
  });
});

describe('POST /responses errors and faults', () => {
  const sim = useSimulator({ seed: 'responses-faults' });

  it('answers a 429 with Retry-After in OpenRouter’s envelope', async () => {
    const res = await respond(sim(), { input: 'Hi' }, fault({ kind: 'http', status: 429, retryAfter: 7 }));
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('7');
    expect(res.body.error).toMatchObject({ code: 429, error_type: 'rate_limit_exceeded' });
    expect(res.body.error.message).toContain('Rate limit exceeded');
  });

  it('falls back to the next model of models[] as chat does', async () => {
    const res = await respond(
      sim(),
      { model: 'openai/gpt-4o', models: ['anthropic/claude-haiku-4.5'], input: 'Hi' },
      fault({ kind: 'http', status: 503, model: 'openai/gpt-4o' }),
    );
    expect(res.status).toBe(200);
    expect(res.body.model).toBe('anthropic/claude-haiku-4.5');
  });

  it('answers a context-length error as a successful, incomplete response without output', async () => {
    const res = await respond(sim(), { input: 'Hi' }, fault('context-length'));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      object: 'response',
      status: 'incomplete',
      incomplete_details: { reason: 'max_output_tokens' },
      error_type: 'context_length_exceeded',
      output: [],
      model: MODEL,
    });
    expect(res.body.usage).toMatchObject({ input_tokens: 0, output_tokens: 0, cost: 0 });
    const streamed = await respondStream(sim(), { input: 'Hi' }, fault('context-length'));
    expect(streamed.types).toEqual(['response.created', 'response.in_progress', 'response.incomplete']);
    expect(streamed.done).toBe(true);
    expect(streamed.final?.status).toBe('incomplete');
  });

  it('ends a stream that fails mid-way with response.failed carrying the partial output, then [DONE]', async () => {
    const body = { input: 'Say exactly: alpha beta gamma delta epsilon' };
    const { events, types, done, final, res } = await respondStream(
      sim(),
      body,
      fault({ kind: 'mid-stream-error', afterChunks: 2, code: 429 }),
    );
    expect(types.filter((t) => t === 'response.output_text.delta')).toHaveLength(2);
    expect(types.at(-1)).toBe('response.failed');
    expect(types).not.toContain('response.completed');
    expect(done).toBe(true);
    expect(events.map((e) => e.data.sequence_number)).toEqual(events.map((_, i) => i));
    expect(final).toMatchObject({
      status: 'failed',
      error: { code: 'rate_limit_exceeded' },
      error_type: 'rate_limit_exceeded',
      output: [{ type: 'message', status: 'incomplete', content: [{ type: 'output_text', text: 'alpha beta' }] }],
    });
    expect(final?.usage.output_tokens).toBe(2);
    const generation = await json(sim(), `/generation?id=${res.headers.get('x-generation-id')}`);
    expect(generation.body.data).toMatchObject({ finish_reason: 'error', tokens_completion: 2 });
    expect(generation.body.data.total_cost).toBe(final?.usage.cost);
  });

  it('reports a 5xx failure as server_error and may end without [DONE]', async () => {
    const { final, done } = await respondStream(
      sim(),
      { input: 'Hello' },
      fault({ kind: 'mid-stream-error', afterChunks: 1, code: 500, done: false }),
    );
    expect(final).toMatchObject({
      status: 'failed',
      error: { code: 'server_error', message: 'Internal Server Error' },
      error_type: 'server',
    });
    expect(done).toBe(false);
  });

  it('answers the non-stream form of a mid-generation failure as a failed response', async () => {
    const res = await respond(sim(), { input: 'Say exactly: one two three four' }, fault('mid-stream-error'));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      status: 'failed',
      error: { code: 'server_error', message: 'Provider returned error' },
      error_type: 'provider_unavailable',
    });
    expect(res.body.output_text).toBe('one two');
    expect(res.body.usage.output_tokens).toBe(2);
  });

  it('drops the connection mid-stream for reset-mid-body, after some events', async () => {
    const res = await respondRaw(sim(), { input: 'Hello there' }, fault('reset-mid-body'));
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    await expect(
      (async () => {
        for (;;) {
          const { value, done } = await reader.read();
          if (done) return;
          text += decoder.decode(value, { stream: true });
        }
      })(),
    ).rejects.toThrow();
    expect(text).toContain('response.output_text.delta');
    expect(text).not.toContain('response.completed');
  });

  it('ends a cut stream cleanly without the terminal event or [DONE]', async () => {
    const { types, done } = await respondStream(
      sim(),
      { input: 'Hello there' },
      fault({ kind: 'cut', afterChunks: 3 }),
    );
    expect(types.filter((t) => t === 'response.output_text.delta')).toHaveLength(3);
    expect(types).not.toContain('response.completed');
    expect(done).toBe(false);
  });

  it('inserts a line that is not JSON for malformed-chunk, then goes on', async () => {
    const res = await respondRaw(sim(), { input: 'Hello' }, fault('malformed-chunk'));
    const raw = await res.text();
    expect(() => sseEvents(raw)).toThrow(SyntaxError);
    expect(raw).toContain('event: response.completed');
  });

  it('answers error-200 with an error body under HTTP 200, as chat does', async () => {
    const res = await respond(sim(), { input: 'Hi' }, fault({ kind: 'error-200', code: 502 }));
    expect(res.status).toBe(200);
    expect(res.body.error).toMatchObject({ code: 502 });
    expect(res.body.object).toBeUndefined();
  });

  it('sends keep-alive comments while a stream stalls', async () => {
    const stalled = fault({ kind: 'stall', afterChunks: 1, mode: 'keepalive', intervalMs: 20, durationMs: 120 });
    const { comments, final } = await respondStream(sim(), { input: 'Hello' }, stalled);
    expect(comments.length).toBeGreaterThanOrEqual(3);
    expect(final?.status).toBe('completed');
  });
});

describe('POST /responses pacing', () => {
  const sim = useSimulator({ seed: 'responses-pace', pace: { ttftMs: 150, tokensPerSecond: 1000 } });

  it('paces a stream as chat streams are paced (time to first token, then per token)', async () => {
    const started = Date.now();
    const res = await respondRaw(sim(), { input: 'Say exactly: a b c' });
    const raw = await res.text();
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    expect(sseEvents(raw).events.at(-1)?.data.type).toBe('response.completed');
  });
});
