import { describe, expect, it } from 'vitest';
import { billsCancelledStreams } from '../src/index.js';

describe('billsCancelledStreams', () => {
  it("knows OpenRouter's providers that bill a cancelled stream whole, by display name, without case", () => {
    for (const name of ['Groq', 'Google', 'Google AI Studio', 'Amazon Bedrock', 'AWS Bedrock', 'mistral', ' Nebius '])
      expect(billsCancelledStreams(name), name).toBe(true);
  });

  it('says no for the providers that stop generating and billing when the connection drops', () => {
    for (const name of ['OpenAI', 'Azure', 'Anthropic', 'DeepInfra', 'Together', 'xAI', 'DeepSeek', ''])
      expect(billsCancelledStreams(name), name).toBe(false);
  });
});
