import { request } from 'node:http';
import { describe, expect, it } from 'vitest';
import { chat, KEY, streamChat, streamedText, useSimulator } from './helpers.js';

const tool = {
  type: 'function',
  function: {
    name: 'lookup_order',
    parameters: {
      type: 'object',
      properties: { order_id: { type: 'string', pattern: '^ORD-[0-9]{6}$' }, include_items: { type: 'boolean' } },
      required: ['order_id', 'include_items'],
    },
  },
};

describe('streaming', () => {
  const sim = useSimulator({ seed: 11 });

  it('frames a stream like OpenRouter: comment, role deltas, finish, usage, [DONE]', async () => {
    const { res, raw, comments, chunks, done } = await streamChat(sim(), {});
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    expect(res.headers.get('x-generation-id')).toMatch(/^gen-/);
    expect(raw.startsWith(': OPENROUTER PROCESSING\n\n')).toBe(true);
    expect(comments).toEqual(['OPENROUTER PROCESSING']);
    expect(done).toBe(true);
    for (const chunk of chunks) {
      expect(chunk).toMatchObject({ object: 'chat.completion.chunk', model: 'openai/gpt-4o-mini' });
      expect(chunk.id).toBe(res.headers.get('x-generation-id'));
      expect(typeof chunk.provider).toBe('string');
      expect(chunk).not.toHaveProperty('system_fingerprint');
    }
    const content = chunks.filter((c) => c.choices[0]?.delta?.content);
    expect(content.length).toBeGreaterThan(3);
    for (const c of content) expect(c.choices[0].delta.role).toBe('assistant');
    const finish = chunks.findIndex((c) => c.choices[0]?.finish_reason);
    expect(chunks[finish].choices[0]).toMatchObject({ finish_reason: 'stop', native_finish_reason: 'stop' });
    expect(chunks[finish].usage).toBeUndefined();
    const usage = chunks[finish + 1];
    expect(usage.choices).toEqual([]);
    expect(usage.usage.total_tokens).toBe(usage.usage.prompt_tokens + usage.usage.completion_tokens);
    expect(finish + 2).toBe(chunks.length);
  });

  it('streams exactly the text and usage of the non-stream answer', async () => {
    const body = { messages: [{ role: 'user', content: 'Explain circuit breakers' }] };
    const plain = await chat(sim(), body);
    const streamed = await streamChat(sim(), body);
    expect(streamedText(streamed.chunks)).toBe(plain.body.choices[0].message.content);
    const { cost, ...usage } = streamed.chunks.at(-1)!.usage;
    const { cost: plainCost, ...plainUsage } = plain.body.usage;
    expect(usage).toEqual(plainUsage);
    expect(cost).toBe(plainCost);
  });

  it('sends tool calls in fragments that reassemble to the non-stream arguments', async () => {
    const body = { messages: [{ role: 'user', content: 'Please use lookup_order' }], tools: [tool] };
    const plain = await chat(sim(), body);
    const { chunks } = await streamChat(sim(), body);
    const deltas = chunks.flatMap((c) => c.choices[0]?.delta?.tool_calls ?? []);
    expect(deltas[0]).toMatchObject({ index: 0, type: 'function', function: { name: 'lookup_order', arguments: '' } });
    expect(deltas[0].id).toBe(plain.body.choices[0].message.tool_calls[0].id);
    expect(deltas.length).toBeGreaterThan(2);
    const args = deltas.map((d) => d.function?.arguments ?? '').join('');
    expect(args).toBe(plain.body.choices[0].message.tool_calls[0].function.arguments);
    expect(JSON.parse(args).order_id).toMatch(/^ORD-\d{6}$/);
    expect(chunks.find((c) => c.choices[0]?.finish_reason)?.choices[0].finish_reason).toBe('tool_calls');
  });

  it('streams parallel tool calls with distinct indexes', async () => {
    const other = { type: 'function', function: { name: 'cancel_order', parameters: tool.function.parameters } };
    const { chunks } = await streamChat(sim(), {
      messages: [{ role: 'user', content: 'lookup_order then cancel_order for me' }],
      tools: [tool, other],
    });
    const starts = chunks.flatMap((c) => c.choices[0]?.delta?.tool_calls ?? []).filter((d: any) => d.id);
    expect(starts.map((d: any) => [d.index, d.function.name])).toEqual([
      [0, 'lookup_order'],
      [1, 'cancel_order'],
    ]);
  });

  it('streams reasoning before content, then the signature in a delta of its own (Anthropic)', async () => {
    const { chunks } = await streamChat(sim(), { model: 'anthropic/claude-sonnet-4.5', reasoning: { max_tokens: 12 } });
    const withReasoning = chunks.filter((c) => c.choices[0]?.delta?.reasoning);
    expect(withReasoning.length).toBeGreaterThan(3);
    expect(withReasoning[0].choices[0].delta.reasoning_details[0]).toMatchObject({
      type: 'reasoning.text',
      format: 'anthropic-claude-v1',
    });
    const signature = chunks.find((c) => c.choices[0]?.delta?.reasoning_details?.[0]?.signature)!;
    expect(signature.choices[0].delta.reasoning).toBeNull();
    expect(signature.choices[0].delta.reasoning_details[0].text).toBeUndefined();
    const firstContent = chunks.findIndex((c) => c.choices[0]?.delta?.content);
    expect(firstContent).toBeGreaterThan(chunks.indexOf(signature));
    const plain = await chat(sim(), { model: 'anthropic/claude-sonnet-4.5', reasoning: { max_tokens: 12 } });
    const streamedReasoning = withReasoning.map((c) => c.choices[0].delta.reasoning).join('');
    expect(streamedReasoning).toBe(plain.body.choices[0].message.reasoning);
    expect(signature.choices[0].delta.reasoning_details[0].signature).toBe(
      plain.body.choices[0].message.reasoning_details[0].signature,
    );
  });

  it('streams OpenAI reasoning as summaries plus an encrypted item', async () => {
    const { chunks } = await streamChat(sim(), { model: 'openai/o4-mini', reasoning: { effort: 'low' } });
    const details = chunks.flatMap((c) => c.choices[0]?.delta?.reasoning_details ?? []);
    expect(details.some((d: any) => d.type === 'reasoning.summary')).toBe(true);
    expect(details.some((d: any) => d.type === 'reasoning.encrypted' && d.data.startsWith('gAAAAA'))).toBe(true);
  });

  it('can stream JSON output that parses once assembled', async () => {
    const schema = { type: 'object', properties: { n: { type: 'integer' } }, required: ['n'] };
    const { chunks } = await streamChat(sim(), {
      response_format: { type: 'json_schema', json_schema: { name: 'n', schema } },
    });
    expect(Number.isInteger(JSON.parse(streamedText(chunks)).n)).toBe(true);
  });
});

describe('stream shapes', () => {
  const emptyChoice = useSimulator({ stream: { usageChunk: 'empty-choice', processingComments: 2, commentEvery: 3 } });
  const withFinish = useSimulator({ stream: { usageChunk: 'with-finish', processingComments: 0, chunkTokens: 4 } });

  it('puts usage on a chunk with one empty choice (2025 shape) and spaces keep-alive comments', async () => {
    const { raw, comments, chunks } = await streamChat(emptyChoice(), {});
    expect(raw.startsWith(': OPENROUTER PROCESSING\n\n: OPENROUTER PROCESSING\n\n')).toBe(true);
    const contentChunks = chunks.filter((c) => c.choices[0]?.delta?.content).length;
    expect(comments.length).toBe(2 + Math.floor(contentChunks / 3));
    const last = chunks.at(-1);
    expect(last?.choices).toEqual([
      {
        index: 0,
        delta: { role: 'assistant', content: '' },
        finish_reason: null,
        native_finish_reason: null,
        logprobs: null,
      },
    ]);
    expect(last?.usage.prompt_tokens).toBeGreaterThan(0);
  });

  it('puts usage on the finish chunk when configured, and several tokens per chunk', async () => {
    const { raw, chunks } = await streamChat(withFinish(), {});
    expect(raw.startsWith('data: ')).toBe(true);
    const last = chunks.at(-1);
    expect(last?.choices[0].finish_reason).toBe('stop');
    expect(last?.usage.completion_tokens).toBeGreaterThan(0);
    const pieces = chunks.filter((c) => c.choices[0]?.delta?.content);
    expect(pieces.length).toBe(Math.ceil((last?.usage.completion_tokens ?? 0) / 4));
  });
});

describe('connections', () => {
  const sim = useSimulator({ seed: 11 });

  it('closes the connection after a stream when the client asked for that', async () => {
    const body = JSON.stringify({
      model: 'openai/gpt-4o-mini',
      messages: [{ role: 'user', content: 'Hi' }],
      stream: true,
    });
    const answer = await new Promise<{ connection?: string; text: string }>((resolve, reject) => {
      const req = request(`${sim().url}/chat/completions`, {
        method: 'POST',
        agent: false,
        headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json', connection: 'close' },
      });
      req.on('error', reject);
      req.on('response', (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          text += chunk;
        });
        // Resolves once the connection is gone: a server that kept it open would leave this waiting.
        res.socket.once('close', () => resolve({ connection: res.headers.connection, text }));
      });
      req.end(body);
    });
    expect(answer.connection).toBe('close');
    expect(answer.text.trimEnd().endsWith('data: [DONE]')).toBe(true);
  });
});
