import type { IncomingMessage, ServerResponse } from 'node:http';
import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { useGatewayOverUpstream } from '../support/gateway.js';

// An upstream whose answers carry an id, model, provider or finish reason that is no string (a list, a number,
// null). One such answer used to be a 500 (`id.replace is not a function`), a request whose settlement crashed, or
// a ledger row that was lost ("finishReason must be a string") or, worse, refused by SQLite on every retry of its
// batch, blocking every row queued behind it until the queue overflowed and the gateway refused all requests.

const MODEL = 'openai/gpt-4o-mini';

function answer(_req: IncomingMessage, res: ServerResponse, body: string): void {
  const request = JSON.parse(body) as { stream?: boolean };
  const head = { id: ['gen-odd'], object: 'chat.completion', created: 1_759_420_128, model: null, provider: 5 };
  const usage = { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7, cost: 0.000003 };
  if (!request.stream) {
    res.writeHead(200, { 'content-type': 'application/json' });
    const message = { role: 'assistant', content: 'odd but fine' };
    res.end(JSON.stringify({ ...head, choices: [{ index: 0, message, finish_reason: 5 }], usage }));
    return;
  }
  const chunk = (choices: unknown[], extra: object = {}) =>
    `data: ${JSON.stringify({ ...head, object: 'chat.completion.chunk', model: 5, choices, ...extra })}\n\n`;
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  res.end(
    chunk([{ index: 0, delta: { role: 'assistant', content: 'odd but fine' }, finish_reason: null }]) +
      chunk([{ index: 0, delta: {}, finish_reason: 5, native_finish_reason: ['x'] }]) +
      chunk([], { usage }) +
      'data: [DONE]\n\n',
  );
}

const setup = useGatewayOverUpstream(answer);

describe('answers whose names are no strings', () => {
  it('are served (stream and not) and every attempt is recorded, none blocking the ledger', async () => {
    const { gateway } = setup;
    const client = new OpenAI({ apiKey: 'unused', baseURL: gateway.baseURL, maxRetries: 0 });
    const messages = [{ role: 'user' as const, content: 'Hi' }];
    for (let i = 0; i < 3; i++) {
      const completion = await client.chat.completions.create({ model: MODEL, messages });
      expect(completion.choices[0]?.message.content).toBe('odd but fine');
      expect(completion.model).toBe(MODEL);
      const stream = await client.chat.completions.create({ model: MODEL, messages, stream: true });
      let text = '';
      for await (const part of stream) text += part.choices[0]?.delta.content ?? '';
      expect(text).toBe('odd but fine');
    }
    const report = await gateway.services.accounting.report('model', {});
    expect(report.total.requests).toBe(6);
    expect(report.total).toMatchObject({ attempts: 6, failures: 0, costNano: 6n * 3_000n });
    const problems = gateway.logLines().filter((line) => Number(line.level) >= 50);
    expect(problems).toEqual([]);
  });
});
