import type { SimulatorHandle } from '@switchyard/simulator';
import { afterAll, beforeAll } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/gateway.js';

// What the third-party client suites share: one gateway on its embedded simulator per file, the models they ask
// for, and the weather tool's parameters (each client wraps them in its own tool shape).

export const MODEL = 'openai/gpt-4o-mini';
export const EMBEDDING_MODEL = 'openai/text-embedding-3-small';

/** JSON Schema of the weather tool's arguments (strict: the simulator's tool calls must satisfy it). */
export const WEATHER_PARAMETERS = {
  type: 'object',
  properties: { city: { type: 'string', minLength: 1 }, unit: { type: 'string', enum: ['celsius', 'fahrenheit'] } },
  required: ['city', 'unit'],
  additionalProperties: false,
};

/** Starts a test gateway before the file's tests and stops it after; the returned function reads it. */
export function useCompatGateway(): { gateway: () => TestGateway; simulator: () => SimulatorHandle } {
  let gw: TestGateway | undefined;
  beforeAll(async () => {
    gw = await startTestGateway();
  });
  afterAll(async () => {
    await gw?.stop();
  });
  const gateway = () => {
    if (!gw) throw new Error('the compat gateway is not started yet');
    return gw;
  };
  return {
    gateway,
    simulator: () => {
      const sim = gateway().services.upstream.simulator;
      if (!sim) throw new Error('the test gateway should run on its embedded simulator');
      return sim;
    },
  };
}
