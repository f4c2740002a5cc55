import { type SimulatorHandle, type SimulatorOptions, startSimulator } from '@switchyard/simulator';
import { afterAll, beforeAll } from 'vitest';
import { type Model, Switchyard, type SwitchyardError, type SwitchyardOptions } from '../src/index.js';

export const KEY = 'sk-or-v1-sdk-test-key-0123456789';

/** A simulator for the enclosing describe block, stopped afterwards (also when tests fail). */
export function useSimulator(options: SimulatorOptions = {}): () => SimulatorHandle {
  let sim: SimulatorHandle | undefined;
  beforeAll(async () => {
    sim = await startSimulator(options);
  });
  afterAll(async () => {
    await sim?.close();
  });
  return () => {
    if (!sim) throw new Error('simulator not started');
    return sim;
  };
}

/** A client pointed at `sim`, isolated from the machine's environment and config file. */
export function clientFor(sim: SimulatorHandle, options: SwitchyardOptions = {}): Switchyard {
  // One attempt by default: tests of single behaviours must not be slowed or hidden by retries.
  return new Switchyard({ apiKey: KEY, baseURL: sim.url, env: {}, retry: { attempts: 1 }, ...options });
}

export const fault = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value));

export const hello = [{ role: 'user' as const, content: 'Hello, world!' }];

/** A minimal catalog row (a free text model) for catalogs that tests script themselves. */
export const modelRow = (id: string, extra: Partial<Model> = {}): Model => ({
  id,
  name: id,
  created: 0,
  context_length: 1000,
  architecture: { modality: 'text->text', input_modalities: ['text'], output_modalities: ['text'] },
  pricing: { prompt: '0', completion: '0' },
  top_provider: { is_moderated: false },
  supported_parameters: [],
  ...extra,
});

/** A client of a loopback upstream at `baseURL`: one attempt per request, no environment, `model` as the default. */
export function loopbackClient(baseURL: string, model: string, options: SwitchyardOptions = {}): Switchyard {
  return new Switchyard({
    apiKey: 'sk-or-v1-loopback-test',
    baseURL,
    env: {},
    defaultModel: model,
    retry: { attempts: 1 },
    ...options,
  });
}

/** The typed error `promise` rejects with; throws when it resolves instead. */
export async function failure(promise: Promise<unknown>): Promise<SwitchyardError> {
  try {
    await promise;
  } catch (error) {
    return error as SwitchyardError;
  }
  throw new Error('expected a failure');
}
