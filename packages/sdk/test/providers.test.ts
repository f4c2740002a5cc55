import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ConfigError,
  createProvider,
  type Message,
  registeredProviders,
  registerProvider,
  resolveConfig,
  Switchyard,
} from '../src/index.js';
import { limitHistory } from '../src/providers/conversation.js';
import { clientFor, failure, hello, useSimulator } from './helpers.js';

describe('simulator provider', () => {
  it('answers without a key when DEV_MODE=true, in-process', async () => {
    const sy = new Switchyard({ env: { DEV_MODE: 'true' } });
    try {
      expect(sy.providerName).toBe('simulator');
      expect(sy.providerMetadata.kind).toBe('embedded');
      const r = await sy.chat({
        model: 'openai/gpt-4o-mini',
        messages: [{ role: 'user', content: 'Say exactly: offline' }],
      });
      expect(r.text).toBe('offline');
      expect(await sy.provider().isAvailable()).toBe(true);
    } finally {
      await sy.close();
    }
  });

  it('hands out its transport without waiting only once started, and not after close (then starts again)', async () => {
    const backend = createProvider(resolveConfig({ provider: 'simulator', env: {} }));
    try {
      expect(backend.transportNow?.()).toBeUndefined(); // not started: callers must await transport()
      const started = await backend.transport();
      expect(backend.transportNow?.()).toBe(started);
      await backend.close();
      expect(backend.transportNow?.()).toBeUndefined();
      const restarted = await backend.transport();
      expect(restarted).not.toBe(started);
      expect(backend.transportNow?.()).toBe(restarted);
      const sy = new Switchyard({ provider: 'simulator', env: {} });
      try {
        const r = await sy.chat({
          model: 'openai/gpt-4o-mini',
          messages: [{ role: 'user', content: 'Say exactly: ok' }],
        });
        expect(r.text).toBe('ok');
        const second = await sy.chat({
          model: 'openai/gpt-4o-mini',
          messages: [{ role: 'user', content: 'Say exactly: again' }],
        });
        expect(second.text).toBe('again');
      } finally {
        await sy.close();
      }
    } finally {
      await backend.close();
    }
  });

  it('is chosen by DEFAULT_PROVIDER or the provider option', async () => {
    for (const sy of [
      new Switchyard({ env: { DEFAULT_PROVIDER: 'simulator' } }),
      new Switchyard({ provider: 'simulator', env: {} }),
    ]) {
      try {
        expect(sy.providerName).toBe('simulator');
        expect((await sy.models.list()).length).toBeGreaterThan(60);
      } finally {
        await sy.close();
      }
    }
  });
});

describe('openai-compatible provider', () => {
  let server: Server;
  let baseURL = '';
  const bodies: Record<string, unknown>[] = [];

  beforeAll(async () => {
    // A minimal local OpenAI-style server (as Ollama, LM Studio or vLLM expose): no cost in usage.
    server = createServer((req, res) => {
      let raw = '';
      req.on('data', (c) => {
        raw += c;
      });
      req.on('end', () => {
        res.setHeader('content-type', 'application/json');
        if (req.url === '/v1/models')
          return res.end(
            JSON.stringify({ object: 'list', data: [{ id: 'llama3.1:8b', object: 'model', owned_by: 'library' }] }),
          );
        if (req.url === '/v1/chat/completions') {
          const body = JSON.parse(raw);
          bodies.push(body);
          // A slow local model: the headers come with the whole answer, 300 ms on.
          if (body.model === 'slow:70b') {
            const answer = { id: 'chatcmpl-3', object: 'chat.completion', created: 1, model: body.model };
            const choices = [{ index: 0, message: { role: 'assistant', content: 'late' }, finish_reason: 'stop' }];
            setTimeout(() => res.end(JSON.stringify({ ...answer, choices })), 300);
            return;
          }
          if (body.stream) {
            // As OpenAI streams: usage only in a last chunk, and only when asked with stream_options.
            res.setHeader('content-type', 'text/event-stream');
            const chunk = (extra: object) =>
              `data: ${JSON.stringify({ id: 'chatcmpl-2', object: 'chat.completion.chunk', created: 1, model: body.model, ...extra })}\n\n`;
            res.write(
              chunk({
                choices: [{ index: 0, delta: { role: 'assistant', content: 'streamed' }, finish_reason: null }],
              }),
            );
            res.write(chunk({ choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] }));
            if (body.stream_options?.include_usage === true)
              res.write(
                chunk({ choices: [], usage: { prompt_tokens: 1000, completion_tokens: 500, total_tokens: 1500 } }),
              );
            return res.end('data: [DONE]\n\n');
          }
          return res.end(
            JSON.stringify({
              id: 'chatcmpl-1',
              object: 'chat.completion',
              created: 1,
              model: body.model,
              choices: [{ index: 0, message: { role: 'assistant', content: 'local answer' }, finish_reason: 'stop' }],
              usage: { prompt_tokens: 1000, completion_tokens: 500, total_tokens: 1500 },
            }),
          );
        }
        res.statusCode = 404;
        res.end(JSON.stringify({ error: { message: 'not found', type: 'invalid_request_error' } }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseURL = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('chats without a key, lists models, and costs $0 by default', async () => {
    const sy = new Switchyard({
      env: {},
      provider: 'local',
      providers: { local: { type: 'openai-compatible', baseURL } },
    });
    expect(sy.providerMetadata.kind).toBe('local');
    const r = await sy.chat({
      model: 'llama3.1:8b',
      messages: hello,
      provider: { order: ['x'] },
      transforms: ['middle-out'],
    });
    expect(r.text).toBe('local answer');
    expect(r.cost).toEqual({ usd: 0, source: 'computed', computedUsd: 0 });
    expect(bodies.at(-1)).not.toHaveProperty('provider');
    expect(bodies.at(-1)).not.toHaveProperty('transforms');
    expect((await sy.models.list()).map((m) => m.id)).toEqual(['llama3.1:8b']);
    expect(await sy.provider().isAvailable()).toBe(true);
  });

  it('waits for a non-stream answer whose headers come with it: no headers timeout unless one is set', async () => {
    const providers = { local: { type: 'openai-compatible' as const, baseURL } };
    const backend = createProvider(resolveConfig({ env: {}, provider: 'local', providers }), 'local');
    expect((await backend.transport()).config.headersTimeoutMs).toBe(0);
    const chat = (sy: Switchyard) => sy.chat({ model: 'slow:70b', messages: hello });
    expect((await chat(new Switchyard({ env: {}, provider: 'local', providers }))).text).toBe('late');
    // Set explicitly, it applies as set.
    const strict = new Switchyard({
      env: {},
      provider: 'local',
      providers,
      timeouts: { headersMs: 100 },
      retry: { attempts: 1 },
    });
    expect(await failure(chat(strict))).toMatchObject({ code: 'timeout' });
  });

  it('uses configured prices (per million tokens)', async () => {
    const sy = new Switchyard({
      env: {},
      provider: 'local',
      providers: {
        local: { type: 'openai-compatible', baseURL, prices: { 'llama3.1:8b': { prompt: 1, completion: 2 } } },
      },
    });
    const r = await sy.chat({ model: 'llama3.1:8b', messages: hello });
    expect(r.cost.usd).toBeCloseTo(1000 * 1e-6 + 500 * 2e-6, 12);
    expect(r.cost.source).toBe('computed');
  });

  it('asks a stream for its usage the OpenAI way, so streamed answers are counted and priced', async () => {
    const sy = new Switchyard({
      env: {},
      provider: 'local',
      providers: {
        local: { type: 'openai-compatible', baseURL, prices: { 'llama3.1:8b': { prompt: 1, completion: 2 } } },
      },
    });
    const final = await sy.stream({ model: 'llama3.1:8b', messages: hello }).final();
    expect(final.text).toBe('streamed');
    expect(final.usage.totalTokens).toBe(1500);
    expect(final.cost.usd).toBeCloseTo(1000 * 1e-6 + 500 * 2e-6, 12);
    expect(bodies.at(-1)?.stream_options).toEqual({ include_usage: true });
    // A caller's own stream_options are sent as given.
    await sy
      .stream({ model: 'llama3.1:8b', messages: hello, stream_options: { include_usage: false } } as never)
      .final();
    expect(bodies.at(-1)?.stream_options).toEqual({ include_usage: false });
  });

  it('serves provider({ name }) for another configured provider beside the default one', async () => {
    const sy = new Switchyard({
      env: {},
      apiKey: 'sk-or-v1-unused',
      providers: { local: { type: 'openai-compatible', baseURL } },
    });
    expect(sy.providerName).toBe('openrouter');
    const attempts: string[] = [];
    sy.on('attempt', (a) => attempts.push(a.backend));
    const local = sy.provider({ name: 'local', model: 'llama3.1:8b' });
    expect(local.name).toBe('local');
    expect(local.metadata.kind).toBe('local');
    const r = await local.sendMessage('hi');
    expect(r.text).toBe('local answer');
    expect(r.attempts?.[0]?.backend).toBe('local');
    expect(attempts).toEqual(['local']);
    expect(bodies.at(-1)).toMatchObject({ model: 'llama3.1:8b', messages: [{ role: 'user', content: 'hi' }] });
    expect(await local.isAvailable()).toBe(true);
    await sy.close();
  });

  it('reports an unreachable server as unavailable', async () => {
    const sy = new Switchyard({
      env: {},
      provider: 'gone',
      providers: { gone: { type: 'openai-compatible', baseURL: 'http://127.0.0.1:9/v1' } },
    });
    expect(await sy.provider().isAvailable()).toBe(false);
  });
});

describe('provider registry', () => {
  it('registers custom providers and lists the built-ins', () => {
    expect(registeredProviders()).toEqual(expect.arrayContaining(['openrouter', 'openai-compatible', 'simulator']));
    registerProvider('echo-test', ({ name }) => ({
      name,
      type: 'echo-test',
      openRouterApi: false,
      metadata: { name: 'Echo', company: 'tests', region: 'local', dataLocation: 'memory', kind: 'local' },
      transport: async () => {
        throw new Error('unused');
      },
      isAvailable: async () => true,
      listModels: async () => [],
      prices: async () => undefined,
      close: async () => {},
    }));
    const backend = createProvider(resolveConfig({ env: {} }), 'echo-test');
    expect(backend.metadata.name).toBe('Echo');
  });

  it('names the known providers when one is unknown', () => {
    expect(() => createProvider(resolveConfig({ env: {} }), 'nope')).toThrow(ConfigError);
    expect(() => createProvider(resolveConfig({ env: {} }), 'nope')).toThrow(/known providers: .*openrouter/);
  });

  it('carries OpenRouter metadata by default', () => {
    const sy = new Switchyard({ env: {} });
    expect(sy.providerName).toBe('openrouter');
    expect(sy.providerMetadata).toMatchObject({ name: 'OpenRouter', kind: 'cloud' });
  });
});

describe('Provider interface (sendMessage / sendConversation)', () => {
  const sim = useSimulator({ cacheMinTokens: 16 });

  it('sends a message and a conversation with system blocks, history, tools, limit and tool choice', async () => {
    const provider = clientFor(sim()).provider({ model: 'anthropic/claude-3.5-sonnet' });
    expect(provider.model).toBe('anthropic/claude-3.5-sonnet');
    expect((await provider.sendMessage('Say exactly: ping')).text).toBe('ping');
    const system = [{ text: 'You are a meticulous assistant who answers briefly. '.repeat(10), cache: true }];
    const params = { provider: { order: ['anthropic'] } }; // the cache lives with one provider
    const first = await provider.sendConversation({ system, newMessage: 'hello', params });
    expect(first.usage.cacheWriteTokens).toBeGreaterThan(0);
    const second = await provider.sendConversation({ system, newMessage: 'again', params });
    expect(second.usage.cachedTokens).toBe(first.usage.cacheWriteTokens);
    const tool = {
      type: 'function' as const,
      function: { name: 'lookup', parameters: { type: 'object', properties: {} } },
    };
    const forced = await provider.sendConversation({
      history: hello,
      tools: [tool],
      toolChoice: { type: 'function', function: { name: 'lookup' } },
    });
    expect(forced.toolCalls[0]?.name).toBe('lookup');
  });

  it('limits history without separating tool results from their call', () => {
    const history: Message[] = [
      { role: 'user', content: 'a' },
      {
        role: 'assistant',
        content: null,
        tool_calls: [{ id: 'c1', type: 'function', function: { name: 'f', arguments: '{}' } }],
      },
      { role: 'tool', tool_call_id: 'c1', content: 'r1' },
      { role: 'assistant', content: 'b' },
      { role: 'user', content: 'c' },
    ];
    expect(limitHistory(history, 3).map((m) => m.role)).toEqual(['assistant', 'user']);
    expect(limitHistory(history, 4).map((m) => m.role)).toEqual(['assistant', 'tool', 'assistant', 'user']);
    expect(limitHistory(history, 10)).toEqual(history);
    expect(limitHistory(history, 0)).toEqual([]);
  });
});
