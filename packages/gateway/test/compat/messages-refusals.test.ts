/**
 * Refusals of the Messages API in the words and statuses Anthropic clients act on: an unknown model is Anthropic's
 * 404 `not_found_error` (on `/messages` and `count_tokens` alike), a prompt too long for the model says so as
 * Anthropic does (Claude Code compacts on it), and `fallbacks` takes what OpenRouter's skin takes. Every request goes
 * over loopback to 127.0.0.1.
 */
import Anthropic from '@anthropic-ai/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { post, startTestGateway, type TestGateway } from '../support/gateway.js';
import { MODEL } from './compat-gateway.js';

/** The smallest context in the simulator's catalog among chat models (8191 tokens). */
const SMALL = 'openai/gpt-4';

let gw: TestGateway;
beforeAll(async () => {
  gw = await startTestGateway({ fileConfig: { aliases: { 'claude-house': MODEL } } });
});
afterAll(() => gw?.stop());

const client = () => new Anthropic({ baseURL: `${gw.url}/api`, apiKey: 'anything', maxRetries: 0, timeout: 15_000 });
const hello = [{ role: 'user' as const, content: 'Say exactly: counted' }];
type ApiError = InstanceType<typeof Anthropic.APIError>;
const failure = (promise: Promise<unknown>) => promise.then(() => undefined).catch((e: unknown) => e as ApiError);
/** The body of a refusal, as the gateway sent it (`APIError.error`). */
const bodyOf = (error: ApiError | undefined) =>
  (error?.error ?? {}) as { request_id?: string; error?: { message?: string } };

describe('an unknown model', () => {
  it('is not_found_error (404) on /messages, streamed or not, with the gateway code', async () => {
    for (const stream of [false, true]) {
      const error = await failure(
        client().messages.create({ model: 'nobody/no-such-model', max_tokens: 50, stream, messages: hello } as never),
      );
      expect(error).toBeInstanceOf(Anthropic.NotFoundError);
      expect({ stream, type: error?.type, code: error?.errorCode }).toEqual({
        stream,
        type: 'not_found_error',
        code: 'invalid_model',
      });
      expect(error?.requestID).toBeTruthy();
    }
  });

  it('is refused by count_tokens the same way, instead of counted; known models and aliases are counted', async () => {
    const error = await failure(client().messages.countTokens({ model: 'nobody/no-such-model', messages: hello }));
    expect(error).toBeInstanceOf(Anthropic.NotFoundError);
    expect({ type: error?.type, code: error?.errorCode }).toEqual({ type: 'not_found_error', code: 'invalid_model' });
    expect(bodyOf(error).error?.message).toContain('nobody/no-such-model');
    // An Anthropic id whose OpenRouter form does not exist either.
    const claude = await failure(client().messages.countTokens({ model: 'claude-nothing-9', messages: hello }));
    expect(claude).toBeInstanceOf(Anthropic.NotFoundError);
    for (const model of [MODEL, 'claude-house', 'claude-sonnet-4-5-20250929']) {
      const counted = await client().messages.countTokens({ model, messages: hello });
      expect({ model, counted: counted.input_tokens > 0 }).toEqual({ model, counted: true });
    }
  });
});

describe('count_tokens answers', () => {
  it('carry the request-id header, as /messages answers do, also when refused', async () => {
    const { data, request_id, response } = await client()
      .messages.countTokens({ model: MODEL, messages: hello })
      .withResponse();
    expect(data.input_tokens).toBeGreaterThan(0);
    expect(request_id).toBeTruthy();
    expect(response.headers.get('x-request-id')).toBe(request_id);
    const error = await failure(client().messages.countTokens({ model: MODEL, messages: [] }));
    expect(error).toBeInstanceOf(Anthropic.BadRequestError);
    expect(error?.requestID).toBeTruthy();
    expect(error?.requestID).toBe(bodyOf(error).request_id);
  });
});

describe('a prompt too long for the model', () => {
  const long = [{ role: 'user' as const, content: 'Every word counts here. '.repeat(3000) }];

  it("is refused in Anthropic's words with the gateway's numbers, streamed or not", async () => {
    const { input_tokens } = await client().messages.countTokens({ model: SMALL, messages: long });
    expect(input_tokens).toBeGreaterThan(8191);
    for (const stream of [false, true]) {
      const error = await failure(
        client().messages.create({ model: SMALL, max_tokens: 100, stream, messages: long } as never),
      );
      expect(error).toBeInstanceOf(Anthropic.BadRequestError);
      expect({ type: error?.type, code: error?.errorCode }).toEqual({
        type: 'invalid_request_error',
        code: 'context_length_exceeded',
      });
      expect(bodyOf(error).error?.message).toBe(`prompt is too long: ${input_tokens} tokens > 8191 maximum`);
    }
  });

  it('names max_tokens when the prompt fits but the answer it asks for does not', async () => {
    const messages = [{ role: 'user' as const, content: 'Every word counts here. '.repeat(300) }];
    const { input_tokens } = await client().messages.countTokens({ model: SMALL, messages });
    const error = await failure(client().messages.create({ model: SMALL, max_tokens: 8000, messages }));
    expect(error).toBeInstanceOf(Anthropic.BadRequestError);
    expect(error?.errorCode).toBe('context_length_exceeded');
    expect(bodyOf(error).error?.message).toBe(
      `input length and \`max_tokens\` exceed context limit: ${input_tokens} + 8000 > 8191, decrease input length or \`max_tokens\` and try again`,
    );
  });
});

describe('fallbacks', () => {
  it('takes "default": no list of its own, so the gateway\'s configured fallback chain applies', async () => {
    const answer = await client().beta.messages.create({
      model: MODEL,
      max_tokens: 50,
      fallbacks: 'default',
      messages: hello,
    });
    expect(answer.content).toEqual([{ type: 'text', text: 'counted' }]);
  });

  it('refuses per-attempt overrides, as OpenRouter does, naming the field', async () => {
    const error = await failure(
      client().beta.messages.create({
        model: MODEL,
        max_tokens: 50,
        fallbacks: [{ model: 'claude-opus-4-1-20250805', max_tokens: 20 }],
        messages: hello,
      }),
    );
    expect(error).toBeInstanceOf(Anthropic.BadRequestError);
    expect(error?.error).toMatchObject({ error: { metadata: { field: 'fallbacks[0].max_tokens' } } });
    const raw = await post(`${gw.baseURL}/messages`, {
      model: MODEL,
      max_tokens: 50,
      fallbacks: 'all',
      messages: hello,
    });
    expect(raw.status).toBe(400);
  });
});
