import { createAnthropic } from '@ai-sdk/anthropic';
import { generateText, stepCountIs } from 'ai';
import { describe, expect, it } from 'vitest';
import { expectTextAndStream, expectWeatherLoop, weatherTool } from './ai-sdk-checks.js';
import { MODEL, useCompatGateway } from './compat-gateway.js';

// The AI SDK's Anthropic provider speaks the Messages API: pointed at the gateway's /v1 it reaches POST /v1/messages,
// sending its key as x-api-key, as it would to Anthropic.

const { gateway } = useCompatGateway();
const CLAUDE = 'anthropic/claude-sonnet-4.5';

/** `sent` collects the request bodies the provider sends (real fetch underneath). */
function anthropic(sent: string[] = []) {
  return createAnthropic({
    baseURL: `${gateway().url}/v1`,
    apiKey: 'anything',
    fetch: (input, init) => {
      if (typeof init?.body === 'string') sent.push(init.body);
      return fetch(input, init);
    },
  });
}

describe('AI SDK with @ai-sdk/anthropic (Messages API)', () => {
  it('generates and streams text, with usage', async () => {
    await expectTextAndStream(anthropic()(MODEL), 'messages');
  });

  it('runs a multi-step tool loop, streamed and not', async () => {
    await expectWeatherLoop(() => anthropic()(MODEL), 'drizzly');
  });

  it('keeps thinking across a tool loop: the signed reasoning goes back with the tool result', async () => {
    const sent: string[] = [];
    const weather = weatherTool([], 'clear');
    const result = await generateText({
      model: anthropic(sent)(CLAUDE),
      prompt: 'Use get_weather for Oslo.',
      tools: { get_weather: weather },
      stopWhen: stepCountIs(3),
      providerOptions: { anthropic: { thinking: { type: 'enabled', budgetTokens: 1024 } } },
    });
    expect(result.text).toContain('clear');
    expect(result.reasoningText?.length ?? 0).toBeGreaterThan(0);
    // The second request carried the first answer's thinking block with its signature, as Anthropic requires.
    const second = JSON.parse(sent[1]!) as {
      messages: { role: string; content: { type: string; signature?: string }[] }[];
    };
    const replayed = second.messages.flatMap((m) => (Array.isArray(m.content) ? m.content : []));
    expect(replayed.find((block) => block.type === 'thinking')?.signature).toBeTruthy();
  });
});
