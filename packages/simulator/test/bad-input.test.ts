import { describe, expect, it } from 'vitest';
import { call, chat, json, useSimulator } from './helpers.js';

describe('bad input', () => {
  const sim = useSimulator({ maxBodyBytes: 64 * 1024 });

  it('answers invalid JSON with a 400 envelope', async () => {
    const res = await json(sim(), '/chat/completions', '{"model": "openai/gpt-4o-mini", "messages": [');
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe(400);
    expect(res.body.error.message).toMatch(/Invalid JSON/);
    expect(res.body.user_id).toMatch(/^user_/);
  });

  it('rejects a body that is not an object', async () => {
    const res = await json(sim(), '/chat/completions', '[1,2,3]');
    expect(res.status).toBe(400);
    expect(res.body.error.message).toBe('Request body must be a JSON object');
  });

  it('answers an oversized body with 413 and keeps serving', async () => {
    const big = { model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'x'.repeat(100 * 1024) }] };
    const res = await json(sim(), '/chat/completions', big);
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe(413);
    const after = await chat(sim(), {});
    expect(after.status).toBe(200);
  });

  it('names an unknown model', async () => {
    const res = await chat(sim(), { model: 'openai/gpt-99-imaginary' });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toBe('openai/gpt-99-imaginary is not a valid model ID');
  });

  it('rejects a bare model name like the real service', async () => {
    const res = await chat(sim(), { model: 'gpt-4o' });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toBe('gpt-4o is not a valid model ID');
  });

  it.each([
    [{ temperature: 'hot' }, 'temperature'],
    [{ temperature: 2.5 }, 'temperature'],
    [{ max_tokens: 0 }, 'max_tokens'],
    [{ max_tokens: 1.5 }, 'max_tokens'],
    [{ top_p: -1 }, 'top_p'],
    [{ stream: 'yes' }, 'stream'],
    [{ model: 42 }, 'model'],
    [{ stop: ['a', 'b', 'c', 'd', 'e'] }, 'stop'],
    [{ messages: [] }, 'messages'],
    [{ messages: 'hello' }, 'messages'],
    [{ messages: [{ role: 'wizard', content: 'hi' }] }, 'messages[0].role'],
    [{ messages: [{ role: 'user', content: 42 }] }, 'messages[0].content'],
    [{ messages: [{ role: 'tool', content: 'x' }] }, 'messages[0].tool_call_id'],
    [{ tools: [{ type: 'function', function: { name: 'has space' } }] }, 'tools[0].function.name'],
    [{ tool_choice: 'sometimes' }, 'tool_choice'],
    [{ response_format: { type: 'yaml' } }, 'response_format.type'],
    [{ response_format: { type: 'json_schema', json_schema: { schema: {} } } }, 'response_format.json_schema.name'],
    [{ reasoning: { effort: 'extreme' } }, 'reasoning.effort'],
    [{ provider: { order: 'openai' } }, 'provider.order'],
    [{ provider: { sort: 'cheapest' } }, 'provider.sort'],
    [{ messages: [{ role: 'user', content: [null] }] }, 'messages[0].content'],
    [
      { messages: [{ role: 'user', content: [{ type: 'image_url', image_url: null }] }] },
      'messages[0].content[0].image_url',
    ],
    [
      { messages: [{ role: 'user', content: [{ type: 'image_url', image_url: {} }] }] },
      'messages[0].content[0].image_url',
    ],
    [{ messages: [{ role: 'user', content: [{ type: 'text', text: 5 }] }] }, 'messages[0].content[0].text'],
    [{ messages: [{ role: 'assistant', content: null, tool_calls: 5 }] }, 'messages[0].tool_calls'],
    [{ messages: [{ role: 'assistant', content: null, tool_calls: [null] }] }, 'messages[0].tool_calls[0]'],
    [
      { messages: [{ role: 'assistant', content: null, tool_calls: [{ id: [1], function: { name: 'f' } }] }] },
      'messages[0].tool_calls[0].id',
    ],
    [
      { model: 'openrouter/auto', plugins: [{ id: 'auto-router', allowed_models: 'openai/*' }] },
      'plugins[0].allowed_models',
    ],
    [
      { model: 'openrouter/auto', plugins: [{ id: 'web' }, { id: 'auto-router', excluded_models: [1] }] },
      'plugins[1].excluded_models',
    ],
  ])('names the field of a wrong value: %j', async (patch, field) => {
    const res = await chat(sim(), patch);
    expect(res.status).toBe(400);
    expect(res.body.error.message).toContain(`'${field}'`);
    expect(res.body.error.metadata.field).toBe(field);
  });

  it('accepts unknown top-level fields', async () => {
    const res = await chat(sim(), { some_future_flag: { nested: true }, usage: { include: true }, transforms: [] });
    expect(res.status).toBe(200);
  });

  it('accepts the legacy prompt form', async () => {
    const res = await json(sim(), '/chat/completions', { model: 'openai/gpt-4o-mini', prompt: 'Say exactly: ok' });
    expect(res.status).toBe(200);
    expect(res.body.choices[0].message.content).toBe('ok');
  });

  it('answers unknown paths and wrong methods', async () => {
    const missing = await json(sim(), '/nope');
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe(404);
    const wrong = await json(sim(), '/chat/completions', undefined, { method: 'GET' });
    expect(wrong.status).toBe(405);
    const outside = await fetch(`${sim().origin}/v2/models`);
    expect(outside.status).toBe(404);
  });

  it('answers CORS preflight', async () => {
    const res = await fetch(`${sim().url}/chat/completions`, { method: 'OPTIONS' });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
  });

  it('rejects a malformed fault header clearly', async () => {
    const res = await chat(sim(), {}, { headers: { 'x-simulator-fault': '{"kind":' } });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/x-simulator-fault/);
    const unknown = await chat(sim(), {}, { headers: { 'x-simulator-fault': 'meteor-strike' } });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.message).toMatch(/unknown kind/);
  });

  it('survives a client that sends half a body and disconnects', async () => {
    const { request } = await import('node:http');
    const url = new URL(`${sim().url}/chat/completions`);
    await new Promise<void>((resolve) => {
      const req = request(
        {
          host: url.hostname,
          port: url.port,
          path: url.pathname,
          method: 'POST',
          headers: { authorization: 'Bearer sk-or-v1-x', 'content-length': '1000' },
        },
        () => resolve(),
      );
      req.on('error', () => resolve());
      req.write('{"model":');
      setTimeout(() => {
        req.destroy();
        resolve();
      }, 50);
    });
    const res = await call(sim(), '/models');
    expect(res.status).toBe(200);
  });
});
