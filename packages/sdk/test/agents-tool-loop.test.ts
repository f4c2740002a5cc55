import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  InvalidSchemaError,
  runTools,
  streamTools,
  ToolCallError,
  type ToolLoopEvent,
  ToolLoopMaxCostError,
  ToolLoopMaxStepsError,
  type ToolLoopResult,
  tool,
} from '../src/agents/index.js';
import { AbortError, type AssistantMessage, InvalidRequestError, type Message, SwitchyardError } from '../src/index.js';
import { deferred, useProxy } from './agents-helpers.js';
import { clientFor, useSimulator } from './helpers.js';

const weatherSchema = { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] };
const timeSchema = { type: 'object', properties: { tz: { type: 'string' } }, required: ['tz'] };

function weatherTools(calls: string[] = []) {
  return {
    get_weather: {
      description: 'Current weather of a city',
      parameters: weatherSchema,
      execute: (input: Record<string, unknown>) => {
        calls.push(`get_weather:${input.city}`);
        return { city: input.city, temp_c: 21 };
      },
    },
    get_time: {
      description: 'Current time in a time zone',
      parameters: timeSchema,
      execute: () => {
        calls.push('get_time');
        return '12:00';
      },
    },
  };
}

const assistantWithCalls = (messages: Message[]) =>
  messages.filter((m): m is AssistantMessage => m.role === 'assistant' && Array.isArray(m.tool_calls));

describe('tool loop against the simulator', () => {
  const sim = useSimulator({
    seed: 5,
    rules: [
      { match: { model: 'openai/gpt-4.1' }, first: 1, fault: { kind: 'http', status: 503 } },
      { match: { model: 'openai/gpt-4.1-mini' }, nth: [2], fault: { kind: 'http', status: 400 } },
    ],
  });
  const proxy = useProxy(sim);

  it('runs a multi-step loop: one tool per turn, results back as tool messages, then the answer', async () => {
    const calls: string[] = [];
    const sy = clientFor(sim());
    const r = await runTools(sy, {
      model: 'openai/gpt-4o',
      prompt: 'Use get_weather for Paris, then get_time.',
      tools: weatherTools(calls),
      parallel: false,
    });
    expect(r.stopReason).toBe('finished');
    expect(r.finishReason).toBe('stop');
    expect(r.steps.map((s) => s.toolCalls.map((c) => c.name))).toEqual([['get_weather'], ['get_time'], []]);
    expect(calls).toEqual(['get_weather:Paris', 'get_time']);
    expect(r.text).toContain('Based on the tool results');
    expect(r.text).toBe(r.steps[2]!.text);
    // The conversation: user, then per tool step the assistant message and its tool result.
    expect(r.messages.map((m) => m.role)).toEqual(['user', 'assistant', 'tool', 'assistant', 'tool', 'assistant']);
    expect(r.newMessages).toEqual(r.messages.slice(1));
    const [first, second] = assistantWithCalls(r.messages);
    expect(r.messages[2]).toEqual({
      role: 'tool',
      tool_call_id: first!.tool_calls![0]!.id,
      content: '{"city":"Paris","temp_c":21}',
    });
    expect(r.messages[4]).toMatchObject({ role: 'tool', tool_call_id: second!.tool_calls![0]!.id, content: '12:00' });
    // Totals add up over the steps.
    expect(r.usage.totalTokens).toBe(r.steps.reduce((n, s) => n + s.usage.totalTokens, 0));
    expect(r.costUsd).toBeCloseTo(
      r.steps.reduce((n, s) => n + s.costUsd, 0),
      12,
    );
    expect(r.costUsd).toBeGreaterThan(0);
    expect(r.result?.generationId).toBe(r.steps[2]!.result.generationId);
  });

  it('runs the parallel calls of one answer concurrently and returns their results in call order', async () => {
    const started: string[] = [];
    const bothStarted = deferred();
    const waitForTheOther = async (name: string) => {
      started.push(name);
      if (started.length === 2) bothStarted.resolve();
      const timeout = new Promise((_, reject) => setTimeout(() => reject(new Error('ran alone')), 2000));
      await Promise.race([bothStarted.promise, timeout]);
      return `${name} done`;
    };
    const sy = clientFor(sim());
    const events: ToolLoopEvent[] = [];
    const run = streamTools(sy, {
      model: 'openai/gpt-4o',
      prompt: 'Call get_weather and get_time at once.',
      tools: {
        get_weather: { parameters: weatherSchema, execute: () => waitForTheOther('get_weather') },
        get_time: { parameters: timeSchema, execute: () => waitForTheOther('get_time') },
      },
    });
    for await (const event of run) events.push(event);
    const r = await run.final();
    expect(r.steps).toHaveLength(2);
    expect(r.steps[0]!.toolCalls.map((c) => c.name)).toEqual(['get_weather', 'get_time']);
    expect(r.steps[0]!.toolResults.map((t) => [t.name, t.content, t.error])).toEqual([
      ['get_weather', 'get_weather done', undefined],
      ['get_time', 'get_time done', undefined],
    ]);
    expect(r.messages.map((m) => m.role)).toEqual(['user', 'assistant', 'tool', 'tool', 'assistant']);
    expect(events.filter((e) => e.type === 'tool_result')).toHaveLength(2);
  });

  it('sends parallel_tool_calls: false and one call per turn with parallel: false', async () => {
    const sy = clientFor(sim(), { baseURL: proxy().url });
    const before = proxy().chatRequests().length;
    const r = await runTools(sy, {
      model: 'openai/gpt-4o',
      prompt: 'Use get_weather for Rome and get_time.',
      tools: weatherTools(),
      parallel: false,
    });
    expect(r.steps.every((s) => s.toolCalls.length <= 1)).toBe(true);
    const sent = proxy().chatRequests().slice(before);
    expect(sent).toHaveLength(r.steps.length);
    expect(sent.every((q) => q.parallel_tool_calls === false)).toBe(true);
  });

  it('validates arguments before execute: invalid ones go back to the model as a tool error', async () => {
    let executed = 0;
    const sy = clientFor(sim());
    const r = await runTools(sy, {
      model: 'openai/gpt-4o',
      prompt: 'What is the weather? Use get_weather.',
      tools: {
        get_weather: {
          // zod checks more than the JSON Schema the model sees: the simulator's valid-looking city fails here.
          parameters: z.object({ city: z.string().refine((city) => city === 'Atlantis', 'unknown city') }),
          execute: () => {
            executed++;
            return 'sunny';
          },
        },
      },
    });
    expect(executed).toBe(0);
    const [record] = r.steps[0]!.toolResults;
    expect(record!.error).toMatchObject({ kind: 'invalid_arguments', name: 'get_weather' });
    expect(record!.error!.issues).toEqual([{ path: ['city'], message: 'unknown city' }]);
    expect(record!.input).toBeUndefined();
    expect(record!.content).toBe(
      'Error: invalid arguments for get_weather:\n- $.city: unknown city\nCall get_weather again with corrected arguments.',
    );
    expect(r.messages[2]).toMatchObject({ role: 'tool', content: record!.content });
    expect(r.stopReason).toBe('finished');
    expect(r.text).toContain('Error: invalid arguments for get_weather');
  });

  it('reports arguments that are not JSON (cut off by max_tokens) and checks plain JSON Schemas', async () => {
    const sy = clientFor(sim());
    const cut = await runTools(sy, {
      model: 'openai/gpt-4o',
      max_tokens: 3,
      prompt: 'Use get_weather.',
      tools: { get_weather: { parameters: weatherSchema, execute: () => 'never' } },
    });
    const [record] = cut.steps[0]!.toolResults;
    expect(cut.steps[0]!.result.finishReason).toBe('length');
    expect(record!.error?.kind).toBe('invalid_arguments');
    expect(record!.content).toMatch(/^Error: invalid arguments for get_weather:\n- the arguments are not valid JSON/);

    // A JSON Schema stricter than what the model was shown (`jsonSchema`): our validator rejects the call.
    const strict = await runTools(sy, {
      model: 'openai/gpt-4o',
      prompt: 'Use get_weather for Paris.',
      tools: {
        get_weather: {
          parameters: { ...weatherSchema, properties: { city: { type: 'string', pattern: '^Z' } } },
          jsonSchema: weatherSchema,
          execute: () => 'never',
        },
      },
    });
    expect(strict.steps[0]!.toolResults[0]!.error?.issues).toEqual([
      { path: ['city'], message: 'must match the pattern ^Z' },
    ]);
  });

  it('sends a throwing tool back as an error message, or a custom text, or throws ToolCallError', async () => {
    const sy = clientFor(sim());
    const failing = {
      get_weather: {
        parameters: weatherSchema,
        execute: (): string => {
          throw new Error('database down');
        },
      },
    };
    const r = await runTools(sy, { model: 'openai/gpt-4o', prompt: 'Use get_weather.', tools: failing });
    expect(r.steps[0]!.toolResults[0]).toMatchObject({
      content: 'Error: get_weather failed: database down',
      error: { kind: 'execution_failed', message: 'Error: get_weather failed: database down' },
    });
    expect((r.steps[0]!.toolResults[0]!.error!.cause as Error).message).toBe('database down');
    expect(r.stopReason).toBe('finished');

    const custom = await runTools(sy, {
      model: 'openai/gpt-4o',
      prompt: 'Use get_weather.',
      tools: failing,
      onToolError: (failure) => JSON.stringify({ error: failure.kind }),
    });
    expect(custom.messages[2]).toMatchObject({ role: 'tool', content: '{"error":"execution_failed"}' });

    const error = await runTools(sy, {
      model: 'openai/gpt-4o',
      prompt: 'Use get_weather.',
      tools: failing,
      onToolError: 'throw',
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ToolCallError);
    expect(error).toBeInstanceOf(SwitchyardError);
    const toolError = error as ToolCallError;
    expect(toolError.code).toBe('tool_call_failed');
    expect(toolError.failure.kind).toBe('execution_failed');
    expect(toolError.result.stopReason).toBe('tool_error');
    expect(toolError.result.steps).toHaveLength(1);
  });

  it('answers a call of an unknown tool with an error listing the available ones', async () => {
    const sy = clientFor(sim());
    const r = await runTools(sy, {
      model: 'openai/gpt-4o',
      prompt: 'Use mystery_tool.',
      tools: weatherTools(),
      extraTools: [{ type: 'function', function: { name: 'mystery_tool', parameters: { type: 'object' } } }],
    });
    expect(r.steps[0]!.toolResults[0]).toMatchObject({
      name: 'mystery_tool',
      error: { kind: 'unknown_tool' },
      content: 'Error: there is no tool named "mystery_tool". Available tools: get_weather, get_time.',
    });
  });

  it('stops at maxSteps with a typed error carrying the steps so far, or returns with onLimit: return', async () => {
    const sy = clientFor(sim());
    const options = {
      model: 'openai/gpt-4o',
      prompt: 'Use get_weather for Oslo, then get_time.',
      tools: weatherTools(),
      parallel: false,
      maxSteps: 1,
    };
    const error = await runTools(sy, options).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ToolLoopMaxStepsError);
    const limit = error as ToolLoopMaxStepsError;
    expect(limit.code).toBe('tool_loop_max_steps');
    expect(limit.message).toContain('after 1 step(s) (maxSteps)');
    expect(limit.result.steps).toHaveLength(1);
    expect(limit.result.stopReason).toBe('max_steps');
    expect(limit.result.messages.map((m) => m.role)).toEqual(['user', 'assistant', 'tool']);

    const returned = await runTools(sy, { ...options, onLimit: 'return' });
    expect(returned.stopReason).toBe('max_steps');
    expect(returned.finishReason).toBe('tool_calls');
    expect(returned.steps).toHaveLength(1);
  });

  it('stops at maxCost, counting cost across steps and checking before each step', async () => {
    const sy = clientFor(sim());
    const options = {
      model: 'openai/gpt-4o',
      prompt: 'Use get_weather for Oslo, then get_time.',
      tools: weatherTools(),
      parallel: false,
      maxCost: 0.000001,
    };
    const error = await runTools(sy, options).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ToolLoopMaxCostError);
    const limit = error as ToolLoopMaxCostError;
    expect(limit.code).toBe('tool_loop_max_cost');
    expect(limit.result.steps).toHaveLength(1);
    expect(limit.result.costUsd).toBeGreaterThanOrEqual(0.000001);
    expect(limit.result.costUsd).toBe(limit.result.steps[0]!.costUsd);

    const nothing = await runTools(sy, { ...options, maxCost: 0, onLimit: 'return' });
    expect(nothing).toMatchObject({ stopReason: 'max_cost', steps: [], costUsd: 0, text: '' });

    // A generous budget lets the loop finish.
    const enough = await runTools(sy, { ...options, maxCost: 1 });
    expect(enough.stopReason).toBe('finished');
    expect(enough.steps).toHaveLength(3);
  });

  it('goes through the routing engine: a failed attempt is retried within the step', async () => {
    const sy = clientFor(sim(), { retry: { attempts: 2, backoffBaseMs: 1, backoffMaxMs: 1 } });
    const r = await runTools(sy, {
      model: 'openai/gpt-4.1',
      prompt: 'Use get_weather for Lima.',
      tools: weatherTools(),
    });
    expect(r.stopReason).toBe('finished');
    const attempts = r.steps[0]!.result.attempts ?? [];
    expect(attempts.map((a) => [a.status ?? 200, a.outcome])).toEqual([
      [503, 'retry'],
      [200, 'success'],
    ]);
    expect(r.steps[0]!.costUsd).toBe(r.steps[0]!.result.cost.usd);
  });

  it('throws a failing step’s own typed error, with the loop so far as error.toolLoop', async () => {
    const calls: string[] = [];
    const sy = clientFor(sim());
    const error = await runTools(sy, {
      model: 'openai/gpt-4.1-mini',
      prompt: 'Use get_weather for Lima.',
      tools: weatherTools(calls),
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidRequestError);
    const loop = (error as InvalidRequestError & { toolLoop: ToolLoopResult }).toolLoop;
    expect(calls).toEqual(['get_weather:Lima']);
    expect(loop.stopReason).toBe('error');
    expect(loop.steps).toHaveLength(1);
    expect(loop.messages.map((m) => m.role)).toEqual(['user', 'assistant', 'tool']);
  });

  it('rejects bad tool definitions before any request', async () => {
    const sy = clientFor(sim());
    await expect(
      runTools(sy, { prompt: 'x', tools: { 'bad name': { parameters: weatherSchema, execute: () => 1 } } }),
    ).rejects.toThrow(InvalidSchemaError);
    await expect(
      runTools(sy, { prompt: 'x', tools: { ok: { parameters: 'nope' as never, execute: () => 1 } } }),
    ).rejects.toMatchObject({ code: 'invalid_schema' });
    const noJsonSchema = { '~standard': { version: 1, vendor: 'toy', validate: (v: unknown) => ({ value: v }) } };
    await expect(
      runTools(sy, { prompt: 'x', tools: { ok: { parameters: noJsonSchema, execute: () => 1 } } }),
    ).rejects.toThrow(/toy schema cannot produce a JSON Schema/);
    await expect(runTools(sy, { prompt: 'x', tools: weatherTools(), maxSteps: 0 })).rejects.toMatchObject({
      code: 'invalid_request',
    });
  });
});

describe('tool loop: reasoning round-trip and provider pinning', () => {
  const sim = useSimulator({ seed: 11 });
  const proxy = useProxy(sim);

  it('replays reasoning_details byte for byte with the first step’s provider pinned', async () => {
    const sy = clientFor(sim(), { baseURL: proxy().url });
    const from = proxy().exchanges.length;
    const r = await runTools(sy, {
      model: 'anthropic/claude-sonnet-4.5',
      reasoning: { max_tokens: 16 },
      prompt: 'Use get_weather for Paris, then get_time.',
      tools: weatherTools(),
      parallel: false,
    });
    expect(r.steps).toHaveLength(3);
    const chats = proxy()
      .exchanges.slice(from)
      .filter((e) => e.path.endsWith('/chat/completions'));
    expect(chats).toHaveLength(3);
    const pinned = r.steps[0]!.provider!;
    expect(r.steps.map((s) => s.provider)).toEqual([pinned, pinned, pinned]);
    expect(JSON.parse(chats[0]!.requestBody).provider).toBeUndefined();
    for (let i = 1; i < chats.length; i++) {
      const answered = JSON.parse(chats[i - 1]!.responseBody).choices[0].message;
      expect(answered.reasoning_details[0]).toMatchObject({ type: 'reasoning.text', signature: expect.any(String) });
      const wire = JSON.stringify(answered.reasoning_details);
      // The exact bytes the provider sent are the exact bytes sent back...
      expect(chats[i - 1]!.responseBody).toContain(wire);
      expect(chats[i]!.requestBody).toContain(`"reasoning_details":${wire}`);
      const sent = JSON.parse(chats[i]!.requestBody);
      const replayed = sent.messages.filter((m: Message) => m.role === 'assistant').at(-1);
      expect(replayed.reasoning_details).toEqual(answered.reasoning_details);
      expect(replayed.tool_calls).toEqual(answered.tool_calls);
      // ...to the provider that made them, with no fallback to another.
      expect(sent.provider).toEqual({ order: [pinned], allow_fallbacks: false });
    }
  });

  it('keeps the caller’s provider preferences when pinning, and pins nothing with pinProvider: false', async () => {
    const sy = clientFor(sim(), { baseURL: proxy().url });
    let from = proxy().exchanges.length;
    await runTools(sy, {
      model: 'anthropic/claude-sonnet-4.5',
      reasoning: { max_tokens: 16 },
      provider: { data_collection: 'allow' },
      prompt: 'Use get_weather for Paris.',
      tools: weatherTools(),
    });
    let sent = proxy().chatRequests().slice(-2);
    expect(sent[0]!.provider).toEqual({ data_collection: 'allow' });
    expect(sent[1]!.provider).toMatchObject({ data_collection: 'allow', allow_fallbacks: false });

    from = proxy().exchanges.length;
    await runTools(sy, {
      model: 'anthropic/claude-sonnet-4.5',
      reasoning: { max_tokens: 16 },
      prompt: 'Use get_weather for Paris.',
      tools: weatherTools(),
      pinProvider: false,
    });
    sent = proxy().chatRequests().slice(-2);
    expect(proxy().exchanges.length - from).toBe(2);
    expect(sent.map((s) => s.provider)).toEqual([undefined, undefined]);
  });

  it('replays Gemini 3 thought signatures (the provider rejects tool turns without them)', async () => {
    const sy = clientFor(sim());
    const r = await runTools(sy, {
      model: 'google/gemini-3-flash-preview',
      prompt: 'Use get_weather for Paris.',
      tools: weatherTools(),
    });
    expect(r.steps).toHaveLength(2);
    const [withCall] = assistantWithCalls(r.messages);
    expect(withCall!.reasoning_details?.some((d) => d.type === 'reasoning.encrypted')).toBe(true);
    // The control: the same conversation without the replayed details is refused.
    const stripped = r.messages.slice(0, 3).map((m) => {
      if (m.role !== 'assistant') return m;
      const { reasoning_details: _dropped, ...rest } = m;
      return rest;
    });
    await expect(
      sy.chat({
        model: 'google/gemini-3-flash-preview',
        messages: stripped,
        tools: [{ type: 'function', function: { name: 'get_weather', parameters: weatherSchema } }],
      }),
    ).rejects.toThrow(/reasoning details to be preserved/);
  });

  it('streams: step and delta events, assembled reasoning replayed with a valid signature', async () => {
    const sy = clientFor(sim(), { baseURL: proxy().url });
    const from = proxy().exchanges.length;
    const run = streamTools(sy, {
      model: 'anthropic/claude-sonnet-4.5',
      reasoning: { max_tokens: 16 },
      prompt: 'Use get_weather for Paris, then get_time.',
      tools: weatherTools(),
      parallel: false,
    });
    const events: ToolLoopEvent[] = [];
    for await (const event of run) events.push(event);
    const r = await run.final();
    expect(r.steps).toHaveLength(3);
    const kinds = events.map((e) => (e.type === 'delta' ? `delta:${e.delta.type}` : e.type));
    expect(kinds[0]).toBe('step_start');
    expect(kinds.at(-1)).toBe('done');
    expect(kinds.filter((k) => k === 'step_start')).toHaveLength(3);
    expect(kinds.filter((k) => k === 'step')).toHaveLength(3);
    expect(kinds).toContain('delta:reasoning');
    expect(kinds).toContain('delta:tool_call_delta');
    expect(kinds).toContain('delta:text');
    expect(kinds.indexOf('tool_result')).toBeLessThan(kinds.indexOf('step'));
    const text = events
      .filter((e) => e.type === 'delta' && e.delta.type === 'text' && e.step === 3)
      .map((e) => (e.type === 'delta' && e.delta.type === 'text' ? e.delta.text : ''))
      .join('');
    expect(text).toBe(r.text);
    const done = events.at(-1);
    expect(done?.type === 'done' && done.result).toBe(r);
    const requests = proxy()
      .exchanges.slice(from)
      .filter((e) => e.path.endsWith('/chat/completions'))
      .map((e) => JSON.parse(e.requestBody));
    expect(requests).toHaveLength(3);
    expect(requests.every((q) => q.stream === true)).toBe(true);
    const replayed = requests[1].messages.find((m: Message) => m.role === 'assistant');
    expect(replayed.reasoning_details).toEqual(r.steps[0]!.result.reasoningDetails);
    expect(replayed.reasoning_details[0].signature).toEqual(expect.any(String));
  });

  it('a stream closed early ends final() with an AbortError', async () => {
    const sy = clientFor(sim());
    const run = streamTools(sy, { model: 'openai/gpt-4o', prompt: 'Use get_weather.', tools: weatherTools() });
    for await (const event of run) if (event.type === 'step_start') break;
    await expect(run.final()).rejects.toThrow(AbortError);
  });
});

describe('tool loop: message conversion', () => {
  const sim = useSimulator({ seed: 2 });
  const proxy = useProxy(sim);

  it('sends system blocks with cache_control, the limited history, then the new message', async () => {
    const sy = clientFor(sim(), { baseURL: proxy().url });
    const history: Message[] = [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'first question' },
      { role: 'assistant', content: 'first answer' },
      { role: 'user', content: 'second question' },
      { role: 'assistant', content: 'second answer' },
    ];
    const r = await runTools(sy, {
      model: 'anthropic/claude-sonnet-4.5',
      system: [{ text: 'You are a weather bot.', cache: true }, { text: 'Use tools.' }],
      messages: history,
      messageLimit: 2,
      prompt: 'Use get_weather for Paris.',
      tools: weatherTools(),
    });
    const first = proxy().chatRequests().at(-2)!;
    expect(first.messages).toEqual([
      {
        role: 'system',
        content: [
          { type: 'text', text: 'You are a weather bot.', cache_control: { type: 'ephemeral' } },
          { type: 'text', text: 'Use tools.' },
        ],
      },
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'second question' },
      { role: 'assistant', content: 'second answer' },
      { role: 'user', content: 'Use get_weather for Paris.' },
    ]);
    expect(first.tools).toEqual([
      {
        type: 'function',
        function: { name: 'get_weather', parameters: weatherSchema, description: expect.any(String) },
      },
      { type: 'function', function: { name: 'get_time', parameters: timeSchema, description: expect.any(String) } },
    ]);
    const second = proxy().chatRequests().at(-1)!;
    const call = r.steps[0]!.toolCalls[0]!;
    expect((second.messages as Message[]).slice(-2)).toEqual([
      expect.objectContaining({ role: 'assistant', tool_calls: [expect.objectContaining({ id: call.id })] }),
      { role: 'tool', tool_call_id: call.id, content: '{"city":"Paris","temp_c":21}' },
    ]);
  });

  it('types execute inputs from Standard Schemas (tool helper and inline)', async () => {
    const sy = clientFor(sim());
    const seen: string[] = [];
    const weather = tool({
      parameters: z.object({ city: z.string().transform((c) => c.toUpperCase()) }),
      execute: ({ city }) => {
        seen.push(city);
        return city.length;
      },
    });
    const r = await runTools(sy, {
      model: 'openai/gpt-4o',
      prompt: 'Use get_weather for Paris.',
      tools: { get_weather: weather },
      toolChoice: (step) => (step === 1 ? { type: 'function', function: { name: 'get_weather' } } : 'auto'),
    });
    expect(seen).toEqual(['PARIS']);
    expect(r.steps[0]!.toolResults[0]).toMatchObject({ input: { city: 'PARIS' }, output: 5, content: '5' });
  });
});
